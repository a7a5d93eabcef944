import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountNamesOf, centralAccountWarning, LakeConfig } from "../config/stackConfig";
import { Detection, loadDetections } from "../contract/detections";
import { LakeCatalog } from "./catalog/lakeCatalog";
import { ParquetConversion } from "./glue/parquetConversion";
import { LakeBucket } from "./lake/lakeBucket";
import { LogArchive } from "./archive/logArchive";
import { MemberTrail } from "./trails/memberTrail";
import { OrganizationTrail } from "./trails/organizationTrail";
import { NormaliserFunction } from "./normaliser/normaliserFunction";
import { partitionOf } from "./archive/archivePolicies";
import { TamperAlarm } from "./archive/tamperAlarm";
import { Alerting } from "./alerts/alerting";
import { alertingSettings } from "../config/alertingSettings";
import { alertDetectionOf } from "../contract/alerting";
import { flowLogTargets } from "../config/flowLogs";
import { loadCatalogue } from "../contract/sources/catalogue";
import { FLOW_LOG_PREFIX } from "../contract/sources/flowLogs";
import { VpcFlowLogs } from "./flowlogs/vpcFlowLogs";
import { FlowLogCatalog } from "./flowlogs/flowLogCatalog";
import { QuickSightDashboard } from "./dashboards/quickSightDashboard";

/**
 * Tag of member trails kept beside the organization trail during a migration (`organization.keepMemberTrails`);
 * the policy pack accepts member trails beside an organization trail only with it.
 */
export const MIGRATION_TAG = "cloudtrail-lake:migrating-to-organization-trail";

/** Arguments of {@link CloudTrailLake}. */
export interface CloudTrailLakeArgs {
    /** Validated stack config (see `config.ts`). */
    readonly config: LakeConfig;
    /** Region of the central resources and home region of the member trails. */
    readonly region: string;
    /** Id of the central (log-archive) account the default provider deploys into. */
    readonly centralAccountId: pulumi.Input<string>;
    /**
     * IAM ARN of the deployer, the only principal besides the break-glass role that may change the key
     * policy. Default: config `deployRoleArn`, else the role whose session runs `pulumi up`.
     */
    readonly deployPrincipalArn?: pulumi.Input<string>;
    /** Detections to deploy as named queries and to alert on. @default every file in queries/ (and queries/flowlogs/ with `flowLogs` set) */
    readonly detections?: readonly Detection[];
}

/**
 * The whole stack: the archive, the lake, and the trails of `cloudtrail-lake:trailMode`: one per configured
 * account (per-account), one organization trail in the management account (organization), or none, reading
 * a bucket another trail already fills (existing). Every
 * per-account resource is named by the account id, so adding, removing or reordering accounts
 * in config never replaces another account's resources.
 */
export class CloudTrailLake extends pulumi.ComponentResource {
    public readonly archive: LogArchive;
    public readonly lake: LakeBucket;
    public readonly normaliser: NormaliserFunction;
    public readonly conversion: ParquetConversion;
    public readonly catalog: LakeCatalog;
    /** Absent in existing mode: the archive and its trail are another team's. */
    public readonly tamperAlarm?: TamperAlarm;
    /** Present when `cloudtrail-lake:alerts` is set. */
    public readonly alerting?: Alerting;
    /** Present when `cloudtrail-lake:dashboards` is set. */
    public readonly dashboards?: QuickSightDashboard;
    /** Member trails by account id (per-account mode; empty otherwise). */
    public readonly trails: Readonly<Record<string, MemberTrail>>;
    /** The organization trail (organization mode). */
    public readonly organizationTrail?: OrganizationTrail;
    /** The bucket the normaliser reads: the stack's archive, or the existing one. */
    public readonly archiveBucketName: pulumi.Output<string>;
    /** Flow logs created by the stack (`flowLogs.vpcIds`). */
    public readonly flowLogs?: VpcFlowLogs;
    /** The `flow_logs` table and its named queries (`flowLogs` set). */
    public readonly flowLogCatalog?: FlowLogCatalog;

    constructor(name: string, args: CloudTrailLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:index:CloudTrailLake", name, {}, opts);
        const { config, region } = args;
        const partition = partitionOf(region);
        const tags = { "cloudtrail-lake:stack": pulumi.getStack(), ...config.tags };
        pulumi.output(args.centralAccountId).apply((centralAccountId) => {
            const warning = centralAccountWarning(config, centralAccountId);
            // The promise settles when the engine has the message; an unsent warning must not fail the deployment.
            if (warning) void pulumi.log.warn(warning, this);
        });

        const mode = config.trailMode;
        const organization = mode === "organization" ? config.organization : undefined;
        const existing = mode === "existing" && config.existingArchive ? { partition, ...config.existingArchive } : undefined;
        if (mode === "organization" && !organization) throw new Error("trailMode organization needs cloudtrail-lake:organization");
        if (mode === "existing" && !existing) throw new Error("trailMode existing needs cloudtrail-lake:existingArchive");

        // VPC Flow Logs (docs/flow-logs.md): created per VPC and delivered into the archive, or adopted where they land.
        const flowLogConfig = config.flowLogs;
        const flowTargets = flowLogConfig && !existing ? flowLogTargets(flowLogConfig, region) : [];
        const flowGrant =
            flowTargets.length > 0
                ? { accountIds: [...new Set(flowTargets.map((target) => target.accountId))], regions: [...new Set(flowTargets.map((target) => target.region))] }
                : undefined;

        const deployPrincipalArn = args.deployPrincipalArn ?? config.deployRoleArn ?? deployingRoleArn();
        this.archive = new LogArchive(
            "archive",
            {
                partition,
                region,
                centralAccountId: args.centralAccountId,
                accountIds: config.accounts.map((account) => account.id),
                trailName: config.trailName,
                archive: config.archive,
                breakGlassRoleArn: config.breakGlassRoleArn,
                deployPrincipalArn,
                organization,
                // Existing mode: no bucket of ours; the key (the lake's) and the access-log bucket remain.
                createArchiveBucket: !existing,
                flowLogs: flowGrant,
                tags,
            },
            { parent: this },
        );
        this.archiveBucketName = existing ? pulumi.output(existing.bucketName) : this.archive.bucketName!;
        const archiveBucketArn = existing ? pulumi.output(`arn:${partition}:s3:::${existing.bucketName}`) : this.archive.bucketArn!;

        if (!existing) {
            this.tamperAlarm = new TamperAlarm(
                "tamper-alarm",
                {
                    centralAccountId: args.centralAccountId,
                    partition,
                    keyArn: this.archive.keyArn,
                    archiveBucketName: this.archiveBucketName,
                    alarmTopicArn: config.normaliser.alarmTopicArn,
                    breakGlassRoleArn: config.breakGlassRoleArn,
                    deployPrincipalArn,
                    tags,
                },
                { parent: this },
            );
        }

        this.lake = new LakeBucket(
            "lake",
            {
                partition,
                kmsKeyArn: this.archive.keyArn,
                accessLogBucketName: this.archive.accessLogBucketName,
                athenaResultsRetentionDays: config.athena.resultsRetentionDays,
                tags,
            },
            { parent: this },
        );

        const accountIds = config.accounts.map((account) => account.id);
        this.normaliser = new NormaliserFunction(
            "normaliser",
            {
                region,
                centralAccountId: args.centralAccountId,
                archiveBucket: { name: this.archiveBucketName, arn: archiveBucketArn },
                lakeBucket: { name: this.lake.bucketName, arn: this.lake.bucketArn },
                kmsKeyArn: this.archive.keyArn,
                accountIds,
                existingArchive: existing,
                settings: config.normaliser,
                tags,
            },
            { parent: this },
        );

        const trails: Record<string, MemberTrail> = {};
        // During a migration to the organization trail the member trails stay until its files arrive (docs/deploy.md, "Move from per-account to organization").
        const migrating = organization?.keepMemberTrails === true;
        if (mode === "per-account" || migrating) {
            for (const account of config.accounts) {
                trails[account.id] = new MemberTrail(
                    `trail-${account.id}`,
                    {
                        accountId: account.id,
                        accountName: account.name,
                        partition,
                        region,
                        roleName: account.roleName,
                        trailName: config.trailName,
                        bucketName: this.archiveBucketName,
                        kmsKeyArn: this.archive.keyArn,
                        dependsOn: this.archive.trailPrerequisites,
                        tags: migrating ? { ...tags, [MIGRATION_TAG]: "true" } : tags,
                        dataEvents: config.dataEvents,
                    },
                    { parent: this },
                );
            }
        }
        this.trails = trails;
        if (organization) {
            this.organizationTrail = new OrganizationTrail(
                "organization-trail",
                {
                    organizationId: organization.id,
                    managementAccountId: organization.managementAccountId,
                    partition,
                    region,
                    // The config requires exactly one of them (config/stackConfig.ts).
                    access: organization.profile !== undefined ? { profile: organization.profile } : { roleName: organization.roleName! },
                    trailName: config.trailName,
                    bucketName: this.archiveBucketName,
                    kmsKeyArn: this.archive.keyArn,
                    dependsOn: this.archive.trailPrerequisites,
                    tags,
                    dataEvents: config.dataEvents,
                },
                { parent: this },
            );
        }
        if (flowGrant && flowLogConfig) {
            this.flowLogs = new VpcFlowLogs(
                "flow-logs",
                {
                    partition,
                    targets: flowTargets,
                    roleNames: Object.fromEntries(config.accounts.map((account) => [account.id, account.roleName])),
                    bucketArn: archiveBucketArn,
                    aggregationIntervalSeconds: flowLogConfig.aggregationIntervalSeconds,
                    // EC2 checks that log delivery may write (bucket policy) and encrypt (key policy) when it creates a flow log.
                    dependsOn: this.archive.trailPrerequisites,
                    tags,
                },
                { parent: this },
            );
        }
        // Flow-log detections only where there is a flow_logs table: elsewhere they would fail on every scheduled run.
        const detections = args.detections ?? (flowLogConfig ? loadCatalogue() : loadDetections());

        this.conversion = new ParquetConversion(
            "parquet",
            {
                partition,
                region,
                centralAccountId: args.centralAccountId,
                accountIds,
                lakeBucket: { name: this.lake.bucketName, arn: this.lake.bucketArn },
                lakeKeyArn: this.archive.keyArn,
                schedule: config.schedule,
                settings: config.glue,
                tags,
            },
            { parent: this },
        );

        this.catalog = new LakeCatalog(
            "catalog",
            {
                accountIds,
                archiveBucketName: this.archiveBucketName,
                organizationId: organization?.id ?? config.existingArchive?.organizationId,
                lakeBucketName: this.lake.bucketName,
                kmsKeyArn: this.archive.keyArn,
                catalog: config.catalog,
                athena: config.athena,
                detections,
                tags,
            },
            { parent: this },
        );

        if (config.alerts) {
            this.alerting = new Alerting(
                "alerts",
                {
                    partition,
                    region,
                    centralAccountId: args.centralAccountId,
                    lakeBucket: { name: this.lake.bucketName, arn: this.lake.bucketArn },
                    lakeKeyArn: this.archive.keyArn,
                    databaseName: this.catalog.databaseName,
                    workgroupName: this.catalog.workgroupName,
                    projection: { accountIds, regions: config.catalog.regions, firstDate: config.catalog.firstDate },
                    config: config.alerts,
                    settings: alertingSettings(config, detections.map(alertDetectionOf)),
                    alarmTopicArn: config.normaliser.alarmTopicArn,
                    breakGlassRoleArn: config.breakGlassRoleArn,
                    deployPrincipalArn,
                    tags,
                },
                { parent: this },
            );
        }

        if (flowLogConfig) {
            const adopted = flowLogConfig.existingLocation;
            this.flowLogCatalog = new FlowLogCatalog(
                "flow-log-catalog",
                {
                    databaseName: this.catalog.databaseName,
                    workgroupName: this.catalog.workgroupName,
                    bucketName: adopted ? pulumi.output(adopted.bucketName) : this.archiveBucketName,
                    prefix: adopted ? adopted.prefix : FLOW_LOG_PREFIX,
                    // Adopted flow logs may come from any listed account and region; created ones from their targets only.
                    accountIds: flowGrant ? flowGrant.accountIds : accountIds,
                    regions: flowGrant ? flowGrant.regions : config.catalog.regions,
                    firstYear: Number(config.catalog.firstDate.slice(0, 4)),
                    partition,
                    region,
                    centralAccountId: args.centralAccountId,
                    readerRoleNames: this.alerting ? [this.alerting.scheduledEvaluatorRoleName] : [],
                },
                { parent: this },
            );
        }

        if (config.dashboards) {
            this.dashboards = new QuickSightDashboard(
                "dashboards",
                {
                    partition,
                    region,
                    centralAccountId: args.centralAccountId,
                    lakeBucket: { name: this.lake.bucketName, arn: this.lake.bucketArn },
                    lakeKeyArn: this.archive.keyArn,
                    databaseName: this.catalog.databaseName,
                    workgroupName: this.catalog.workgroupName,
                    config: config.dashboards,
                    accountNames: accountNamesOf(config.accounts),
                    detections,
                    // The flow panels and the flow-log detections' hits, where the stack has a flow_logs table.
                    flowLogs:
                        this.flowLogCatalog && flowLogConfig
                            ? {
                                  tableName: this.flowLogCatalog.tableName,
                                  bucketName: flowLogConfig.existingLocation ? flowLogConfig.existingLocation.bucketName : this.archiveBucketName,
                                  prefix: flowLogConfig.existingLocation ? flowLogConfig.existingLocation.prefix : FLOW_LOG_PREFIX,
                              }
                            : undefined,
                    tags,
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            archiveBucketName: this.archiveBucketName,
            lakeBucketName: this.lake.bucketName,
            keyArn: this.archive.keyArn,
            normaliserRoleArn: this.normaliser.roleArn,
        });
    }
}

/**
 * The IAM ARN `aws:PrincipalArn` will carry for whoever runs `pulumi up`: for an assumed-role session
 * (`arn:aws:sts::…:assumed-role/Name/session`) the role's ARN with its path, which getSessionContext
 * returns as the issuer; for an IAM user, the user's ARN.
 */
function deployingRoleArn(): pulumi.Output<string> {
    return aws.getCallerIdentityOutput().arn.apply((arn) => aws.iam.getSessionContextOutput({ arn }).apply((context) => context.issuerArn ?? arn));
}
