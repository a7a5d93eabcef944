/**
 * The panel catalogue (panels/): its files, and every panel's SQL, as its QuickSight data set runs it,
 * parsed with Trino's grammar. The local renderer is tested on the samples beside the rest of the
 * report (test/localReport.test.ts), to run the samples once.
 */
import { expect } from "chai";
import { TrinoSQL } from "dt-sql-parser";
import {
    activityViewSql,
    compactSql,
    detectionHitsSql,
    flowRollingWindow,
    flowTrafficViewSql,
    loadPanels,
    panelQuery,
    parsePanel,
    QUICKSIGHT_MAX_SQL,
    rollingWindow,
    SOURCE_COLUMNS,
} from "../contract/panels";
import { loadDetections } from "../contract/detections";
import { loadCatalogue } from "../contract/sources/catalogue";

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
            // VPC flow logs: traffic by action, top talkers, rejected ports, bytes out.
            "traffic-over-time",
            "top-talkers",
            "rejected-by-port",
            "egress-to-public-addresses",
        ]);
        expect(new Set(panels.map((panel) => panel.id)).size).to.equal(panels.length);
    });

    it("declares only columns its source has, and refuses a bad file naming it and the field", () => {
        for (const panel of panels) {
            const source = SOURCE_COLUMNS[panel.source];
            const derived = panel.columns.filter((column) => !source.some((candidate) => candidate.name === column.name && candidate.type === column.type));
            // A panel may derive a column (calls-over-time's account_region); its test below runs it.
            expect(derived.length, panel.id).to.be.at.most(1);
        }
        const file = (header: string) =>
            `-- id: bad\n-- title: t\n-- description: d\n${header}\nSELECT eventtime, account_name, region, principal FROM cloudtrail_activity`;
        const base =
            "-- source: cloudtrail_activity\n-- chart: top-bars\n-- x: region\n-- count: eventtime\n-- columns: eventtime:datetime, account_name, region, principal";
        expect(() => parsePanel("bad.sql", file(base.replace("cloudtrail_activity", "vpc_flow")))).to.throw(
            'bad.sql: source "vpc_flow" must be one of cloudtrail_activity, detection_hits, flow_traffic',
        );
        expect(() => parsePanel("bad.sql", file(base.replace(", principal", "")))).to.throw("bad.sql: columns must include principal:string");
        expect(() => parsePanel("bad.sql", file(base.replace("x: region", "x: eventname")))).to.throw('bad.sql: x: "eventname" is not one of the columns');
        expect(() => parsePanel("bad.sql", file(base.replace("top-bars", "time-lines")))).to.throw("bad.sql: x: time-lines needs a datetime column");
        expect(parsePanel("bad.sql", file(base)).limit).to.equal(20);
        expect(parsePanel("bad.sql", file(base)).measure).to.deep.equal({ aggregate: "count", column: "eventtime" });
    });

    it("measures a panel by a count or by a sum of an integer column, and refuses anything else naming the field", () => {
        const flow = (header: string, columns = "eventtime:datetime, account_name, region, action, bytes:integer") =>
            `-- id: bad\n-- title: t\n-- description: d\n-- source: flow_traffic\n-- chart: time-bars\n-- x: eventtime\n-- colour: action\n${header ? `${header}\n` : ""}-- columns: ${columns}\nSELECT eventtime, account_name, region, action, bytes FROM flow_traffic`;
        const summed = parsePanel("bad.sql", flow("-- sum: bytes\n-- granularity: hour"));
        expect(summed.measure).to.deep.equal({ aggregate: "sum", column: "bytes" });
        expect(summed.granularity).to.equal("hour");
        // A flow has no principal: a flow panel is accepted without it, a CloudTrail panel is not (above).
        expect(summed.columns.map((column) => column.name)).not.to.include("principal");
        expect(() => parsePanel("bad.sql", flow("-- sum: action"))).to.throw("bad.sql: sum: action must be an integer column");
        expect(() => parsePanel("bad.sql", flow("-- sum: bytes", "eventtime:datetime, account_name, region, action, bytes"))).to.throw(
            "bad.sql: sum: bytes must be an integer column (declare it as bytes:integer)",
        );
        expect(() => parsePanel("bad.sql", flow("-- sum: bytes\n-- count: eventtime"))).to.throw("bad.sql: give exactly one of");
        expect(() => parsePanel("bad.sql", flow("-- colour: bytes"))).to.throw('header field "colour" is given twice');
        expect(() => parsePanel("bad.sql", flow(""))).to.throw("bad.sql: give exactly one of");
        expect(() => parsePanel("bad.sql", flow("-- sum: bytes\n-- granularity: minute"))).to.throw('bad.sql: granularity: "minute" must be one of day, hour');
        expect(() => parsePanel("bad.sql", flow("-- sum: bytes", "eventtime:datetime, account_name, action, bytes:integer"))).to.throw(
            "bad.sql: columns must include region:string",
        );
        expect(() => parsePanel("bad.sql", flow("-- sum: bytes", "eventtime:datetime, account_name, region, action, bytes:float"))).to.throw(
            'bad.sql: columns: bytes has type "float"; use string or datetime or integer',
        );
    });

    it("the detection-hits view drops comments and spare whitespace but keeps literals and identifiers byte for byte", () => {
        expect(compactSql("SELECT a -- why\n   FROM t  WHERE x = '--kept  as is' AND y = 'it''s'\n\n  -- trailing\n")).to.equal(
            "SELECT a\nFROM t WHERE x = '--kept  as is' AND y = 'it''s'",
        );
        expect(compactSql('SELECT "two  spaces", 1 - -1\nFROM t')).to.equal('SELECT "two  spaces", 1 - -1\nFROM t');
    });

    it("keeps the detection-hits view of the whole catalogue (every source) under QuickSight's CustomSql limit with 300 named accounts", () => {
        // A tripwire for catalogue growth: each detection adds its text, each account about 45 characters (docs/dashboards.md).
        const accounts = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [String(100000000000 + i), `workload-${String(i).padStart(3, "0")}`]));
        const sql = detectionHitsSql({
            detections: loadCatalogue(),
            accountNames: accounts,
            lookbackDays: 400,
            table: '"cloudtrail_lake_production_stack"."cloudtrail"',
            flowTable: '"cloudtrail_lake_production_stack"."flow_logs"',
        });
        expect(sql.length).to.be.below(QUICKSIGHT_MAX_SQL);
    });

    it("every panel's query, as its QuickSight data set runs it, parses with Trino's grammar (dt-sql-parser)", () => {
        const parser = new TrinoSQL();
        const table = '"cloudtrail_lake_prod"."cloudtrail"';
        const detections = loadDetections();
        const flowTable = '"cloudtrail_lake_prod"."flow_logs"';
        const sources = {
            cloudtrail_activity: activityViewSql({ accountNames: ACCOUNT_NAMES, window: rollingWindow(30), table }),
            // Every detection is parsed on its own by detections.test.ts; here the union around them, with the one that uses ${since}.
            detection_hits: detectionHitsSql({
                detections: detections.filter((detection) => ["bedrock-first-invocation", "console-login-without-mfa"].includes(detection.id)),
                accountNames: ACCOUNT_NAMES,
                lookbackDays: 30,
                table,
            }),
            flow_traffic: flowTrafficViewSql({ accountNames: ACCOUNT_NAMES, window: flowRollingWindow(30), table: flowTable }),
        };
        for (const panel of panels) {
            const errors = parser.validate(panelQuery(panel, sources[panel.source]));
            expect(
                errors.map((error) => `line ${error.startLine}: ${error.message}`),
                panel.id,
            ).to.deep.equal([]);
        }
        // With flow logs the hits include the flow-log detections (one a correlation with CloudTrail), reading the qualified flow table.
        const withFlows = detectionHitsSql({
            detections: loadCatalogue().filter((detection) => ["flow-port-scan", "flow-security-group-opened-then-used"].includes(detection.id)),
            accountNames: ACCOUNT_NAMES,
            lookbackDays: 30,
            table,
            flowTable,
        });
        expect(withFlows).to.contain(`FROM ${flowTable}`).and.to.contain(`FROM ${table}`);
        expect(withFlows).not.to.match(/\b(FROM|JOIN)\s+(flow_logs|cloudtrail)\b/);
        expect(parser.validate(panelQuery({ source: "detection_hits", sql: "SELECT * FROM detection_hits" }, withFlows))).to.deep.equal([]);
        // The check sees a grammar error.
        expect(parser.validate("SELECT FROM WHERE")).to.not.deep.equal([]);
    });
});
