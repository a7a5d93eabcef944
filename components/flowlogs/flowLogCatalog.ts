import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FLOW_LOG_NAMED_QUERIES } from "../../contract/sources/flowLogQueries";
import { flowLogTable } from "./flowLogTable";
import { flowLogReaderPolicy } from "./flowLogPolicies";
import { policyJson } from "../iam/policyJson";
import { FLOW_LOG_PREFIX } from "../../contract/sources/flowLogs";

/** Arguments of {@link FlowLogCatalog}. */
export interface FlowLogCatalogArgs {
    /** The lake's Glue database and Athena workgroup (components/catalog/lakeCatalog.ts). */
    readonly databaseName: pulumi.Input<string>;
    readonly workgroupName: pulumi.Input<string>;
    /** Where the flow logs land: the archive bucket, or an adopted location. */
    readonly bucketName: pulumi.Input<string>;
    /** Prefix before `AWSLogs/`. @default `flow-logs/` */
    readonly prefix?: string;
    /** Accounts and regions the table projects. */
    readonly accountIds: readonly string[];
    readonly regions: readonly string[];
    /** First projected year. */
    readonly firstYear: number;
    /** Where the catalog lives, for the readers' policy. */
    readonly partition: string;
    readonly region: string;
    readonly centralAccountId: pulumi.Input<string>;
    /** Roles that run the flow-log detections on Athena (the scheduled alert evaluator's); each gets read access. @default none */
    readonly readerRoleNames?: pulumi.Input<string>[];
}

/**
 * The `flow_logs` table with partition projection over the delivered layout, and the flow-log
 * hunting queries (top talkers, rejected traffic, traffic over time, bytes out) as named queries.
 * The flow-log detections are named queries of the lake catalogue like every detection.
 */
export class FlowLogCatalog extends pulumi.ComponentResource {
    public readonly tableName: pulumi.Output<string>;
    /** Named query id by name. */
    public readonly namedQueryIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: FlowLogCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:flowlogs:FlowLogCatalog", name, {}, opts);
        const definition = pulumi
            .output(args.bucketName)
            .apply((bucketName) =>
                flowLogTable({ bucketName, prefix: args.prefix, accountIds: args.accountIds, regions: args.regions, firstYear: args.firstYear }),
            );
        const table = new aws.glue.CatalogTable(
            `${name}-table`,
            {
                databaseName: args.databaseName,
                name: definition.name,
                description: definition.description,
                tableType: "EXTERNAL_TABLE",
                parameters: definition.parameters,
                partitionKeys: definition.partitionKeys,
                storageDescriptor: {
                    location: definition.location,
                    inputFormat: definition.inputFormat,
                    outputFormat: definition.outputFormat,
                    serDeInfo: { serializationLibrary: definition.serde },
                    columns: definition.columns,
                },
            },
            { parent: this },
        );
        const ids: Record<string, pulumi.Output<string>> = {};
        for (const query of FLOW_LOG_NAMED_QUERIES) {
            ids[query.name] = new aws.athena.NamedQuery(
                `${name}-query-${query.name}`,
                {
                    name: query.name,
                    description: `${query.description} Fill in \${since} and \${until} (ISO-8601 UTC).`,
                    database: args.databaseName,
                    workgroup: args.workgroupName,
                    query: query.sql,
                },
                { parent: this },
            ).id;
        }
        (args.readerRoleNames ?? []).forEach((role, index) => {
            new aws.iam.RolePolicy(
                `${name}-reader-${index}`,
                {
                    role,
                    policy: policyJson(
                        pulumi.all([args.databaseName, args.bucketName, args.centralAccountId, table.name]),
                        ([databaseName, bucketName, centralAccountId, tableName]) =>
                            flowLogReaderPolicy({
                                partition: args.partition,
                                region: args.region,
                                centralAccountId,
                                databaseName,
                                tableName,
                                bucketArn: `arn:${args.partition}:s3:::${bucketName}`,
                                prefix: `${args.prefix ?? FLOW_LOG_PREFIX}AWSLogs/`,
                            }),
                    ),
                },
                { parent: this },
            );
        });
        this.tableName = table.name;
        this.namedQueryIds = ids;
        this.registerOutputs({ tableName: this.tableName });
    }
}
