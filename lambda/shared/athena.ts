/**
 * Runs one query in an Athena workgroup and reads all of its results: start, poll with capped
 * exponential backoff, an overall timeout that stops the query and says so, FAILED/CANCELLED
 * reported with Athena's reason. Seed 001's poll loop had no timeout or backoff; this one ends.
 * Throttled calls are retried by the SDK's standard retry strategy.
 */
import {
    AthenaClient,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    QueryExecutionState,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";

export interface AthenaQuery {
    readonly sql: string;
    readonly workgroup: string;
    readonly database: string;
    /** Overall limit; the query is stopped when it is reached. Default 5 minutes. */
    readonly timeoutMs?: number;
    /** First poll delay, doubled after every poll up to {@link pollMaxMs}. Default 250 ms. */
    readonly pollInitialMs?: number;
    /** Default 5 s. */
    readonly pollMaxMs?: number;
}

export interface QueryResult {
    readonly queryExecutionId: string;
    readonly columns: string[];
    readonly rows: (string | null)[][];
    /** Bytes Athena scanned (what it bills). */
    readonly bytesScanned: number;
}

export class AthenaQueryError extends Error {
    constructor(
        message: string,
        readonly queryExecutionId?: string,
        readonly state?: string,
    ) {
        super(message);
        this.name = "AthenaQueryError";
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runAthenaQuery(client: AthenaClient, query: AthenaQuery): Promise<QueryResult> {
    const timeoutMs = query.timeoutMs ?? 5 * 60_000;
    const deadline = Date.now() + timeoutMs;
    const started = await client.send(
        new StartQueryExecutionCommand({
            QueryString: query.sql,
            WorkGroup: query.workgroup,
            QueryExecutionContext: { Database: query.database },
        }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError("Athena returned no query execution id");

    let delay = query.pollInitialMs ?? 250;
    const maxDelay = query.pollMaxMs ?? 5_000;
    for (;;) {
        const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        const state = execution?.Status?.State;
        if (state === QueryExecutionState.SUCCEEDED) {
            return { ...(await readAllResults(client, id)), queryExecutionId: id, bytesScanned: execution?.Statistics?.DataScannedInBytes ?? 0 };
        }
        if (state === QueryExecutionState.FAILED || state === QueryExecutionState.CANCELLED) {
            const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? "no reason given";
            throw new AthenaQueryError(`query ${id} ${state}: ${reason}`, id, state);
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
            await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
            throw new AthenaQueryError(
                `query ${id} did not finish within ${timeoutMs / 1000} s (last state ${state ?? "unknown"}); it was stopped`,
                id,
                "TIMED_OUT",
            );
        }
        await sleep(Math.min(delay, remaining));
        delay = Math.min(delay * 2, maxDelay);
    }
}

async function readAllResults(client: AthenaClient, id: string): Promise<{ columns: string[]; rows: (string | null)[][] }> {
    let columns: string[] = [];
    const rows: (string | null)[][] = [];
    let token: string | undefined;
    let first = true;
    do {
        const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }));
        if (first) columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => column.Name ?? "");
        const pageRows = (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((datum) => datum.VarCharValue ?? null));
        // The first row of the first page of a SELECT repeats the column names.
        rows.push(...(first && pageRows.length > 0 && pageRows[0].every((value, i) => value === columns[i]) ? pageRows.slice(1) : pageRows));
        first = false;
        token = page.NextToken;
    } while (token);
    return { columns, rows };
}
