/**
 * npm run bench:stages — where a local run's time goes, stage by stage, against the I/O floor and
 * against a baseline commit, in one run on the same input (a shared virtual machine varies by
 * ±15% from one minute to the next: only figures taken side by side compare).
 *
 * The input: BENCH_MB (default 400) MB of uncompressed CloudTrail built from the vendored corpus as
 * S3 log files of BENCH_FILE_MB (default 50) MB each, like the issue's measurement (8 files,
 * ~400 MB of JSON); BENCH_SHAPE=bursty builds longer bursts of smaller events instead, which
 * compress better, so the floor is faster (bench/corpusFiles.ts BURSTY_SHAPE). The I/O floor:
 * bench/contenders/ioFloor.js (gunzip then gzip of each file, no parsing), summed over the files.
 * The baseline: the tree of BENCH_BASELINE (default: the merge base with `main`) extracted with
 * `git archive` beside this checkout's node_modules, run with the same options; each tree runs what
 * its own `npm start` runs (its package.json), as its users would. Each of `baseline` and
 * `this tree` runs BENCH_REPEAT (default 3) times, alternating; the median by total
 * time is shown, with every stage's time from its --json (the baseline's, if it predates them,
 * shows only its total). The findings of the two must be the same, or the benchmark fails. A
 * benchmark, not a test.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLogFile, shapeFromEnv } from "./corpusFiles";
import { baselineTree, git } from "./baseline";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "stages");
const TOTAL_MB = Number(process.env.BENCH_MB ?? 400);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 50);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const JOBS = process.env.BENCH_JOBS ?? String(os.availableParallelism());

async function buildInput(): Promise<{ dir: string; files: string[]; bytes: number; events: number; shape: string }> {
    const { name, shape, suffix } = shapeFromEnv();
    const root = path.join(WORK, `in-${TOTAL_MB}MB-${FILE_MB}MBfiles${suffix}`);
    const dir = path.join(root, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "24");
    const files: string[] = [];
    let bytes = 0,
        events = 0;
    for (let i = 0; bytes < TOTAL_MB * 1e6; i++) {
        const built = await buildLogFile(dir, `111122223333_CloudTrail_us-east-1_20261124T${String(i).padStart(4, "0")}Z_stages.json.gz`, {
            uncompressedBytes: Math.min(FILE_MB * 1e6, TOTAL_MB * 1e6 - bytes),
            seed: i + 1,
            shape,
        });
        files.push(built.file);
        bytes += built.uncompressed;
        events += built.events;
    }
    return { dir: root, files, bytes, events, shape: name };
}

interface Run {
    readonly seconds: number;
    /** User + system CPU seconds of the run (every thread: the normalising workers and DuckDB's), from /usr/bin/time. */
    readonly cpuSeconds: number;
    readonly peakMb: number;
    readonly json: {
        findings: { query: string; count: number; eventIds: string[] }[];
        inputs: { events: number };
        timings?: Record<string, number> & { detections?: { query: string; ms: number }[] };
    };
}

/**
 * What `npm start` runs in `tree` (its package.json's `start` script, with this node): each tree is
 * measured as its users run it, the bin today, `node --import tsx cli/local.ts` in older trees.
 */
function startCommand(tree: string): string[] {
    const script = (JSON.parse(fs.readFileSync(path.join(tree, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    const [node, ...args] = script.trim().split(/\s+/);
    if (node !== "node") throw new Error(`${tree}: npm start runs ${JSON.stringify(script)}, not node`);
    // Run with the tree as the working folder: its relative paths are the tree's.
    return [process.execPath, ...args];
}

function run(tree: string, input: string): Run {
    const out = path.join(WORK, "out");
    fs.rmSync(out, { recursive: true, force: true });
    // stdout to a file, not a pipe: a baseline that exits before a pipe is drained would cut its --json short.
    const stdoutFile = path.join(WORK, "stdout.json");
    const stdoutFd = fs.openSync(stdoutFile, "w");
    const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M %U %S", ...startCommand(tree), "--input", input, "--out", out, "--jobs", JOBS, "--json"], {
        cwd: tree,
        encoding: "utf8",
        maxBuffer: 1 << 28,
        stdio: ["ignore", stdoutFd, "pipe"],
    });
    fs.closeSync(stdoutFd);
    fs.rmSync(out, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${tree}: exit ${result.status}\n${result.stderr}`);
    const [, seconds, kb, user, system] = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr)!;
    return {
        seconds: Number(seconds),
        cpuSeconds: Number(user) + Number(system),
        peakMb: Number(kb) / 1024,
        json: JSON.parse(fs.readFileSync(stdoutFile, "utf8")),
    };
}

/** Seconds (wall, and CPU from /usr/bin/time) of the I/O floor over every file, one after the other (single core). */
function ioFloor(files: string[]): { seconds: number; cpuSeconds: number } {
    const started = process.hrtime.bigint();
    let cpuSeconds = 0;
    for (const file of files) {
        const result = spawnSync(
            "/usr/bin/time",
            ["-f", "__TIME__ %U %S", process.execPath, path.join(__dirname, "contenders", "ioFloor.js"), file, path.join(WORK, "floor.json.gz")],
            { encoding: "utf8" },
        );
        if (result.status !== 0) throw new Error(`ioFloor.js ${file}: exit ${result.status}\n${result.stderr}`);
        const [, user, system] = /__TIME__ ([\d.]+) ([\d.]+)/.exec(result.stderr)!;
        cpuSeconds += Number(user) + Number(system);
    }
    fs.rmSync(path.join(WORK, "floor.json.gz"), { force: true });
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds };
}

const median = <T>(values: T[], by: (value: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[Math.floor((values.length - 1) / 2)];
const findingsOf = (run: Run) => run.json.findings.map((finding) => `${finding.query}:${finding.count}:${finding.eventIds.join(",")}`).join(";");

async function main(): Promise<void> {
    fs.mkdirSync(WORK, { recursive: true });
    const baselineCommit = process.env.BENCH_BASELINE ?? git("merge-base", "HEAD", "main");
    const head = git("rev-parse", "--short=10", "HEAD") + (git("status", "--porcelain", "--untracked-files=no") ? " (with uncommitted changes)" : "");
    const input = await buildInput();
    const trees = [
        { name: `baseline ${baselineCommit.slice(0, 10)}`, dir: baselineTree(baselineCommit, WORK, path.join("cli", "local.ts")) },
        { name: `this tree ${head}`, dir: ROOT },
    ];
    console.log(
        `Local run stages (${new Date().toISOString()}, ${process.version}, ${os.availableParallelism()} cores, load average ${os
            .loadavg()
            .map((load) => load.toFixed(2))
            .join(" ")} at the start): ${input.files.length} files, ${(input.bytes / 1e6).toFixed(0)} MB of JSON (${(
            input.files.reduce((total, file) => total + fs.statSync(file).size, 0) / 1e6
        ).toFixed(0)} MB gzip, shape ${input.shape}), ${input.events} events, --jobs ${JOBS}, median of ${REPEAT} run(s) each, alternating.\n`,
    );
    const floors: { seconds: number; cpuSeconds: number }[] = [];
    const runs = new Map<string, Run[]>(trees.map((tree) => [tree.name, []]));
    for (let round = 0; round < REPEAT; round++) {
        floors.push(ioFloor(input.files));
        for (const tree of trees) runs.get(tree.name)!.push(run(tree.dir, input.dir));
    }
    const reference = findingsOf(runs.get(trees[0].name)![0]);
    for (const [name, list] of runs)
        for (const entry of list) if (findingsOf(entry) !== reference) throw new Error(`${name} gave other findings than ${trees[0].name}`);

    const floor = median(floors, (entry) => entry.seconds);
    const s = (ms: number | undefined) => (ms === undefined ? "" : (ms / 1000).toFixed(1));
    const header = [
        "",
        "total s",
        "x of I/O floor",
        "CPU s",
        "normalise s",
        "parquet s",
        "lake s",
        "detections s",
        "slowest detection",
        "panels s",
        "report s",
        "peak RSS MB",
    ];
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    console.log(
        `| I/O floor (ioFloor.js, gunzip + gzip) | ${floor.seconds.toFixed(1)} | 1.00x | ${floor.cpuSeconds.toFixed(1)} |${" |".repeat(header.length - 4)}`,
    );
    for (const tree of trees) {
        const chosen = median(runs.get(tree.name)!, (entry) => entry.seconds);
        const t = chosen.json.timings ?? {};
        const slowest = t.detections?.[0];
        console.log(
            `| ${[
                tree.name,
                chosen.seconds.toFixed(1),
                `${(floor.seconds / chosen.seconds).toFixed(2)}x`,
                chosen.cpuSeconds.toFixed(1),
                s(t.normaliseMs),
                s(t.parquetMs),
                s(t.lakeMs),
                s(t.detectionsMs),
                slowest ? `${slowest.query} ${s(slowest.ms)}` : "",
                s(t.panelsMs),
                s(t.reportMs),
                chosen.peakMb.toFixed(0),
            ].join(" | ")} |`,
        );
    }
    console.log(`\nx of I/O floor: the floor's time divided by the run's (1.00x = as fast as reading and rewriting the logs; the goal is 0.33x).`);
    console.log(
        "CPU s: user + system seconds of every thread (the floor runs on one core, a run on all of them); on a shared machine it varies less than wall time.",
    );
    console.log(
        `Load average at the end: ${os
            .loadavg()
            .map((load) => load.toFixed(2))
            .join(" ")}.`,
    );
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
