/**
 * npm run query -- <detection> [--since 24h | --since <ISO instant>] [--until <ISO instant>]
 *                  [--lookback 14d] [--format table|csv|json] [--stack prod] [--workgroup <name>] [--database <name>] [--timeout 300]
 *
 * Runs one detection from queries/ in the deployed Athena workgroup, over a window ending now
 * (or at --until), and prints the results. Uses the default AWS credential chain.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { Detection, isoSeconds, loadDetections, queryForWindow } from "../contract/detections";
import { instantSeconds, parseCommandLine, parseLookback, positiveNumber, runCommand, sinceInstantOrDuration, UsageError } from "./args";
import { Suppressions } from "../contract/suppressions";
import { readStackConfig } from "../local/alerts";
import { AthenaQueryError, runAthenaQuery } from "../lambda/shared/athena";
import { Format, formatRows } from "./format";

const FORMATS: readonly Format[] = ["table", "csv", "json"];

export const USAGE = `usage: npm run query -- <detection> [--since 24h | --since <instant>] [--until <instant>] [--lookback 14d]
                      [--format table|csv|json] [--stack prod] [--workgroup <name>] [--database <name>] [--timeout <seconds>] [--stack-file <Pulumi.<stack>.yaml>]

  <detection>  a query of queries/ (its file name without .sql)
  --since      a duration before --until (30m, 24h, 7d) or an instant (2026-11-25T10:00:00Z); default 24h
  --until      an instant; default now
  --lookback   for a first-seen detection, how far before --since its baseline reaches (14d, 36h);
               default the detection's own (its "-- lookback:" header)
  --format     table (default), csv or json
  --stack      the stack whose workgroup and database to use (default prod)
  --timeout    seconds before the query is stopped (default 300)
  --help       this text

exit codes: 0 the query ran, 1 Athena or AWS error, 2 bad arguments (checked before any AWS call)`;

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
    const { values, positionals } = parseCommandLine(
        argv,
        {
            "since": { type: "string" },
            "until": { type: "string" },
            "format": { type: "string" },
            "stack": { type: "string" },
            "workgroup": { type: "string" },
            "database": { type: "string" },
            "timeout": { type: "string" },
            "lookback": { type: "string" },
            "stack-file": { type: "string" },
            "help": { type: "boolean", short: "h" },
        },
        true,
    );
    if (values.help) return "help";
    const detections = loadDetections();
    if (positionals.length !== 1) {
        throw new UsageError(
            `${positionals.length === 0 ? "name one detection" : `one detection at a time, not ${positionals.join(", ")}`}; detections: ${detections.map((d) => d.name).join(", ")}`,
        );
    }
    const detection = detections.find((candidate) => candidate.name === positionals[0]);
    if (!detection) throw new UsageError(`no detection named "${positionals[0]}"; detections: ${detections.map((d) => d.name).join(", ")}`);
    const format = (values.format ?? "table") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be table, csv or json, not "${values.format}"`);
    const stack = values.stack ?? "prod";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack must be a stack name (letters, digits, . _ -), not "${stack}"`);
    const until = values.until === undefined ? now : new Date(instantSeconds("--until", values.until, "up"));
    const since = resolveSince(values.since ?? "24h", until);
    const window = { since, until: isoSeconds(until) };
    if (window.since >= window.until) throw new UsageError(`--since (${window.since}) must be before --until (${window.until})`);
    return {
        detection,
        window,
        format,
        workgroup: values.workgroup ?? `cloudtrail-lake-${stack}`,
        database: values.database ?? `cloudtrail_lake_${stack.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`,
        timeoutMs: positiveNumber("--timeout", values.timeout ?? "300") * 1000,
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

async function main(argv: string[]): Promise<number> {
    // `npm run query -- investigate …`: the chain and timeline of an identity (cli/athenaInvestigate.ts).
    if (argv[0] === "investigate") return (await import("./athenaInvestigate")).main(argv.slice(1));
    const args = parseQueryArguments(argv);
    if (args === "help") {
        console.log(USAGE);
        return 0;
    }
    const { detection, window } = args;
    const sql = queryForWindow(detection, window, { lookbackMs: args.lookbackMs });
    try {
        const result = await runAthenaQuery(new AthenaClient({}), { sql, workgroup: args.workgroup, database: args.database, timeoutMs: args.timeoutMs });
        const { rows, suppressed } = args.stackFile
            ? suppressResultRows(detection.name, result.columns, result.rows, new Suppressions(readStackConfig(args.stackFile).suppressions))
            : { rows: result.rows, suppressed: 0 };
        console.log(formatRows(result.columns, rows, args.format));
        console.error(
            `${detection.name} [${detection.severity}]: ${rows.length} hit(s)${suppressed > 0 ? ` (${suppressed} suppressed by ${args.stackFile})` : ""} from ${window.since} to ${window.until}; ` +
                `${(result.bytesScanned / 1024 / 1024).toFixed(1)} MB scanned (query ${result.queryExecutionId})`,
        );
        return 0;
    } catch (error) {
        console.error(error instanceof AthenaQueryError ? error.message : `${detection.name}: ${(error as Error).message}`);
        return 1;
    }
}

if (require.main === module) runCommand(main, USAGE);
