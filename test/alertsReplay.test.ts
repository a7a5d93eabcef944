import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { EXIT, main } from "../cli/alerts";
import { loadAlertDetections } from "../contract/alerting";
import { scheduledWindow } from "../lambda/alerts/handlers";
import { runDetections } from "../lambda/alerts/evaluate";
import { Engine } from "../lambda/shared/engine";
import { readStackConfig, replayAlerts, runWindowedDetections, scheduledRunEnds } from "../local/alerts";
import { isoSeconds } from "../contract/detections";
import { ingestFiles } from "../local/ingest";
import { createCloudTrailView, partitionDirectory, rebuildParquet } from "../local/lake";
import { ALERT_FIXTURES, fixtureSettings } from "./alertFixtures";

const fixture = (name: string) => path.join(ALERT_FIXTURES, name);

/**
 * A copy of a fixture's events moved `days` later (and optionally to another region), with event ids
 * of their own, so that the copy is new events and not duplicates to drop.
 */
function shifted(source: string, target: string, days: number, region?: string): string {
    const document = JSON.parse(fs.readFileSync(source, "utf8"));
    for (const record of document.Records) {
        record.eventTime = new Date(Date.parse(record.eventTime) + days * 86_400_000).toISOString().replace(/\.000Z$/, "Z");
        if (record.eventID) record.eventID = `${record.eventID}-d${days}${region ?? ""}`;
        if (region) record.awsRegion = region;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, JSON.stringify(document));
    return target;
}

/** main() of npm run alerts with its stdout and stderr captured. */
async function runAlerts(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(
        argv,
        (text) => void (stdout += text),
        (text) => void (stderr += text),
    );
    return { code, stdout, stderr };
}

describe("alert replay (npm run alerts)", function () {
    let directory: string;
    before(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "alert-replay-"));
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("gives the alerts that would have been sent: event and threshold detections, after suppression and dedup", async () => {
        const inputs = ["stop-logging.json", "stop-logging-by-deploy-role.json", "benign.json", "denied-burst.json"].map(fixture);
        const result = await replayAlerts({ files: inputs, outDir: path.join(directory, "all"), settings: fixtureSettings() });
        expect(result.alerts.map((alert) => [alert.detection, alert.principal, alert.count, alert.destinations])).to.deep.equal([
            ["access-denied-burst", "arn:aws:sts::111122223333:assumed-role/ops-admin/eve", 6, ["eventbridge"]],
            ["cloudtrail-logging-stopped", "arn:aws:sts::111122223333:assumed-role/ops-admin/mallory", 1, ["sns", "eventbridge"]],
        ]);
        const burst = result.alerts[0];
        expect(burst).to.deep.include({
            severity: "medium",
            kind: "threshold",
            account: "111122223333",
            accountName: "prod",
            firstSeen: "2026-11-25T10:00:00Z",
            lastSeen: "2026-11-25T10:05:00Z",
            sourceIp: "192.0.2.44",
        });
        expect(burst.eventIds).to.deep.equal(["30", "31", "32", "33", "34", "35"].map((n) => `00000000-0000-4000-8000-0000000000${n}`));
        // The schedule runs every 15 minutes over 30: the same burst is seen by two runs and alerted once.
        expect(burst.windowCount).to.equal(6);
        expect(result.suppressed).to.deep.equal([
            { index: 0, reason: "the stack's own deploy role (pulumi up)", rows: 1, detections: ["cloudtrail-logging-stopped"] },
        ]);
        expect(result.errors).to.deep.equal([]);
    });

    it("evaluates each input by its own name: trail[1].json is not a neighbouring trail1.json", async () => {
        const inputs = path.join(directory, "names");
        fs.mkdirSync(inputs);
        fs.copyFileSync(fixture("stop-logging.json"), path.join(inputs, "trail[1].json"));
        fs.copyFileSync(fixture("benign.json"), path.join(inputs, "trail1.json"));
        const result = await replayAlerts({
            files: ["trail[1].json", "trail1.json"].map((name) => path.join(inputs, name)),
            outDir: path.join(directory, "names-out"),
            settings: fixtureSettings(),
        });
        expect(result.alerts.map((alert) => [alert.detection, alert.principal])).to.deep.equal([
            ["cloudtrail-logging-stopped", "arn:aws:sts::111122223333:assumed-role/ops-admin/mallory"],
        ]);
        expect(result.errors).to.deep.equal([]);
    });

    it("narrows to --since/--until", async () => {
        const result = await replayAlerts({
            files: [fixture("stop-logging.json"), fixture("denied-burst.json")],
            outDir: path.join(directory, "narrow"),
            settings: fixtureSettings(),
            since: "2026-11-25T10:02:30Z",
        });
        expect(result.alerts).to.deep.equal([]);
    });

    it("prints { alerts: [...] } as JSON, with the stack file's suppressions and account names", async () => {
        const stackFile = path.join(directory, "Pulumi.test.yaml");
        fs.writeFileSync(
            stackFile,
            [
                "config:",
                "  cloudtrail-lake:accounts:",
                '    - { id: "111122223333", name: prod }',
                "  cloudtrail-lake:alerts: { snsTopic: { minSeverity: critical } }",
                "  cloudtrail-lake:suppressions:",
                '    - { principalArn: "arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*", reason: "deploy role" }',
            ].join("\n"),
        );
        const { code, stdout } = await runAlerts([
            "--input",
            fixture("stop-logging-by-deploy-role.json"),
            fixture("stop-logging.json"),
            "--json",
            "--stack-file",
            stackFile,
        ]);
        const output = JSON.parse(stdout);
        expect(output.alerts).to.have.length.at.least(1);
        for (const alert of output.alerts) {
            expect(alert.principal).to.not.contain("cloudtrail-lake-deploy");
            for (const key of ["detection", "severity", "account", "principal", "eventIds", "count", "firstSeen", "lastSeen"])
                expect(alert, key).to.have.property(key);
            expect(alert.accountName).to.equal("prod");
        }
        expect(output.suppressed[0]).to.deep.include({ reason: "deploy role" });
        expect(code).to.equal(output.errors.length > 0 ? 1 : 0);
    });

    it("names the stack file and key of a bad suppression", async () => {
        const stackFile = path.join(directory, "Pulumi.bad.yaml");
        fs.writeFileSync(
            stackFile,
            'config:\n  cloudtrail-lake:accounts:\n    - { id: "111122223333", name: prod }\n  cloudtrail-lake:suppressions:\n    - { sourceCidr: "10.0.0.0/40", reason: "vpn" }\n',
        );
        const error = await runAlerts(["--input", fixture("benign.json"), "--stack-file", stackFile]).catch((caught) => caught);
        expect(error.message).to.contain(`${stackFile}: invalid stack config`);
        expect(error.message).to.contain('cloudtrail-lake:suppressions[0].sourceCidr = "10.0.0.0/40": prefix length /40 is longer than 32');
    });

    describe("--out: each run replays exactly its own input", () => {
        it("a reused --out starts from a fresh lake; --append adds to it and does not count an event twice", async () => {
            const out = path.join(directory, "reused");
            const alerts = (output: string) =>
                JSON.parse(output).alerts.map((alert: { detection: string; count: number; windowCount: number }) => [
                    alert.detection,
                    alert.count,
                    alert.windowCount,
                ]);
            const first = await runAlerts(["--input", fixture("stop-logging.json"), "--out", out, "--json"]);
            const again = await runAlerts(["--input", fixture("stop-logging.json"), "--out", out, "--json"]);
            expect(first.code).to.equal(EXIT.ok);
            expect(alerts(first.stdout)).to.deep.equal([["cloudtrail-tampering", 1, 1]]);
            expect(JSON.parse(again.stdout).inputs).to.deep.equal(JSON.parse(first.stdout).inputs);
            expect(alerts(again.stdout)).to.deep.equal(alerts(first.stdout));
            // A run on another input replaces the lake: the earlier alert is gone.
            const other = await runAlerts(["--input", fixture("benign.json"), "--out", out, "--json"]);
            expect(alerts(other.stdout)).to.deep.equal([]);
            // --append: the lake holds both inputs and the replay covers the whole lake; an input appended twice adds nothing.
            const appended = await runAlerts(["--input", fixture("stop-logging.json"), "--out", out, "--append", "--json"]);
            expect(alerts(appended.stdout)).to.deep.equal([["cloudtrail-tampering", 1, 1]]);
            const twice = await runAlerts(["--input", fixture("stop-logging.json"), "--out", out, "--append", "--json"]);
            expect(JSON.parse(twice.stdout).inputs).to.deep.include({ events: 0, duplicates: 3 });
            expect(alerts(twice.stdout)).to.deep.equal([["cloudtrail-tampering", 1, 1]]);
        });

        it("refuses an --out it cannot write, naming it and the reason (exit 5), and --append without --out", async () => {
            const file = path.join(directory, "a-file");
            fs.writeFileSync(file, "");
            const { code, stderr } = await runAlerts(["--input", fixture("benign.json"), "--out", path.join(file, "out")]);
            expect(code).to.equal(EXIT.outFolder);
            expect(stderr).to.contain(`cannot write the output folder (--out) ${path.join(file, "out")}: `);
            expect(stderr).to.match(/not a folder|not a directory|ENOTDIR/);
            const usage = await runAlerts(["--input", fixture("benign.json"), "--append"]).catch((caught) => caught);
            expect(usage.message).to.equal("--append adds to the lake in --out: give --out");
        });
    });

    it("names each input it could not read with the reason, lists it in --json, and exits 6", async () => {
        const inputs = path.join(directory, "unreadable");
        fs.mkdirSync(inputs, { recursive: true });
        fs.copyFileSync(fixture("stop-logging.json"), path.join(inputs, "stop-logging.json"));
        const truncated = path.join(inputs, "truncated.json.gz");
        fs.writeFileSync(truncated, zlib.gzipSync(fs.readFileSync(fixture("denied-burst.json"))).subarray(0, 300));
        const text = await runAlerts(["--input", inputs]);
        expect(text.code).to.equal(EXIT.unreadableInput);
        expect(text.stdout).to.match(/^1 alert\(s\) from 3 event\(s\) in 1 file\(s\) \(0 skipped, 1 failed\)/);
        expect(text.stderr).to.contain(`could not read ${truncated}: truncated gzip`);
        const json = await runAlerts(["--input", inputs, "--json"]);
        expect(json.code).to.equal(EXIT.unreadableInput);
        expect(JSON.parse(json.stdout).failedFiles).to.deep.equal([{ file: truncated, reason: "truncated gzip: the compressed data ends early" }]);
        // Nothing readable at all is not "0 alerts": it says so.
        const none = await runAlerts(["--input", truncated]);
        expect(none.code).to.equal(EXIT.unreadableInput);
        const empty = path.join(directory, "no-events.json");
        fs.writeFileSync(empty, '{"Records": []}');
        const noEvents = await runAlerts(["--input", empty]);
        expect(noEvents.code).to.equal(EXIT.noEvents);
        expect(noEvents.stderr).to.contain("no CloudTrail events found");
    });

    it("one validation of the stack file for every command: an unknown detection in a suppression, bad YAML, a missing file", () => {
        const stackFile = path.join(directory, "Pulumi.typo.yaml");
        fs.writeFileSync(
            stackFile,
            'config:\n  cloudtrail-lake:accounts:\n    - { id: "111122223333", name: prod }\n  cloudtrail-lake:suppressions:\n    - { detection: cloudtrail-loging-stopped, account: "111122223333", reason: "typo" }\n',
        );
        // readStackConfig is what npm start, npm run query and npm run alerts call with --stack-file.
        expect(() => readStackConfig(stackFile)).to.throw(
            `${stackFile}: invalid stack config:\n  - cloudtrail-lake:suppressions[0].detection = "cloudtrail-loging-stopped": no such detection in queries/ (a typo?)`,
        );
        const broken = path.join(directory, "Pulumi.broken.yaml");
        fs.writeFileSync(broken, "config:\n  cloudtrail-lake:accounts: [\n");
        expect(() => readStackConfig(broken)).to.throw(`${broken}: not a valid YAML stack file`);
        expect(() => readStackConfig(path.join(directory, "Pulumi.missing.yaml"))).to.throw(
            `--stack-file ${path.join(directory, "Pulumi.missing.yaml")}: cannot read it (ENOENT`,
        );
    });

    describe("over several days", () => {
        it("alerts again on a burst repeated two days later, and on files whose names do not sort in time order", async () => {
            const inputs = path.join(directory, "days");
            const result = await replayAlerts({
                files: [
                    fixture("denied-burst.json"),
                    shifted(fixture("denied-burst.json"), path.join(inputs, "burst-plus-2-days.json"), 2),
                    // Another region sorts first by key (eu-… < us-…) but happened two days later.
                    shifted(fixture("stop-logging.json"), path.join(inputs, "later-eu.json"), 2, "eu-west-1"),
                    shifted(fixture("stop-logging.json"), path.join(inputs, "earlier-us.json"), 0, "us-east-1"),
                ],
                outDir: path.join(directory, "days-out"),
                settings: fixtureSettings(),
            });
            expect(result.alerts.map((alert) => [alert.detection, alert.firstSeen, alert.count, alert.windowCount])).to.deep.equal([
                ["access-denied-burst", "2026-11-25T10:00:00Z", 6, 6],
                ["cloudtrail-logging-stopped", "2026-11-25T10:02:00Z", 1, 1],
                ["access-denied-burst", "2026-11-27T10:00:00Z", 6, 6],
                ["cloudtrail-logging-stopped", "2026-11-27T10:02:00Z", 1, 1],
            ]);
        });

        it("evaluates every windowed detection of the catalogue once over all scheduled runs, with the rows each run gives on its own", async () => {
            // The positive fixtures of every windowed detection: events on several days (2025-02-14, 2026-11-18 to 20).
            const detections = loadAlertDetections().filter((detection) => detection.kind !== "event");
            const files = detections.flatMap((detection) => {
                const folder = path.join(__dirname, "fixtures", "detections", detection.id);
                return fs
                    .readdirSync(folder)
                    .filter((name) => name.startsWith("positive") && name.endsWith(".json"))
                    .map((name) => path.join(folder, name));
            });
            const out = path.join(directory, "windowed-out");
            const ingested = await ingestFiles(files, out, { shapes: "any" });
            const engine = await Engine.open();
            try {
                await rebuildParquet(engine, out, [...new Set(ingested.flatMap((file) => file.objects).map(partitionDirectory))].sort());
                await createCloudTrailView(engine, out);
                // Day-long runs every twelve hours: overlapping windows, and few enough for the one-by-one reference
                // (a query per detection and window) to stay within a minute; hourly runs took 220 s.
                const ends = await scheduledRunEnds(engine, { scheduleMinutes: 720, lookbackMinutes: 720 });
                const windows = ends.map((end) => ({ since: isoSeconds(new Date(end - 24 * 3_600_000)), until: isoSeconds(new Date(end)) }));
                expect(new Set(windows.map((window) => window.since.slice(0, 10))).size, "days").to.be.at.least(3);
                const batched = await runWindowedDetections(engine, detections, windows);
                // DuckDB cannot flatten a FULL OUTER JOIN inside a correlated (LATERAL) subquery: that one runs window by window.
                expect(batched.windowByWindow, "detections that fell back to one query per window").to.deep.equal(["service-credentials-used-elsewhere"]);
                let rows = 0;
                const sort = (list: Record<string, unknown>[]) => list.map((row) => JSON.stringify(row)).sort();
                for (const [index, window] of windows.entries()) {
                    for (const [position, run] of (await runDetections(engine, detections, window)).entries()) {
                        expect(run.error, run.detection.id).to.equal(undefined);
                        expect(sort(batched.byWindow[index][position].rows), `${run.detection.id} in ${window.since}..${window.until}`).to.deep.equal(
                            sort(run.rows),
                        );
                        rows += run.rows.length;
                    }
                }
                expect(rows, "rows compared").to.be.above(50);
            } finally {
                engine.close();
            }
        });
    });

    it("the scheduled window is the period plus the lookback, on whole minutes", () => {
        expect(scheduledWindow(Date.parse("2026-11-25T10:15:42Z"), { scheduleMinutes: 15, lookbackMinutes: 15 })).to.deep.equal({
            since: "2026-11-25T09:45:00Z",
            until: "2026-11-25T10:15:00Z",
        });
    });
});

describe("scheduled evaluator (recorded Athena)", () => {
    it("sends each windowed detection to Athena over cloudtrail_recent and its window; a failing one fails the run after the others ran", async () => {
        const { Readable } = await import("node:stream");
        const { AthenaClient } = await import("@aws-sdk/client-athena");
        const { createScheduledEvaluator } = await import("../lambda/alerts/handlers");
        const { MemoryDedupStore } = await import("../lambda/alerts/dedup");
        const started: string[] = [];
        const athena = new AthenaClient({
            region: "eu-west-1",
            credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
            maxAttempts: 1,
            requestHandler: {
                handle: async (request: { headers: Record<string, string>; body?: string }) => {
                    const operation = request.headers["x-amz-target"].replace("AmazonAthena.", "");
                    const input = JSON.parse(request.body ?? "{}");
                    if (operation === "StartQueryExecution") started.push(input.QueryString);
                    const failed = input.QueryExecutionId === "q-1";
                    const body =
                        operation === "StartQueryExecution"
                            ? { QueryExecutionId: `q-${started.length}` }
                            : operation === "GetQueryExecution"
                              ? {
                                    QueryExecution: {
                                        Status: failed ? { State: "FAILED", StateChangeReason: "TABLE_NOT_FOUND: cloudtrail_recent" } : { State: "SUCCEEDED" },
                                    },
                                }
                              : { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: "eventid" }] }, Rows: [{ Data: [{ VarCharValue: "eventid" }] }] } };
                    return {
                        response: {
                            statusCode: 200,
                            headers: { "content-type": "application/x-amz-json-1.1" },
                            body: Readable.from([Buffer.from(JSON.stringify(body))]),
                        },
                    };
                },
            } as never,
        });
        const errors: unknown[] = [];
        const detections = fixtureSettings().detections;
        const windowed = { ...detections.find((detection) => detection.kind === "threshold")! };
        const evaluator = createScheduledEvaluator({
            settings: fixtureSettings({ detections: [...detections, { ...windowed, id: "second-burst" }] }),
            dedup: new MemoryDedupStore(),
            destinations: [],
            logger: {
                info() {},
                error: (_message, details) => {
                    errors.push(details);
                },
            },
            athena,
            workgroup: "cloudtrail-lake-prod",
            database: "cloudtrail_lake_prod",
            now: () => Date.parse("2026-11-25T10:15:42Z"),
        });
        const error = await evaluator().catch((caught) => caught);
        expect(started).to.have.length(2); // the event detection is not run on Athena
        for (const sql of started) {
            expect(sql).to.contain("FROM cloudtrail_recent");
            expect(sql).to.contain(
                "from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-11-25T09:45:00Z') AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2026-11-25T10:15:00Z')",
            );
            expect(sql).to.not.match(/^-- /m);
        }
        expect(error.message).to.equal(
            "scheduled detections failed: access-denied-burst (window 2026-11-25T09:45:00Z to 2026-11-25T10:15:00Z); see the log for reasons",
        );
        expect(errors).to.have.length(1);
    });

    /** An Athena whose queries stay RUNNING until `running(id, started)` says they are done, each answering no rows. */
    async function scriptedAthena(done: (queryExecutionId: string, started: readonly string[]) => boolean) {
        const { Readable } = await import("node:stream");
        const { AthenaClient } = await import("@aws-sdk/client-athena");
        const started: string[] = [];
        const client = new AthenaClient({
            region: "eu-west-1",
            credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
            maxAttempts: 1,
            requestHandler: {
                handle: async (request: { headers: Record<string, string>; body?: string }) => {
                    const operation = request.headers["x-amz-target"].replace("AmazonAthena.", "");
                    const input = JSON.parse(request.body ?? "{}");
                    if (operation === "StartQueryExecution") started.push(`q-${started.length + 1}`);
                    const body =
                        operation === "StartQueryExecution"
                            ? { QueryExecutionId: started.at(-1) }
                            : operation === "GetQueryExecution"
                              ? { QueryExecution: { Status: { State: done(input.QueryExecutionId, started) ? "SUCCEEDED" : "RUNNING" } } }
                              : operation === "StopQueryExecution"
                                ? {}
                                : { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: "eventid" }] }, Rows: [{ Data: [{ VarCharValue: "eventid" }] }] } };
                    return {
                        response: {
                            statusCode: 200,
                            headers: { "content-type": "application/x-amz-json-1.1" },
                            body: Readable.from([Buffer.from(JSON.stringify(body))]),
                        },
                    };
                },
            } as never,
        });
        return { client, started };
    }

    async function windowedEvaluator(athena: unknown, count: number, options: Record<string, number>, errors: unknown[] = []) {
        const { createScheduledEvaluator } = await import("../lambda/alerts/handlers");
        const { MemoryDedupStore } = await import("../lambda/alerts/dedup");
        const windowed = fixtureSettings().detections.find((detection) => detection.kind === "threshold")!;
        return createScheduledEvaluator({
            settings: fixtureSettings({ detections: Array.from({ length: count }, (_, index) => ({ ...windowed, id: `burst-${index + 1}` })) }),
            dedup: new MemoryDedupStore(),
            destinations: [],
            logger: { info() {}, error: (message, details) => void errors.push({ message, ...details }) },
            athena: athena as never,
            workgroup: "cloudtrail-lake-prod",
            database: "cloudtrail_lake_prod",
            ...options,
        });
    }

    it("runs the windowed detections at once, up to its concurrency: three queries that each wait for the others all finish", async () => {
        // Run one after another, the first would wait for the third until its timeout.
        const athena = await scriptedAthena((_id, started) => started.length >= 3);
        const evaluator = await windowedEvaluator(athena.client, 3, { concurrency: 3, queryTimeoutMs: 20_000 });
        expect(await evaluator()).to.deep.equal({ alerts: 0, failed: [], notRun: [] });
        expect(athena.started).to.deep.equal(["q-1", "q-2", "q-3"]);
    });

    it("never starts more queries than its concurrency", async () => {
        let mostAtOnce = 0;
        const finished = new Set<string>();
        const athena = await scriptedAthena((id, started) => {
            mostAtOnce = Math.max(mostAtOnce, started.length - finished.size);
            finished.add(id);
            return true;
        });
        const evaluator = await windowedEvaluator(athena.client, 6, { concurrency: 2 });
        await evaluator();
        expect(athena.started).to.have.length(6);
        expect(mostAtOnce).to.be.at.most(2);
    });

    it("stops starting detections when its time budget runs out, and fails the run naming those not run", async () => {
        // Each query takes at least 300 ms; with 400 ms of budget and 250 ms needed to start one, only the first runs.
        const begun = new Map<string, number>();
        const athena = await scriptedAthena((id) => {
            if (!begun.has(id)) begun.set(id, Date.now());
            return Date.now() - begun.get(id)! >= 300;
        });
        const errors: Record<string, unknown>[] = [];
        const evaluator = await windowedEvaluator(athena.client, 3, { concurrency: 1, budgetMs: 400, minimumQueryMs: 250, queryTimeoutMs: 60_000 }, errors);
        const error = await evaluator().catch((caught: Error) => caught);
        expect(athena.started).to.deep.equal(["q-1"]);
        expect((error as Error).message).to.match(/^not run within the 0.4 s budget: burst-2, burst-3 \(window /);
        expect(errors.find((entry) => entry.message === "scheduled detections not run: the run's time budget was spent")).to.deep.include({
            detections: ["burst-2", "burst-3"],
        });
    });
});
