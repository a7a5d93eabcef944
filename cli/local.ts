/**
 * npm start [-- --input <files or folders…>] [--out <dir>] [--append] [--since <ISO>] [--until <ISO>] [--json]
 *
 * The whole pipeline on this machine, no AWS account: normalise (the Lambda's core), Parquet
 * (the Glue job's role), every detection (DuckDB). Without --input it runs on the bundled real
 * samples in samples/. Prints a summary (or JSON with --json) and writes report.html.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { investigationLinks } from "../local/investigateReport";
import { readStackConfig } from "../local/alerts";
import { Suppressions } from "../contract/suppressions";
import { accountNamesOf } from "../config/stackConfig";
import { htmlReport, inputJson, summaryTable, warningLines } from "../local/report";
import { OutFolderError, unwritable } from "../local/outFolder";
import { abortRuns, LocalRunResult, runLocal, timingSummary, WindowError } from "../local/run";
import { countOption, EXIT_USAGE, parseCommandLine, parseInstant, parseLookback, runCommand, UsageError } from "./args";
import { discoverFiles, passedOverOf } from "../local/files";

const ROOT = path.join(__dirname, "..");
/** Show a progress bar only for inputs big enough to wait for. */
const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;

/** Exit codes of `npm start`, also in --help and docs/respond.md. */
export const EXIT = {
    ok: 0,
    unexpected: 1,
    usage: EXIT_USAGE,
    noEvents: 3,
    detectionCannotRun: 4,
    outFolderBusy: 5,
    interrupted: 130,
} as const;

export const USAGE = `usage: npm start -- [--input <files or folders…>] [--out <dir>] [--append] [--since <instant>] [--until <instant>] [--json] [--stack-file <Pulumi.<stack>.yaml>] [--jobs <n>] [--lookback <duration>]

  --input   files and folders of CloudTrail in any shape (S3 log files, arrays, one event per line,
            lookup-events, EventBridge, CloudWatch Logs), whatever their names; every regular file
            is looked at (gzip, then JSON). Several may follow one --input. Default: samples/
  --out     the output folder (default: out/). Its previous lake and report are replaced,
            so findings cover exactly this input; a folder with other files is refused
  --stack-file  apply that stack's cloudtrail-lake:suppressions to the findings, as alerts do,
            and name each hit's account as its cloudtrail-lake:accounts does
  --append  add this input to the lake already in --out instead (duplicates by eventID dropped)
  --since, --until
            narrow the window: 2026-11-25T10:00:00Z, with milliseconds or an offset, or 2026-11-25.
            Default: the span of the input's event times, leaving out implausible ones
            (before 2005, or more than a day after now), with a warning
  --lookback  how far back the first-seen detections look for a behaviour before calling it new
            (14d, 36h; default: each detection's own, 14 days). The input is the only history:
            a shorter one is said in the finding's note
  --jobs    files normalised at once, one worker each (default: the number of cores, here ${os.availableParallelism()});
            the lake, the findings and the duplicate counts are the same for any number
  --json    print the findings as JSON
  --help    this text

exit codes:
  0    every detection ran (whether or not it found something)
  1    unexpected error
  2    bad arguments (unknown flag, missing value, bad instant, --since not before --until, --jobs not a positive whole number)
  3    no CloudTrail events in the input
  4    a detection could not run locally (named in the output)
  5    the output folder is in use by another run (its pid is named), holds files this tool did not write,
       or cannot be written (read-only, full: named with the reason; the lake it held is left as it was)
  130  interrupted (Ctrl-C); nothing of the run is kept: the output folder holds the lake it had before`;

interface Arguments {
    inputs: string[];
    out: string;
    append: boolean;
    since?: string;
    until?: string;
    json: boolean;
    help: boolean;
    stackFile?: string;
    jobs: number;
    lookbackMs?: number;
}

export function parseArguments(argv: readonly string[]): Arguments {
    const { values, positionals } = parseCommandLine(
        argv,
        {
            "input": { type: "string", multiple: true },
            "out": { type: "string" },
            "append": { type: "boolean" },
            "stack-file": { type: "string" },
            "since": { type: "string" },
            "until": { type: "string" },
            "json": { type: "boolean" },
            "jobs": { type: "string" },
            "lookback": { type: "string" },
            "help": { type: "boolean", short: "h" },
        },
        true,
    );
    // `--input a b c` (what a shell glob gives): the values after the first are positionals.
    if (positionals.length > 0 && !values.input) throw new UsageError(`unexpected argument "${positionals[0]}": give files and folders after --input`);
    const inputs = [...(values.input ?? []), ...positionals];
    if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out must name a folder");
    const since = values.since === undefined ? undefined : parseInstant("--since", values.since);
    const until = values.until === undefined ? undefined : parseInstant("--until", values.until);
    if (since && until && since.getTime() >= until.getTime()) throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
    return {
        inputs: inputs.length > 0 ? inputs : [path.join(ROOT, "samples")],
        out: values.out ?? path.join(ROOT, "out"),
        append: values.append ?? false,
        stackFile: values["stack-file"],
        since: since?.toISOString(),
        until: until?.toISOString(),
        json: values.json ?? false,
        jobs: values.jobs === undefined ? os.availableParallelism() : parseJobs(values.jobs),
        ...(values.lookback === undefined ? {} : { lookbackMs: parseLookback(values.lookback) }),
        help: values.help ?? false,
    };
}

/** Most workers `--jobs` starts: beyond this a typo (`--jobs 1000`), not a machine. */
const MAX_JOBS = 256;

/** `--jobs`: a whole number from 1 to {@link MAX_JOBS}, or a UsageError naming the flag. */
export function parseJobs(text: string): number {
    return countOption("--jobs", text, 1, MAX_JOBS);
}

/** Progress of the normalising stage, counted as workers finish files (in any order): files, bytes, and files and events per second. */
function progressBar(totalBytes: number, totalFiles: number, jobs: number): { advance: (bytes: number, events: number) => void; done: () => void } | undefined {
    if (!process.stderr.isTTY || totalBytes < PROGRESS_MIN_BYTES) return undefined;
    const started = Date.now();
    let bytes = 0,
        files = 0,
        events = 0;
    const draw = () => {
        const share = Math.min(1, bytes / totalBytes);
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        process.stderr.write(
            `\rnormalising [${"#".repeat(Math.round(share * 30)).padEnd(30, ".")}] ${Math.round(share * 100)}% ${files}/${totalFiles} files ` +
                `${(bytes / 1e6).toFixed(0)}/${(totalBytes / 1e6).toFixed(0)} MB, ${(files / seconds).toFixed(1)} files/s ${Math.round(events / seconds)} events/s (${jobs} worker${jobs > 1 ? "s" : ""})`,
        );
    };
    return {
        advance: (fileBytes, fileEvents) => {
            bytes += fileBytes;
            files++;
            events += fileEvents;
            draw();
        },
        done: () => process.stderr.write("\n"),
    };
}

async function main(argv: string[]): Promise<number> {
    // `npm start -- investigate …`: its own command (cli/investigate.ts).
    if (argv[0] === "investigate") return (await import("./investigate")).main(argv.slice(1));
    const args = parseArguments(argv);
    if (args.help) {
        console.log(USAGE);
        return EXIT.ok;
    }
    // Ctrl-C: remove temporary and partial files and the lock, then exit 130 (128 + SIGINT).
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            abortRuns();
            process.stderr.write(`\ninterrupted: nothing of this run was kept; the output folder holds the lake it had before\n`);
            process.exit(signal === "SIGINT" ? EXIT.interrupted : 143);
        });
    }
    const outDir = path.resolve(args.out);
    for (const input of args.inputs) {
        const real = fs.existsSync(input) ? fs.realpathSync(input) : path.resolve(input);
        const realOut = fs.existsSync(outDir) ? fs.realpathSync(outDir) : outDir;
        if (real === realOut || real.startsWith(realOut + path.sep))
            throw new UsageError(`--input ${input} is inside the output folder ${args.out}: choose another --out`);
    }
    let discovery;
    try {
        discovery = await discoverFiles(args.inputs, { exclude: [{ dir: outDir, reason: "the output folder (--out) of this run, not read" }] });
    } catch (error) {
        throw new UsageError(`--input ${(error as Error).message}`);
    }
    const passedOver = passedOverOf(discovery);
    const progress = progressBar(
        discovery.files.reduce((sum, file) => sum + (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0),
        discovery.files.length,
        Math.min(args.jobs, discovery.files.length),
    );
    // The stack's config, read once: its suppressions and its account names (shown beside each hit).
    const stack = args.stackFile ? readStackConfig(args.stackFile) : undefined;
    let result;
    try {
        result = await runLocal({
            files: discovery.files,
            passedOver,
            outDir,
            since: args.since,
            until: args.until,
            append: args.append,
            jobs: args.jobs,
            lookbackMs: args.lookbackMs,
            // The stack's tuning, applied as the alerts apply it (contract/suppressions.ts).
            suppressions: stack ? new Suppressions(stack.suppressions) : undefined,
            accountNames: accountNamesOf(stack?.accounts ?? []),
            onFileDone: progress?.advance,
            onStage: (stage) => {
                if (stage === "parquet") progress?.done();
            },
        });
    } catch (error) {
        if (error instanceof OutFolderError) {
            console.error(`error: ${error.message}`);
            return EXIT.outFolderBusy;
        }
        if (error instanceof WindowError) throw new UsageError(error.message);
        throw error;
    }
    const reportPath = path.join(outDir, "report.html");
    const reportStarted = Date.now();
    // Through a rename: an interrupted write never leaves half a report.
    try {
        fs.writeFileSync(`${reportPath}.partial-${process.pid}`, htmlReport(result, new Date().toISOString(), investigationLinks(outDir)));
        fs.renameSync(`${reportPath}.partial-${process.pid}`, reportPath);
    } catch (error) {
        fs.rmSync(`${reportPath}.partial-${process.pid}`, { force: true });
        console.error(`error: ${unwritable(args.out, error).message}: the lake was replaced, report.html was not written`);
        return EXIT.outFolderBusy;
    }
    const reportMs = Date.now() - reportStarted;
    const cannotRun = result.findings.filter((finding) => finding.status !== "ok");
    if (args.json) {
        process.stdout.write(
            `${JSON.stringify(
                {
                    findings: result.findings.map(({ hits, ...finding }) => ({ ...finding, hits: hits.slice(0, 10) })),
                    ...inputJson(result),
                    flowLogFiles: result.flowLogs.files,
                    window: result.window ?? null,
                    report: reportPath,
                    // Wall times of the stages (local/run.ts StageTimings), and of writing report.html; they vary from run to run.
                    timings: { ...result.timings, reportMs },
                },
                null,
                2,
            )}\n`,
        );
    } else {
        console.log(summaryTable(result));
        console.log(
            `\nReport: ${path.relative(process.cwd(), reportPath) || reportPath}   (local lake under ${path.relative(process.cwd(), outDir) || outDir}/)`,
        );
    }
    for (const line of warningLines(result)) console.error(line);
    // Where the time went, for a user who wonders why a run is slow; on stderr, so that --json's stdout stays one document.
    console.error(timingSummary(result.timings, reportMs));
    const code = exitCodeOf(result);
    if (code === EXIT.noEvents) {
        console.error(
            `error: no CloudTrail events found in ${args.inputs.join(", ")} (${result.inputs.read} file(s) read, ${result.inputs.skipped} skipped, ${result.inputs.failed} failed${result.inputs.duplicates ? `, ${result.inputs.duplicates} duplicate event(s)` : ""})`,
        );
    } else if (code === EXIT.detectionCannotRun) {
        console.error(
            `error: ${cannotRun.length} detection(s) could not run locally: ${cannotRun.map((finding) => `${finding.query} (${finding.error})`).join("; ")}`,
        );
    }
    return code;
}

/** 3 when the run found no events at all (nothing was searched), 4 when a detection could not run, else 0. */
export function exitCodeOf(result: LocalRunResult): number {
    if (result.inputs.events === 0 && !result.window) return EXIT.noEvents;
    if (result.findings.some((finding) => finding.status !== "ok")) return EXIT.detectionCannotRun;
    return EXIT.ok;
}

if (require.main === module) runCommand(main, USAGE);
