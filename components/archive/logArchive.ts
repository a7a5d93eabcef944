import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { ArchiveConfig } from "../../config/stackConfig";
import { ACCESS_LOG_PREFIXES } from "../../contract/prefixes";
import { accessLogBucketPolicy, archiveBucketPolicy, archiveKeyPolicy, lakeOnlyKeyPolicy, OrganizationTrailGrant } from "./archivePolicies";
import { SecureBucket } from "../storage/secureBucket";
import { FlowLogGrant } from "../flowlogs/flowLogPolicies";
import { FLOW_LOG_PREFIX } from "../../contract/sources/flowLogs";

/** Arguments of {@link LogArchive}. */
export interface LogArchiveArgs {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Region of the archive and home region of every member trail. */
    readonly region: string;
    /** Id of the central (log-archive) account the default provider deploys into. */
    readonly centralAccountId: pulumi.Input<string>;
    /** Member accounts whose trails may deliver. The policies are sorted, so order does not matter. */
    readonly accountIds: readonly string[];
    /** Name of the trail in every member account; the bucket and key policies are pinned to it. */
    readonly trailName: string;
    /** Object Lock, storage class and retention settings. */
    readonly archive: ArchiveConfig;
    /** The role that alone may disable or delete the key and bypass GOVERNANCE retention. @default nobody */
    readonly breakGlassRoleArn?: string;
    /** IAM ARN (role, not session) of the deployer: with the break-glass role, the only one that may change the key policy. */
    readonly deployPrincipalArn: pulumi.Input<string>;
    /** Tags of every bucket and the key. @default none */
    readonly tags?: Record<string, string>;
    /**
     * Organization mode: the bucket and key admit only this organization's trail in the management account.
     * @default none: the listed accounts' own trails (per-account mode)
     */
    readonly organization?: OrganizationTrailGrant;
    /**
     * False in existing mode (`cloudtrail-lake:existingArchive`): another team's bucket holds the logs, so
     * there is no archive bucket; the key (then the lake's alone) and the access-log bucket remain.
     * @default true
     */
    readonly createArchiveBucket?: boolean;
    /** VPC Flow Logs delivering under `flow-logs/` (same lock and lifecycle as CloudTrail's files). @default none */
    readonly flowLogs?: FlowLogGrant;
}

/**
 * The evidence store: a customer-managed KMS key, the Object Lock archive bucket that only the
 * listed accounts' trails can write to, and a separate bucket for S3 server access logs (S3
 * cannot deliver access logs into an Object Lock bucket, nor into an SSE-KMS one).
 */
export class LogArchive extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    /** Undefined in existing mode: no archive bucket is created. */
    public readonly bucketName?: pulumi.Output<string>;
    public readonly bucketArn?: pulumi.Output<string>;
    public readonly accessLogBucketName: pulumi.Output<string>;
    /** What a member trail must wait for: CloudTrail checks the bucket and key policies when a trail is created. */
    public readonly trailPrerequisites: pulumi.Resource[];

    constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:archive:LogArchive", name, {}, opts);
        const grant = {
            partition: args.partition,
            region: args.region,
            accountIds: args.accountIds,
            trailName: args.trailName,
            breakGlassRoleArn: args.breakGlassRoleArn,
            organization: args.organization,
            flowLogs: args.flowLogs,
        };
        const createArchiveBucket = args.createArchiveBucket ?? true;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: createArchiveBucket
                    ? "cloudtrail-lake: encrypts the CloudTrail archive and the lake derived from it"
                    : "cloudtrail-lake: encrypts the lake derived from an existing CloudTrail archive",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: policyJson(pulumi.all([args.centralAccountId, args.deployPrincipalArn]), ([centralAccountId, deployPrincipalArn]) =>
                    createArchiveBucket
                        ? archiveKeyPolicy({ ...grant, centralAccountId, deployPrincipalArn })
                        : lakeOnlyKeyPolicy({ partition: args.partition, centralAccountId, deployPrincipalArn, breakGlassRoleArn: args.breakGlassRoleArn }),
                ),
                tags: args.tags,
            },
            { parent: this, retainOnDelete: true },
        );

        // Alias names are unique per account and region: the stack's name lets two stacks share both.
        new aws.kms.Alias(
            `${name}-key-alias`,
            {
                name: `alias/cloudtrail-lake-${pulumi.getStack()}-${name}`,
                targetKeyId: key.keyId,
            },
            { parent: this, retainOnDelete: true },
        );

        const accessLogs = new SecureBucket(
            `${name}-access-logs`,
            {
                purpose: "access-logs",
                partition: args.partition,
                versioning: true,
                lifecycleRules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: { prefix: "" }, // every access log; an empty filter {} is deprecated by the provider
                        expiration: { days: args.archive.accessLogRetentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                    },
                ],
                policy: (bucketName) =>
                    pulumi
                        .output(args.centralAccountId)
                        .apply((centralAccountId) => accessLogBucketPolicy({ partition: args.partition, bucketName, centralAccountId })),
                // Who read or changed the evidence outlives the stack, as the evidence does.
                retainOnDelete: true,
                tags: args.tags,
            },
            { parent: this },
        );

        this.keyArn = key.arn;
        this.accessLogBucketName = accessLogs.bucketName;
        if (!createArchiveBucket) {
            this.trailPrerequisites = [key];
            this.registerOutputs({ keyArn: this.keyArn, accessLogBucketName: this.accessLogBucketName });
            return;
        }

        const archive = new SecureBucket(
            `${name}`,
            {
                purpose: "archive",
                partition: args.partition,
                kmsKeyArn: key.arn,
                // CloudTrail encrypts each log file itself with the trail's key; with a Bucket Key it would
                // also need kms:Decrypt, which the key policy deliberately does not grant it.
                bucketKeyEnabled: false,
                versioning: true,
                objectLock: { mode: args.archive.objectLockMode, days: args.archive.retentionDays },
                lifecycleRules: [
                    ...archiveLifecycleRules(args.archive),
                    ...(args.flowLogs ? archiveLifecycleRules(args.archive, FLOW_LOG_PREFIX, "flow-logs-") : []),
                ],
                policy: (bucketName) =>
                    pulumi.output(args.deployPrincipalArn).apply((deployPrincipalArn) => archiveBucketPolicy({ ...grant, bucketName, deployPrincipalArn })),
                accessLogs: { bucketName: accessLogs.bucketName, prefix: ACCESS_LOG_PREFIXES.archive },
                retainOnDelete: true,
                tags: args.tags,
            },
            { parent: this },
        );

        this.bucketName = archive.bucketName;
        this.bucketArn = archive.bucketArn;
        this.trailPrerequisites = [archive.bucketPolicy, key];
        this.registerOutputs({
            keyArn: this.keyArn,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            accessLogBucketName: this.accessLogBucketName,
        });
    }
}

/** Lifecycle of the log files (under `prefix`): colder storage after a while, optional expiry after the lock. */
export function archiveLifecycleRules(archive: ArchiveConfig, prefix = "AWSLogs/", idPrefix = ""): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [];
    if (archive.coldStorageAfterDays > 0) {
        rules.push({
            id: `${idPrefix}logs-to-cold-storage`,
            status: "Enabled",
            filter: { prefix },
            transitions: [{ days: archive.coldStorageAfterDays, storageClass: archive.coldStorageClass }],
        });
    }
    if (archive.expireAfterDays !== undefined) {
        rules.push({
            id: `${idPrefix}expire-logs-after-retention`,
            status: "Enabled",
            filter: { prefix },
            expiration: { days: archive.expireAfterDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
        });
    }
    return rules;
}
