/**
 * VPC flow logs in the local lake: recognised by content whatever their names, read losslessly
 * into `<out>/flowlogs/` (Parquet, partitioned like the Athena table), and queried through the
 * `flow_logs` view with the same SQL as Athena (contract/sources/flowLogs.ts, docs/flow-logs.md).
 *
 * Shapes read:
 * - text deliveries, default or custom format, with their header line, gzip or not (S3 delivers `.log.gz`);
 * - header-less text whose records have the default format's 14 fields or this stack's 29;
 * - Parquet deliveries (columns named as in AWS's Parquet schema; missing ones are NULL);
 * - CloudWatch Logs exports to S3 (`<ISO time> <record>` per line) and CloudWatch Logs JSON
 *   (`filter-log-events` output `events[]`, subscription payloads `logEvents[]`: `message` is the record).
 *
 * Every record becomes one row, NODATA and SKIPDATA records included (counted apart); a file with a
 * line that is not a record of its format is reported as failed and contributes no rows, never half.
 * Text is streamed line by line into a staging file and converted by one DuckDB COPY, so memory does
 * not grow with the input (bench/flowLogs.ts measures it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import * as zlib from "node:zlib";
import { once } from "node:events";
import {
    DEFAULT_FORMAT_FIELDS,
    duckdbFlowType,
    FLOW_LOG_FIELDS,
    FLOW_LOG_PARTITIONS,
    FLOW_LOG_TABLE,
    FLOW_LOG_WINDOW,
    keyLocation,
    looksLikeDefaultRecord,
    PARQUET_SIGNATURE_COLUMNS,
    parseHeaderLine,
    SOURCE_FILE_COLUMN,
} from "../contract/sources/flowLogs";
import { Engine, literal, pathLiteral, Row } from "../lambda/shared/engine";
import { queryForWindow } from "../contract/detections";
import { LOCAL_FLOW_LOG_DIR } from "./outFolder";
import { parquetFilesSource } from "./lake";

export type FlowShape = "text" | "parquet" | "cloudwatch-export" | "cloudwatch-json";

export interface FlowFileResult {
    readonly file: string;
    readonly status: "read" | "failed";
    readonly shape: FlowShape;
    /** Records written to the lake (NODATA and SKIPDATA included). */
    readonly records: number;
    readonly noData: number;
    readonly skipData: number;
    readonly reason?: string;
}

/** What {@link recogniseFlowLog} found at the start of a file. */
export interface Recognised {
    readonly shape: FlowShape;
    readonly gzip: boolean;
}

const START_BYTES = 65_536;
const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s+(.*)$/;
const ALL_FIELDS = FLOW_LOG_FIELDS.map((field) => field.field);

/** The first bytes of a file, inflated when it is gzip (at most {@link START_BYTES} of text). */
async function startOf(file: string): Promise<{ gzip: boolean; head: Buffer; text: string }> {
    const handle = await fs.promises.open(file, "r");
    try {
        const head = Buffer.alloc(4096);
        const { bytesRead } = await handle.read(head, 0, head.length, 0);
        const bytes = head.subarray(0, bytesRead);
        const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
        if (!gzip) return { gzip, head: bytes, text: bytes.toString("utf8") };
        const chunks: Buffer[] = [];
        let size = 0;
        const stream = fs.createReadStream(file).pipe(zlib.createGunzip());
        try {
            for await (const chunk of stream) {
                chunks.push(chunk as Buffer);
                size += (chunk as Buffer).length;
                if (size >= START_BYTES) break;
            }
        } catch {
            // a truncated or damaged gzip: what inflated so far decides
        } finally {
            stream.destroy();
        }
        return { gzip, head: bytes, text: Buffer.concat(chunks).toString("utf8") };
    } finally {
        await handle.close();
    }
}

function firstLine(text: string): string {
    for (const line of text.split("\n")) if (line.trim() !== "") return line.replace(/\r$/, "");
    return "";
}

/** A record line of a header-less file: the default format's 14 fields, or this stack's 29. */
function headerlessFields(line: string): readonly string[] | undefined {
    const tokens = line.trim().split(/\s+/);
    if (looksLikeDefaultRecord(line)) return DEFAULT_FORMAT_FIELDS;
    if (tokens.length === ALL_FIELDS.length && /^[2-8]$/.test(tokens[0]) && /^(\d{12}|unknown|-)$/.test(tokens[1])) return ALL_FIELDS;
    return undefined;
}

/**
 * Whether a file is a flow log, by its content alone. Parquet files are candidates here (magic
 * bytes); their columns are checked by {@link ingestFlowLogs}, which hands back the others.
 */
export async function recogniseFlowLog(file: string): Promise<Recognised | undefined> {
    let start;
    try {
        start = await startOf(file);
    } catch {
        return undefined; // unreadable: the CloudTrail path reports it
    }
    const { gzip, head, text } = start;
    if (!gzip && head.subarray(0, 4).toString("latin1") === "PAR1") return { shape: "parquet", gzip };
    const line = firstLine(text);
    if (parseHeaderLine(line) || headerlessFields(line)) return { shape: "text", gzip };
    const exported = ISO_PREFIX.exec(line);
    if (exported && (headerlessFields(exported[2]) || parseHeaderLine(exported[2]))) return { shape: "cloudwatch-export", gzip };
    const trimmed = text.trimStart();
    if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && /"message"\s*:\s*"(\d \d{12} eni-|\d \S+ \S+ \S+ \S+)/.test(text)) {
        const message = /"message"\s*:\s*"([^"]*)"/.exec(text);
        if (message && headerlessFields(message[1])) return { shape: "cloudwatch-json", gzip };
    }
    return undefined;
}

/** Bad input in a flow-log file: the file is reported with this reason and contributes no rows. */
class FlowFileError extends Error {}

/** Writes one TSV row per record of one input, in {@link FLOW_LOG_FIELDS} order, NULL as `\N`. */
class RecordWriter {
    records = 0;
    noData = 0;
    skipData = 0;
    private readonly out: zlib.Gzip;
    private readonly done: Promise<void>;

    constructor(
        readonly stagingFile: string,
        private readonly where: string,
    ) {
        this.out = zlib.createGzip({ level: 1 });
        const sink = fs.createWriteStream(stagingFile);
        this.out.pipe(sink);
        this.done = once(sink, "close").then(() => undefined);
    }

    /** One record line in the given field order; throws naming the line when it is not one. */
    async write(line: string, fields: readonly string[], lineNumber: number): Promise<void> {
        const tokens = line.trim().split(/\s+/);
        if (tokens.length !== fields.length) {
            throw new FlowFileError(`${this.where}: line ${lineNumber} has ${tokens.length} fields, its format has ${fields.length}`);
        }
        const values = new Map<string, string>();
        fields.forEach((name, index) => values.set(name, tokens[index]));
        const row = FLOW_LOG_FIELDS.map((field) => {
            const value = values.get(field.field);
            if (value === undefined || value === "-") return "\\N";
            if (field.type !== "string" && !/^-?\d+$/.test(value)) {
                throw new FlowFileError(`${this.where}: line ${lineNumber}: ${field.field} is "${value.slice(0, 40)}", not a whole number`);
            }
            return value;
        });
        const status = values.get("log-status");
        if (status === "NODATA") this.noData++;
        if (status === "SKIPDATA") this.skipData++;
        this.records++;
        if (!this.out.write(row.join("\t") + "\n")) await once(this.out, "drain");
    }

    async close(): Promise<void> {
        this.out.end();
        await this.done;
    }
}

/** Reads a text-shaped file (delivery, header-less, CloudWatch export) line by line. */
async function readTextFile(file: string, gzip: boolean, shape: FlowShape, writer: RecordWriter): Promise<void> {
    const input = fs.createReadStream(file);
    const stream = gzip ? input.pipe(zlib.createGunzip()) : input;
    input.on("error", (error) => stream.destroy(error));
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let fields: readonly string[] | undefined;
    let lineNumber = 0;
    for await (const raw of lines) {
        lineNumber++;
        let line = raw;
        if (line.trim() === "") continue;
        if (shape === "cloudwatch-export") {
            const match = ISO_PREFIX.exec(line);
            if (!match) throw new FlowFileError(`${file}: line ${lineNumber} does not start with the export's ISO-8601 time`);
            line = match[2];
        }
        if (fields === undefined) {
            const header = parseHeaderLine(line);
            if (header) {
                fields = header;
                continue;
            }
            fields = headerlessFields(line);
            if (!fields) throw new FlowFileError(`${file}: line ${lineNumber} is neither a header line nor a record of a known format`);
        }
        await writer.write(line, fields, lineNumber);
    }
}

/** CloudWatch Logs JSON: `events[]` (filter-log-events), `logEvents[]` (subscription), or an array of them. */
async function readCloudWatchJson(file: string, gzip: boolean, writer: RecordWriter): Promise<void> {
    const bytes = await fs.promises.readFile(file);
    const text = (gzip ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new FlowFileError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const messages: string[] = [];
    const collect = (item: unknown) => {
        if (Array.isArray(item)) return item.forEach(collect);
        if (typeof item !== "object" || item === null) return;
        const record = item as Record<string, unknown>;
        for (const key of ["events", "logEvents"]) if (Array.isArray(record[key])) (record[key] as unknown[]).forEach(collect);
        if (typeof record.message === "string") messages.push(record.message);
    };
    collect(value);
    let index = 0;
    for (const message of messages) {
        index++;
        const fields = headerlessFields(message);
        if (!fields) throw new FlowFileError(`${file}: event ${index}'s message is not a flow-log record of the default or this stack's format`);
        await writer.write(message, fields, index);
    }
}

/** Columns of a Parquet file, or undefined when DuckDB cannot read it. */
async function parquetColumns(engine: Engine, file: string): Promise<Set<string> | undefined> {
    try {
        const rows = await engine.all(`DESCRIBE SELECT * FROM read_parquet(${pathLiteral(file)}, hive_partitioning = false)`);
        return new Set(rows.map((row) => String(row.column_name).toLowerCase()));
    } catch {
        return undefined;
    }
}

export interface FlowIngest {
    readonly results: FlowFileResult[];
    /** Inputs that are not flow logs: left for the CloudTrail reader. */
    readonly others: string[];
}

/**
 * Recognises the flow logs among `files`, writes their records into `<lake>/flowlogs/` and
 * returns the rest. `staging` is a scratch folder of the run.
 */
export async function ingestFlowLogs(
    engine: Engine,
    files: readonly string[],
    lake: string,
    staging: string,
    options: { readonly append?: boolean } = {},
): Promise<FlowIngest> {
    const results: FlowFileResult[] = [];
    const others: string[] = [];
    const textInputs: { tsv: string; file: string; account?: string; region?: string }[] = [];
    const parquetInputs: { file: string; columns: Set<string>; account?: string; region?: string }[] = [];
    fs.mkdirSync(staging, { recursive: true });
    const flowDir = path.join(lake, LOCAL_FLOW_LOG_DIR);
    if (!options.append) fs.rmSync(flowDir, { recursive: true, force: true });

    for (const file of files) {
        const recognised = await recogniseFlowLog(file);
        if (!recognised) {
            others.push(file);
            continue;
        }
        const location = keyLocation(file.split(path.sep).join("/"));
        if (recognised.shape === "parquet") {
            const columns = await parquetColumns(engine, file);
            if (!columns || !PARQUET_SIGNATURE_COLUMNS.every((column) => columns.has(column))) {
                others.push(file);
                continue;
            }
            parquetInputs.push({ file, columns, ...location });
            continue;
        }
        const tsv = path.join(staging, `flow-${textInputs.length + results.length}.tsv.gz`);
        const writer = new RecordWriter(tsv, file);
        try {
            if (recognised.shape === "cloudwatch-json") await readCloudWatchJson(file, recognised.gzip, writer);
            else await readTextFile(file, recognised.gzip, recognised.shape, writer);
            await writer.close();
            textInputs.push({ tsv, file, ...location });
            results.push({ file, status: "read", shape: recognised.shape, records: writer.records, noData: writer.noData, skipData: writer.skipData });
        } catch (error) {
            await writer.close().catch(() => undefined);
            fs.rmSync(tsv, { force: true });
            const reason = error instanceof FlowFileError ? error.message : `${file}: ${(error as Error).message}`;
            results.push({ file, status: "failed", shape: recognised.shape, records: 0, noData: 0, skipData: 0, reason });
        }
    }

    const selects: string[] = [];
    if (textInputs.length > 0) {
        await engine.run(`CREATE OR REPLACE TEMP TABLE flow_text_inputs (tsv VARCHAR, source_file VARCHAR, key_account VARCHAR, key_region VARCHAR)`);
        await engine.run(
            `INSERT INTO flow_text_inputs VALUES ${textInputs
                .map(
                    (input) =>
                        `(${literal(input.tsv)}, ${literal(input.file)}, ${input.account ? literal(input.account) : "NULL"}, ${input.region ? literal(input.region) : "NULL"})`,
                )
                .join(", ")}`,
        );
        const columns = FLOW_LOG_FIELDS.map((field) => `${literal(field.column)}: ${literal(duckdbFlowType(field.type))}`).join(", ");
        selects.push(`SELECT ${FLOW_LOG_FIELDS.map((field) => `r."${field.column}"`).join(", ")}, i.source_file, i.key_account, i.key_region
            FROM read_csv([${textInputs.map((input) => literal(input.tsv)).join(", ")}], delim = '\t', header = false, quote = '', escape = '',
                          nullstr = '\\N', compression = 'gzip', columns = {${columns}}, filename = true) r
            JOIN flow_text_inputs i ON r.filename = i.tsv`);
    }
    for (const input of parquetInputs) {
        const projection = FLOW_LOG_FIELDS.map((field) =>
            input.columns.has(field.column)
                ? `TRY_CAST(NULLIF(CAST("${field.column}" AS VARCHAR), '-') AS ${duckdbFlowType(field.type)}) AS "${field.column}"`
                : `CAST(NULL AS ${duckdbFlowType(field.type)}) AS "${field.column}"`,
        ).join(", ");
        selects.push(
            `SELECT ${projection}, ${literal(input.file)} AS source_file, ${input.account ? literal(input.account) : "NULL"} AS key_account, ` +
                `${input.region ? literal(input.region) : "NULL"} AS key_region FROM read_parquet(${pathLiteral(input.file)}, hive_partitioning = false)`,
        );
    }
    if (selects.length > 0) {
        // Partition values: the record's own account and region, else the delivered key's, else 'unknown'; the hour of its start.
        const time = `to_timestamp("start")`;
        const part = (format: string) => `coalesce(strftime(${time}, '${format}'), 'unknown')`;
        await engine.run(`COPY (
            SELECT ${FLOW_LOG_FIELDS.map((field) => `"${field.column}"`).join(", ")}, source_file AS ${SOURCE_FILE_COLUMN},
                   coalesce(account_id, key_account, 'unknown') AS aws_account_id,
                   coalesce(region, key_region, 'unknown') AS aws_region,
                   ${part("%Y")} AS year, ${part("%m")} AS month, ${part("%d")} AS day, ${part("%H")} AS hour
            FROM (${selects.join("\nUNION ALL BY NAME\n")})
        ) TO ${literal(flowDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${FLOW_LOG_PARTITIONS.join(", ")}), OVERWRITE_OR_IGNORE,
              FILENAME_PATTERN 'part-{uuid}')`);
    }
    for (const input of parquetInputs) {
        const [row] = await engine.all(`SELECT count(*)::BIGINT AS records,
                count(*) FILTER (WHERE log_status = 'NODATA')::BIGINT AS nodata, count(*) FILTER (WHERE log_status = 'SKIPDATA')::BIGINT AS skipdata
            FROM read_parquet(${pathLiteral(input.file)}, hive_partitioning = false)`);
        results.push({
            file: input.file,
            status: "read",
            shape: "parquet",
            records: Number(row?.records ?? 0),
            noData: Number(row?.nodata ?? 0),
            skipData: Number(row?.skipdata ?? 0),
        });
    }
    for (const input of textInputs) fs.rmSync(input.tsv, { force: true });
    results.sort((a, b) => a.file.localeCompare(b.file));
    return { results, others };
}

/** Creates the `flow_logs` view over the local lake (an empty table of the same columns when there is none). */
export async function createFlowLogView(engine: Engine, lake: string): Promise<boolean> {
    const flowDir = path.join(lake, LOCAL_FLOW_LOG_DIR);
    const source = await parquetFilesSource(engine, flowDir);
    if (source) {
        await engine.run(`CREATE OR REPLACE VIEW ${FLOW_LOG_TABLE} AS SELECT * FROM ${source}`);
        return true;
    }
    const columns = [
        ...FLOW_LOG_FIELDS.map((field) => `"${field.column}" ${duckdbFlowType(field.type)}`),
        `${SOURCE_FILE_COLUMN} VARCHAR`,
        ...FLOW_LOG_PARTITIONS.map((column) => `${column} VARCHAR`),
    ];
    await engine.run(`CREATE OR REPLACE TEMP TABLE ${FLOW_LOG_TABLE} (${columns.join(", ")})`);
    return false;
}

/** Records per input file as the lake holds them (the lossless check). */
export async function recordsPerFile(engine: Engine): Promise<Map<string, number>> {
    const rows = await engine.all(`SELECT ${SOURCE_FILE_COLUMN} AS file, count(*)::BIGINT AS records FROM ${FLOW_LOG_TABLE} GROUP BY 1`);
    return new Map(rows.map((row: Row) => [String(row.file), Number(row.records)]));
}

/** The span the default window covers, widened to the flow records' capture windows (plausible ones, as for events). */
export async function flowSpan(
    engine: Engine,
    events:
        { readonly since?: string; readonly until?: string; readonly implausible: number; readonly untimed: number; readonly examples: string[] } | undefined,
    now: Date,
): Promise<{ since?: string; until?: string; implausible: number; untimed: number; examples: string[] }> {
    const latest = Math.floor(now.getTime() / 1000) + 86_400;
    const earliest = Math.floor(Date.parse("2005-01-01T00:00:00Z") / 1000);
    const [row] = await engine.all(`SELECT min("start")::BIGINT AS first, max(coalesce("end", "start"))::BIGINT AS last
        FROM ${FLOW_LOG_TABLE} WHERE "start" >= ${earliest} AND "start" < ${latest}`);
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const base = events ?? { implausible: 0, untimed: 0, examples: [] };
    if (row?.first === null || row?.first === undefined) return { ...base };
    const since = iso(Number(row.first));
    const until = iso(Number(row.last) + 1);
    return {
        ...base,
        since: base.since && base.since < since ? base.since : since,
        until: base.until && base.until > until ? base.until : until,
    };
}

/**
 * The totals the report's traffic section states for the window. The charts of that traffic (over time,
 * top talkers, rejected ports, bytes out) are panels of the catalogue (panels/, source `flow_traffic`).
 */
export interface TrafficSummary {
    readonly records: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly noData: number;
    readonly skipData: number;
    readonly bytes: number;
}

/** Records in the window (by their capture window's start, as the flow-log detections read them), by action and log status, and their bytes. */
export async function trafficSummary(engine: Engine, window: { readonly since: string; readonly until: string }): Promise<TrafficSummary> {
    const [totals] = await engine.all(`SELECT count(*)::BIGINT AS records,
            count(*) FILTER (WHERE action = 'ACCEPT')::BIGINT AS accepted, count(*) FILTER (WHERE action = 'REJECT')::BIGINT AS rejected,
            count(*) FILTER (WHERE log_status = 'NODATA')::BIGINT AS nodata, count(*) FILTER (WHERE log_status = 'SKIPDATA')::BIGINT AS skipdata,
            coalesce(sum(bytes), 0)::BIGINT AS bytes
        FROM ${FLOW_LOG_TABLE} WHERE ${queryForWindow({ name: "traffic totals", source: FLOW_LOG_WINDOW }, window)}`);
    return {
        records: Number(totals?.records ?? 0),
        accepted: Number(totals?.accepted ?? 0),
        rejected: Number(totals?.rejected ?? 0),
        noData: Number(totals?.nodata ?? 0),
        skipData: Number(totals?.skipdata ?? 0),
        bytes: Number(totals?.bytes ?? 0),
    };
}

/** One flow of an investigated instance, interface or address, in time order. */
export interface NetworkFlow {
    readonly start: string;
    readonly end: string;
    readonly account: string | null;
    readonly interfaceId: string | null;
    readonly instanceId: string | null;
    readonly srcaddr: string | null;
    readonly srcport: number | null;
    readonly dstaddr: string | null;
    readonly dstport: number | null;
    readonly protocol: number | null;
    readonly action: string | null;
    readonly direction: string | null;
    readonly packets: number | null;
    readonly bytes: number | null;
}

/** What {@link flowsOf} can follow: an instance id, a network interface id, or an IPv4/IPv6 address. */
export function networkSubject(subject: string): "instance" | "interface" | "address" | undefined {
    if (/^i-[0-9a-f]{8,17}$/.test(subject)) return "instance";
    if (/^eni-[0-9a-f]{8,17}$/.test(subject)) return "interface";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(subject) || /^[0-9a-fA-F]*:[0-9a-fA-F:]+$/.test(subject)) return "address";
    return undefined;
}

/** The flows of an instance, interface or address over the window (the `flow_logs` view must exist), at most `limit`. */
export async function flowsOf(
    engine: Engine,
    subject: string,
    window: { readonly since: string; readonly until: string },
    limit = 10_000,
): Promise<NetworkFlow[]> {
    const kind = networkSubject(subject);
    if (!kind) return [];
    const value = literal(subject);
    const match =
        kind === "instance"
            ? `instance_id = ${value}`
            : kind === "interface"
              ? `interface_id = ${value}`
              : `(srcaddr = ${value} OR dstaddr = ${value} OR pkt_srcaddr = ${value} OR pkt_dstaddr = ${value})`;
    const rows = await engine.all(`SELECT strftime(to_timestamp("start") AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS start_time,
            strftime(to_timestamp("end") AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS end_time,
            coalesce(account_id, aws_account_id) AS account, interface_id, instance_id, srcaddr, srcport, dstaddr, dstport, protocol,
            action, flow_direction, packets, bytes
        FROM ${FLOW_LOG_TABLE}
        WHERE ${match} AND "start" >= epoch(TIMESTAMPTZ ${literal(window.since)}) AND "start" < epoch(TIMESTAMPTZ ${literal(window.until)})
        ORDER BY "start", srcaddr, dstaddr, srcport, dstport
        LIMIT ${limit}`);
    const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    const str = (value: unknown) => (value === null || value === undefined ? null : String(value));
    return rows.map((row) => ({
        start: String(row.start_time ?? ""),
        end: String(row.end_time ?? ""),
        account: str(row.account),
        interfaceId: str(row.interface_id),
        instanceId: str(row.instance_id),
        srcaddr: str(row.srcaddr),
        srcport: num(row.srcport),
        dstaddr: str(row.dstaddr),
        dstport: num(row.dstport),
        protocol: num(row.protocol),
        action: str(row.action),
        direction: str(row.flow_direction),
        packets: num(row.packets),
        bytes: num(row.bytes),
    }));
}

/** The flows as text lines for the terminal. */
export function networkText(subject: string, flows: readonly NetworkFlow[]): string {
    if (flows.length === 0) return `Network (flow logs) of ${subject}: no flows in the window`;
    const lines = [`Network (flow logs) of ${subject}: ${flows.length} flow record(s)`];
    for (const flow of flows) {
        lines.push(
            `  ${flow.start}  ${flow.action ?? "-"}  ${flow.srcaddr ?? "-"}:${flow.srcport ?? "-"} -> ${flow.dstaddr ?? "-"}:${flow.dstport ?? "-"}` +
                `  proto ${flow.protocol ?? "-"}  ${flow.bytes ?? 0} bytes  ${flow.instanceId ?? flow.interfaceId ?? ""}`,
        );
    }
    return lines.join("\n");
}
