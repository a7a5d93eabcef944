/**
 * npm run bench:normaliser — times, on the same files in one run, this normaliser (the local
 * command, bundled as the Lambda is: components/lambdaBuild.ts), the same command of a baseline
 * commit (BENCH_BASELINE, default the merge base with `main`, extracted with `git archive` beside
 * this checkout's node_modules, as bench/stages.ts does; BENCH_BASELINE=none leaves it out), the
 * original write-ups' algorithm (seed_flatten.py, not part of this repository: give its path in
 * BENCH_SEED_FLATTEN, or that contender is left out), an I/O floor (streaming gunzip -> gzip, no
 * parsing) and the naive Node approach (whole-file JSON.parse), on CloudTrail files of about 1, 10
 * and 50 MB compressed (BENCH_SIZES_MB) built from the vendored corpus (test/fixtures/corpus).
 * Prints throughput (compressed MB/s, events/s), CPU seconds (user + system: what Lambda bills),
 * peak RSS and ratios; each contender runs BENCH_REPEAT (default 1) times per file, in turn, and
 * the median run is shown. The outputs of this tree and the baseline must be the same bytes, or it
 * says so. A benchmark, not a test: only ratios taken in one run compare on a shared machine.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { buildSync } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "../components/lambdaBuild";
import { buildLogFile } from "./corpusFiles";
import { baselineTree, git } from "./baseline";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "normaliser");
/** The write-ups' algorithm, when its path is given: it is not part of this repository. */
const SEED = process.env.BENCH_SEED_FLATTEN;
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "1,10,50").split(",").map(Number);
/** Runs of each contender per file, alternating; the median (by wall time) is shown. */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));

interface Run {
    seconds: number;
    /** User + system CPU seconds of the process and its threads. */
    cpuSeconds: number;
    peakRssMb: number;
    ok: boolean;
    note: string;
}

/** Runs a command under GNU time for wall time and peak RSS. */
function timed(command: string, args: string[]): Run {
    const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M %U %S", command, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    const match = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
    // The contender's own last words, not GNU time's "Command exited with non-zero status".
    const error =
        result.stderr
            .replace(/__TIME__.*\n?/, "")
            .split("\n")
            .filter((line) => line.trim() && !line.startsWith("Command exited"))
            .pop() ?? "";
    return {
        seconds: match ? Number(match[1]) : NaN,
        cpuSeconds: match ? Number(match[3]) + Number(match[4]) : NaN,
        peakRssMb: match ? Number(match[2]) / 1024 : NaN,
        ok: result.status === 0,
        note: result.status === 0 ? "" : error.slice(0, 70),
    };
}

/** The median run by wall time (the slower of the middle two for an even count); a failed run if any failed. */
function medianRun(runs: Run[]): Run {
    const failed = runs.find((run) => !run.ok);
    if (failed) return failed;
    return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
}

/**
 * The local normalise command of a source tree, bundled as the Lambda is. The packages with native
 * code (DuckDB, which the local mode's other modules import) and tsx stay outside the bundle and
 * load from node_modules, as the deployed Lambda never loads them.
 */
function bundleCli(tree: string, outfile: string): string {
    buildSync({
        ...LAMBDA_BUILD_OPTIONS,
        entryPoints: [path.join(tree, "cli", "normalise.ts")],
        outfile,
        // The machine's Node, not the Lambda runtime's: the bundle runs here.
        target: `node${process.versions.node.split(".")[0]}`,
        external: ["@duckdb/*", "tsx", "tsx/*"],
    });
    return outfile;
}

/** Every output file under `dir`, by relative path, decompressed. */
function outputsOf(dir: string, decompress = true): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = path.join(entry.parentPath, entry.name);
        files.set(path.relative(dir, full), decompress ? zlib.gunzipSync(fs.readFileSync(full)) : fs.readFileSync(full));
    }
    return files;
}

/** Whether two output folders hold the same files with the same (decompressed) bytes; the first difference otherwise. */
function sameOutputs(a: string, b: string): string {
    const left = outputsOf(a);
    const right = outputsOf(b);
    if (left.size === 0) return "no output";
    if ([...left.keys()].join() !== [...right.keys()].join()) return `different files: ${[...left.keys()].join()} / ${[...right.keys()].join()}`;
    for (const [name, bytes] of left) {
        const other = right.get(name)!;
        if (bytes.equals(other)) continue;
        let at = 0;
        while (at < bytes.length && bytes[at] === other[at]) at++;
        const line = bytes.subarray(0, at).toString("utf8").split("\n").length;
        return `${name} differs at byte ${at} (line ${line}): ${JSON.stringify(bytes.toString("utf8", Math.max(0, at - 40), at + 40))} / ${JSON.stringify(other.toString("utf8", Math.max(0, at - 40), at + 40))}`;
    }
    const gzipped = outputsOf(b, false);
    const sameGzip = [...outputsOf(a, false)].every(([name, bytes]) => bytes.equals(gzipped.get(name)!));
    return sameGzip ? "same bytes (gzip too)" : "same text (gzip bytes differ)";
}

async function main(): Promise<void> {
    fs.mkdirSync(WORK, { recursive: true });
    const cli = bundleCli(ROOT, path.join(WORK, "normalise.js"));
    const baselineCommit = process.env.BENCH_BASELINE === "none" ? undefined : (process.env.BENCH_BASELINE ?? git("merge-base", "HEAD", "main"));
    const baselineName = baselineCommit ? `baseline ${git("rev-parse", "--short=7", baselineCommit)}` : "";
    const baselineCli = baselineCommit
        ? bundleCli(baselineTree(baselineCommit, WORK, path.join("cli", "normalise.ts")), path.join(WORK, "normalise-baseline.js"))
        : undefined;
    const head = git("rev-parse", "--short=7", "HEAD") + (git("status", "--porcelain", "--untracked-files=no") ? "+changes" : "");

    console.log(
        `Normaliser benchmark (${process.version}, ${os.cpus().length} cores, load ${os
            .loadavg()
            .map((load) => load.toFixed(1))
            .join(" ")}). Inputs built from test/fixtures/corpus. This tree: ${head}.\n`,
    );
    const header = ["file", "contender", "seconds", "CPU s", "MB/s (gz)", "events/s", "peak RSS MB", "vs seed", "vs floor", "note"];
    const widths = [10, 26, 9, 7, 10, 11, 12, 8, 9, 0];
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
        const baselineOut = path.join(WORK, "out-baseline");
        for (const folder of [out, baselineOut]) {
            fs.rmSync(folder, { recursive: true, force: true });
            fs.mkdirSync(folder, { recursive: true });
        }
        const scratch = path.join(WORK, "scratch");
        fs.mkdirSync(scratch, { recursive: true });
        const contenders: [string, string, string[]][] = [
            [`this tree ${head}`, process.execPath, [cli, input.file, "--out", out]],
            ...(baselineCli ? [[baselineName, process.execPath, [baselineCli, input.file, "--out", baselineOut]] as [string, string, string[]]] : []),
            ...(SEED ? [["seed_flatten.py", "python3", [SEED, input.file, path.join(scratch, "seed.json.gz")]] as [string, string, string[]]] : []),
            ["I/O floor (node)", process.execPath, [path.join(__dirname, "contenders", "ioFloor.js"), input.file, path.join(scratch, "floor.json.gz")]],
            [
                "naive JSON.parse",
                process.execPath,
                ["--max-old-space-size=16384", path.join(__dirname, "contenders", "naive.js"), input.file, path.join(scratch, "naive.json.gz")],
            ],
        ];
        // Rounds of every contender in turn: a slow minute of the shared machine falls on all of them.
        const rounds = contenders.map((): Run[] => []);
        for (let round = 0; round < REPEAT; round++) contenders.forEach(([, command, args], i) => rounds[i].push(timed(command, args)));
        const runs: [string, Run][] = contenders.map(([name], i) => [name, medianRun(rounds[i])]);
        fs.rmSync(scratch, { recursive: true, force: true });
        const seed = runs.find(([contender]) => contender === "seed_flatten.py")?.[1].seconds ?? Number.NaN;
        const floor = runs.find(([contender]) => contender === "I/O floor (node)")![1].seconds;
        const label = `${compressedMb.toFixed(1)} MB`;
        for (const [contender, run] of runs) {
            if (!run.ok) {
                row([label, contender, "-", "-", "-", "-", run.peakRssMb.toFixed(0), "-", "-", `FAILED: ${run.note}`]);
                continue;
            }
            row([
                label,
                contender,
                run.seconds.toFixed(2),
                run.cpuSeconds.toFixed(2),
                (compressedMb / run.seconds).toFixed(2),
                Math.round(input.events / run.seconds),
                run.peakRssMb.toFixed(0),
                Number.isNaN(seed) ? "-" : `${(seed / run.seconds).toFixed(2)}x`,
                `${(floor / run.seconds).toFixed(2)}x`,
                "",
            ]);
        }
        const mine = runs[0][1];
        const cpuPerGb = (run: Run) => ((run.cpuSeconds / input.uncompressed) * 1e9).toFixed(1);
        console.log(`${"".padEnd(10)} ${input.events} events, ${(input.uncompressed / 1024 / 1024).toFixed(0)} MB of JSON`);
        if (baselineCli) {
            const baseline = runs[1][1];
            console.log(
                `${"".padEnd(10)} this tree vs ${baselineName}: ${(baseline.seconds / mine.seconds).toFixed(2)}x as fast, CPU s per GB of JSON ${cpuPerGb(mine)} vs ${cpuPerGb(baseline)}; outputs: ${sameOutputs(out, baselineOut)}`,
            );
        } else console.log(`${"".padEnd(10)} CPU s per GB of JSON: ${cpuPerGb(mine)}`);
        console.log("");
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
