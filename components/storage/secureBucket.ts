import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { denyInsecureTransport } from "../archive/archivePolicies";
import { ResourcePolicy } from "../iam/policyDocument";

/** Tag naming what a bucket of this stack holds. */
export const BUCKET_PURPOSE_TAG = "cloudtrail-lake:bucket";

/** S3's lifecycle setting under which no object smaller than 128 KB moves to another storage class. */
export const TRANSITION_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K";

/** Arguments of {@link SecureBucket}. */
export interface SecureBucketArgs {
    /** What the bucket holds; tagged as `cloudtrail-lake:bucket`, so reviews and the policy pack can tell the buckets apart. */
    readonly purpose: "archive" | "lake" | "access-logs";
    /** AWS partition of the bucket's ARN (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /**
     * Customer-managed KMS key for default encryption (SSE-KMS). Unset means SSE-S3, which only the
     * access-log bucket uses: S3 server access logging cannot deliver into an SSE-KMS bucket.
     * @default none (SSE-S3)
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** S3 Bucket Keys cut KMS requests (and cost) by orders of magnitude. @default true with a KMS key */
    readonly bucketKeyEnabled?: boolean;
    /** Versioning; forced on by Object Lock. @default false */
    readonly versioning?: boolean;
    /** Object Lock default retention. Can only be set when the bucket is created; never removed. @default none */
    readonly objectLock?: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly days: number };
    /** Lifecycle rules; an abort-incomplete-multipart-upload rule is always added. @default none besides that rule */
    readonly lifecycleRules?: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /**
     * The bucket policy, built from the bucket's name. It must contain {@link denyInsecureTransport};
     * unset means that statement alone.
     * @default the TLS-only statement alone
     */
    readonly policy?: (bucketName: string) => pulumi.Input<ResourcePolicy>;
    /** Where S3 server access logs of this bucket go. @default none (no access logging) */
    readonly accessLogs?: { readonly bucketName: pulumi.Input<string>; readonly prefix: string };
    /**
     * Keep the bucket, and every protection of it (public-access block, ownership controls, policy,
     * encryption, versioning, lock, lifecycle, logging), when the stack is destroyed: retained evidence
     * must not lose its protections.
     * @default false
     */
    readonly retainOnDelete?: boolean;
    /** Tags of the bucket. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * An S3 bucket with the baseline every bucket of this stack shares: all four public-access
 * blocks, ACLs disabled (BucketOwnerEnforced), default encryption, TLS-only policy, and
 * aborted multipart uploads cleaned up.
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The bucket policy; services that S3 checks the policy for at create time depend on it. */
    public readonly bucketPolicy: aws.s3.BucketPolicy;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:storage:SecureBucket", name, {}, opts);
        const retain = { retainOnDelete: args.retainOnDelete ?? false };

        const bucket = new aws.s3.Bucket(
            name,
            {
                objectLockEnabled: args.objectLock !== undefined,
                forceDestroy: false,
                tags: { ...args.tags, [BUCKET_PURPOSE_TAG]: args.purpose },
            },
            { parent: this, ...retain },
        );

        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this, ...retain },
        );

        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            },
            { parent: this, ...retain },
        );

        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    args.kmsKeyArn === undefined
                        ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                        : {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                              bucketKeyEnabled: args.bucketKeyEnabled ?? true,
                          },
                ],
            },
            { parent: this, ...retain },
        );

        let versioning: aws.s3.BucketVersioning | undefined;
        if (args.versioning || args.objectLock) {
            versioning = new aws.s3.BucketVersioning(
                `${name}-versioning`,
                {
                    bucket: bucket.id,
                    versioningConfiguration: { status: "Enabled" },
                },
                { parent: this, ...retain },
            );
        }

        if (args.objectLock) {
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-object-lock`,
                {
                    bucket: bucket.id,
                    objectLockEnabled: "Enabled",
                    rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
                },
                { parent: this, dependsOn: versioning ? [versioning] : [], ...retain },
            );
        }

        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                // Said, not left to S3's default (which AWS may change): objects under 128 KB never
                // transition. Below 128 KB, GLACIER_IR and STANDARD_IA bill 128 KB anyway and the
                // per-object transition charge takes longer to repay than it saves (docs/architecture.md, "Cold storage and small files").
                transitionDefaultMinimumObjectSize: TRANSITION_MINIMUM_OBJECT_SIZE,
                rules: [
                    ...(args.lifecycleRules ?? []),
                    {
                        id: "abort-incomplete-multipart-uploads",
                        status: "Enabled",
                        // The whole bucket, said explicitly: the provider deprecates an empty filter {}.
                        filter: { prefix: "" },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { parent: this, dependsOn: versioning ? [versioning] : [], ...retain },
        );

        if (args.accessLogs) {
            new aws.s3.BucketLogging(
                `${name}-server-access-logging`,
                {
                    bucket: bucket.id,
                    targetBucket: args.accessLogs.bucketName,
                    targetPrefix: args.accessLogs.prefix,
                },
                { parent: this, ...retain },
            );
        }

        const policyBuilder =
            args.policy ??
            ((bucketName: string): ResourcePolicy => ({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(`arn:${args.partition}:s3:::${bucketName}`)],
            }));
        this.bucketPolicy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: policyJson(bucket.bucket, (bucketName) => policyBuilder(bucketName)),
            },
            { parent: this, dependsOn: [publicAccessBlock, ownership], ...retain },
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
