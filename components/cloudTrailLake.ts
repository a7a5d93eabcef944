import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { centralAccountWarning, LakeConfig } from "../config/stackConfig";
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
    /** Detections to deploy as named queries and to alert on. @default every file in queries/ */
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
    /** Member trails by account id (per-account mode; empty otherwise). */
    public readonly trails: Readonly<Record<string, MemberTrail>>;
    /** The organization trail (organization mode). */
    public readonly organizationTrail?: OrganizationTrail;
    /** The bucket the normaliser reads: the stack's archive, or the existing one. */
    public readonly archiveBucketName: pulumi.Output<string>;

    constructor(name: string, args: CloudTrailLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:index:CloudTrailLake", name, {}, opts);
        const { config, region } = args;
        const partition = partitionOf(region);
        const tags = { "cloudtrail-lake:stack": pulumi.getStack(), ...config.tags };
        pulumi.output(args.centralAccountId).apply((centralAccountId) => {
            const warning = centralAccountWarning(config, centralAccountId);
            if (warning) pulumi.log.warn(warning, this);
        });

        const mode = config.trailMode;
        const organization = mode === "organization" ? config.organization : undefined;
        const existing = mode === "existing" && config.existingArchive ? { partition, ...config.existingArchive } : undefined;
        if (mode === "organization" && !organization) throw new Error("trailMode organization needs cloudtrail-lake:organization");
        if (mode === "existing" && !existing) throw new Error("trailMode existing needs cloudtrail-lake:existingArchive");

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
                deployPrincipalArn: args.deployPrincipalArn ?? config.deployRoleArn ?? deployingRoleArn(),
                organization,
                // Existing mode: no bucket of ours; the key (the lake's) and the access-log bucket remain.
                createArchiveBucket: !existing,
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
                    roleName: organization.roleName,
                    trailName: config.trailName,
                    bucketName: this.archiveBucketName,
                    kmsKeyArn: this.archive.keyArn,
                    dependsOn: this.archive.trailPrerequisites,
                    tags,
                },
                { parent: this },
            );
        }
        const detections = args.detections ?? loadDetections();

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
