/**
 * The `flow_logs` Glue table as plain data: AWS's Parquet columns for flow-log versions 2-5
 * (contract/sources/flowLogs.ts), projected over the Hive-compatible, hourly layout AWS delivers, so
 * no crawler, no `MSCK REPAIR TABLE` and no partition Lambda (the seed's pipeline needed one).
 * Partition projection: https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html.
 */
import { FLOW_LOG_FIELDS, FLOW_LOG_TABLE, flowLogLocationTemplate, FLOW_LOG_PREFIX } from "../../contract/sources/flowLogs";
import type { TableDefinition } from "../catalog/tables";

export interface FlowLogTableArgs {
    /** Bucket the flow logs land in (the archive, or an adopted location). */
    readonly bucketName: string;
    /** Prefix before `AWSLogs/`. @default `flow-logs/` */
    readonly prefix?: string;
    /** Accounts projected: those whose flow logs land there. */
    readonly accountIds: readonly string[];
    /** Regions projected. */
    readonly regions: readonly string[];
    /** First projected year (from `catalog.firstDate`). */
    readonly firstYear: number;
}

/** Years projected after the first: the range must be finite, and a projected partition without files costs nothing. */
export const PROJECTED_YEARS = 30;

export function flowLogTable(args: FlowLogTableArgs): TableDefinition {
    const prefix = args.prefix ?? FLOW_LOG_PREFIX;
    const integer = (name: string, from: number, to: number, digits?: number) => ({
        [`projection.${name}.type`]: "integer",
        [`projection.${name}.range`]: `${from},${to}`,
        ...(digits ? { [`projection.${name}.digits`]: String(digits) } : {}),
    });
    return {
        name: FLOW_LOG_TABLE,
        description:
            "VPC Flow Logs (versions 2-5, every field) of the configured VPCs as AWS delivers them: Parquet, Hive-compatible hourly partitions (cloudtrail-lake). " +
            "start and end are Unix seconds; '-' fields are NULL.",
        location: `s3://${args.bucketName}/${prefix}AWSLogs/`,
        columns: FLOW_LOG_FIELDS.map((field) => ({ name: field.column, type: field.type })),
        partitionKeys: ["aws_account_id", "aws_region", "year", "month", "day", "hour"].map((name) => ({ name, type: "string" })),
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serde: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        parameters: {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            "projection.aws_account_id.type": "enum",
            "projection.aws_account_id.values": [...new Set(args.accountIds)].sort().join(","),
            "projection.aws_region.type": "enum",
            "projection.aws_region.values": [...new Set(args.regions)].sort().join(","),
            ...integer("year", args.firstYear, args.firstYear + PROJECTED_YEARS),
            ...integer("month", 1, 12, 2),
            ...integer("day", 1, 31, 2),
            ...integer("hour", 0, 23, 2),
            "storage.location.template": flowLogLocationTemplate(args.bucketName, prefix),
        },
    };
}
