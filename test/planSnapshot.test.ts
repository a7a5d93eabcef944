import { expect } from "chai";
import * as fs from "node:fs";
import { PLAN_SNAPSHOT, prodPlanSnapshot } from "../testing/planSnapshot";

describe("the prod stack's resources, URNs, inputs and outputs", () => {
    it("are those of test/fixtures/plan/prod-resources.json (after a deliberate change: npm run generate:plan-snapshot, and review the diff)", async () => {
        const expected = JSON.parse(fs.readFileSync(PLAN_SNAPSHOT, "utf8"));
        const actual = JSON.parse(JSON.stringify(await prodPlanSnapshot()));
        expect(actual.resources.map((resource: { urn: string }) => resource.urn)).to.deep.equal(
            expected.resources.map((resource: { urn: string }) => resource.urn),
        );
        expect(actual).to.deep.equal(expected);
    });
});
