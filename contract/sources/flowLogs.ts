/**
 * The VPC Flow Logs source: its fields, the custom format the stack asks AWS for, the layout AWS
 * delivers to S3, the `flow_logs` table (Athena and DuckDB), how a file is recognised by its
 * content, and the window its detections read. Everything about flow logs that more than one
 * part of the program needs lives here (docs/flow-logs.md explains the choices). Pure: no AWS, no DuckDB.
 *
 * References:
 * - Fields: "Flow log records", https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 *   (versions 2 to 5 below; the ECS fields of version 7 and reject-reason of version 8 are not asked for).
 * - Parquet column names and types: "Create tables for flow logs in Apache Parquet format",
 *   https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs-parquet.html (hyphens become underscores).
 * - S3 layout: "Flow log files", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html:
 *   `bucket-and-optional-prefix/AWSLogs/aws-account-id=<id>/aws-service=vpcflowlogs/aws-region=<r>/year=<y>/month=<m>/day=<d>/hour=<h>/`
 *   with Hive-compatible prefixes and hourly partitions.
 */
import * as path from "node:path";

/** Athena (Hive DDL) type of a flow-log column; DuckDB's follows from it. */
export type FlowColumnType = "int" | "bigint" | "string";

export interface FlowLogField {
    /** The field as the log format names it (`${srcaddr}`, header line `srcaddr`). */
    readonly field: string;
    /** Column name in Parquet deliveries, the Athena table and the local lake. */
    readonly column: string;
    readonly type: FlowColumnType;
    /** The flow-log version that introduced it. */
    readonly version: number;
}

const f = (field: string, type: FlowColumnType, version: number): FlowLogField => ({ field, column: field.replace(/-/g, "_"), type, version });

/** Every field of flow-log versions 2 to 5, in the order of AWS's documentation and Athena table. */
export const FLOW_LOG_FIELDS: readonly FlowLogField[] = [
    f("version", "int", 2),
    f("account-id", "string", 2),
    f("interface-id", "string", 2),
    f("srcaddr", "string", 2),
    f("dstaddr", "string", 2),
    f("srcport", "int", 2),
    f("dstport", "int", 2),
    f("protocol", "bigint", 2),
    f("packets", "bigint", 2),
    f("bytes", "bigint", 2),
    f("start", "bigint", 2),
    f("end", "bigint", 2),
    f("action", "string", 2),
    f("log-status", "string", 2),
    f("vpc-id", "string", 3),
    f("subnet-id", "string", 3),
    f("instance-id", "string", 3),
    f("tcp-flags", "int", 3),
    f("type", "string", 3),
    f("pkt-srcaddr", "string", 3),
    f("pkt-dstaddr", "string", 3),
    f("region", "string", 4),
    f("az-id", "string", 4),
    f("sublocation-type", "string", 4),
    f("sublocation-id", "string", 4),
    f("pkt-src-aws-service", "string", 5),
    f("pkt-dst-aws-service", "string", 5),
    f("flow-direction", "string", 5),
    f("traffic-path", "int", 5),
];

/** The fields of the default format (version 2), in its order: what a file without a header line holds. */
export const DEFAULT_FORMAT_FIELDS: readonly string[] = FLOW_LOG_FIELDS.filter((field) => field.version === 2).map((field) => field.field);

/** The custom log format the stack's flow logs use: every version 2-5 field (EC2 CreateFlowLogs `LogFormat`). */
export const FLOW_LOG_FORMAT = FLOW_LOG_FIELDS.map((field) => `\${${field.field}}`).join(" ");

/** Prefix of the archive bucket under which flow logs are delivered (AWS appends `AWSLogs/…`). */
export const FLOW_LOG_PREFIX = "flow-logs/";

/** The Glue/DuckDB table name. */
export const FLOW_LOG_TABLE = "flow_logs";

/**
 * Partition columns of the `flow_logs` table, named after the Hive keys AWS writes (hyphens as
 * underscores, which SQL can use unquoted): account, region, year, month, day, hour.
 */
export const FLOW_LOG_PARTITIONS = ["aws_account_id", "aws_region", "year", "month", "day", "hour"] as const;

/** Local-lake-only column: the input file a record came from (the Athena table has `"$path"` for that). */
export const SOURCE_FILE_COLUMN = "source_file";

/**
 * The S3 location template of the projected table: AWS's Hive-compatible, per-hour layout under
 * {@link FLOW_LOG_PREFIX}; `aws-service` is always `vpcflowlogs`.
 */
export function flowLogLocationTemplate(bucketName: string, prefix: string = FLOW_LOG_PREFIX): string {
    return (
        `s3://${bucketName}/${prefix}AWSLogs/aws-account-id=\${aws_account_id}/aws-service=vpcflowlogs/aws-region=\${aws_region}/` +
        "year=${year}/month=${month}/day=${day}/hour=${hour}"
    );
}

/** DuckDB type of a column. */
export function duckdbFlowType(type: FlowColumnType): string {
    return { int: "INTEGER", bigint: "BIGINT", string: "VARCHAR" }[type];
}

/**
 * The `${window}` of a flow-log detection, in terms of `${since}` and `${until}` only, so that
 * every consumer of the catalogue (named queries, the local runner, the alert evaluators) expands
 * it as it expands a CloudTrail detection's: the day partitions (the projection prunes on them),
 * then the record's own capture window start, compared as Unix seconds.
 */
export const FLOW_LOG_WINDOW =
    "concat(year, '-', month, '-', day) BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)" +
    " AND \"start\" >= to_unixtime(from_iso8601_timestamp('${since}'))" +
    " AND \"start\" < to_unixtime(from_iso8601_timestamp('${until}'))";

/** Folder of the flow-log detections: `queries/flowlogs/<id>.sql`, same header as every detection. */
export const FLOW_LOG_QUERIES_DIR = path.join(__dirname, "..", "..", "queries", "flowlogs");

/** `log-status` values that carry no traffic: counted and kept, never dropped. */
export const NO_TRAFFIC_STATUSES = ["NODATA", "SKIPDATA"] as const;

/** A header line: space-separated field names of the known set, `version` and addresses among them. */
export function parseHeaderLine(line: string): string[] | undefined {
    const names = line.trim().split(/\s+/);
    const known = new Set(FLOW_LOG_FIELDS.map((field) => field.field));
    if (names.length < 2 || !names.every((name) => known.has(name))) return undefined;
    if (new Set(names).size !== names.length) return undefined;
    return names;
}

/**
 * A record of the default format without header (CloudWatch Logs messages, exports): version 2-8,
 * a 12-digit account (or `unknown`), an ENI id, then 11 more fields.
 */
export function looksLikeDefaultRecord(line: string): boolean {
    const tokens = line.trim().split(/\s+/);
    return tokens.length === DEFAULT_FORMAT_FIELDS.length && /^[2-8]$/.test(tokens[0]) && /^(\d{12}|unknown|-)$/.test(tokens[1]) && /^(eni-|-)/.test(tokens[2]);
}

/** Parquet column names that make a Parquet file a flow-log delivery. */
export const PARQUET_SIGNATURE_COLUMNS = ["interface_id", "srcaddr", "dstaddr", "log_status"] as const;

/** The partition values of a record: from its own fields where it has them, else from the file's S3 key. */
export interface FlowPartition {
    readonly aws_account_id: string;
    readonly aws_region: string;
    readonly year: string;
    readonly month: string;
    readonly day: string;
    readonly hour: string;
}

/** Account and region out of a delivered key (`…/AWSLogs/aws-account-id=1…/…/aws-region=r/…` or `AWSLogs/1…/vpcflowlogs/r/…`). */
export function keyLocation(key: string): { account?: string; region?: string } {
    const hive = /aws-account-id=(\d{12})\/aws-service=vpcflowlogs\/aws-region=([a-z0-9-]+)\//.exec(key);
    if (hive) return { account: hive[1], region: hive[2] };
    const plain = /AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z0-9-]+)\//.exec(key);
    if (plain) return { account: plain[1], region: plain[2] };
    return {};
}
