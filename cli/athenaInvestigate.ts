/**
 * npm run query -- investigate <principal ARN | access key id | role session name>
 *                  [--since 7d | --since <ISO>] [--until <ISO>] [--json] [--out DIR] [--max-events N] [--max-hops N]
 *                  [--stack prod] [--workgroup <name>] [--database <name>] [--timeout 300]
 *
 * The local `investigate` on the deployed lake: the same resolver (local/investigate.ts) with the
 * same SQL (local/investigateSql.ts), each query run in the Athena workgroup by lambda/shared/athena.ts;
 * the detections of queries/ are run in one query over the window and kept for the timeline's
 * events. Prints the same text or JSON as the local command; `--out DIR` writes the HTML page.
 *
 * Exit codes: 0 done; 1 the subject names no identity, or several, or Athena failed; 2 bad arguments.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { parseArgs } from "node:util";
import { boundedCount, instantSeconds, positiveNumber, sinceInstantOrDuration, UsageError, wholeCount } from "./args";
import { isoSeconds, loadDetections } from "../contract/detections";
import {
    DEFAULT_MAX_EVENTS,
    DEFAULT_MAX_HOPS,
    investigate,
    investigationJson,
    investigationText,
    MAX_HOPS_LIMIT,
    QueryRow,
    RunQuery,
    SubjectError,
    SubjectSyntaxError,
} from "../local/investigate";
import { writeInvestigationPage } from "../local/investigateReport";
import { detectionHitsSql } from "../local/investigateSql";
import { AthenaQueryError, runAthenaQuery } from "../lambda/shared/athena";

const USAGE =
    "usage: npm run query -- investigate <principal ARN | access key id | role session name> [--since 7d | --since <ISO>] [--until <ISO>] [--json] [--out DIR] [--max-events N] [--max-hops N] [--stack prod] [--workgroup <name>] [--database <name>] [--timeout 300]";

export interface AthenaInvestigateOptions {
    /** The Athena client; default: the default credential chain and region. */
    readonly client?: AthenaClient;
    readonly now?: Date;
    readonly output?: (text: string) => void;
    readonly log?: (text: string) => void;
    /** Poll delays of the runner (tests make them short). */
    readonly pollInitialMs?: number;
}

function parse(argv: readonly string[], now: Date) {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            strict: true,
            options: {
                "since": { type: "string" },
                "until": { type: "string" },
                "json": { type: "boolean" },
                "out": { type: "string" },
                "max-events": { type: "string" },
                "max-hops": { type: "string" },
                "stack": { type: "string" },
                "workgroup": { type: "string" },
                "database": { type: "string" },
                "timeout": { type: "string" },
            },
        });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1)
        throw new UsageError(
            positionals.length === 0
                ? "the subject is missing: give a principal ARN, an access key id or a role session name"
                : `one subject at a time: got ${positionals.join(", ")}`,
        );
    const until = values.until === undefined ? isoSeconds(now) : instantSeconds("--until", values.until, "up");
    const since = sinceInstantOrDuration(values.since ?? "7d", new Date(until));
    if (since >= until) throw new UsageError(`--since (${since}) must be before --until (${until})`);
    const timeout = positiveNumber("--timeout", values.timeout ?? "300");
    const maxEvents = wholeCount("--max-events", values["max-events"], DEFAULT_MAX_EVENTS);
    const stack = values.stack ?? "prod";
    return {
        subject: positionals[0],
        window: { since, until },
        json: values.json ?? false,
        out: values.out,
        maxEvents,
        maxHops: boundedCount("--max-hops", values["max-hops"], DEFAULT_MAX_HOPS, MAX_HOPS_LIMIT),
        timeoutMs: timeout * 1000,
        workgroup: values.workgroup ?? `cloudtrail-lake-${stack}`,
        database: values.database ?? `cloudtrail_lake_${stack.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`,
    };
}

export async function main(argv: readonly string[], options: AthenaInvestigateOptions = {}): Promise<number> {
    const output = options.output ?? ((text: string) => process.stdout.write(text));
    const log = options.log ?? ((text: string) => console.error(text));
    let args: ReturnType<typeof parse>;
    try {
        args = parse(argv, options.now ?? new Date());
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        log(`error: ${error.message}\n${USAGE}`);
        return 2;
    }
    const client = options.client ?? new AthenaClient({});
    let queries = 0;
    let bytesScanned = 0;
    const query: RunQuery = async (sql) => {
        const result = await runAthenaQuery(client, {
            sql,
            workgroup: args.workgroup,
            database: args.database,
            timeoutMs: args.timeoutMs,
            pollInitialMs: options.pollInitialMs,
        });
        queries++;
        bytesScanned += result.bytesScanned;
        return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null])) as QueryRow);
    };
    try {
        const investigation = await investigate(args.subject, query, {
            window: args.window,
            maxEvents: args.maxEvents,
            maxHops: args.maxHops,
            detections: async (selection) => {
                const hits = new Map<string, string[]>();
                try {
                    for (const row of await query(detectionHitsSql(loadDetections(), args.window, selection))) {
                        if (row.event_id && row.detection) hits.set(row.event_id, [...(hits.get(row.event_id) ?? []), row.detection]);
                    }
                } catch (error) {
                    // The chain and the timeline are still worth printing; say what is missing.
                    log(`warning: the detections could not be run, the timeline shows none: ${(error as Error).message}`);
                }
                return hits;
            },
        });
        if (args.out) log(`Investigation page: ${writeInvestigationPage(args.out, investigation, new Date().toISOString(), false)}`);
        output(args.json ? `${JSON.stringify(investigationJson(investigation), null, 2)}\n` : `${investigationText(investigation)}\n`);
        log(`${queries} Athena queries in ${args.workgroup}, ${(bytesScanned / 1024 / 1024).toFixed(1)} MB scanned`);
        return 0;
    } catch (error) {
        if (error instanceof SubjectSyntaxError) {
            log(`error: ${error.message}\n${USAGE}`);
            return 2;
        }
        if (error instanceof SubjectError) {
            log(`error: ${error.message}${error.candidates.map((candidate) => `\n  ${candidate}`).join("")}`);
            return 1;
        }
        if (error instanceof AthenaQueryError) {
            log(`error: ${error.message}`);
            return 1;
        }
        throw error;
    }
}
