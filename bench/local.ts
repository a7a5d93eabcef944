/**
 * npm run bench:local — the local mode end to end on about 10 MB, 100 MB and 1 GB of
 * (uncompressed) CloudTrail built from the corpus, as S3 log files of ~10 MB each (many files, as
 * a responder's folder holds): with one worker (`--jobs 1`) and with the default (one per core)
 * side by side, time split into normalise, Parquet and queries, how many cores the normalise
 * stage kept busy (CPU time of every thread / wall time), and peak memory (the process with its
 * workers). Each run is its own process; the two settings alternate, BENCH_REPEAT times each
 * (default 3), and the median run (by total time) is shown with the spread of the normalise times,
 * because a shared virtual machine varies by ±15% from one run to the next. The runs must give the
 * same events, duplicates and findings, or the benchmark fails. A benchmark, not a test.
 * BENCH_SIZES_MB, BENCH_FILE_MB and BENCH_REPEAT change the inputs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLogFile } from "./corpusFiles";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "local");
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "10,100,1000").split(",").map(Number);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 10);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
/** What `npm start` uses without --jobs. */
const DEFAULT_JOBS = os.availableParallelism();

async function buildInput(sizeMb: number): Promise<{ dir: string; bytes: number; compressed: number; events: number; files: number }> {
    const root = path.join(WORK, `in-${sizeMb}MB-${FILE_MB}MBfiles`);
    const dir = path.join(root, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "24");
    let bytes = 0,
        compressed = 0,
        events = 0,
        files = 0;
    for (let i = 0; bytes < sizeMb * 1e6; i++) {
        const built = await buildLogFile(dir, `111122223333_CloudTrail_us-east-1_20261125T${String(i).padStart(4, "0")}Z_bench${sizeMb}.json.gz`, {
            uncompressedBytes: Math.min(FILE_MB * 1e6, sizeMb * 1e6 - bytes),
            seed: i + 1,
        });
        bytes += built.uncompressed;
        events += built.events;
        compressed += fs.statSync(built.file).size;
        files++;
    }
    return { dir: root, bytes, compressed, events, files };
}

function timed(args: string[]): { seconds: number; peakMb: number; stdout: string } {
    const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (result.status !== 0) throw new Error(result.stderr);
    const [, seconds, kb] = /__TIME__ ([\d.]+) (\d+)/.exec(result.stderr)!;
    return { seconds: Number(seconds), peakMb: Number(kb) / 1024, stdout: result.stdout };
}

async function main(): Promise<void> {
    fs.mkdirSync(WORK, { recursive: true });
    // Bundled, as the deployed Lambda is: measures the code, not TypeScript compilation at start-up.
    const bundle = (entry: string, out: string) =>
        execFileSync(
            process.execPath,
            [
                "-e",
                `require("esbuild").buildSync({ entryPoints: [${JSON.stringify(entry)}], outfile: ${JSON.stringify(out)}, bundle: true, platform: "node", target: "node20", format: "cjs", external: ["@duckdb/*"], logLevel: "error" })`,
            ],
            { cwd: ROOT },
        );
    const local = path.join(WORK, "local.js");
    bundle(path.join(ROOT, "bench", "localChild.ts"), local);
    // The workers' script, next to the bundle that starts them (local/workerPool.ts looks for it there).
    bundle(path.join(ROOT, "local", "normaliseWorker.ts"), path.join(WORK, "normaliseWorker.js"));

    console.log(
        `Local mode benchmark (${process.version}, ${os.availableParallelism()} cores, load average ${os
            .loadavg()
            .map((load) => load.toFixed(2))
            .join(" ")} at the start), ` +
            `inputs built from test/fixtures/corpus as ${FILE_MB} MB log files; --jobs 1 against the default --jobs ${DEFAULT_JOBS}.\n`,
    );
    const header = [
        "input (JSON)",
        "gz",
        "files",
        "events",
        "jobs",
        "normalise s (min-max)",
        "cores busy",
        "parquet s",
        "queries s",
        "total s",
        "peak RSS MB",
        "normalise speed-up",
    ];
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---:").join("|")}|`);
    const median = <T>(values: T[], by: (value: T) => number) => [...values].sort((a, b) => by(a) - by(b))[Math.floor((values.length - 1) / 2)];
    for (const sizeMb of SIZES_MB) {
        const input = await buildInput(sizeMb);
        const settings = [1, DEFAULT_JOBS];
        const runs = new Map<number, { run: ReturnType<typeof timed>; split: Record<string, number> & { findings: string } }[]>(
            settings.map((jobs) => [jobs, []]),
        );
        for (let round = 0; round < REPEAT; round++) {
            for (const jobs of settings) {
                const out = path.join(WORK, "out");
                fs.rmSync(out, { recursive: true, force: true });
                const run = timed([local, input.dir, out, path.join(ROOT, "queries"), String(jobs)]);
                fs.rmSync(out, { recursive: true, force: true });
                runs.get(jobs)!.push({ run, split: JSON.parse(run.stdout.trim().split("\n").pop()!) });
            }
        }
        const reference = runs.get(1)![0].split;
        for (const [jobs, list] of runs)
            for (const { split } of list)
                for (const key of ["events", "duplicates", "findings"] as const) {
                    if (split[key] !== reference[key]) throw new Error(`--jobs ${jobs} gave other ${key} than --jobs 1 on ${sizeMb} MB`);
                }
        const normaliseMedian = (jobs: number) => median(runs.get(jobs)!, (entry) => entry.split.normaliseMs).split.normaliseMs;
        for (const jobs of settings) {
            const list = runs.get(jobs)!;
            const { run, split } = median(list, (entry) => entry.run.seconds);
            const normalise = list.map((entry) => entry.split.normaliseMs / 1000);
            console.log(
                `| ${[
                    `${(input.bytes / 1e6).toFixed(0)} MB`,
                    `${(input.compressed / 1e6).toFixed(1)} MB`,
                    input.files,
                    input.events,
                    jobs,
                    `${(normaliseMedian(jobs) / 1000).toFixed(1)} (${Math.min(...normalise).toFixed(1)}-${Math.max(...normalise).toFixed(1)})`,
                    median(
                        list.map((entry) => entry.split.normaliseCpuMs / entry.split.normaliseMs),
                        (busy) => busy,
                    ).toFixed(2),
                    (split.parquetMs / 1000).toFixed(1),
                    (split.queriesMs / 1000).toFixed(1),
                    run.seconds.toFixed(1),
                    run.peakMb.toFixed(0),
                    jobs === 1 ? "1.00x" : `${(normaliseMedian(1) / normaliseMedian(jobs)).toFixed(2)}x`,
                ].join(" | ")} |`,
            );
        }
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
