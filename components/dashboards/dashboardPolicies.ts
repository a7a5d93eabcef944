/**
 * The role QuickSight's Athena data source runs as (AthenaParameters.RoleArn): it may run queries in
 * the lake's workgroup and read exactly what they need — the Parquet prefix, the lake key through S3,
 * the catalog's database and `cloudtrail` table, the workgroup's results prefix, and with flow logs the
 * `flow_logs` table and its prefix — nothing else of the account. Pure functions of plain ARNs, as the other service policies.
 */
import { LAKE_PREFIXES } from "../../contract/prefixes";
import { IdentityPolicy, TrustPolicy } from "../archive/archivePolicies";
import { flowLogReaderPolicy } from "../flowlogs/flowLogPolicies";
import { viaS3 } from "../iam/servicePolicies";

/** The table the dashboards read (components/catalog/tables.ts parquetTable). */
export const DASHBOARD_TABLE = "cloudtrail";

/**
 * QuickSight assumes the data source's role. No aws:SourceAccount condition: QuickSight's documentation of
 * data source roles shows none and does not say it sends the key (unverified), and a condition it does not
 * satisfy would leave every visual empty; the role is useless outside QuickSight's data source anyway.
 */
export function quickSightTrustPolicy(): TrustPolicy {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "quicksight.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

/**
 * What the data source's role may do; `region` is the lake's (the key is used through S3 there only).
 * With `flowLogs`, also what a reader of the `flow_logs` table needs (components/flowlogs/flowLogPolicies.ts
 * flowLogReaderPolicy: the table, and list and read under its prefix, nothing else of that bucket). Flow
 * logs delivered into the archive are encrypted with the archive key, which is the lake key above;
 * adopted ones under another key need that key's owner to grant it (docs/flow-logs.md).
 */
export function quickSightDataSourcePolicy(args: {
    readonly partition: string;
    readonly region: string;
    readonly centralAccountId: string;
    readonly workgroupName: string;
    readonly databaseName: string;
    readonly lakeBucketArn: string;
    readonly lakeKeyArn: string;
    /** The flow-log table and its objects' prefix (`<prefix>AWSLogs/`); absent without flow logs. */
    readonly flowLogs?: { readonly tableName: string; readonly bucketArn: string; readonly prefix: string };
}): IdentityPolicy {
    const glue = `arn:${args.partition}:glue:${args.region}:${args.centralAccountId}`;
    const athena = `arn:${args.partition}:athena:${args.region}:${args.centralAccountId}`;
    const lake = args.lakeBucketArn;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "RunQueriesInLakeWorkgroup",
                Effect: "Allow",
                Action: [
                    "athena:StartQueryExecution",
                    "athena:StopQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:GetQueryResultsStream",
                    "athena:BatchGetQueryExecution",
                    "athena:GetWorkGroup",
                ],
                Resource: `${athena}:workgroup/${args.workgroupName}`,
            },
            // QuickSight lists the catalog's databases and tables when it checks a data set's columns.
            {
                Sid: "DescribeCatalog",
                Effect: "Allow",
                Action: ["athena:GetDataCatalog", "athena:GetDatabase", "athena:GetTableMetadata"],
                Resource: `${athena}:datacatalog/AwsDataCatalog`,
            },
            {
                Sid: "ReadLakeTable",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                Resource: [`${glue}:catalog`, `${glue}:database/${args.databaseName}`, `${glue}:table/${args.databaseName}/${DASHBOARD_TABLE}`],
            },
            { Sid: "LocateLakeBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: lake },
            {
                Sid: "ListParquetAndResults",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: lake,
                Condition: { StringLike: { "s3:prefix": [`${LAKE_PREFIXES.parquet}*`, `${LAKE_PREFIXES.athenaResults}*`] } },
            },
            { Sid: "ReadParquet", Effect: "Allow", Action: "s3:GetObject", Resource: `${lake}/${LAKE_PREFIXES.parquet}*` },
            // Athena writes the results with the caller's permissions, then QuickSight reads them.
            {
                Sid: "QueryResults",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: `${lake}/${LAKE_PREFIXES.athenaResults}*`,
            },
            { Sid: "ListResultUploads", Effect: "Allow", Action: "s3:ListBucketMultipartUploads", Resource: lake },
            // The lake's objects and Athena's results are encrypted with the lake key; only through S3.
            {
                Sid: "UseLakeKeyThroughS3",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: args.lakeKeyArn,
                Condition: viaS3(args.region),
            },
            ...(args.flowLogs
                ? flowLogReaderPolicy({
                      partition: args.partition,
                      region: args.region,
                      centralAccountId: args.centralAccountId,
                      databaseName: args.databaseName,
                      tableName: args.flowLogs.tableName,
                      bucketArn: args.flowLogs.bucketArn,
                      prefix: args.flowLogs.prefix,
                  }).Statement
                : []),
        ],
    };
}
