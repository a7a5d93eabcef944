import { expect } from "chai";
import { Readable } from "node:stream";
import { AthenaClient } from "@aws-sdk/client-athena";
import { AthenaQueryError, runAthenaQuery } from "../lambda/shared/athena";
import { formatRows } from "../cli/format";
import { parseQueryArguments, resolveSince } from "../cli/query";

/** A recorded Athena exchange: operation → responses in order (the last repeats). */
type Recording = Record<string, { status?: number; body: unknown }[]>;

/**
 * The real SDK client, with its HTTP layer replaced by recorded responses, so that request
 * building, response parsing, error mapping and throttling retries are the SDK's own.
 */
function recordedClient(recording: Recording) {
    const calls: { operation: string; input: Record<string, unknown> }[] = [];
    const client = new AthenaClient({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
        maxAttempts: 3,
        requestHandler: {
            handle: async (request: { headers: Record<string, string>; body?: string }) => {
                const operation = request.headers["x-amz-target"].replace("AmazonAthena.", "");
                calls.push({ operation, input: JSON.parse(request.body ?? "{}") });
                const queue = recording[operation] ?? [];
                const next = queue.length > 1 ? queue.shift()! : queue[0];
                if (!next) throw new Error(`no recorded response for ${operation}`);
                return {
                    response: {
                        statusCode: next.status ?? 200,
                        headers: { "content-type": "application/x-amz-json-1.1" },
                        body: Readable.from([Buffer.from(JSON.stringify(next.body))]),
                    },
                };
            },
        } as never,
    });
    return { client, calls };
}

const execution = (state: string, extra: Record<string, unknown> = {}) => ({
    body: { QueryExecution: { QueryExecutionId: "q-1", Status: { State: state, ...extra }, Statistics: { DataScannedInBytes: 12_582_912 } } },
});
const page = (rows: string[][], token?: string, header = false) => ({
    body: {
        ResultSet: {
            ResultSetMetadata: {
                ColumnInfo: [
                    { Name: "eventtime", Type: "varchar" },
                    { Name: "eventname", Type: "varchar" },
                ],
            },
            Rows: [...(header ? [["eventtime", "eventname"]] : []), ...rows].map((row) => ({ Data: row.map((value) => ({ VarCharValue: value })) })),
        },
        ...(token ? { NextToken: token } : {}),
    },
});
const query = { sql: "SELECT 1", workgroup: "cloudtrail-lake-prod", database: "cloudtrail_lake_prod", pollInitialMs: 1, pollMaxMs: 4 };

describe("Athena query runner (SDK client, recorded responses)", () => {
    it("starts the query in the workgroup, polls until it succeeds and reads every result page", async () => {
        const { client, calls } = recordedClient({
            StartQueryExecution: [{ body: { QueryExecutionId: "q-1" } }],
            GetQueryExecution: [execution("QUEUED"), execution("RUNNING"), execution("SUCCEEDED")],
            GetQueryResults: [
                page([["2026-11-25T01:00:00Z", "CreateUser"]], "t2", true),
                page([["2026-11-25T02:00:00Z", "DeleteTrail"]], "t3"),
                page([["2026-11-25T03:00:00Z", "StopLogging"]]),
            ],
        });
        const result = await runAthenaQuery(client, query);
        expect(result.columns).to.deep.equal(["eventtime", "eventname"]);
        expect(result.rows.map((row) => row[1])).to.deep.equal(["CreateUser", "DeleteTrail", "StopLogging"]);
        expect(result.bytesScanned).to.equal(12_582_912);
        expect(calls[0].operation).to.equal("StartQueryExecution");
        expect(calls[0].input).to.deep.include({
            QueryString: "SELECT 1",
            WorkGroup: "cloudtrail-lake-prod",
            QueryExecutionContext: { Database: "cloudtrail_lake_prod" },
        });
        // The SDK adds an idempotency token, so a retried start never runs the query twice.
        expect(calls[0].input.ClientRequestToken).to.be.a("string");
        expect(calls.filter((call) => call.operation === "GetQueryExecution")).to.have.length(3);
        expect(calls.filter((call) => call.operation === "GetQueryResults").map((call) => call.input.NextToken)).to.deep.equal([undefined, "t2", "t3"]);
    });

    it("reports a failed query with Athena's reason", async () => {
        const { client } = recordedClient({
            StartQueryExecution: [{ body: { QueryExecutionId: "q-1" } }],
            GetQueryExecution: [execution("FAILED", { StateChangeReason: "COLUMN_NOT_FOUND: line 3:8: Column 'evntname' cannot be resolved" })],
        });
        const error = await runAthenaQuery(client, query).catch((caught) => caught);
        expect(error).to.be.instanceOf(AthenaQueryError);
        expect(error.message).to.equal("query q-1 FAILED: COLUMN_NOT_FOUND: line 3:8: Column 'evntname' cannot be resolved");
    });

    it("reports a cancelled query", async () => {
        const { client } = recordedClient({
            StartQueryExecution: [{ body: { QueryExecutionId: "q-1" } }],
            GetQueryExecution: [execution("CANCELLED", { StateChangeReason: "Query cancelled: bytes scanned limit was exceeded" })],
        });
        expect((await runAthenaQuery(client, query).catch((caught) => caught)).message).to.match(/CANCELLED: Query cancelled: bytes scanned limit/);
    });

    it("stops a query that outlives the timeout, and says so", async () => {
        const { client, calls } = recordedClient({
            StartQueryExecution: [{ body: { QueryExecutionId: "q-1" } }],
            GetQueryExecution: [execution("RUNNING")],
            StopQueryExecution: [{ body: {} }],
        });
        const error = await runAthenaQuery(client, { ...query, timeoutMs: 60 }).catch((caught) => caught);
        expect(error.message).to.equal("query q-1 did not finish within 0.06 s (last state RUNNING); it was stopped");
        expect(error.state).to.equal("TIMED_OUT");
        expect(calls.at(-1)).to.deep.equal({ operation: "StopQueryExecution", input: { QueryExecutionId: "q-1" } });
        // Backoff: polls get further apart, capped.
        expect(calls.filter((call) => call.operation === "GetQueryExecution").length).to.be.below(40);
    });

    it("retries a throttled call", async () => {
        const { client, calls } = recordedClient({
            StartQueryExecution: [
                { status: 400, body: { __type: "TooManyRequestsException", message: "Rate exceeded" } },
                { body: { QueryExecutionId: "q-1" } },
            ],
            GetQueryExecution: [execution("SUCCEEDED")],
            GetQueryResults: [page([], undefined, true)],
        });
        const result = await runAthenaQuery(client, query);
        expect(result.rows).to.deep.equal([]);
        expect(calls.filter((call) => call.operation === "StartQueryExecution")).to.have.length(2);
    });
});

describe("query output", () => {
    it("prints a table, CSV with quoting, or JSON objects", () => {
        const rows = [
            ["a,b", null],
            ['say "hi"', "x"],
        ];
        expect(formatRows(["c1", "c2"], rows, "csv")).to.equal('c1,c2\n"a,b",\n"say ""hi""",x');
        expect(JSON.parse(formatRows(["c1", "c2"], rows, "json"))).to.deep.equal([
            { c1: "a,b", c2: null },
            { c1: 'say "hi"', c2: "x" },
        ]);
        expect(formatRows(["c1", "c2"], rows, "table").split("\n")[0]).to.equal("c1        c2");
    });

    it("reads --since as a duration before --until, or as an instant", () => {
        expect(resolveSince("24h", new Date("2026-11-25T12:00:00Z"))).to.equal("2026-11-24T12:00:00Z");
        expect(resolveSince("2026-01-01T00:00:00Z", new Date())).to.equal("2026-01-01T00:00:00Z");
    });

    it("takes instants with milliseconds or offsets, widening the window to whole seconds, and checks every argument before any AWS call", () => {
        const args = parseQueryArguments([
            "cloudtrail-tampering",
            "--since",
            "2026-11-25T10:00:00.123Z",
            "--until",
            "2026-11-25T12:00:00.5+01:00",
            "--timeout",
            "30",
            "--stack",
            "dev",
        ]);
        expect(args).to.not.equal("help");
        if (args === "help") return;
        expect(args.window).to.deep.equal({ since: "2026-11-25T10:00:00Z", until: "2026-11-25T11:00:01Z" });
        expect(args).to.deep.include({ timeoutMs: 30_000, workgroup: "cloudtrail-lake-dev", database: "cloudtrail_lake_dev", format: "table" });
        expect(() => parseQueryArguments(["cloudtrail-tampering", "--timeout", "0"])).to.throw(/--timeout must be a positive number/);
        expect(() => parseQueryArguments(["cloudtrail-tampering", "--stack", "a b"])).to.throw(/--stack must be a stack name/);
        expect(parseQueryArguments(["--help"])).to.equal("help");
    });

    it("takes --lookback for a first-seen detection only", () => {
        const args = parseQueryArguments(["first-seen-network-for-principal", "--lookback", "30d"]);
        expect(args !== "help" && args.lookbackMs).to.equal(30 * 86_400_000);
        expect(() => parseQueryArguments(["cloudtrail-tampering", "--lookback", "30d"])).to.throw(/--lookback: cloudtrail-tampering has no baseline/);
        expect(() => parseQueryArguments(["first-seen-network-for-principal", "--lookback", "2w"])).to.throw(/--lookback: "2w" is not a duration/);
        expect(() => parseQueryArguments(["first-seen-network-for-principal", "--lookback", "0d"])).to.throw(/--lookback must be longer than zero/);
    });
});
