import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AthenaConfig, CatalogConfig } from "../../config/stackConfig";
import { Detection } from "../../contract/detections";
import { LAKE_PREFIXES } from "../../contract/prefixes";
import { awsIpRangesCsv } from "../../contract/awsIpRanges";
import { AWS_IP_RANGES_KEY, awsIpRangesTable, parquetTable, rawTable, TableDefinition } from "./tables";

/** Arguments of {@link LakeCatalog}. */
export interface LakeCatalogArgs {
    /** Configured account ids: projected by both tables. */
    readonly accountIds: readonly string[];
    readonly archiveBucketName: pulumi.Input<string>;
    /** Organization id when the archive is filled by an organization trail (the raw table's key prefix). @default none: `AWSLogs/<account>/` */
    readonly organizationId?: string;
    readonly lakeBucketName: pulumi.Input<string>;
    /** Encrypts Athena's results. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly catalog: CatalogConfig;
    readonly athena: AthenaConfig;
    /** Deployed as one named query each. */
    readonly detections: readonly Detection[];
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * What analysts use: a Glue database with the `cloudtrail` (Parquet) and `cloudtrail_raw`
 * (archive) tables, both with partition projection; an Athena workgroup that enforces encrypted
 * results and a per-query scan limit; and one named query per detection in queries/.
 */
export class LakeCatalog extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly workgroupName: pulumi.Output<string>;
    /** Named query id by detection name. */
    public readonly namedQueryIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: LakeCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:catalog:LakeCatalog", name, {}, opts);
        const projection = { accountIds: args.accountIds, regions: args.catalog.regions, firstDate: args.catalog.firstDate };

        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            {
                name: pulumi.interpolate`cloudtrail_lake_${pulumi
                    .getStack()
                    .replace(/[^a-z0-9_]/gi, "_")
                    .toLowerCase()}`,
                description: "cloudtrail-lake: CloudTrail of every configured account",
            },
            { parent: this },
        );

        const table = (id: string, definition: pulumi.Output<TableDefinition>) =>
            new aws.glue.CatalogTable(
                `${name}-${id}`,
                {
                    databaseName: database.name,
                    name: definition.name,
                    description: definition.description,
                    tableType: "EXTERNAL_TABLE",
                    parameters: definition.parameters,
                    partitionKeys: definition.partitionKeys,
                    storageDescriptor: {
                        location: definition.location,
                        inputFormat: definition.inputFormat,
                        outputFormat: definition.outputFormat,
                        serDeInfo: { serializationLibrary: definition.serde, parameters: definition.serdeParameters },
                        columns: definition.columns,
                    },
                },
                { parent: this },
            );
        table(
            "cloudtrail",
            pulumi.output(args.lakeBucketName).apply((bucket) => parquetTable(bucket, projection)),
        );
        table(
            "cloudtrail-raw",
            pulumi.output(args.archiveBucketName).apply((bucket) => rawTable(bucket, { ...projection, organizationId: args.organizationId })),
        );

        // The reference table the detections join addresses with: the same rows the local mode loads.
        new aws.s3.BucketObjectv2(
            `${name}-aws-ip-ranges`,
            {
                bucket: args.lakeBucketName,
                key: AWS_IP_RANGES_KEY,
                source: new pulumi.asset.StringAsset(awsIpRangesCsv()),
                contentType: "text/csv",
                tags: args.tags,
            },
            { parent: this },
        );
        table(
            "aws-ip-ranges",
            pulumi.output(args.lakeBucketName).apply((bucket) => awsIpRangesTable(bucket)),
        );

        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: pulumi.interpolate`cloudtrail-lake-${pulumi.getStack()}`,
                description: "cloudtrail-lake: detections and hunting over the CloudTrail lake",
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: args.athena.bytesScannedCutoffMb * 1024 * 1024,
                    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${args.lakeBucketName}/${LAKE_PREFIXES.athenaResults}`,
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn },
                    },
                },
                forceDestroy: false,
                tags: args.tags,
            },
            { parent: this },
        );

        const namedQueryIds: Record<string, pulumi.Output<string>> = {};
        for (const detection of args.detections) {
            namedQueryIds[detection.name] = new aws.athena.NamedQuery(
                `${name}-query-${detection.name}`,
                {
                    name: detection.name,
                    description:
                        `[${detection.severity}] ${detection.title} (${detection.mitre}). Fill in \${since} and \${until} (ISO-8601 UTC), or run: npm run query -- ${detection.name}. Next: ${detection.runbook}`.slice(
                            0,
                            1024,
                        ),
                    database: database.name,
                    workgroup: workgroup.name,
                    query: detection.sql,
                },
                { parent: this },
            ).id;
        }
        this.namedQueryIds = namedQueryIds;
        this.databaseName = database.name;
        this.workgroupName = workgroup.name;
        this.registerOutputs({ databaseName: this.databaseName, workgroupName: this.workgroupName });
    }
}
