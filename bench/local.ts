/**
 * npm run bench:local — the local mode end to end on about 10 MB, 100 MB and 1 GB of
 * (uncompressed) CloudTrail built from the corpus, as S3 log files of ~25 MB each: time split
 * into normalise, Parquet and queries, and peak memory, with the normaliser alone (the local
 * normalise command on the same files) beside it. Each run is its own process. A benchmark, not a test.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildLogFile } from "./corpusFiles";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "local");
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "10,100,1000").split(",").map(Number);
const FILE_MB = 25;

async function buildInput(sizeMb: number): Promise<{ dir: string; bytes: number; compressed: number; events: number }> {
    const dir = path.join(WORK, `in-${sizeMb}MB`, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "24");
    let bytes = 0,
        compressed = 0,
        events = 0;
    for (let i = 0; bytes < sizeMb * 1e6; i++) {
        const built = await buildLogFile(dir, `111122223333_CloudTrail_us-east-1_20261125T${String(i).padStart(4, "0")}Z_bench${sizeMb}.json.gz`, {
            uncompressedBytes: Math.min(FILE_MB * 1e6, sizeMb * 1e6 - bytes),
            seed: i + 1,
        });
        bytes += built.uncompressed;
        events += built.events;
        compressed += fs.statSync(built.file).size;
    }
    return { dir: path.join(WORK, `in-${sizeMb}MB`), bytes, compressed, events };
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
    const normalise = path.join(WORK, "normalise.js");
    bundle(path.join(ROOT, "bench", "localChild.ts"), local);
    bundle(path.join(ROOT, "cli", "normalise.ts"), normalise);

    console.log(`Local mode benchmark (${process.version}, ${os.cpus().length} cores), inputs built from ../shared/corpus as ${FILE_MB} MB log files.\n`);
    const header = [
        "input (JSON)",
        "gz",
        "events",
        "normalise s",
        "parquet s",
        "queries s",
        "total s",
        "peak RSS MB",
        "normaliser-only s",
        "normaliser MB/s",
        "peak RSS MB",
    ];
    console.log(header.join(" | "));
    for (const sizeMb of SIZES_MB) {
        const input = await buildInput(sizeMb);
        const out = path.join(WORK, "out");
        fs.rmSync(out, { recursive: true, force: true });
        const run = timed([local, input.dir, out, path.join(ROOT, "queries")]);
        const split = JSON.parse(run.stdout.trim().split("\n").pop()!);
        fs.rmSync(out, { recursive: true, force: true });
        const alone = timed([normalise, input.dir, "--out", out]);
        fs.rmSync(out, { recursive: true, force: true });
        console.log(
            [
                `${(input.bytes / 1e6).toFixed(0)} MB`,
                `${(input.compressed / 1e6).toFixed(1)} MB`,
                input.events,
                (split.normaliseMs / 1000).toFixed(1),
                (split.parquetMs / 1000).toFixed(1),
                (split.queriesMs / 1000).toFixed(1),
                run.seconds.toFixed(1),
                run.peakMb.toFixed(0),
                alone.seconds.toFixed(1),
                (input.bytes / 1e6 / alone.seconds).toFixed(1),
                alone.peakMb.toFixed(0),
            ].join(" | "),
        );
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
