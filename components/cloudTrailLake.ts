import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { centralAccountWarning, LakeConfig } from "../config/stackConfig";
import { Detection, loadDetections } from "../contract/detections";
import { LakeCatalog } from "./catalog/lakeCatalog";
import { ParquetConversion } from "./glue/parquetConversion";
import { LakeBucket } from "./lake/lakeBucket";
import { LogArchive } from "./archive/logArchive";
import { MemberTrail } from "./trails/memberTrail";
import { NormaliserFunction } from "./normaliser/normaliserFunction";
import { partitionOf } from "./archive/archivePolicies";
import { TamperAlarm } from "./archive/tamperAlarm";
import { Alerting } from "./alerts/alerting";
import { alertingSettings } from "../config/alertingSettings";
import { alertDetectionOf } from "../contract/alerting";

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
 * The whole stack: the archive, the lake, and one trail per configured account. Every
 * per-account resource is named by the account id, so adding, removing or reordering accounts
 * in config never replaces another account's resources.
 */
export class CloudTrailLake extends pulumi.ComponentResource {
    public readonly archive: LogArchive;
    public readonly lake: LakeBucket;
    public readonly normaliser: NormaliserFunction;
    public readonly conversion: ParquetConversion;
    public readonly catalog: LakeCatalog;
    public readonly tamperAlarm: TamperAlarm;
    /** Present when `cloudtrail-lake:alerts` is set. */
    public readonly alerting?: Alerting;
    /** Member trails by account id. */
    public readonly trails: Readonly<Record<string, MemberTrail>>;

    constructor(name: string, args: CloudTrailLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:index:CloudTrailLake", name, {}, opts);
        const { config, region } = args;
        const partition = partitionOf(region);
        const tags = { "cloudtrail-lake:stack": pulumi.getStack(), ...config.tags };
        pulumi.output(args.centralAccountId).apply((centralAccountId) => {
            const warning = centralAccountWarning(config, centralAccountId);
            if (warning) pulumi.log.warn(warning, this);
        });

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
                tags,
            },
            { parent: this },
        );

        this.tamperAlarm = new TamperAlarm(
            "tamper-alarm",
            {
                centralAccountId: args.centralAccountId,
                partition,
                keyArn: this.archive.keyArn,
                archiveBucketName: this.archive.bucketName,
                alarmTopicArn: config.normaliser.alarmTopicArn,
                tags,
            },
            { parent: this },
        );

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

        this.normaliser = new NormaliserFunction(
            "normaliser",
            {
                region,
                centralAccountId: args.centralAccountId,
                archiveBucket: { name: this.archive.bucketName, arn: this.archive.bucketArn },
                lakeBucket: { name: this.lake.bucketName, arn: this.lake.bucketArn },
                kmsKeyArn: this.archive.keyArn,
                settings: config.normaliser,
                tags,
            },
            { parent: this },
        );

        const trails: Record<string, MemberTrail> = {};
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
                    bucketName: this.archive.bucketName,
                    kmsKeyArn: this.archive.keyArn,
                    dependsOn: this.archive.trailPrerequisites,
                    tags,
                },
                { parent: this },
            );
        }
        this.trails = trails;
        const accountIds = config.accounts.map((account) => account.id);
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
                archiveBucketName: this.archive.bucketName,
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
            archiveBucketName: this.archive.bucketName,
            lakeBucketName: this.lake.bucketName,
            keyArn: this.archive.keyArn,
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
