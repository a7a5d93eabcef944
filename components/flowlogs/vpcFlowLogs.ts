import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FlowLogTarget } from "../../config/flowLogs";
import { FLOW_LOG_FORMAT, FLOW_LOG_PREFIX } from "../../contract/sources/flowLogs";
import { trailAccountProvider } from "../trails/trailSettings";

/** Arguments of {@link VpcFlowLogs}. */
export interface VpcFlowLogsArgs {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** The VPCs to log, each with its account and region (config/flowLogs.ts `flowLogTargets`). */
    readonly targets: readonly FlowLogTarget[];
    /** Role the program assumes in each account (its `accounts[].roleName`), by account id. */
    readonly roleNames: Readonly<Record<string, string>>;
    /** The archive bucket the flow logs deliver into, under `flow-logs/`. */
    readonly bucketArn: pulumi.Input<string>;
    /** 600 or 60 seconds. @default 600 */
    readonly aggregationIntervalSeconds?: number;
    /** What EC2 checks when it creates a flow log to S3: the bucket policy (and the key's). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
    /** Tags of every flow log. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * One flow log per configured VPC, created in its account and region through that account's role, all
 * traffic, every version 2-5 field (contract/sources/flowLogs.ts), delivered by AWS itself as
 * hourly, Hive-partitioned Parquet into the archive: no Firehose, no partition Lambda (docs/flow-logs.md).
 */
export class VpcFlowLogs extends pulumi.ComponentResource {
    /** Flow log id by `<account>/<region>/<vpc id>`. */
    public readonly flowLogIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: VpcFlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:flowlogs:VpcFlowLogs", name, {}, opts);
        const providers = new Map<string, aws.Provider>();
        const providerFor = (accountId: string, region: string) => {
            const key = `${accountId}-${region}`;
            let provider = providers.get(key);
            if (!provider) {
                const roleName = args.roleNames[accountId];
                if (!roleName) throw new Error(`flow logs for account ${accountId}: it is not a listed account (cloudtrail-lake:accounts)`);
                provider = trailAccountProvider(`${name}-${key}-provider`, { partition: args.partition, region, accountId, roleName }, this);
                providers.set(key, provider);
            }
            return provider;
        };
        const ids: Record<string, pulumi.Output<string>> = {};
        for (const target of args.targets) {
            const flowLog = new aws.ec2.FlowLog(
                `${name}-${target.accountId}-${target.region}-${target.vpcId}`,
                {
                    vpcId: target.vpcId,
                    trafficType: "ALL",
                    logDestinationType: "s3",
                    // A folder in the ARN is the prefix AWS writes under (VPC guide, "Create a flow log that publishes to Amazon S3").
                    logDestination: pulumi.interpolate`${args.bucketArn}/${FLOW_LOG_PREFIX}`,
                    logFormat: FLOW_LOG_FORMAT,
                    maxAggregationInterval: args.aggregationIntervalSeconds ?? 600,
                    destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
                    tags: { ...args.tags, "cloudtrail-lake:vpc": target.vpcId },
                },
                { parent: this, provider: providerFor(target.accountId, target.region), dependsOn: args.dependsOn },
            );
            ids[`${target.accountId}/${target.region}/${target.vpcId}`] = flowLog.id;
        }
        this.flowLogIds = ids;
        this.registerOutputs({ flowLogIds: this.flowLogIds });
    }
}
