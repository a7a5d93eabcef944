/**
 * The Glue catalog tables, as plain data: columns from contract/schema.ts, partition projection
 * from config. No crawler, no MSCK REPAIR, no partition-adding Lambda: Athena computes the
 * partitions from these properties.
 */
import { hiveColumns, hiveType, COLUMNS, PARTITION_COLUMNS } from "../../contract/schema";
import { ARCHIVE_LOG_PREFIX, LAKE_PREFIXES } from "../../contract/prefixes";
import { AWS_IP_RANGES_TABLE, AWS_IP_RANGES_TABLE_COLUMNS, ipRangesDate } from "../../contract/awsIpRanges";

export interface TableColumn {
    readonly name: string;
    readonly type: string;
}

export interface TableDefinition {
    readonly name: string;
    readonly description: string;
    readonly location: string;
    readonly columns: TableColumn[];
    readonly partitionKeys: TableColumn[];
    readonly inputFormat: string;
    readonly outputFormat: string;
    readonly serde: string;
    readonly serdeParameters?: Record<string, string>;
    readonly parameters: Record<string, string>;
}

export interface ProjectionArgs {
    /** Every configured account id: the projected enum, so one query can span all accounts. */
    readonly accountIds: readonly string[];
    readonly regions: readonly string[];
    /** First projected day, YYYY-MM-DD. */
    readonly firstDate: string;
    /**
     * The organization id when an organization trail fills the archive: CloudTrail then writes
     * `AWSLogs/<o-id>/<account>/CloudTrail/…`, not `AWSLogs/<account>/CloudTrail/…`. Only the raw table reads it.
     */
    readonly organizationId?: string;
}

const PARTITION_KEYS: TableColumn[] = PARTITION_COLUMNS.map((name) => ({ name, type: "string" }));

function projection(args: ProjectionArgs, dateFormat: string, firstDate: string, template: string): Record<string, string> {
    return {
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": [...args.accountIds].sort().join(","),
        "projection.region.type": "enum",
        "projection.region.values": args.regions.join(","),
        "projection.date.type": "date",
        "projection.date.format": dateFormat,
        "projection.date.range": `${firstDate},NOW`,
        "projection.date.interval": "1",
        "projection.date.interval.unit": "DAYS",
        "storage.location.template": template,
    };
}

/** `cloudtrail`: the Parquet the Glue jobs write, one column per schema field, projected by account, region and date. */
export function parquetTable(lakeBucketName: string, args: ProjectionArgs): TableDefinition {
    const root = `s3://${lakeBucketName}/${LAKE_PREFIXES.parquet}`;
    return {
        name: "cloudtrail",
        description:
            "Normalised CloudTrail of every configured account, as Parquet (cloudtrail-lake). Free-form parts are JSON text: read them with json_extract.",
        location: root,
        columns: hiveColumns(),
        partitionKeys: PARTITION_KEYS,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        parameters: {
            classification: "parquet",
            EXTERNAL: "TRUE",
            ...projection(args, "yyyy-MM-dd", args.firstDate, `${root}account=\${account}/region=\${region}/date=\${date}/`),
        },
    };
}

/**
 * Columns of the raw table: AWS's CloudTrail DDL for Athena, where every scalar is a string
 * (the raw files hold `"readOnly": "true"` as often as `true`) and free-form parts are strings.
 */
export function rawColumns(): TableColumn[] {
    const relaxed = (type: string) => type.replace(/:boolean/g, ":string");
    return COLUMNS.map((column) => ({ name: column.name, type: column.type.kind === "boolean" ? "string" : relaxed(hiveType(column.type)) }));
}

/** `cloudtrail_raw`: the immutable originals in the archive, for forensics, projected over CloudTrail's own layout. */
export function rawTable(archiveBucketName: string, args: ProjectionArgs): TableDefinition {
    const root = `s3://${archiveBucketName}/${ARCHIVE_LOG_PREFIX}${args.organizationId ? `${args.organizationId}/` : ""}`;
    return {
        name: "cloudtrail_raw",
        description: "The original CloudTrail log files in the archive (read-only evidence), as AWS's CloudTrail table for Athena.",
        location: root,
        columns: rawColumns(),
        partitionKeys: PARTITION_KEYS,
        inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serde: "org.apache.hive.hcatalog.data.JsonSerDe",
        parameters: {
            classification: "cloudtrail",
            EXTERNAL: "TRUE",
            ...projection(args, "yyyy/MM/dd", args.firstDate.replace(/-/g, "/"), `${root}\${account}/CloudTrail/\${region}/\${date}`),
        },
    };
}

/** Key of the CSV the `aws_ip_ranges` table reads (contract/awsIpRanges.ts awsIpRangesCsv). */
export const AWS_IP_RANGES_KEY = `${LAKE_PREFIXES.reference}${AWS_IP_RANGES_TABLE}/aws-ip-ranges.csv`;

/**
 * `aws_ip_ranges`: AWS's published IP ranges as the detections join them (bucket, first_key,
 * last_key, …), from the CSV the stack uploads: the same rows DuckDB loads locally. Text columns,
 * comma-separated, header skipped (no value needs quoting; awsIpRangesCsv checks it).
 */
export function awsIpRangesTable(lakeBucketName: string): TableDefinition {
    return {
        name: AWS_IP_RANGES_TABLE,
        description: `AWS's published IP address ranges (ip-ranges.json of ${ipRangesDate()}), keyed for range joins on sourceipaddress (cloudtrail-lake).`,
        location: `s3://${lakeBucketName}/${LAKE_PREFIXES.reference}${AWS_IP_RANGES_TABLE}/`,
        columns: AWS_IP_RANGES_TABLE_COLUMNS.map((name) => ({ name, type: "string" })),
        partitionKeys: [],
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serde: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        serdeParameters: { "field.delim": ",", "serialization.format": "," },
        parameters: { "classification": "csv", "EXTERNAL": "TRUE", "skip.header.line.count": "1" },
    };
}
