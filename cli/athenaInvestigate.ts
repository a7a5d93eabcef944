/**
 * cloudtrail-lake query investigate, npm run query -- investigate (options and exit codes: cli/commands.ts QUERY_INVESTIGATE).
 *
 * The local `investigate` on the deployed lake: the same resolver (local/investigate.ts) with the
 * same SQL (local/investigateSql.ts), each query run in the Athena workgroup by lambda/shared/athena.ts;
 * the detections of queries/ are run in one query over the window and kept for the timeline's
 * events. Prints the same text or JSON as the local command; `--out DIR` writes the HTML page.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import {
    athenaTarget,
    boundedCount,
    instantSeconds,
    parseCommand,
    positiveNumber,
    runTableCommand,
    sinceInstantOrDuration,
    UsageError,
    wholeCount,
} from "./args";
import { exitCodesOf, QUERY_INVESTIGATE } from "./commands";
import { usageText } from "./help";
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

const EXIT = exitCodesOf(QUERY_INVESTIGATE);

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
    const { values, positionals } = parseCommand(QUERY_INVESTIGATE, argv);
    if (positionals.length !== 1)
        throw new UsageError(
            positionals.length === 0
                ? "the subject is missing: give a principal ARN, an access key id or a role session name"
                : `one subject at a time: got ${positionals.join(", ")}`,
        );
    const until = values.until === undefined ? isoSeconds(now) : instantSeconds("--until", values.until, "up");
    const since = sinceInstantOrDuration(values.since, new Date(until));
    if (since >= until) throw new UsageError(`--since (${since}) must be before --until (${until})`);
    return {
        subject: positionals[0],
        window: { since, until },
        json: values.json ?? false,
        out: values.out,
        maxEvents: wholeCount("--max-events", values["max-events"], DEFAULT_MAX_EVENTS),
        maxHops: boundedCount("--max-hops", values["max-hops"], DEFAULT_MAX_HOPS, MAX_HOPS_LIMIT),
        timeoutMs: positiveNumber("--timeout", values.timeout) * 1000,
        ...athenaTarget(values),
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
        log(`error: ${error.message}\n\n${usageText(QUERY_INVESTIGATE)}`);
        return EXIT.usage;
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
        return EXIT.ok;
    } catch (error) {
        if (error instanceof SubjectSyntaxError) {
            log(`error: ${error.message}\n\n${usageText(QUERY_INVESTIGATE)}`);
            return EXIT.usage;
        }
        if (error instanceof SubjectError) {
            log(`error: ${error.message}${error.candidates.map((candidate) => `\n  ${candidate}`).join("")}`);
            return EXIT.notFound;
        }
        if (error instanceof AthenaQueryError) {
            log(`error: ${error.message}`);
            return EXIT.notFound;
        }
        throw error;
    }
}

if (require.main === module) runTableCommand(QUERY_INVESTIGATE, (argv) => main(argv));
