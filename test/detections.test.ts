import { expect } from "chai";
import { TrinoSQL } from "dt-sql-parser";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLOUD_TACTICS, Detection, loadDetections, parseDetection, parseDuration, queryForWindow } from "../contract/detections";
import { Engine, literal } from "../lambda/shared/engine";
import { createCloudTrailView } from "../local/lake";
import { runLocal } from "../local/run";
import { summaryTable } from "../local/report";
import { sqlForWindow } from "../lambda/alerts/catalogue";
import { attackCoverage, coverageMarkdown } from "../contract/coverage";
import { withLifecycleHeaders } from "../scripts/add-detection-metadata";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "detections");
const WINDOW = { since: "2026-11-20T00:00:00Z", until: "2026-11-21T00:00:00Z" };

/**
 * Functions Athena engine version 3 has, among those a detection could want: the Trino functions
 * of https://trino.io/docs/current/functions/list.html that Athena v3 supports per
 * https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html (Athena lists the Trino
 * functions it lacks, none of which are below). A query using anything else fails the test: add
 * the function here only after checking both pages (and the compatibility macros in lambda/shared/engine.ts).
 */
export const ATHENA_V3_FUNCTIONS = new Set([
    // conditional, conversion
    "coalesce",
    "if",
    "nullif",
    "try",
    "try_cast",
    "cast",
    "typeof",
    // string
    "concat",
    "concat_ws",
    "length",
    "lower",
    "upper",
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "reverse",
    "split",
    "split_part",
    "strpos",
    "position",
    "substr",
    "substring",
    "starts_with",
    "lpad",
    "rpad",
    "format",
    "url_extract_host",
    "to_utf8",
    "from_utf8",
    // regular expressions
    "regexp_like",
    "regexp_extract",
    "regexp_extract_all",
    "regexp_replace",
    "regexp_count",
    // JSON
    "json_extract",
    "json_extract_scalar",
    "json_format",
    "json_parse",
    "json_array_length",
    "json_array_contains",
    "json_size",
    // date and time
    "from_iso8601_timestamp",
    "from_iso8601_date",
    "to_iso8601",
    "date_trunc",
    "date_diff",
    "date_add",
    "date_format",
    "date_parse",
    "from_unixtime",
    "to_unixtime",
    "current_timestamp",
    "now",
    "hour",
    "day",
    "year",
    "month",
    // aggregate
    "count",
    "count_if",
    "sum",
    "min",
    "max",
    "avg",
    "approx_distinct",
    "array_agg",
    "arbitrary",
    "bool_or",
    "bool_and",
    "min_by",
    "max_by",
    // window
    "row_number",
    "rank",
    "dense_rank",
    "lag",
    "lead",
    "first_value",
    "last_value",
    // array
    "cardinality",
    "contains",
    "element_at",
    "array_join",
    "any_match",
    "filter",
    "transform",
    // math (https://trino.io/docs/current/functions/math.html)
    "abs",
    "floor",
    "greatest",
    "least",
    "round",
]);

/** SQL keywords that precede a parenthesis without being functions. */
const NOT_FUNCTIONS = new Set([
    "in",
    "over",
    "as",
    "from",
    "join",
    "on",
    "using",
    "and",
    "or",
    "not",
    "values",
    "exists",
    "where",
    "select",
    "by",
    "then",
    "else",
    "when",
    "with",
    "union",
    "all",
    "filter",
    "between",
    "is",
    "like",
    "case",
    "row",
    "interval",
]);

/** The function names a query calls: a word token directly followed by "(" (comments and strings are tokens of their own). */
function functionsCalled(parser: TrinoSQL, sql: string): string[] {
    const tokens = parser
        .getAllTokens(sql)
        .map((token) => token.text ?? "")
        .filter((text) => text.trim() !== "" && !text.startsWith("--"));
    const names = new Set<string>();
    tokens.forEach((text, index) => {
        if (tokens[index + 1] === "(" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) && !NOT_FUNCTIONS.has(text.toLowerCase())) names.add(text.toLowerCase());
    });
    return [...names];
}

interface Fixture {
    readonly detection: string;
    readonly file: string;
    readonly kind: "positive" | "negative";
    readonly eventIds: string[];
    readonly window: { since: string; until: string };
}

function fixturesOf(detection: string): Fixture[] {
    const dir = path.join(FIXTURES_DIR, detection);
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((name) => /^(positive|negative).*\.json$/.test(name))
        .sort()
        .map((name) => {
            const records = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")).Records as { eventID?: string; eventTime: string }[];
            const times = records.map((record) => Date.parse(record.eventTime)).sort((a, b) => a - b);
            return {
                detection,
                file: path.join(dir, name),
                kind: name.startsWith("positive") ? "positive" : "negative",
                eventIds: [...new Set(records.map((record) => String(record.eventID)))],
                // The fixture's own span, as the local mode uses the input's span (correlations read ${since}).
                window: { since: new Date(times[0]).toISOString(), until: new Date(times[times.length - 1] + 1000).toISOString() },
            };
        });
}

describe("detection catalogue", () => {
    const detections = loadDetections();

    it("has at least 35 detections, each with every header field, ATT&CK ids of the cloud matrix and a bounded window", () => {
        expect(detections.length).to.be.at.least(35);
        for (const detection of detections) {
            for (const field of ["title", "description", "falsePositives", "runbook"] as const)
                expect(detection[field], `${detection.id} ${field}`).to.not.equal("");
            for (const tactic of detection.tactics) expect(CLOUD_TACTICS, detection.id).to.have.property(tactic);
            for (const technique of detection.techniques) expect(technique, detection.id).to.match(/^T\d{4}(\.\d{3})?$/);
            expect(detection.source, detection.id).to.match(/FROM cloudtrail\b/);
        }
    });

    it("includes the seeds' three detections", () => {
        expect(detections.map((detection) => detection.id)).to.include.members(["iam-user-created", "iam-policy-attached", "console-switch-role"]);
    });

    it("never joins on eventid (a duplicated id inflates counts quadratically)", () => {
        for (const detection of detections) expect(detection.source, detection.id).to.not.match(/ON\s+\w+\.eventid\s*=/i);
    });

    it("expands ${window} into the partition filter and a time comparison, with or without milliseconds", () => {
        const detection = detections.find((candidate) => candidate.id === "cloudtrail-tampering")!;
        const sql = queryForWindow(detection, { since: "2026-11-24T10:00:00Z", until: "2026-11-25T00:00:00.500Z" });
        expect(sql)
            .to.contain(`"date" BETWEEN '2026-11-24' AND '2026-11-25'`)
            .and.contain("from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-11-24T10:00:00Z')")
            .and.contain("from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2026-11-25T00:00:00.500Z')")
            .and.not.contain("${");
        expect(() => queryForWindow(detection, { since: "2026-11-24' OR 1=1 --", until: "2026-11-25T00:00:00Z" })).to.throw(
            /since must be an ISO-8601 UTC instant/,
        );
        expect(() => queryForWindow(detection, { since: "2026-11-25T00:00:00Z", until: "2026-11-24T00:00:00Z" })).to.throw(/must be before until/);
        expect(() => queryForWindow(detection, { since: "2026-11-25T00:00:00.100Z", until: "2026-11-25T00:00:00.100Z" })).to.throw(/must be before until/);
    });

    it("gives the named query (Athena console) the same window with ${since} and ${until} left to fill in", () => {
        const detection = detections[0];
        expect(detection.sql).to.contain(`"date" BETWEEN substr('\${since}', 1, 10) AND substr('\${until}', 1, 10)`).and.not.contain("${window}");
    });

    it("expands ${history} into [since - lookback, since) and ${lookback} into an interval, from the header or an override", () => {
        const detection = detections.find((candidate) => candidate.id === "first-seen-network-for-principal")!;
        expect(detection.lookbackMs).to.equal(14 * 86_400_000);
        const window = { since: "2026-11-20T10:00:00Z", until: "2026-11-20T11:00:00Z" };
        const history = queryForWindow({ name: "x", source: "SELECT 1 FROM cloudtrail WHERE ${history}", lookbackMs: 14 * 86_400_000 }, window);
        expect(history).to.equal(
            `SELECT 1 FROM cloudtrail WHERE "date" BETWEEN '2026-11-06' AND '2026-11-20' AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-11-06T10:00:00Z')` +
                " AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2026-11-20T10:00:00Z')",
        );
        // (${history} OR ${window}), as every first-seen detection reads them: the two ranges meet at since, one range is read.
        const sql = queryForWindow(detection, window);
        expect(sql)
            .to.contain(
                `("date" BETWEEN '2026-11-06' AND '2026-11-20' AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-11-06T10:00:00Z')` +
                    " AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2026-11-20T11:00:00Z'))",
            )
            .and.contain("INTERVAL '14' DAY")
            .and.not.contain("${");
        const shorter = queryForWindow(detection, { since: "2026-11-20T10:00:00Z", until: "2026-11-20T11:00:00Z" }, { lookbackMs: 36 * 3_600_000 });
        expect(shorter).to.contain("from_iso8601_timestamp('2026-11-18T22:00:00Z')").and.contain("INTERVAL '36' HOUR");
        // The alert functions carry the file's text: the header's lookback is read from it, and the stack's setting overrides it.
        const alerting = { id: detection.id, sql: detection.source };
        expect(sqlForWindow(alerting, { since: "2026-11-20T10:00:00Z", until: "2026-11-20T11:00:00Z" }, "cloudtrail_recent")).to.contain(
            "from_iso8601_timestamp('2026-11-06T10:00:00Z')",
        );
        expect(sqlForWindow(alerting, { since: "2026-11-20T10:00:00Z", until: "2026-11-20T11:00:00Z" }, "cloudtrail_recent", 30 * 86_400_000))
            .to.contain("from_iso8601_timestamp('2026-10-21T10:00:00Z')")
            .and.match(/FROM cloudtrail_recent/)
            .and.not.match(/FROM cloudtrail\b/);
    });

    it("gives a first-seen named query its history computed by Athena from ${since}, valid Trino once filled in", () => {
        const detection = detections.find((candidate) => candidate.id === "role-assumed-first-time")!;
        expect(detection.sql)
            .to.contain(`"date" BETWEEN date_format(from_iso8601_timestamp('\${since}') - INTERVAL '14' DAY, '%Y-%m-%d') AND substr('\${until}', 1, 10)`)
            .and.not.contain("${history}")
            .and.not.contain("${lookback}");
        const filled = detection.sql.replaceAll("${since}", "2026-11-20T10:00:00Z").replaceAll("${until}", "2026-11-20T11:00:00Z");
        expect(new TrinoSQL().validate(filled)).to.deep.equal([]);
    });

    it("refuses a lookback without ${history}, ${history} without a lookback, a lookback on an event detection and an unknown role", () => {
        const file = (header: string, body = "SELECT 1 FROM cloudtrail WHERE ${window}") =>
            `-- id: x\n-- title: X\n-- severity: high\n${header}\n-- tactics: TA0005\n-- techniques: T1562.008\n-- description: d\n-- falsepositives: f\n-- runbook: r\n${body}`;
        const history = "SELECT 1 FROM cloudtrail WHERE ${history} OR ${window}";
        expect(() => parseDetection("queries/x.sql", file("-- kind: correlation\n-- lookback: 14d"))).to.throw(
            "x.sql: lookback is given but the query reads no ${history}",
        );
        expect(() => parseDetection("queries/x.sql", file("-- kind: correlation", history))).to.throw(
            'give its baseline with a header line "-- lookback: 14d"',
        );
        expect(() => parseDetection("queries/x.sql", file("-- kind: event\n-- lookback: 14d", history))).to.throw("cannot be kind event");
        expect(() => parseDetection("queries/x.sql", file("-- kind: correlation\n-- lookback: 2w", history))).to.throw("x.sql: lookback:");
        expect(() => parseDetection("queries/x.sql", file("-- kind: event\n-- role: catchall"))).to.throw(
            'x.sql: role "catchall" must be one of specific, context',
        );
        expect(parseDetection("queries/x.sql", file("-- kind: event")).role).to.equal("specific");
    });

    it("leaves context detections out of the ATT&CK coverage", () => {
        const context = detections.filter((detection) => detection.role === "context").map((detection) => detection.id);
        expect(context).to.include.members(["offensive-tool-user-agent", "enumeration-then-sensitive-write", "discovery-burst-across-services"]);
        const covered = attackCoverage(detections).flatMap((row) => row.detections);
        for (const id of context) expect(covered, id).to.not.include(id);
        expect(coverageMarkdown(detections)).to.contain(`${context.length} context detections`);
    });

    it("names the file and the field when a header is wrong", () => {
        const header = (overrides: Record<string, string>) =>
            Object.entries({
                id: "x",
                title: "X",
                severity: "high",
                kind: "event",
                tactics: "TA0005",
                techniques: "T1562.008",
                description: "d",
                falsepositives: "f",
                runbook: "r",
                ...overrides,
            })
                .map(([key, value]) => `-- ${key}: ${value}`)
                .join("\n") + "\nSELECT 1 FROM cloudtrail WHERE ${window}";
        expect(() => parseDetection("queries/x.sql", header({ severity: "urgent" }))).to.throw(
            'x.sql: severity "urgent" must be one of low, medium, high, critical',
        );
        expect(() => parseDetection("queries/x.sql", header({ kind: "rule" }))).to.throw('x.sql: kind "rule" must be one of event, threshold, correlation');
        expect(() => parseDetection("queries/x.sql", header({ tactics: "TA005" }))).to.throw('x.sql: tactics: "TA005" is not an ATT&CK tactic id');
        expect(() => parseDetection("queries/x.sql", header({ tactics: "TA0011" }))).to.throw(
            "x.sql: tactics: TA0011 is not a tactic of the ATT&CK cloud matrix",
        );
        expect(() => parseDetection("queries/x.sql", header({ techniques: "T1562.8" }))).to.throw('x.sql: techniques: "T1562.8" is not an ATT&CK technique id');
        expect(() => parseDetection("queries/x.sql", header({ runbook: "" }))).to.throw('x.sql: header line "-- runbook: …" is missing or empty');
        expect(() => parseDetection("queries/y.sql", header({}))).to.throw('y.sql: id "x" must equal the file name');
        expect(() => parseDetection("queries/x.sql", header({}).replace("${window}", "true"))).to.throw(
            "x.sql: the query must read a bounded window through ${window}",
        );
        expect(parseDetection("queries/x.sql", header({})).mitre).to.equal("Defense Evasion (TA0005) · T1562.008");
    });

    it("checks the lifecycle headers (status, references, created, modified), naming the file and the field", () => {
        const header = (lines: string) =>
            "-- id: x\n-- title: X\n-- severity: high\n-- kind: event\n-- tactics: TA0005\n-- techniques: T1562.008\n" +
            `-- description: d\n-- falsepositives: f\n-- runbook: r\n${lines}\nSELECT 1 FROM cloudtrail WHERE \${window}`;
        const parsed = parseDetection(
            "queries/x.sql",
            header(
                "-- status: stable\n-- references: https://docs.aws.amazon.com/a, https://attack.mitre.org/techniques/T1562/008/\n-- created: 2026-11-25\n-- modified: 2026-12-01",
            ),
        );
        expect(parsed).to.deep.include({ status: "stable", created: "2026-11-25", modified: "2026-12-01" });
        expect(parsed.references).to.deep.equal(["https://docs.aws.amazon.com/a", "https://attack.mitre.org/techniques/T1562/008/"]);
        expect(() => parseDetection("queries/x.sql", header("-- status: beta"))).to.throw(
            'x.sql: status "beta" must be one of stable, experimental, deprecated',
        );
        expect(() => parseDetection("queries/x.sql", header("-- references: docs.aws.amazon.com/a"))).to.throw(
            'x.sql: references: "docs.aws.amazon.com/a" is not an http(s) URL',
        );
        expect(() => parseDetection("queries/x.sql", header("-- references: ftp://example.com/x"))).to.throw("x.sql: references:");
        expect(() => parseDetection("queries/x.sql", header("-- created: 2026-02-30"))).to.throw('x.sql: created "2026-02-30" must be a date YYYY-MM-DD');
        expect(() => parseDetection("queries/x.sql", header("-- modified: 25/11/2026"))).to.throw('x.sql: modified "25/11/2026" must be a date YYYY-MM-DD');
        expect(() => parseDetection("queries/x.sql", header("-- created: 2026-11-25\n-- modified: 2026-11-24"))).to.throw(
            "x.sql: modified 2026-11-24 is before created 2026-11-25",
        );
    });

    it("every detection of queries/ has a status, created and modified (else: npm run add-detection-metadata)", () => {
        const missing = detections.flatMap((detection) =>
            (["status", "created", "modified"] as const).filter((field) => detection[field] === undefined).map((field) => `${detection.id}.sql: ${field}`),
        );
        expect(missing, "run: npm run add-detection-metadata").to.deep.equal([]);
    });

    it("adds missing lifecycle headers after the header, leaving present ones and the SQL alone", () => {
        const text = "-- id: x\n-- status: stable\n-- runbook: r\nSELECT 1 -- created: never\n";
        expect(withLifecycleHeaders(text, { status: "experimental", created: "2026-11-25", modified: "2026-11-26" })).to.equal(
            "-- id: x\n-- status: stable\n-- runbook: r\n-- created: 2026-11-25\n-- modified: 2026-11-26\nSELECT 1 -- created: never\n",
        );
    });

    it("parses durations for --since", () => {
        expect(parseDuration("24h")).to.equal(86_400_000);
        expect(parseDuration("7d")).to.equal(7 * 86_400_000);
        expect(() => parseDuration("1w")).to.throw(/not a duration/);
    });

    it("every query parses with Trino's grammar (dt-sql-parser TrinoSQL) and calls only functions Athena engine v3 has", () => {
        const parser = new TrinoSQL();
        for (const detection of detections) {
            const sql = queryForWindow(detection, WINDOW);
            const errors = parser.validate(sql);
            expect(
                errors.map((error) => `line ${error.startLine}: ${error.message}`),
                detection.id,
            ).to.deep.equal([]);
            const unknown = functionsCalled(parser, sql).filter((name) => !ATHENA_V3_FUNCTIONS.has(name));
            expect(unknown, `${detection.id} calls functions outside the Athena v3 allowlist`).to.deep.equal([]);
        }
        // The check itself sees a function Athena does not have.
        expect(functionsCalled(parser, "SELECT list_filter(a, x -> x) FROM t")).to.include("list_filter");
    });
});

describe("detections on their fixtures (DuckDB, through the local pipeline)", function () {
    const detections = loadDetections();
    const fixtures = detections.flatMap((detection) => fixturesOf(detection.id));
    let engine: Engine;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-detection-fixtures-"));

    before(async function () {
        // One lake for every fixture (normalise → Parquet), then each query runs on one fixture's events only.
        const result = await runLocal({ files: fixtures.map((fixture) => fixture.file), outDir: out, detections: [] });
        expect(result.inputs.failed, JSON.stringify(result.files.filter((file) => file.status !== "normalised"))).to.equal(0);
        engine = await Engine.open();
        await createCloudTrailView(engine, out);
        await engine.run("CREATE TABLE fixture_events AS SELECT * FROM cloudtrail");
        await engine.run("CREATE TABLE fixture_ids (fixture VARCHAR, eventid VARCHAR)");
        const rows = fixtures.flatMap((fixture) => fixture.eventIds.map((id) => `(${literal(fixture.file)}, ${literal(id)})`));
        await engine.run(`INSERT INTO fixture_ids VALUES ${rows.join(", ")}`);
    });

    after(() => {
        engine?.close();
        fs.rmSync(out, { recursive: true, force: true });
    });

    it("every detection has a positive and a negative fixture, and a SOURCE.md saying where they come from", () => {
        for (const detection of detections) {
            const own = fixturesOf(detection.id);
            expect(
                own.some((fixture) => fixture.kind === "positive"),
                `${detection.id}: no test/fixtures/detections/${detection.id}/positive*.json`,
            ).to.equal(true);
            expect(
                own.some((fixture) => fixture.kind === "negative"),
                `${detection.id}: no test/fixtures/detections/${detection.id}/negative*.json`,
            ).to.equal(true);
            expect(fs.existsSync(path.join(FIXTURES_DIR, detection.id, "SOURCE.md")), `${detection.id}: no SOURCE.md`).to.equal(true);
        }
    });

    it("fixtures do not share event ids across files (each query runs on one file's events)", () => {
        const owner = new Map<string, string>();
        for (const fixture of fixtures) {
            for (const id of fixture.eventIds) {
                expect(owner.get(id) ?? fixture.file, `${id} in ${fixture.file} and ${owner.get(id)}`).to.equal(fixture.file);
                owner.set(id, fixture.file);
            }
        }
    });

    async function hits(detection: Detection, fixture: Fixture): Promise<string[]> {
        await engine.run(
            `CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM fixture_events WHERE eventid IN (SELECT eventid FROM fixture_ids WHERE fixture = ${literal(fixture.file)})`,
        );
        const rows = await engine.all(queryForWindow(detection, fixture.window));
        if (rows.length > 0) {
            expect(Object.keys(rows[0]), detection.id).to.deep.equal([
                "eventtime",
                "account",
                "region",
                "eventsource",
                "eventname",
                "principal",
                "sourceipaddress",
                "useragent",
                "eventid",
                "detail",
            ]);
        }
        return rows.map((row) => String(row.eventid));
    }

    it("each positive fixture gives at least one hit, all of them events of that file; each negative fixture gives none", async () => {
        const failures: string[] = [];
        for (const detection of detections) {
            for (const fixture of fixturesOf(detection.id)) {
                const found = await hits(detection, fixture);
                const name = `${detection.id}/${path.basename(fixture.file)}`;
                if (fixture.kind === "positive" && found.length === 0) failures.push(`${name}: no hit`);
                if (fixture.kind === "positive" && found.some((id) => !fixture.eventIds.includes(id))) failures.push(`${name}: a hit not in the file`);
                if (fixture.kind === "negative" && found.length > 0) failures.push(`${name}: ${found.length} hit(s) ${found.join(", ")}`);
            }
        }
        expect(failures).to.deep.equal([]);
    });

    it("reports the detections that fire on more than 20% of the techniques of the fixtures; each of them is a context detection", async () => {
        // The techniques of the fixtures: the ATT&CK technique ids of the specific detections that have
        // positive fixtures. Every positive fixture is shifted into a slot of its own (30 days apart, longer
        // than any lookback or chain) and its account set apart, then each detection runs once over them all:
        // a hit on a fixture's event means the detection fires on that fixture's techniques.
        const specific = new Map(detections.filter((d) => d.role === "specific").map((d) => [d.id, d]));
        const positives = fixtures.filter((fixture) => fixture.kind === "positive" && specific.has(fixture.detection));
        const techniquesOf = (fixture: Fixture) => specific.get(fixture.detection)!.techniques;
        const allTechniques = new Set(positives.flatMap(techniquesOf));
        await engine.run("CREATE OR REPLACE TABLE fixture_slots (fixture VARCHAR, slot INTEGER)");
        await engine.run(`INSERT INTO fixture_slots VALUES ${positives.map((fixture, slot) => `(${literal(fixture.file)}, ${slot})`).join(", ")}`);
        await engine.run(`CREATE OR REPLACE TABLE slotted_events AS
            WITH shifted AS (
                SELECT e.* REPLACE (strftime((CAST(e.eventtime AS TIMESTAMPTZ) + to_days(30 * s.slot)) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS eventtime,
                                    concat('slot', CAST(s.slot AS VARCHAR), '-', e.account) AS account),
                       s.fixture
                FROM fixture_events e JOIN fixture_ids i ON i.eventid = e.eventid JOIN fixture_slots s ON s.fixture = i.fixture
            )
            SELECT * REPLACE (substr(eventtime, 1, 10) AS "date") FROM shifted`);
        await engine.run(`CREATE OR REPLACE VIEW cloudtrail AS SELECT * EXCLUDE (fixture) FROM slotted_events`);
        const [span] = await engine.all("SELECT min(eventtime) AS first, max(eventtime) AS last FROM slotted_events");
        const window = { since: String(span.first), until: new Date(Date.parse(String(span.last)) + 1000).toISOString() };
        const owner = new Map(
            (await engine.all("SELECT DISTINCT eventid, fixture FROM slotted_events")).map((row) => [String(row.eventid), String(row.fixture)]),
        );
        const broad: string[] = [];
        const shares: { id: string; share: number }[] = [];
        for (const detection of detections) {
            const rows = await engine.all(queryForWindow(detection, window));
            const fired = new Set(rows.flatMap((row) => positives.filter((fixture) => fixture.file === owner.get(String(row.eventid))).flatMap(techniquesOf)));
            const share = fired.size / allTechniques.size;
            shares.push({ id: detection.id, share });
            if (share > 0.2) broad.push(`${detection.id} (${detection.role}): ${fired.size} of ${allTechniques.size} techniques (${Math.round(100 * share)}%)`);
        }
        // Printed on every run, so that a new catch-all shows up in the test output.
        const widest = shares
            .sort((a, b) => b.share - a.share)
            .slice(0, 3)
            .map(({ id, share }) => `${id} ${Math.round(100 * share)}%`);
        console.log(
            `      broad detections (> 20% of the ${allTechniques.size} techniques of the positive fixtures): ${broad.join("; ") || "none"} (widest: ${widest.join(", ")})`,
        );
        expect(
            broad.filter((line) => !line.includes("(context)")),
            "broad detections must be marked '-- role: context'",
        ).to.deep.equal([]);
    });

    it("a first-seen detection reads its baseline from ${history} before the window, as the scheduled runs do, and its lookback decides", async () => {
        const detection = detections.find((candidate) => candidate.id === "first-seen-network-for-principal")!;
        const [positive, negative] = (["positive", "negative"] as const).map((kind) => fixturesOf(detection.id).find((fixture) => fixture.kind === kind)!);
        const use = (fixture: Fixture) =>
            engine.run(
                `CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM fixture_events WHERE eventid IN (SELECT eventid FROM fixture_ids WHERE fixture = ${literal(fixture.file)})`,
            );
        // A window of the last day only: everything before it is history.
        const lastDay = { since: "2026-11-12T00:00:00Z", until: "2026-11-13T00:00:00Z" };
        await use(positive);
        expect((await engine.all(queryForWindow(detection, lastDay))).map((row) => row.sourceipaddress)).to.deep.equal(["203.0.113.77", "2001:db8:ffff:10::5"]);
        // Without the history (a lookback of one hour) nobody has a baseline: nothing is judged new.
        expect(await engine.all(queryForWindow(detection, lastDay, { lookbackMs: 3_600_000 }))).to.deep.equal([]);
        // The negative's other network was last used eleven days before: known with 14 days, new with 10.
        await use(negative);
        expect(await engine.all(queryForWindow(detection, lastDay))).to.deep.equal([]);
        const tenDays = await engine.all(queryForWindow(detection, lastDay, { lookbackMs: 10 * 86_400_000 }));
        expect(tenDays.map((row) => row.sourceipaddress)).to.deep.equal(["203.0.113.80"]);
    });

    it("the local mode judges first-seen against the input's own history and says when it is shorter than the lookback", async () => {
        const detection = detections.find((candidate) => candidate.id === "first-seen-network-for-principal")!;
        const positive = fixturesOf(detection.id).find((fixture) => fixture.kind === "positive")!;
        const local = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-first-seen-"));
        try {
            const result = await runLocal({ files: [positive.file], outDir: local, detections: [detection], jobs: 1 });
            const [finding] = result.findings;
            expect(finding.count).to.equal(2);
            expect(finding.note).to.match(
                /^baseline from the input's own history: 0 d before the window's start, 10\.7 d in all, against a lookback of 14 d: events before 2026-11-15T09:05:00Z were judged/,
            );
            expect(summaryTable(result)).to.contain(`note: ${finding.note}`);
            // Told to look back three days from the 11th, the ten days of input before it are enough: no note.
            const sinceLater = await runLocal({
                files: [positive.file],
                outDir: local,
                detections: [detection],
                jobs: 1,
                since: "2026-11-11T00:00:00Z",
                lookbackMs: 3 * 86_400_000,
            });
            expect(sinceLater.findings[0].note).to.equal(undefined);
            expect(sinceLater.findings[0].count).to.equal(2);
        } finally {
            fs.rmSync(local, { recursive: true, force: true });
        }
    });

    it("an event at 10:00:00.123Z is inside a window that starts at 10:00:00Z (times, not strings, are compared)", async () => {
        const detection = detections.find((candidate) => candidate.id === "cloudtrail-tampering")!;
        await engine.run(
            "CREATE OR REPLACE VIEW cloudtrail AS SELECT * REPLACE ('2026-11-20T10:00:00.123Z' AS eventtime) FROM fixture_events WHERE eventname = 'DeleteTrail'",
        );
        expect(await engine.all(queryForWindow(detection, { since: "2026-11-20T10:00:00Z", until: "2026-11-20T10:00:01Z" }))).to.have.length(1);
        expect(await engine.all(queryForWindow(detection, { since: "2026-11-20T10:00:00.124Z", until: "2026-11-20T10:00:01Z" }))).to.have.length(0);
    });

    it("the burst detection counts a copied event once and returns each event once, whatever the number of copies", async () => {
        const detection = detections.find((candidate) => candidate.id === "unauthorized-api-burst")!;
        const positive = fixturesOf(detection.id).find((fixture) => fixture.kind === "positive")!;
        // Three copies of each of the ten denials: still ten events, ten rows (a self-join on eventid gave 10 × 3 × 3).
        await engine.run(`CREATE OR REPLACE VIEW cloudtrail AS
            SELECT e.* FROM fixture_events e, range(3) copies WHERE e.eventid IN (SELECT eventid FROM fixture_ids WHERE fixture = ${literal(positive.file)})`);
        const rows = await engine.all(queryForWindow(detection, positive.window));
        expect(rows).to.have.length(10);
        expect(new Set(rows.map((row) => row.eventid)).size).to.equal(10);
        expect(String(rows[0].detail)).to.match(/^10 denied calls/);
    });
});
