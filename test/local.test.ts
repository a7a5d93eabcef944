import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { findFiles } from "../local/files";
import { parseDetection } from "../contract/detections";
import { loadCatalogue } from "../contract/sources/catalogue";
import { Engine } from "../lambda/shared/engine";
import { createCloudTrailView } from "../local/lake";
import { runLocal } from "../local/run";
import { detectionBar, earlyFindingLine } from "../cli/local";
import { measureDetections } from "../local/groundTruth";
import { corpusEvents, corpusFiles, CORPUS_DIR } from "./corpus";

const ROOT = path.join(__dirname, "..");
const run = promisify(execFile);
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ctl-${name}-`));
/** What `npm start` runs, without npm's own start-up. */
const start = (...args: string[]) => run(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", "local.ts"), ...args], { cwd: ROOT, maxBuffer: 1 << 26 });

describe("local mode: npm start", () => {
    const out = tmp("start");

    it("runs on the bundled samples, exits 0 and prints every detection with its hits", async () => {
        const { stdout } = await start("--out", out);
        // The samples' flow logs (AWS's documented records, 2014-2021) are read beside the CloudTrail files and lie inside their window.
        expect(stdout).to.match(
            /^187 file\(s\) read \(325 events, 365 duplicate\(s\) by eventID dropped\), 3 skipped, 0 failed; 3 flow-log file\(s\) read \(17 records: 1 NODATA, 1 SKIPDATA\); window 2014-03-06T17:10:34Z \.\. 2026-01-11T22:54:57Z/,
        );
        // With flow logs read, the run's catalogue is every source's.
        for (const detection of loadCatalogue()) expect(stdout).to.contain(detection.name);
        expect(stdout).to.match(/cloudtrail-tampering\s+critical\s+\d+/);
        expect(stdout).to.match(/Report: .*report\.html/);
        const report = fs.readFileSync(path.join(out, "report.html"), "utf8");
        expect(report).to.contain("<svg").and.contain('id="cloudtrail-tampering"');
        expect(fs.existsSync(path.join(out, "parquet"))).to.equal(true);
    });

    it("prints machine-readable findings with --json, and the same findings again on a second run, without duplicate rows", async () => {
        const started = await start("--out", out, "--json");
        const first = JSON.parse(started.stdout);
        // Where the time went, per stage and per detection (no assertion on the values: they are wall times).
        expect(first.timings).to.include.keys("normaliseMs", "parquetMs", "lakeMs", "detectionsMs", "panelsMs", "queriesMs", "reportMs");
        expect(first.timings.detections.map((entry: { query: string }) => entry.query).sort()).to.deep.equal(
            loadCatalogue()
                .map((detection) => detection.name)
                .sort(),
        );
        for (const entry of first.timings.detections) expect(entry.ms).to.be.a("number");
        expect(started.stderr).to.match(
            /^normalise \d+\.\d s · parquet \d+\.\d s · lake .* · \d+ detections .*\(slowest: [\w-]+ .*\) · panels .* · report \d+\.\d s$/m,
        );
        const second = JSON.parse((await start("--out", out, "--json")).stdout);
        expect(first.skippedFiles).to.deep.include({
            file: path.join(ROOT, "samples", "README.md"),
            reason: 'content is not JSON (starts with "# Sample Clo")',
        });
        // The samples' test fixtures reuse placeholder eventIDs: one event per id (local/dedup.ts). samples/README.md is skipped.
        expect(first.inputs).to.deep.include({ read: 187, skipped: 3, failed: 0, events: 325, duplicates: 365 });
        expect(first.inputs).to.deep.include({ flowRecords: 17, flowNoData: 1, flowSkipData: 1 });
        expect(first.findings.map((finding: { query: string }) => finding.query).sort()).to.deep.equal(
            loadCatalogue()
                .map((detection) => detection.name)
                .sort(),
        );
        for (const finding of first.findings) {
            expect(finding).to.include.keys("query", "severity", "count", "eventIds");
            expect(finding.eventIds).to.have.length(finding.count);
            expect(finding.status, finding.query).to.equal("ok");
        }
        const strip = (result: { findings: unknown[] }) => JSON.stringify(result.findings);
        expect(strip(second)).to.equal(strip(first));
        const engine = await Engine.open();
        try {
            await createCloudTrailView(engine, out);
            expect(await engine.all("SELECT count(*)::INTEGER AS n FROM cloudtrail")).to.deep.equal([{ n: 325 }]);
        } finally {
            engine.close();
        }
    });
});

describe("local mode: inputs", () => {
    it("reads every shape in the corpus: S3 log files, arrays, lines, lookup-events, EventBridge, CloudWatch Logs", async () => {
        const files = corpusFiles();
        const result = await runLocal({ files, outDir: tmp("shapes"), detections: [] });
        for (const file of result.files) {
            const expected = corpusEvents(file.file).length;
            if (file.status === "skipped") expect(file.reason, file.file).to.match(/digest/);
            // Fixtures that reuse an eventID are read once (local/dedup.ts): kept + dropped = all.
            else expect(file.events + (file.duplicates ?? 0), path.relative(CORPUS_DIR, file.file)).to.equal(expected);
        }
        const byName = (fragment: string) => result.files.find((file) => file.file.includes(fragment))!;
        expect(byName("log2timeline__plaso").events, "lookup-events").to.equal(6);
        expect(byName("cloudwatch_cloudtrail.json").events + (byName("cloudwatch_cloudtrail.json").duplicates ?? 0), "CloudWatch Logs").to.be.above(0);
        expect(byName("cloudtrail_root_account_usage.json").events + (byName("cloudtrail_root_account_usage.json").duplicates ?? 0), "EventBridge").to.be.above(
            0,
        );
        expect(byName("OTRF__Security-Datasets").events, "one event per line").to.equal(103);
        expect(result.inputs).to.deep.include({ read: files.length - 2, skipped: 2, failed: 0 });
        expect(result.inputs.events + result.inputs.duplicates).to.equal(690);
    });

    it("names each malformed file with the reason, skips it, and goes on", async () => {
        const unparseable = path.join(CORPUS_DIR, "awsdocs__aws-cloudtrail-user-guide", "_meta", "unparseable");
        const good = path.join(CORPUS_DIR, "awsdocs__aws-cloudtrail-user-guide", "cloudtrail-log-file-examples__block02.json");
        const files = [...(await findFiles([unparseable], [".txt"])), good];
        const result = await runLocal({ files, outDir: tmp("malformed"), detections: [] });
        const failed = result.files.filter((file) => file.status === "failed");
        expect(failed).to.have.length(5);
        for (const file of failed) expect(file.reason, file.file).to.match(/not valid JSON|invalid JSON|truncated|line \d+/);
        expect(result.inputs.read).to.equal(1);
        expect(result.inputs.failed).to.equal(5);
    });
});

describe("local mode: detections", () => {
    it("reports a detection that cannot run locally instead of skipping it", async () => {
        const broken = parseDetection(
            "queries/broken.sql",
            "-- id: broken\n-- title: Broken\n-- severity: low\n-- kind: event\n-- tactics: TA0001\n-- techniques: T1078\n" +
                "-- description: uses a Trino function the compatibility layer does not cover\n-- falsepositives: none\n-- runbook: none\n" +
                "SELECT eventid FROM cloudtrail WHERE ${window} AND url_extract_host(sourceipaddress) IS NOT NULL",
        );
        const result = await runLocal({
            files: [path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json")],
            outDir: tmp("broken"),
            detections: [broken],
        });
        expect(result.findings[0]).to.deep.include({ query: "broken", status: "cannot-run-locally", count: 0 });
        expect(result.findings[0].error).to.match(/url_extract_host/);
    });

    it("runs the critical detections first and tells as each one is done, without changing the findings", async () => {
        const detection = (name: string, severity: string) =>
            parseDetection(
                `queries/${name}.sql`,
                `-- id: ${name}\n-- title: ${name}\n-- severity: ${severity}\n-- kind: event\n-- tactics: TA0001\n-- techniques: T1078\n` +
                    "-- description: d\n-- falsepositives: f\n-- runbook: r\nSELECT eventid FROM cloudtrail WHERE ${window}",
            );
        const detections = [
            detection("a-low", "low"),
            detection("b-critical", "critical"),
            detection("c-medium", "medium"),
            detection("d-critical", "critical"),
        ];
        const files = [path.join(CORPUS_DIR, "awsdocs__aws-cloudtrail-user-guide", "cloudtrail-event-reference-aws-console-sign-in-events__block00.json")];
        const told: string[] = [];
        const result = await runLocal({
            files,
            outDir: tmp("order"),
            detections,
            onDetectionDone: (finding, progress) => told.push(`${finding.query} ${progress.done}/${progress.total} ${finding.count > 0}`),
        });
        expect(told).to.deep.equal(["b-critical 1/4 true", "d-critical 2/4 true", "c-medium 3/4 true", "a-low 4/4 true"]);
        const quiet = await runLocal({ files, outDir: tmp("order-quiet"), detections });
        expect(result.findings).to.deep.equal(quiet.findings);
    });

    it("shows on a terminal each critical or high detection that found something, as it is found, under a progress bar", () => {
        const finding = { query: "cloudtrail-tampering", title: "CloudTrail logging stopped", severity: "critical", count: 1630, status: "ok" } as const;
        expect(earlyFindingLine(finding)).to.equal("found: critical cloudtrail-tampering, 1,630 hit(s): CloudTrail logging stopped");
        expect(earlyFindingLine({ ...finding, severity: "high" })).to.match(/^found: high /);
        expect(earlyFindingLine({ ...finding, severity: "medium" })).to.equal(undefined);
        expect(earlyFindingLine({ ...finding, count: 0 })).to.equal(undefined);
        expect(earlyFindingLine({ ...finding, status: "cannot-run-locally" })).to.equal(undefined);
        expect(detectionBar(27, 81, 3)).to.equal(`detections [${"#".repeat(10)}${".".repeat(20)}] 27/81, 3 with hits so far`);
    });

    it("searches the whole span of the input by default, and --since/--until narrow it", async () => {
        const files = await findFiles([path.join(CORPUS_DIR, "panther-labs__panther-analysis", "rules", "aws_cloudtrail_rules")], [".json"]);
        const outDir = tmp("window");
        const whole = await runLocal({ files, outDir });
        const narrow = await runLocal({ files: [], outDir, append: true, since: "2019-01-01T00:00:00Z", until: "2019-01-01T00:00:01Z" });
        const hits = (result: typeof whole) => result.findings.reduce((sum, finding) => sum + finding.count, 0);
        expect(whole.window!.since < "2019-01-01T00:00:00Z").to.equal(true);
        expect(hits(narrow)).to.be.above(0).and.below(hits(whole));
        expect(narrow.eventsPerDay).to.deep.equal([{ date: "2019-01-01", events: narrow.eventsPerDay[0].events }]);
        expect(narrow.window).to.deep.equal({ since: "2019-01-01T00:00:00Z", until: "2019-01-01T00:00:01Z" });
    });

    it("reaches the recorded recall and precision on Panther's labelled test events", async () => {
        const measured = Object.fromEntries(
            (await measureDetections()).map((m) => [m.detection, `${m.found}/${m.shouldFire} ${m.avoided}/${m.shouldNotFire}`]),
        );
        // found/should fire, left alone/should not fire. docs/detections.md "Detections against ground truth" explains the gaps.
        expect(measured).to.deep.equal({
            "iam-user-created": "1/1 1/1",
            "iam-policy-attached": "2/2 0/2",
            "root-account-activity": "3/3 3/5",
            "console-login-without-mfa": "3/3 7/8",
            "console-login-failures": "2/2 2/2",
            "access-key-created": "4/4 2/3",
            "cloudtrail-tampering": "1/1 2/2",
            "cloudtrail-selectors-narrowed": "1/1 2/2",
            "kms-key-disabled-or-deleted": "3/3 2/2",
            "s3-bucket-access-changed": "1/1 2/2",
            "s3-public-access-block-removed": "1/1 3/3",
            "s3-bucket-made-public": "1/5 9/9",
            "config-recorder-stopped": "1/1 2/2",
            "macie-disabled": "2/2 1/1",
            "account-left-organization": "1/1 0/0",
            "ami-shared": "2/2 4/4",
            "ebs-snapshot-shared": "2/2 2/2",
            "rds-snapshot-shared": "1/1 1/1",
            "network-acl-open-to-world": "1/1 2/2",
            "s3-bucket-encryption-removed": "1/1 3/3",
            "s3-bucket-logging-disabled": "1/1 3/3",
            "s3-bucket-protection-disabled": "4/4 12/12",
            "vpc-flow-logs-deleted": "1/1 0/0",
            "dns-query-logging-deleted": "1/1 0/0",
        });
    });
});
