import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountNamesOf, centralAccountWarning, LakeConfig, OrganizationConfig } from "../config/stackConfig";
import { AlertsConfig } from "../config/alerts";
import { DashboardsConfig } from "../config/dashboards";
import { BucketRef } from "./references";
import { FlowLogGrant } from "./flowlogs/flowLogPolicies";
import { ExistingArchive } from "./normaliser/existingArchivePolicies";
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
import { FlowLogsConfig, FlowLogTarget, flowLogTargets as flowLogTargetsOf } from "../config/flowLogs";
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
    /** Validated stack config (config/stackConfig.ts). */
    readonly config: LakeConfig;
    /** Region of the central resources and home region of the member trails. */
    readonly region: string;
    /** Id of the central (log-archive) account the default provider deploys into. */
    readonly centralAccountId: pulumi.Input<string>;
    /**
     * IAM ARN of the deployer, the only principal besides the break-glass role that may change the key
     * policy.
     * @default config `deployRoleArn`, else the role whose session runs `pulumi up`
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
        const stack = stackContext(args);
        this.warnIfCentralAccountUnlogged(stack);

        const { archive, archiveBucket } = this.declareArchive(stack);
        this.archive = archive;
        this.archiveBucketName = archiveBucket.name;
        this.tamperAlarm = stack.existing ? undefined : this.declareTamperAlarm(stack, archive);
        this.lake = this.declareLake(stack, archive);
        const lakeBucket = { name: this.lake.bucketName, arn: this.lake.bucketArn };
        this.normaliser = this.declareNormaliser(stack, archive, archiveBucket, lakeBucket);
        this.trails = this.declareMemberTrails(stack, archive);
        this.organizationTrail = stack.organization ? this.declareOrganizationTrail(stack, stack.organization, archive) : undefined;
        this.flowLogs = stack.flowLogGrant && stack.config.flowLogs ? this.declareFlowLogs(stack, stack.config.flowLogs, archive, archiveBucket) : undefined;
        // Flow-log detections only where there is a flow_logs table: elsewhere they would fail on every scheduled run.
        const detections = args.detections ?? (stack.config.flowLogs ? loadCatalogue() : loadDetections());
        this.conversion = this.declareConversion(stack, archive, lakeBucket);
        this.catalog = this.declareCatalog(stack, archive, detections);
        this.alerting = stack.config.alerts ? this.declareAlerting(stack, stack.config.alerts, archive, lakeBucket, detections) : undefined;
        this.flowLogCatalog = stack.config.flowLogs ? this.declareFlowLogCatalog(stack, stack.config.flowLogs) : undefined;
        this.dashboards = stack.config.dashboards ? this.declareDashboards(stack, stack.config.dashboards, archive, lakeBucket, detections) : undefined;

        this.registerOutputs({
            archiveBucketName: this.archiveBucketName,
            lakeBucketName: this.lake.bucketName,
            keyArn: this.archive.keyArn,
            normaliserRoleArn: this.normaliser.roleArn,
        });
    }

    private warnIfCentralAccountUnlogged({ config, centralAccountId }: StackContext): void {
        pulumi.output(centralAccountId).apply((centralAccountId) => {
            const warning = centralAccountWarning(config, centralAccountId);
            // The promise settles when the engine has the message; an unsent warning must not fail the deployment.
            if (warning) void pulumi.log.warn(warning, this);
        });
    }

    /**
     * The archive: its key and access-log bucket always, its bucket unless the stack reads an existing one.
     * Returns the bucket the normaliser reads, the stack's or the existing one.
     */
    private declareArchive(stack: StackContext): { archive: LogArchive; archiveBucket: ArchiveBucket } {
        const { config, existing } = stack;
        const archive = new LogArchive(
            "archive",
            {
                partition: stack.partition,
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                accountIds: stack.accountIds,
                trailName: config.trailName,
                archive: config.archive,
                breakGlassRoleArn: config.breakGlassRoleArn,
                deployPrincipalArn: stack.deployPrincipalArn,
                organization: stack.organization,
                // Existing mode: no bucket of ours; the key (the lake's) and the access-log bucket remain.
                createArchiveBucket: !existing,
                flowLogs: stack.flowLogGrant,
                tags: stack.tags,
            },
            { parent: this },
        );
        const archiveBucket = existing
            ? { name: pulumi.output(existing.bucketName), arn: pulumi.output(`arn:${stack.partition}:s3:::${existing.bucketName}`) }
            : { name: archive.bucketName!, arn: archive.bucketArn! };
        return { archive, archiveBucket };
    }

    /** The alarm on changes to the archive's key, bucket policy and trails: the stack's own archive only. */
    private declareTamperAlarm(stack: StackContext, archive: LogArchive): TamperAlarm {
        return new TamperAlarm(
            "tamper-alarm",
            {
                centralAccountId: stack.centralAccountId,
                partition: stack.partition,
                keyArn: archive.keyArn,
                archiveBucketName: this.archiveBucketName,
                alarmTopicArn: stack.config.normaliser.alarmTopicArn,
                breakGlassRoleArn: stack.config.breakGlassRoleArn,
                deployPrincipalArn: stack.deployPrincipalArn,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    /** The lake bucket: derived data, encrypted with the archive key, rebuildable from the archive. */
    private declareLake(stack: StackContext, archive: LogArchive): LakeBucket {
        return new LakeBucket(
            "lake",
            {
                partition: stack.partition,
                kmsKeyArn: archive.keyArn,
                accessLogBucketName: archive.accessLogBucketName,
                athenaResultsRetentionDays: stack.config.athena.resultsRetentionDays,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    private declareNormaliser(stack: StackContext, archive: LogArchive, archiveBucket: ArchiveBucket, lakeBucket: BucketRef): NormaliserFunction {
        return new NormaliserFunction(
            "normaliser",
            {
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                archiveBucket,
                lakeBucket,
                kmsKeyArn: archive.keyArn,
                accountIds: stack.accountIds,
                existingArchive: stack.existing,
                settings: stack.config.normaliser,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    /**
     * One trail per account in per-account mode, named by the account id. During a migration to the organization
     * trail the member trails stay until its files arrive (docs/deploy.md, "Move from per-account to organization").
     */
    private declareMemberTrails(stack: StackContext, archive: LogArchive): Record<string, MemberTrail> {
        const { config, organization } = stack;
        const migrating = organization?.keepMemberTrails === true;
        const trails: Record<string, MemberTrail> = {};
        if (config.trailMode !== "per-account" && !migrating) return trails;
        for (const account of config.accounts) {
            trails[account.id] = new MemberTrail(
                `trail-${account.id}`,
                {
                    accountId: account.id,
                    accountName: account.name,
                    partition: stack.partition,
                    region: stack.region,
                    roleName: account.roleName,
                    trailName: config.trailName,
                    bucketName: this.archiveBucketName,
                    kmsKeyArn: archive.keyArn,
                    dependsOn: archive.trailPrerequisites,
                    tags: migrating ? { ...stack.tags, [MIGRATION_TAG]: "true" } : stack.tags,
                    dataEvents: config.dataEvents,
                },
                { parent: this },
            );
        }
        return trails;
    }

    /** The organization trail, in the management account. */
    private declareOrganizationTrail(stack: StackContext, organization: OrganizationConfig, archive: LogArchive): OrganizationTrail {
        return new OrganizationTrail(
            "organization-trail",
            {
                organizationId: organization.id,
                managementAccountId: organization.managementAccountId,
                partition: stack.partition,
                region: stack.region,
                // The config requires exactly one of them (config/stackConfig.ts).
                access: organization.profile !== undefined ? { profile: organization.profile } : { roleName: organization.roleName! },
                trailName: stack.config.trailName,
                bucketName: this.archiveBucketName,
                kmsKeyArn: archive.keyArn,
                dependsOn: archive.trailPrerequisites,
                tags: stack.tags,
                dataEvents: stack.config.dataEvents,
            },
            { parent: this },
        );
    }

    /** VPC Flow Logs created per VPC and delivered into the archive (docs/flow-logs.md). */
    private declareFlowLogs(stack: StackContext, flowLogs: FlowLogsConfig, archive: LogArchive, archiveBucket: ArchiveBucket): VpcFlowLogs {
        return new VpcFlowLogs(
            "flow-logs",
            {
                partition: stack.partition,
                targets: stack.flowLogTargets,
                roleNames: Object.fromEntries(stack.config.accounts.map((account) => [account.id, account.roleName])),
                bucketArn: archiveBucket.arn,
                aggregationIntervalSeconds: flowLogs.aggregationIntervalSeconds,
                // EC2 checks that log delivery may write (bucket policy) and encrypt (key policy) when it creates a flow log.
                dependsOn: archive.trailPrerequisites,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    /** One Glue job per account, turning the normalised files into Parquet on the schedule. */
    private declareConversion(stack: StackContext, archive: LogArchive, lakeBucket: BucketRef): ParquetConversion {
        return new ParquetConversion(
            "parquet",
            {
                partition: stack.partition,
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                accountIds: stack.accountIds,
                lakeBucket,
                lakeKeyArn: archive.keyArn,
                schedule: stack.config.schedule,
                settings: stack.config.glue,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    /** The Glue database and tables, the Athena workgroup and the detections' named queries. */
    private declareCatalog(stack: StackContext, archive: LogArchive, detections: readonly Detection[]): LakeCatalog {
        const { config } = stack;
        return new LakeCatalog(
            "catalog",
            {
                accountIds: stack.accountIds,
                archiveBucketName: this.archiveBucketName,
                organizationId: stack.organization?.id ?? config.existingArchive?.organizationId,
                lakeBucketName: this.lake.bucketName,
                kmsKeyArn: archive.keyArn,
                catalog: config.catalog,
                athena: config.athena,
                detections,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    private declareAlerting(stack: StackContext, alerts: AlertsConfig, archive: LogArchive, lakeBucket: BucketRef, detections: readonly Detection[]): Alerting {
        const { config } = stack;
        return new Alerting(
            "alerts",
            {
                partition: stack.partition,
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                lakeBucket,
                lakeKeyArn: archive.keyArn,
                databaseName: this.catalog.databaseName,
                workgroupName: this.catalog.workgroupName,
                projection: { accountIds: stack.accountIds, regions: config.catalog.regions, firstDate: config.catalog.firstDate },
                config: alerts,
                settings: alertingSettings(config, detections.map(alertDetectionOf)),
                alarmTopicArn: config.normaliser.alarmTopicArn,
                breakGlassRoleArn: config.breakGlassRoleArn,
                deployPrincipalArn: stack.deployPrincipalArn,
                tags: stack.tags,
            },
            { parent: this },
        );
    }

    /** Where the dashboards' flow data set reads: the flow_logs table and the prefix it covers. */
    private dashboardFlowLogs(flowLogs: FlowLogsConfig, flowLogCatalog: FlowLogCatalog) {
        const adopted = flowLogs.existingLocation;
        return {
            tableName: flowLogCatalog.tableName,
            bucketName: adopted ? pulumi.output(adopted.bucketName) : this.archiveBucketName,
            prefix: adopted ? adopted.prefix : FLOW_LOG_PREFIX,
        };
    }

    /** The `flow_logs` table over the created flow logs, or over adopted ones where they land. */
    private declareFlowLogCatalog(stack: StackContext, flowLogs: FlowLogsConfig): FlowLogCatalog {
        const { config, flowLogGrant } = stack;
        const adopted = flowLogs.existingLocation;
        return new FlowLogCatalog(
            "flow-log-catalog",
            {
                databaseName: this.catalog.databaseName,
                workgroupName: this.catalog.workgroupName,
                bucketName: adopted ? pulumi.output(adopted.bucketName) : this.archiveBucketName,
                prefix: adopted ? adopted.prefix : FLOW_LOG_PREFIX,
                // Adopted flow logs may come from any listed account and region; created ones from their targets only.
                accountIds: flowLogGrant ? flowLogGrant.accountIds : stack.accountIds,
                regions: flowLogGrant ? flowLogGrant.regions : config.catalog.regions,
                firstYear: Number(config.catalog.firstDate.slice(0, 4)),
                partition: stack.partition,
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                readerRoleNames: this.alerting ? [this.alerting.scheduledEvaluatorRoleName] : [],
            },
            { parent: this },
        );
    }

    private declareDashboards(
        stack: StackContext,
        dashboards: DashboardsConfig,
        archive: LogArchive,
        lakeBucket: BucketRef,
        detections: readonly Detection[],
    ): QuickSightDashboard {
        return new QuickSightDashboard(
            "dashboards",
            {
                partition: stack.partition,
                region: stack.region,
                centralAccountId: stack.centralAccountId,
                lakeBucket,
                lakeKeyArn: archive.keyArn,
                databaseName: this.catalog.databaseName,
                workgroupName: this.catalog.workgroupName,
                config: dashboards,
                accountNames: accountNamesOf(stack.config.accounts),
                detections,
                // The flow panels and the flow-log detections' hits, where the stack has a flow_logs table.
                flowLogs: this.flowLogCatalog && stack.config.flowLogs ? this.dashboardFlowLogs(stack.config.flowLogs, this.flowLogCatalog) : undefined,
                tags: stack.tags,
            },
            { parent: this },
        );
    }
}

/** The bucket the normaliser reads: the stack's archive, or the existing one. */
interface ArchiveBucket {
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
}

/** What every step of {@link CloudTrailLake} reads: the config and what follows from it before any resource exists. */
interface StackContext {
    readonly config: LakeConfig;
    readonly region: string;
    readonly partition: string;
    readonly centralAccountId: pulumi.Input<string>;
    readonly deployPrincipalArn: pulumi.Input<string>;
    readonly tags: Record<string, string>;
    readonly accountIds: string[];
    /** Organization mode. */
    readonly organization?: OrganizationConfig;
    /** Existing mode: the bucket another trail fills. */
    readonly existing?: ExistingArchive;
    /** VPCs whose flow logs the stack creates (`flowLogs.vpcIds`, not in existing mode). */
    readonly flowLogTargets: FlowLogTarget[];
    /** Their accounts and regions, which the archive admits; unset when the stack creates none. */
    readonly flowLogGrant?: FlowLogGrant;
}

/** The trail mode's settings, checked, the flow logs to create, and the tags and deployer every step uses. */
function stackContext(args: CloudTrailLakeArgs): StackContext {
    const { config, region } = args;
    const partition = partitionOf(region);
    const mode = config.trailMode;
    const organization = mode === "organization" ? config.organization : undefined;
    const existing = mode === "existing" && config.existingArchive ? { partition, ...config.existingArchive } : undefined;
    if (mode === "organization" && !organization) throw new Error("trailMode organization needs cloudtrail-lake:organization");
    if (mode === "existing" && !existing) throw new Error("trailMode existing needs cloudtrail-lake:existingArchive");
    const flowLogTargets = config.flowLogs && !existing ? flowLogTargetsOf(config.flowLogs, region) : [];
    return {
        config,
        region,
        partition,
        centralAccountId: args.centralAccountId,
        deployPrincipalArn: args.deployPrincipalArn ?? config.deployRoleArn ?? deployingRoleArn(),
        tags: { "cloudtrail-lake:stack": pulumi.getStack(), ...config.tags },
        accountIds: config.accounts.map((account) => account.id),
        organization,
        existing,
        flowLogTargets,
        flowLogGrant:
            flowLogTargets.length > 0
                ? {
                      accountIds: [...new Set(flowLogTargets.map((target) => target.accountId))],
                      regions: [...new Set(flowLogTargets.map((target) => target.region))],
                  }
                : undefined,
    };
}

/**
 * The IAM ARN `aws:PrincipalArn` will carry for whoever runs `pulumi up`: for an assumed-role session
 * (`arn:aws:sts::…:assumed-role/Name/session`) the role's ARN with its path, which getSessionContext
 * returns as the issuer; for an IAM user, the user's ARN.
 */
function deployingRoleArn(): pulumi.Output<string> {
    return aws.getCallerIdentityOutput().arn.apply((arn) => aws.iam.getSessionContextOutput({ arn }).apply((context) => context.issuerArn ?? arn));
}
