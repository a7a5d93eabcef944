import { expect } from "chai";
import { TrinoSQL } from "dt-sql-parser";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { queryForWindow } from "../contract/detections";
import { loadCatalogue, loadSourceDetections, SOURCES } from "../contract/sources/catalogue";
import { FLOW_LOG_NAMED_QUERIES } from "../contract/sources/flowLogQueries";
import { FLOW_LOG_FIELDS, FLOW_LOG_FORMAT, SOURCE_FILE_COLUMN } from "../contract/sources/flowLogs";
import { Engine, literal } from "../lambda/shared/engine";
import { createFlowLogView, ingestFlowLogs, recogniseFlowLog, recordsPerFile } from "../local/flowLogs";
import { runLocal } from "../local/run";
import { htmlReport } from "../local/report";

const FIXTURES = path.join(__dirname, "fixtures", "flowlogs");
const INPUTS = path.join(FIXTURES, "inputs");
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ctl-flow-${name}-`));
const inputs = () =>
    fs
        .readdirSync(INPUTS)
        .map((name) => path.join(INPUTS, name))
        .sort();

/** Records per fixture file, counted by hand from the files (README beside them). */
const EXPECTED_RECORDS: Record<string, { records: number; noData: number; skipData: number }> = {
    "000000.gz": { records: 3, noData: 1, skipData: 0 },
    "123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20141214T0400Z_hash.log.gz": { records: 7, noData: 1, skipData: 1 },
    "aws-docs-default-format.txt": { records: 7, noData: 1, skipData: 1 },
    "aws-docs-tcp-flags-custom-format": { records: 4, noData: 0, skipData: 0 },
    "aws-docs-traffic-path-v5.log": { records: 2, noData: 0, skipData: 0 },
    "filter-log-events.json": { records: 2, noData: 1, skipData: 0 },
    "obsrvbl-flows.parquet": { records: 3, noData: 2, skipData: 0 },
    "otel-valid_vpc_flow_log.log": { records: 1, noData: 1, skipData: 0 },
};

describe("VPC flow logs: the source contract", () => {
    it("asks AWS for every field of versions 2 to 5, named as AWS's Parquet columns", () => {
        expect(FLOW_LOG_FIELDS).to.have.length(29);
        expect(FLOW_LOG_FORMAT.startsWith("${version} ${account-id} ${interface-id} ${srcaddr}")).to.equal(true);
        for (const field of [
            "vpc-id",
            "subnet-id",
            "instance-id",
            "tcp-flags",
            "type",
            "pkt-srcaddr",
            "pkt-dstaddr",
            "region",
            "az-id",
            "flow-direction",
            "traffic-path",
        ]) {
            expect(FLOW_LOG_FORMAT).to.include(`\${${field}}`);
        }
        expect(FLOW_LOG_FIELDS.map((field) => field.column)).to.include.members(["account_id", "log_status", "pkt_dst_aws_service", "traffic_path"]);
    });

    it("lists the flow-log detections beside CloudTrail's, ids unique, their window written in since/until only", () => {
        const flow = loadSourceDetections(SOURCES.find((source) => source.name === "flowlogs")!);
        expect(flow.map((detection) => detection.id)).to.have.members([
            "flow-port-scan",
            "flow-admin-port-accepted-from-internet",
            "flow-mining-or-known-bad-ports",
            "flow-large-egress-to-one-address",
            "flow-traffic-after-credentials-flagged",
            "flow-security-group-opened-then-used",
        ]);
        for (const detection of flow) {
            expect(detection.source, detection.id).not.to.include("${window}");
            expect(detection.kind, `${detection.id}: event detections run in the Lambda over CloudTrail files only`).not.to.equal("event");
        }
        const all = loadCatalogue().map((detection) => detection.id);
        expect(new Set(all).size).to.equal(all.length);
    });

    it("every flow-log detection and named query parses with Trino's grammar", () => {
        const parser = new TrinoSQL();
        const window = { since: "2026-11-20T00:00:00Z", until: "2026-11-21T00:00:00Z" };
        const flow = loadSourceDetections(SOURCES.find((source) => source.name === "flowlogs")!);
        for (const { name, sql } of [...flow.map((detection) => ({ name: detection.id, sql: detection.source })), ...FLOW_LOG_NAMED_QUERIES]) {
            const errors = parser.validate(queryForWindow({ name, source: sql }, window));
            expect(
                errors.map((error) => `line ${error.startLine}: ${error.message}`),
                name,
            ).to.deep.equal([]);
        }
    });
});

describe("VPC flow logs in the local mode", () => {
    it("recognises every shape by its content, whatever the file is called", async () => {
        for (const file of inputs()) expect(await recogniseFlowLog(file), path.basename(file)).not.to.equal(undefined);
        const renamed = path.join(tmp("renamed"), "report.json");
        fs.copyFileSync(path.join(INPUTS, "aws-docs-default-format.txt"), renamed);
        expect(await recogniseFlowLog(renamed)).to.deep.equal({ shape: "text", gzip: false });
        const cloudTrail = path.join(tmp("ct"), "flow.log");
        fs.writeFileSync(cloudTrail, JSON.stringify({ Records: [{ eventVersion: "1.09", eventName: "ListBuckets" }] }));
        expect(await recogniseFlowLog(cloudTrail)).to.equal(undefined);
    });

    it("keeps every record of every input once, NODATA and SKIPDATA counted, and reports flowRecords", async () => {
        const outDir = tmp("lossless");
        const result = await runLocal({ files: inputs(), outDir });
        const byName = Object.fromEntries(result.flowLogs.files.map((file) => [path.basename(file.file), file]));
        for (const [name, expected] of Object.entries(EXPECTED_RECORDS)) {
            expect(byName[name]?.status, name).to.equal("read");
            expect({ records: byName[name].records, noData: byName[name].noData, skipData: byName[name].skipData }, name).to.deep.equal(expected);
        }
        expect(result.inputs.flowRecords).to.equal(29);
        expect(result.inputs.flowNoData).to.equal(7);
        expect(result.inputs.flowSkipData).to.equal(2);
        // What the lake holds, per file, read back through the flow_logs view.
        const engine = await Engine.open();
        try {
            await createFlowLogView(engine, outDir);
            const inLake = await recordsPerFile(engine);
            for (const file of result.flowLogs.files) expect(inLake.get(file.file), path.basename(file.file)).to.equal(file.records);
            const [row] = await engine.all(
                "SELECT count(*)::INTEGER AS n FROM flow_logs WHERE aws_account_id = '123456789010' AND year = '2014' AND month = '12' AND day = '14' AND hour = '04'",
            );
            expect(row.n).to.equal(7); // the accepted and rejected records of the .txt, the .gz and the export, the accepted one of the JSON
        } finally {
            engine.close();
        }
        expect(result.flowLogs.traffic?.records).to.equal(29);
        // The report's traffic section: the files and totals; the charts are the flow panels (panels/, docs/dashboards.md).
        const html = htmlReport(result, "2026-12-06T00:00:00Z");
        expect(html).to.include("Network traffic (VPC flow logs)");
        expect(html).to.include("8 flow-log file(s) read (29 records: 7 NODATA, 2 SKIPDATA)");
        const topTalkers = result.panels.find((panel) => panel.id === "top-talkers")!;
        expect(topTalkers.status).to.equal("ok");
        expect(topTalkers.points.length).to.be.greaterThan(0);
        expect(html).to.include('data-panel="top-talkers" data-source="flow_traffic"');
        expect(result.findings.filter((finding) => finding.status !== "ok")).to.deep.equal([]);
    });

    it("reads a Parquet input by its own name and content: flows[1].parquet is not flows1.parquet, and an action=… folder above it is no record's action", async () => {
        const dir = path.join(tmp("names"), "action=REJECT");
        fs.mkdirSync(dir);
        const fixture = path.join(INPUTS, "obsrvbl-flows.parquet");
        const named = path.join(dir, "flows[1].parquet");
        fs.copyFileSync(fixture, named);
        const neighbour = path.join(dir, "flows1.parquet");
        const engine = await Engine.open();
        try {
            await engine.run(`COPY (SELECT * FROM read_parquet(${literal(fixture)}) LIMIT 1) TO ${literal(neighbour)} (FORMAT parquet)`);
            const actions = async (file: string) =>
                (
                    await engine.all(
                        `SELECT NULLIF(CAST(action AS VARCHAR), '-') AS action FROM read_parquet(${literal(file)}, hive_partitioning = false) ORDER BY ALL`,
                    )
                ).map((row) => row.action);
            const lake = tmp("names-lake");
            const { results } = await ingestFlowLogs(engine, [named, neighbour], lake, path.join(lake, "staging"));
            expect(results.map((result) => [path.basename(result.file), result.status, result.records])).to.deep.equal([
                ["flows[1].parquet", "read", 3],
                ["flows1.parquet", "read", 1],
            ]);
            await createFlowLogView(engine, lake);
            // What each file holds, read from paths that are neither patterns nor below a key=value folder.
            const expected = new Map([
                [named, await actions(fixture)],
                [neighbour, await actions(neighbour)],
            ]);
            expect(expected.get(named)).to.have.length(3);
            for (const [file, fileActions] of expected) {
                const stored = await engine.all(`SELECT action FROM flow_logs WHERE ${SOURCE_FILE_COLUMN} = ${literal(file)} ORDER BY ALL`);
                expect(
                    stored.map((row) => row.action),
                    path.basename(file),
                ).to.deep.equal(fileActions);
            }
        } finally {
            engine.close();
        }
    });

    it("reports a file with a line that is not a record of its format, and keeps none of its rows", async () => {
        const dir = tmp("bad");
        const bad = path.join(dir, "bad.log.gz");
        const text = fs.readFileSync(path.join(INPUTS, "aws-docs-default-format.txt"), "utf8") + "2 123456789010 eni-1 only five fields\n";
        fs.writeFileSync(bad, zlib.gzipSync(text));
        const engine = await Engine.open();
        try {
            const lake = tmp("bad-lake");
            const { results } = await ingestFlowLogs(engine, [bad], lake, path.join(lake, "staging"));
            expect(results).to.have.length(1);
            expect(results[0].status).to.equal("failed");
            expect(results[0].reason).to.match(/line 9 has 6 fields, its format has 14/);
            expect(await createFlowLogView(engine, lake)).to.equal(false);
        } finally {
            engine.close();
        }
    });
});

describe("flow-log detections on DuckDB: positive and near-miss fixtures", () => {
    const dir = path.join(FIXTURES, "detections");
    for (const id of fs.readdirSync(dir).sort()) {
        for (const kind of ["positive", "negative"] as const) {
            it(`${id}: ${kind === "positive" ? "finds the behaviour" : "stays quiet on the near misses"}`, async () => {
                const detection = loadCatalogue().find((candidate) => candidate.id === id)!;
                expect(detection, id).not.to.equal(undefined);
                const files = [path.join(dir, id, `${kind}.log`)];
                const cloudTrail = path.join(dir, id, "cloudtrail.json");
                if (fs.existsSync(cloudTrail)) files.push(cloudTrail);
                const result = await runLocal({ files, outDir: tmp(id), detections: [detection] });
                const [finding] = result.findings;
                expect(finding.status, finding.error).to.equal("ok");
                if (kind === "positive") expect(finding.count, id).to.be.greaterThan(0);
                else expect(finding.hits, id).to.deep.equal([]);
            });
        }
    }
});
