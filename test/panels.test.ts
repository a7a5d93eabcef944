/**
 * The panel catalogue (panels/): its files, and every panel's SQL, as its QuickSight data set runs it,
 * parsed with Trino's grammar. The local renderer is tested on the samples beside the rest of the
 * report (test/localReport.test.ts), to run the samples once.
 */
import { expect } from "chai";
import { TrinoSQL } from "dt-sql-parser";
import {
    ACTIVITY_COLUMNS,
    activityViewSql,
    DETECTION_HIT_COLUMNS,
    detectionHitsSql,
    loadPanels,
    panelQuery,
    parsePanel,
    rollingWindow,
} from "../contract/panels";
import { loadDetections } from "../contract/detections";

const ACCOUNT_NAMES = { "123456789012": "workload", "111122223333": "security" };

describe("panel catalogue (panels/)", () => {
    const panels = loadPanels();

    it("has the panels a security team expects, one file each, ids unique", () => {
        expect(panels.map((panel) => panel.id)).to.include.members([
            "calls-over-time",
            "calls-by-source-address",
            "top-event-names",
            "top-event-sources",
            "errors-over-time",
            "errors-by-principal",
            "console-sign-ins",
            "detection-hits-over-time",
        ]);
        expect(new Set(panels.map((panel) => panel.id)).size).to.equal(panels.length);
    });

    it("declares only columns its source has, and refuses a bad file naming it and the field", () => {
        for (const panel of panels) {
            const source = panel.source === "cloudtrail_activity" ? ACTIVITY_COLUMNS : DETECTION_HIT_COLUMNS;
            const derived = panel.columns.filter((column) => !source.some((candidate) => candidate.name === column.name && candidate.type === column.type));
            // A panel may derive a column (calls-over-time's account_region); its test below runs it.
            expect(derived.length, panel.id).to.be.at.most(1);
        }
        const file = (header: string) =>
            `-- id: bad\n-- title: t\n-- description: d\n${header}\nSELECT eventtime, account_name, region, principal FROM cloudtrail_activity`;
        const base =
            "-- source: cloudtrail_activity\n-- chart: top-bars\n-- x: region\n-- count: eventtime\n-- columns: eventtime:datetime, account_name, region, principal";
        expect(() => parsePanel("bad.sql", file(base.replace("cloudtrail_activity", "vpc_flow")))).to.throw(
            'bad.sql: source "vpc_flow" must be one of cloudtrail_activity, detection_hits',
        );
        expect(() => parsePanel("bad.sql", file(base.replace(", principal", "")))).to.throw("bad.sql: columns must include principal:string");
        expect(() => parsePanel("bad.sql", file(base.replace("x: region", "x: eventname")))).to.throw('bad.sql: x: "eventname" is not one of the columns');
        expect(() => parsePanel("bad.sql", file(base.replace("top-bars", "time-lines")))).to.throw("bad.sql: x: time-lines needs a datetime column");
        expect(parsePanel("bad.sql", file(base)).limit).to.equal(20);
    });

    it("every panel's query, as its QuickSight data set runs it, parses with Trino's grammar (dt-sql-parser)", () => {
        const parser = new TrinoSQL();
        const table = '"cloudtrail_lake_prod"."cloudtrail"';
        const detections = loadDetections();
        const sources = {
            cloudtrail_activity: activityViewSql({ accountNames: ACCOUNT_NAMES, window: rollingWindow(30), table }),
            // Every detection is parsed on its own by detections.test.ts; here the union around them, with the one that uses ${since}.
            detection_hits: detectionHitsSql({
                detections: detections.filter((detection) => ["bedrock-first-invocation", "console-login-without-mfa"].includes(detection.id)),
                accountNames: ACCOUNT_NAMES,
                lookbackDays: 30,
                table,
            }),
        };
        for (const panel of panels) {
            const errors = parser.validate(panelQuery(panel, sources[panel.source]));
            expect(
                errors.map((error) => `line ${error.startLine}: ${error.message}`),
                panel.id,
            ).to.deep.equal([]);
        }
        // The check sees a grammar error.
        expect(parser.validate("SELECT FROM WHERE")).to.not.deep.equal([]);
    });
});
