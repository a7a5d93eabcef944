/**
 * cloudtrail-lake query, npm run query (options and exit codes: cli/commands.ts QUERY).
 *
 * Runs one detection from queries/ in the deployed Athena workgroup, over a window ending now
 * (or at --until), and prints the results. Uses the default AWS credential chain.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { Detection, isoSeconds, loadDetections, queryForWindow } from "../contract/detections";
import {
    athenaTarget,
    instantSeconds,
    parseCommand,
    stackFileArgument,
    parseLookback,
    positiveNumber,
    runTableCommand,
    sinceInstantOrDuration,
    UsageError,
} from "./args";
import { exitCodesOf, QUERY } from "./commands";
import { closest, helpText } from "./help";
import { Suppressions } from "../contract/suppressions";
import { readStackConfig } from "../local/alerts";
import { AthenaQueryError, runAthenaQuery } from "../lambda/shared/athena";
import { Format, formatRows } from "./format";

const EXIT = exitCodesOf(QUERY);

/** `24h` (before `until`) or an ISO instant; a UsageError naming --since otherwise. */
export function resolveSince(text: string, until: Date): string {
    return sinceInstantOrDuration(text, until);
}

export interface QueryArguments {
    readonly detection: Detection;
    readonly window: { readonly since: string; readonly until: string };
    readonly format: Format;
    readonly workgroup: string;
    readonly database: string;
    readonly timeoutMs: number;
    /** `--lookback`: the baseline of a first-seen detection, instead of its header's. */
    readonly lookbackMs?: number;
    /** Stack file whose suppressions filter the rows (as the alerts and the local mode do). */
    readonly stackFile?: string;
}

/** Every argument checked, before any AWS call: a UsageError names the one that is wrong. */
export function parseQueryArguments(argv: readonly string[], now: Date = new Date()): QueryArguments | "help" {
    const { values, positionals } = parseCommand(QUERY, argv);
    if (values.help) return "help";
    const detections = loadDetections();
    if (positionals.length !== 1) {
        throw new UsageError(
            `${positionals.length === 0 ? "name one detection" : `one detection at a time, not ${positionals.join(", ")}`}; detections: ${detections.map((d) => d.name).join(", ")}`,
        );
    }
    const detection = detections.find((candidate) => candidate.name === positionals[0]);
    if (!detection) {
        const meant = closest(
            positionals[0],
            detections.map((candidate) => candidate.name),
        );
        throw new UsageError(
            `no detection named "${positionals[0]}"${meant ? ` (did you mean ${meant}?)` : ""}; detections: ${detections.map((d) => d.name).join(", ")}`,
        );
    }
    // One of QUERY.options.format.choices: parseCommand refuses the others.
    const format = values.format as Format;
    const target = athenaTarget(values);
    const until = values.until === undefined ? now : new Date(instantSeconds("--until", values.until, "up"));
    const since = resolveSince(values.since, until);
    const window = { since, until: isoSeconds(until) };
    if (window.since >= window.until) throw new UsageError(`--since (${window.since}) must be before --until (${window.until})`);
    return {
        detection,
        window,
        format,
        ...target,
        timeoutMs: positiveNumber("--timeout", values.timeout) * 1000,
        stackFile: values["stack-file"],
        ...(values.lookback === undefined ? {} : { lookbackMs: lookbackFor(detection, values.lookback) }),
    };
}

/** `--lookback` only means something for a detection with a baseline: elsewhere it is a mistake, said so. */
function lookbackFor(detection: Detection, text: string): number {
    if (detection.lookbackMs === undefined)
        throw new UsageError(`--lookback: ${detection.name} has no baseline (only first-seen detections, with a "-- lookback:" header, take one)`);
    return parseLookback(text);
}

/**
 * Removes the rows stack config suppresses (contract/suppressions.ts, the post-filter the alerts
 * and the local mode apply) from an Athena result; returns the rows kept and the number removed.
 */
export function suppressResultRows(
    detection: string,
    columns: readonly string[],
    rows: readonly (string | null)[][],
    suppressions: Suppressions,
): { rows: (string | null)[][]; suppressed: number } {
    const objects = rows.map((row) => ({
        ...(Object.fromEntries(columns.map((column, index) => [column, row[index]])) as Record<string, string | null>),
        row,
    }));
    const { kept, suppressed } = suppressions.partition(detection, objects);
    return { rows: kept.map((object) => object.row), suppressed: suppressed.length };
}

export async function main(argv: readonly string[]): Promise<number> {
    const args = parseQueryArguments(argv);
    // --help never gets here on the command line (runTableCommand answers it); a caller of main gets the help too.
    if (args === "help") {
        console.log(helpText(QUERY));
        return EXIT.ok;
    }
    const { detection, window } = args;
    const sql = queryForWindow(detection, window, { lookbackMs: args.lookbackMs });
    // Read before the query runs: a bad stack file is a bad argument, not a failed query.
    const suppressions = args.stackFile ? new Suppressions(stackFileArgument(args.stackFile, readStackConfig).suppressions) : undefined;
    try {
        const result = await runAthenaQuery(new AthenaClient({}), { sql, workgroup: args.workgroup, database: args.database, timeoutMs: args.timeoutMs });
        const { rows, suppressed } = suppressions
            ? suppressResultRows(detection.name, result.columns, result.rows, suppressions)
            : { rows: result.rows, suppressed: 0 };
        console.log(formatRows(result.columns, rows, args.format));
        console.error(
            `${detection.name} [${detection.severity}]: ${rows.length} hit(s)${suppressed > 0 ? ` (${suppressed} suppressed by ${args.stackFile})` : ""} from ${window.since} to ${window.until}; ` +
                `${(result.bytesScanned / 1024 / 1024).toFixed(1)} MB scanned (query ${result.queryExecutionId})`,
        );
        return EXIT.ok;
    } catch (error) {
        console.error(error instanceof AthenaQueryError ? error.message : `${detection.name}: ${(error as Error).message}`);
        return EXIT.failed;
    }
}

if (require.main === module) runTableCommand(QUERY, main);
