/** npm run generate:plan-snapshot — rewrites test/fixtures/plan/prod-resources.json from the program (review the diff). */
import * as fs from "node:fs";
import { PLAN_SNAPSHOT, prodPlanSnapshot } from "../testing/planSnapshot";

prodPlanSnapshot().then(
    (snapshot) => {
        fs.writeFileSync(PLAN_SNAPSHOT, `${JSON.stringify(snapshot, null, 2)}\n`);
        console.log(`${PLAN_SNAPSHOT}: ${snapshot.resources.length} resources, ${Object.keys(snapshot.outputs).length} outputs`);
    },
    (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    },
);
