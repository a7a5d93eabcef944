import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_PREFIXES, LAKE_PREFIXES } from "../../contract/prefixes";
import { SecureBucket } from "../storage/secureBucket";

/** Arguments of {@link LakeBucket}. */
export interface LakeBucketArgs {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** The archive's KMS key; derived data is as sensitive as the logs it comes from. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Bucket that receives S3 server access logs. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** Days Athena query results are kept. @default 30 */
    readonly athenaResultsRetentionDays?: number;
    /** Tags of the bucket. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * The bucket for everything derived from the archive: normalised files, Parquet, Athena results,
 * Glue temp. No Object Lock, on purpose: all of it can be rebuilt from the archive, and the
 * normaliser and Glue jobs must be able to overwrite what they write when they run again.
 */
export class LakeBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: LakeBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:lake:LakeBucket", name, {}, opts);
        const bucket = new SecureBucket(
            name,
            {
                purpose: "lake",
                partition: args.partition,
                kmsKeyArn: args.kmsKeyArn,
                lifecycleRules: [
                    {
                        id: "expire-athena-results",
                        status: "Enabled",
                        filter: { prefix: LAKE_PREFIXES.athenaResults },
                        expiration: { days: args.athenaResultsRetentionDays ?? 30 },
                    },
                    {
                        id: "expire-glue-temp",
                        status: "Enabled",
                        filter: { prefix: LAKE_PREFIXES.glueTemp },
                        expiration: { days: 7 },
                    },
                ],
                accessLogs: { bucketName: args.accessLogBucketName, prefix: ACCESS_LOG_PREFIXES.lake },
                tags: args.tags,
            },
            { parent: this },
        );
        this.bucketName = bucket.bucketName;
        this.bucketArn = bucket.bucketArn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
