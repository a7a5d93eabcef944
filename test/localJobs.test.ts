import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { parseArguments } from "../cli/local";
import { Engine } from "../lambda/shared/engine";
import { ingestFiles } from "../local/ingest";
import { NormaliserPool, prestartNormalisers, spareNormalisers } from "../local/workerPool";

const ROOT = path.join(__dirname, "..");
const run = promisify(execFile);
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ctl-${name}-`));
const start = (...args: string[]) => run(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", "local.ts"), ...args], { cwd: ROOT, maxBuffer: 1 << 26 });
/** `npm start`: the bin, which starts the normalising workers before it loads the run's modules (cli/main.ts). */
const bin = (...args: string[]) => run(process.execPath, [path.join(ROOT, "cli", "cloudtrail-lake.js"), "start", ...args], { cwd: ROOT, maxBuffer: 1 << 26 });
/** OTRF's EC2-proxy scenario (samples/, MIT licence, see samples/README.md): one real event per line. */
const BIG_EVENTS = 20000;
const OTRF = path.join(ROOT, "samples", "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json");

/**
 * Many files that finish in another order than they start: first (in path order) a large S3 log
 * file that holds the OTRF events with their own eventIDs plus thousands with new ones, so that it
 * finishes last; then the bundled samples (whose OTRF file is then all duplicates, and which hold
 * duplicates of their own); a copy of a sample under another name; a file that fails.
 */
function buildInput(): string {
    const dir = tmp("jobs-in");
    const events = fs
        .readFileSync(OTRF, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    const records = [...events];
    for (let copy = 0; records.length < BIG_EVENTS; copy++)
        for (const event of events) records.push({ ...event, eventID: `${String(copy).padStart(8, "0")}-0000-4000-8000-${event.eventID.slice(-12)}` });
    const big = path.join(dir, "a-big", "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2020", "09", "14");
    fs.mkdirSync(big, { recursive: true });
    fs.writeFileSync(
        path.join(big, "111122223333_CloudTrail_us-east-1_20200914T0100Z_big.json.gz"),
        zlib.gzipSync(JSON.stringify({ Records: records.slice(0, BIG_EVENTS) })),
    );
    fs.cpSync(path.join(ROOT, "samples"), path.join(dir, "m-samples"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "z-copy.jsonl.gz"),
        zlib.gzipSync(fs.readFileSync(path.join(ROOT, "samples", "log2timeline__plaso", "aws_cloudtrail.jsonl"))),
    );
    fs.writeFileSync(path.join(dir, "z-truncated.json"), '{"Records": [{"eventVersion": "1.08", "eventID": "x');
    return dir;
}

/** Every file under `dir`, relative, with its bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
    const found = new Map<string, Buffer>();
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) found.set(path.relative(dir, path.join(entry.parentPath, entry.name)), fs.readFileSync(path.join(entry.parentPath, entry.name)));
    }
    return found;
}

async function parquetRows(out: string): Promise<string> {
    const engine = await Engine.open();
    try {
        const rows = await engine.all(`SELECT * FROM read_parquet('${path.join(out, "parquet", "**", "*.parquet")}', hive_partitioning = false) ORDER BY ALL`);
        return JSON.stringify(rows, (_, value) => (typeof value === "bigint" ? value.toString() : value));
    } finally {
        engine.close();
    }
}

describe("local mode: --jobs (a pool of workers)", function () {
    const input = buildInput();

    it("gives byte-identical normalised files, the same Parquet rows and the same findings JSON with --jobs 1 and --jobs 3 (through the bin, workers started ahead)", async () => {
        const one = tmp("jobs-1"),
            three = tmp("jobs-3");
        const results = [];
        for (const [out, jobs, command] of [
            [one, "1", start],
            [three, "3", bin],
        ] as const) {
            // Exit 0: the failing file is reported, not fatal.
            const { stdout } = await command("--input", input, "--out", out, "--jobs", jobs, "--json");
            // Timings are wall times: the one part of the output that differs from run to run.
            const { report, timings, ...rest } = JSON.parse(stdout);
            expect(timings).to.include.keys("normaliseMs", "parquetMs", "detections", "reportMs");
            expect(report).to.equal(path.join(out, "report.html"));
            results.push(rest);
        }
        const [first, parallel] = results;
        expect(first.failedFiles).to.have.length(1);
        expect(first.failedFiles[0].file).to.match(/z-truncated\.json$/);
        // The big file keeps its events (it comes first), the later copies are the duplicates: 325 distinct in the samples, 20000 in the big file less the OTRF ones it shares with them.
        expect(first.inputs.events).to.equal(BIG_EVENTS + 325 - 103);
        expect(first.inputs.duplicates).to.be.greaterThan(365);
        expect(JSON.stringify(parallel)).to.equal(JSON.stringify(first));

        const normalisedOne = filesUnder(path.join(one, "normalised")),
            normalisedThree = filesUnder(path.join(three, "normalised"));
        expect([...normalisedThree.keys()].sort()).to.deep.equal([...normalisedOne.keys()].sort());
        for (const [name, bytes] of normalisedOne) expect(normalisedThree.get(name)!.equals(bytes), name).to.equal(true);
        expect(await parquetRows(three)).to.equal(await parquetRows(one));
    });

    it("hands workers started ahead to the pool that needs them, and stops those no pool takes", async () => {
        const inputs = [OTRF, path.join(ROOT, "samples", "log2timeline__plaso", "aws_cloudtrail.jsonl")];
        prestartNormalisers(2);
        expect(spareNormalisers()).to.equal(2);
        // --jobs 1 reads on this thread: the spares are stopped, not left idle for the rest of the run.
        const serial = await ingestFiles(inputs, tmp("spares-1"), { shapes: "any", jobs: 1 });
        expect(spareNormalisers()).to.equal(0);
        prestartNormalisers(2);
        const parallel = await ingestFiles(inputs, tmp("spares-2"), { shapes: "any", jobs: 2 });
        expect(spareNormalisers()).to.equal(0);
        expect(parallel).to.deep.equal(serial);
        expect(serial.map((result) => result.status)).to.deep.equal(["normalised", "normalised"]);
    });

    it("keeps the first occurrence in input order, not the first file to finish, when called with several jobs", async () => {
        const files = [
            ...fs
                .readdirSync(input, { recursive: true, withFileTypes: true })
                .filter((entry) => entry.isFile())
                .map((entry) => path.join(entry.parentPath, entry.name)),
        ].sort();
        const [serial, parallel] = [
            await ingestFiles(files, tmp("ingest-1"), { shapes: "any", jobs: 1 }),
            await ingestFiles(files, tmp("ingest-3"), { shapes: "any", jobs: 3 }),
        ];
        expect(parallel).to.deep.equal(serial);
        const big = parallel.find((result) => result.file.includes("a-big"))!;
        expect(big).to.include({ status: "normalised", events: BIG_EVENTS, duplicates: 0 });
        expect(parallel.find((result) => result.file.endsWith("OTRF__Security-Datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json"))).to.include({
            events: 0,
            duplicates: 103,
        });
        const plaso = parallel.find((result) => result.file.endsWith("log2timeline__plaso/aws_cloudtrail.jsonl"))!;
        expect(parallel.find((result) => result.file.endsWith("z-copy.jsonl.gz"))).to.include({ events: 0, duplicates: plaso.events + plaso.duplicates! });
    });

    it("fails only the file whose worker runs out of its heap, names why, and goes on with a new worker", async () => {
        const dir = tmp("jobs-heap");
        const event = (id: string, blob: unknown) => ({
            eventVersion: "1.08",
            eventID: id,
            eventTime: "2026-01-01T00:00:00Z",
            eventName: "PutObject",
            eventSource: "s3.amazonaws.com",
            requestParameters: { blob },
        });
        // About 10 MB in one event: under the normaliser's 16 MB record limit, over a 16 MB heap once parsed.
        fs.writeFileSync(
            path.join(dir, "a-huge.json"),
            JSON.stringify([
                event(
                    "huge",
                    Array.from({ length: 150000 }, (_, i) => ({ k: `${"x".repeat(50)}${i}` })),
                ),
            ]),
        );
        for (const name of ["b.json", "c.json", "d.json"]) fs.writeFileSync(path.join(dir, name), JSON.stringify([event(name, null)]));
        // One worker: the files after the huge one need the worker that replaces it.
        const pool = new NormaliserPool(1, { shapes: "any", eventIds: true, gzipLevel: 6 }, 16);
        try {
            const results = await Promise.allSettled(["a-huge.json", "b.json", "c.json", "d.json"].map((name) => pool.prepare(path.join(dir, name))));
            expect(results[0]).to.deep.include({ status: "rejected" });
            expect((results[0] as PromiseRejectedResult).reason.message).to.equal("ran out of memory in its worker (heap limit 16 MB per worker)");
            for (const result of results.slice(1))
                expect((result as PromiseFulfilledResult<{ prepared: { status: string } }>).value.prepared.status).to.equal("normalised");
        } finally {
            await pool.close();
        }
    });

    it("refuses a --jobs that is not a whole number from 1 up, naming the flag", () => {
        for (const bad of ["0", "-1", "1.5", "two", "", "100000"])
            expect(() => parseArguments([`--jobs=${bad}`]), bad).to.throw(/--jobs must be a whole number/);
        expect(parseArguments(["--jobs", "3"]).jobs).to.equal(3);
        expect(parseArguments([]).jobs).to.equal(os.availableParallelism());
    });

    it("exits 2 with a bad --jobs, before reading anything", async () => {
        const failure = await start("--jobs", "0", "--out", tmp("jobs-bad")).then(
            () => undefined,
            (error: { code: number; stderr: string }) => error,
        );
        expect(failure?.code).to.equal(2);
        expect(failure?.stderr).to.match(/^error: --jobs must be a whole number from 1 to 256, not "0"/);
    });
});
