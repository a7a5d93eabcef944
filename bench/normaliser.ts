/**
 * npm run bench:normaliser — times, on the same files in one run, this normaliser (the local
 * command, bundled as deployed), the original write-ups' algorithm (seed_flatten.py, not part of this
 * repository: give its path in BENCH_SEED_FLATTEN, or that contender is left out),
 * an I/O floor (streaming gunzip -> gzip, no parsing) and the naive Node approach (whole-file
 * JSON.parse), on CloudTrail files of about 1, 10 and 50 MB compressed built from the vendored corpus
 * (test/fixtures/corpus).
 * Prints throughput (compressed MB/s, events/s), peak RSS and ratios. A benchmark, not a test.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { buildLogFile } from "./corpusFiles";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "normaliser");
/** The write-ups' algorithm, when its path is given: it is not part of this repository. */
const SEED = process.env.BENCH_SEED_FLATTEN;
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "1,10,50").split(",").map(Number);

interface Run {
    seconds: number;
    peakRssMb: number;
    ok: boolean;
    note: string;
}

/** Runs a command under GNU time for wall time and peak RSS. */
function timed(command: string, args: string[]): Run {
    const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", command, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    const match = /__TIME__ ([\d.]+) (\d+)/.exec(result.stderr);
    // The contender's own last words, not GNU time's "Command exited with non-zero status".
    const error =
        result.stderr
            .replace(/__TIME__.*\n?/, "")
            .split("\n")
            .filter((line) => line.trim() && !line.startsWith("Command exited"))
            .pop() ?? "";
    return {
        seconds: match ? Number(match[1]) : NaN,
        peakRssMb: match ? Number(match[2]) / 1024 : NaN,
        ok: result.status === 0,
        note: result.status === 0 ? "" : error.slice(0, 70),
    };
}

async function main(): Promise<void> {
    fs.mkdirSync(WORK, { recursive: true });
    const cli = path.join(WORK, "normalise.js");
    buildSync({
        entryPoints: [path.join(ROOT, "cli", "normalise.ts")],
        outfile: cli,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        logLevel: "error",
    });

    console.log(`Normaliser benchmark (${process.version}, ${os.cpus().length} cores). Inputs built from test/fixtures/corpus.\n`);
    const header = ["file", "contender", "seconds", "MB/s (gz)", "events/s", "peak RSS MB", "vs seed", "vs floor", "note"];
    const widths = [10, 22, 9, 10, 11, 12, 8, 9, 0];
    const row = (cells: (string | number)[]) =>
        console.log(
            cells
                .map((cell, i) => String(cell).padEnd(widths[i]))
                .join(" ")
                .trimEnd(),
        );
    row(header);
    for (const sizeMb of SIZES_MB) {
        const dir = path.join(WORK, "in", "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "24");
        const name = `111122223333_CloudTrail_us-east-1_20261125T0000Z_bench${String(sizeMb).padStart(4, "0")}MB.json.gz`;
        const input = await buildLogFile(dir, name, sizeMb * 1024 * 1024);
        const compressedMb = fs.statSync(input.file).size / 1024 / 1024;
        const out = path.join(WORK, "out");
        fs.rmSync(out, { recursive: true, force: true });
        fs.mkdirSync(out, { recursive: true });
        const runs: [string, Run][] = [
            ["cloudtrail-lake", timed(process.execPath, [cli, input.file, "--out", out])],
            ...(SEED ? [["seed_flatten.py", timed("python3", [SEED, input.file, path.join(out, "seed.json.gz")])] as [string, Run]] : []),
            ["I/O floor (node)", timed(process.execPath, [path.join(__dirname, "contenders", "ioFloor.js"), input.file, path.join(out, "floor.json.gz")])],
            [
                "naive JSON.parse",
                timed(process.execPath, [
                    "--max-old-space-size=16384",
                    path.join(__dirname, "contenders", "naive.js"),
                    input.file,
                    path.join(out, "naive.json.gz"),
                ]),
            ],
        ];
        const seed = runs.find(([contender]) => contender === "seed_flatten.py")?.[1].seconds ?? Number.NaN;
        const floor = runs.find(([contender]) => contender === "I/O floor (node)")![1].seconds;
        const label = `${compressedMb.toFixed(1)} MB`;
        for (const [contender, run] of runs) {
            if (!run.ok) {
                row([label, contender, "-", "-", "-", run.peakRssMb.toFixed(0), "-", "-", `FAILED: ${run.note}`]);
                continue;
            }
            row([
                label,
                contender,
                run.seconds.toFixed(2),
                (compressedMb / run.seconds).toFixed(2),
                Math.round(input.events / run.seconds),
                run.peakRssMb.toFixed(0),
                Number.isNaN(seed) ? "-" : `${(seed / run.seconds).toFixed(2)}x`,
                `${(floor / run.seconds).toFixed(2)}x`,
                "",
            ]);
        }
        console.log(`${"".padEnd(10)} ${input.events} events, ${(input.uncompressed / 1024 / 1024).toFixed(0)} MB of JSON\n`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
