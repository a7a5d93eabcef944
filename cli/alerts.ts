/**
 * cloudtrail-lake alerts, npm run alerts (options and exit codes: cli/commands.ts ALERTS).
 *
 * Replays local logs through the alerting code and prints the alerts that would have been sent,
 * after suppression and deduplication, and what each suppression removed. Tune the stack file's
 * `cloudtrail-lake:suppressions` with it before enabling a destination. docs/alerts-replay.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { discoverFiles, passedOverOf } from "../local/files";
import { loadAlertDetections } from "../contract/alerting";
import { alertingSettings, readStackConfig, replayAlerts, ReplayResult, ReplayStage } from "../local/alerts";
import { parseLakeConfig } from "../config/stackConfig";
import { OutFolderError } from "../local/outFolder";
import { abortRuns } from "../local/run";
import { instantSeconds, parseCommand, runTableCommand, UsageError } from "./args";
import { ALERTS, exitCodesOf } from "./commands";

/** Exit codes of `npm run alerts`, by name (cli/commands.ts ALERTS.exitCodes); 3 and 5 mean what they mean for `npm start`. */
export const EXIT = exitCodesOf(ALERTS);

interface Arguments {
    inputs: string[];
    since?: string;
    until?: string;
    json: boolean;
    stackFile?: string;
    out?: string;
    append: boolean;
}

export function parseArguments(argv: readonly string[]): Arguments {
    const { values } = parseCommand(ALERTS, argv);
    const inputs = values.input;
    if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out must name a folder");
    if (values.append && values.out === undefined) throw new UsageError("--append adds to the lake in --out: give --out");
    const since = values.since === undefined ? undefined : instantSeconds("--since", values.since, "down");
    const until = values.until === undefined ? undefined : instantSeconds("--until", values.until, "up");
    if (since && until && since >= until) throw new UsageError(`--since (${since}) must be before --until (${until})`);
    return { inputs, since, until, json: values.json ?? false, stackFile: values["stack-file"], out: values.out, append: values.append ?? false };
}

/** One line of progress on a terminal's stderr, redrawn in place; nothing when stderr is not a terminal. */
function progressLine(): { update: (stage: ReplayStage, done: number, total: number) => void; done: () => void } | undefined {
    if (!process.stderr.isTTY) return undefined;
    const started = Date.now();
    let drawn = false;
    return {
        update: (stage, done, total) => {
            drawn = true;
            const unit = stage === "windowed detections" ? "detections" : "files";
            process.stderr.write(`\r\x1b[Kreplay: ${stage} ${done}/${total} ${unit} (${Math.round((Date.now() - started) / 1000)} s)`);
        },
        done: () => {
            if (drawn) process.stderr.write("\r\x1b[K");
        },
    };
}

/** What the exit code says about a finished replay (see {@link EXIT}). */
export function exitCodeOf(result: ReplayResult): number {
    if (result.errors.length > 0) return EXIT.detectionFailed;
    if (result.inputs.failed > 0) return EXIT.unreadableInput;
    if (result.inputs.events === 0) return EXIT.noEvents;
    return EXIT.ok;
}

export async function main(
    argv: readonly string[],
    write: (text: string) => void = (text) => process.stdout.write(text),
    warn: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
    const args = parseArguments(argv);
    // Without a stack file: no suppressions, no account names, default windows, every alert listed.
    const config = args.stackFile ? readStackConfig(args.stackFile) : parseLakeConfig({ accounts: [{ id: "000000000000", name: "replay" }] });
    const settings = alertingSettings(config, loadAlertDetections());
    const outDir = path.resolve(args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "cloudtrail-lake-alerts-")));
    const progress = args.json ? undefined : progressLine();
    try {
        // Every file is read by its content, whatever its name, as npm start does (local/files.ts); what is not read is named.
        let discovery;
        try {
            discovery = await discoverFiles(args.inputs, { exclude: [{ dir: outDir, reason: "the output folder (--out) of this run, not read" }] });
        } catch (error) {
            throw new UsageError(`--input ${(error as Error).message}`);
        }
        let result: ReplayResult;
        try {
            result = await replayAlerts({
                files: discovery.files,
                passedOver: passedOverOf(discovery),
                outDir,
                append: args.append,
                settings,
                since: args.since,
                until: args.until,
                jobs: Math.min(os.availableParallelism(), Math.max(1, discovery.files.length)),
                onProgress: progress?.update,
            });
        } catch (error) {
            if (error instanceof OutFolderError) {
                warn(`error: ${error.message}\n`);
                return EXIT.outFolder;
            }
            throw error;
        } finally {
            progress?.done();
        }
        const failed = result.files.filter((file) => file.status === "failed").map(({ file, reason }) => ({ file, reason: reason ?? "" }));
        const skipped = result.files.filter((file) => file.status === "skipped").map(({ file, reason }) => ({ file, reason: reason ?? "" }));
        if (args.json) {
            write(
                `${JSON.stringify(
                    {
                        alerts: result.alerts,
                        suppressed: result.suppressed,
                        errors: result.errors,
                        inputs: result.inputs,
                        evaluated: result.evaluated,
                        failedFiles: failed,
                        skippedFiles: skipped,
                        warnings: result.warnings,
                        window: { since: args.since ?? null, until: args.until ?? null },
                    },
                    null,
                    2,
                )}\n`,
            );
        } else {
            const lines = [
                `${result.alerts.length} alert(s) from ${result.inputs.events} event(s) in ${result.inputs.read} file(s) (${result.inputs.skipped} skipped, ${result.inputs.failed} failed` +
                    `${result.inputs.duplicates ? `, ${result.inputs.duplicates} duplicate event(s) not counted again` : ""}); ` +
                    `event detections on ${result.evaluated.files} normalised file(s), windowed ones over ${result.evaluated.windows} scheduled run(s)` +
                    `${args.since || args.until ? ` in ${args.since ?? "…"} .. ${args.until ?? "…"}` : ""}`,
            ];
            for (const alert of result.alerts) {
                lines.push(
                    `  [${alert.severity}] ${alert.detection}  ${alert.accountName ?? alert.account}  ${alert.principal}  ${alert.count} event(s) ${alert.firstSeen}..${alert.lastSeen}` +
                        `${alert.windowCount > alert.count ? ` (+${alert.windowCount - alert.count} repeat event(s) in its dedup window)` : ""} → ${alert.destinations.join(", ") || "no destination"}`,
                );
            }
            for (const entry of result.suppressed)
                lines.push(`  suppressed by suppressions[${entry.index}] (${entry.reason}): ${entry.rows} row(s) of ${entry.detections.join(", ")}`);
            for (const entry of result.errors) lines.push(`  ERROR ${entry.detection}: ${entry.error}`);
            write(`${lines.join("\n")}\n`);
        }
        // Named on stderr in both modes, as npm start does: what was not read cannot have alerted.
        for (const warning of result.warnings) warn(`warning: ${warning}\n`);
        for (const entry of skipped) warn(`not read: ${entry.file}: ${entry.reason}\n`);
        for (const entry of failed) warn(`could not read ${entry.file}: ${entry.reason}\n`);
        const code = exitCodeOf(result);
        if (code === EXIT.detectionFailed)
            warn(`error: ${result.errors.length} detection(s) could not run: ${result.errors.map((entry) => entry.detection).join(", ")}\n`);
        if (code === EXIT.unreadableInput) warn(`error: ${failed.length} input file(s) could not be read (above); their events are not in these alerts\n`);
        if (code === EXIT.noEvents) warn(`error: no CloudTrail events found in ${args.inputs.join(", ")}: nothing was replayed\n`);
        return code;
    } finally {
        if (!args.out) fs.rmSync(outDir, { recursive: true, force: true });
    }
}

/** The process's run of `npm run alerts`: Ctrl-C removes temporary and partial files and the lock, then exits 130 (128 + SIGINT), as npm start does. */
export function run(argv: readonly string[]): Promise<number> {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            abortRuns();
            process.stderr.write("\ninterrupted: temporary and partial files removed\n");
            process.exit(signal === "SIGINT" ? EXIT.interrupted : 143);
        });
    }
    return main(argv);
}

// Any other failure exits 2 (ALERTS.unexpectedErrorExitCode), as this command always has: it is run by hand, while tuning.
if (require.main === module) runTableCommand(ALERTS, run);
