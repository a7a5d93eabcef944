/**
 * cloudtrail-lake start, npm start: the whole pipeline on this machine, no AWS account: normalise
 * (the Lambda's core), Parquet (the Glue job's role), every detection (DuckDB). Without --input it
 * runs on the bundled real samples in samples/. Prints a summary (or JSON with --json) and writes
 * report.html. Its options and exit codes are declared in cli/commands.ts (START).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { investigationLinks } from "../local/investigateReport";
import { Suppressions } from "../contract/suppressions";
import { htmlReport, inputJson, summaryTable, warningLines } from "../local/report";
import { OutFolderError, unwritable } from "../local/outFolder";
import { abortRuns, Finding, LocalRunResult, runLocal, timingSummary, WindowError } from "../local/run";
import { jobsOption, parseCommand, stackFileArgument, parseInstant, parseLookback, runTableCommand, UsageError } from "./args";
import { exitCodesOf, START } from "./commands";
import { discoverFiles, passedOverOf } from "../local/files";

const ROOT = path.join(__dirname, "..");
/** Show a progress bar only for inputs big enough to wait for. */
const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;

/** Exit codes of `npm start`, by name (cli/commands.ts START.exitCodes). */
export const EXIT = exitCodesOf(START);

interface Arguments {
    inputs: string[];
    out: string;
    append: boolean;
    since?: string;
    until?: string;
    json: boolean;
    stackFile?: string;
    jobs: number;
    lookbackMs?: number;
}

export function parseArguments(argv: readonly string[]): Arguments {
    const { values } = parseCommand(START, argv);
    if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out must name a folder");
    const since = values.since === undefined ? undefined : parseInstant("--since", values.since);
    const until = values.until === undefined ? undefined : parseInstant("--until", values.until);
    if (since && until && since.getTime() >= until.getTime()) throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
    return {
        inputs: values.input ?? [path.join(ROOT, "samples")],
        out: values.out ?? path.join(ROOT, "out"),
        append: values.append ?? false,
        stackFile: values["stack-file"],
        since: since?.toISOString(),
        until: until?.toISOString(),
        json: values.json ?? false,
        jobs: jobsOption(values.jobs),
        ...(values.lookback === undefined ? {} : { lookbackMs: parseLookback(values.lookback) }),
    };
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

/** The line a terminal shows as soon as a critical or high detection finds something during a run; undefined for any other finding. */
export function earlyFindingLine(finding: Pick<Finding, "severity" | "query" | "title" | "count" | "status">): string | undefined {
    if (finding.status !== "ok" || finding.count === 0 || (finding.severity !== "critical" && finding.severity !== "high")) return undefined;
    return `found: ${finding.severity} ${finding.query}, ${finding.count.toLocaleString("en-US")} hit(s): ${finding.title}`;
}

/** The detections' progress line: detections done of all, and how many found something so far. */
export function detectionBar(done: number, total: number, withHits: number): string {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    return `detections [${"#".repeat(Math.round(share * 30)).padEnd(30, ".")}] ${done}/${total}, ${withHits} with hits so far`;
}

/**
 * The detections' progress on a terminal, for inputs big enough to wait for (those that show the normalising bar):
 * the bar redrawn after each detection, and above it a line for each critical or high one that found something, as
 * soon as it has. They run first (local/run.ts), so on a long run what a responder acts on first shows first.
 */
function detectionProgress(): { onDetectionDone: (finding: Finding, progress: { done: number; total: number }) => void; done: () => void } {
    let withHits = 0;
    let drawn = false;
    return {
        onDetectionDone: (finding, { done, total }) => {
            if (finding.count > 0) withHits++;
            const early = earlyFindingLine(finding);
            // \x1b[2K clears the bar's line before a finding takes it; the bar is drawn again below.
            if (early) process.stderr.write(`\r\x1b[2K${early}\n`);
            process.stderr.write(`\r${detectionBar(done, total, withHits)}`);
            drawn = true;
        },
        done: () => {
            if (drawn) process.stderr.write("\n");
        },
    };
}

/**
 * The stack's config (`--stack-file`): its suppressions and its account names. Its modules (the config
 * schema and the alert evaluator's) are loaded only when a stack file is given: they are a fifth of
 * the command's start-up, which every run without one would pay.
 */
function readStack(file: string) {
    // `require`: the bin registers only tsx's CommonJS hooks (cli/cloudtrail-lake.js), which `import()` does not go through.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { readStackConfig } = require("../local/alerts") as typeof import("../local/alerts");
    const { accountNamesOf } = require("../config/stackConfig") as typeof import("../config/stackConfig");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stack = stackFileArgument(file, readStackConfig);
    return { suppressions: stack.suppressions, accountNames: accountNamesOf(stack.accounts ?? []) };
}

export async function main(argv: readonly string[]): Promise<number> {
    const args = parseArguments(argv);
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
    const stack = args.stackFile ? readStack(args.stackFile) : undefined;
    const detections = progress ? detectionProgress() : undefined;
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
            accountNames: stack?.accountNames ?? {},
            onFileDone: progress?.advance,
            onStage: (stage) => {
                if (stage === "parquet") {
                    progress?.done();
                    if (progress) process.stderr.write("building the Parquet lake (DuckDB)\n");
                }
            },
            onDetectionDone: detections?.onDetectionDone,
        });
        detections?.done();
    } catch (error) {
        detections?.done();
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

if (require.main === module) runTableCommand(START, main);
