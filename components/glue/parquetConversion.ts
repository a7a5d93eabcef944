import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { BucketRef } from "../references";
import { AccountJob } from "./accountJob";
import { GlueConfig } from "../../config/stackConfig";
import { GlueSchedule } from "./glueSchedule";
import { glueKeyPolicy } from "../iam/servicePolicies";
import { LAKE_PREFIXES } from "../../contract/prefixes";

const GLUE_DIR = path.join(__dirname, "..", "..", "glue");

/** Arguments of {@link ParquetConversion}. */
export interface ParquetConversionArgs {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Region of the jobs and the lake. */
    readonly region: string;
    /** Id of the central account: the Glue key policy and the roles' trust are pinned to it. */
    readonly centralAccountId: pulumi.Input<string>;
    /** Accounts to convert; one job each. */
    readonly accountIds: readonly string[];
    /** The lake bucket: normalised JSON in, Parquet out; the job scripts are uploaded into it. */
    readonly lakeBucket: BucketRef;
    /** Key of the lake bucket (the archive's key); Parquet is written with it. */
    readonly lakeKeyArn: pulumi.Input<string>;
    /** AWS cron of the first wave of triggers. */
    readonly schedule: string;
    /** Worker type and count, timeout, execution class (config `cloudtrail-lake:glue`). */
    readonly settings: GlueConfig;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * Normalised JSON → Parquet: the job script (uploaded from glue/), a security configuration that
 * encrypts the jobs' S3 output, logs and bookmarks, one {@link AccountJob} per account, and the
 * {@link GlueSchedule} that starts them.
 */
export class ParquetConversion extends pulumi.ComponentResource {
    /** Job by account id. */
    public readonly jobs: Readonly<Record<string, AccountJob>>;
    public readonly securityConfigurationName: pulumi.Output<string>;
    public readonly schedule: GlueSchedule;

    constructor(name: string, args: ParquetConversionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:glue:ParquetConversion", name, {}, opts);

        const glueKey = new aws.kms.Key(
            `${name}-key`,
            {
                description: "cloudtrail-lake: encrypts Glue job logs and bookmarks",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: policyJson(pulumi.output(args.centralAccountId), (centralAccountId) =>
                    glueKeyPolicy({ partition: args.partition, region: args.region, centralAccountId }),
                ),
                tags: args.tags,
            },
            { parent: this },
        );

        const securityConfiguration = new aws.glue.SecurityConfiguration(
            `${name}-security`,
            {
                name: pulumi.interpolate`cloudtrail-lake-${pulumi.getStack()}`,
                encryptionConfiguration: {
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: args.lakeKeyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: glueKey.arn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: glueKey.arn },
                },
            },
            { parent: this },
        );

        const upload = (file: string) => {
            const object = new aws.s3.BucketObjectv2(
                `${name}-${file.replace(/[^a-z0-9]+/gi, "-")}`,
                {
                    bucket: args.lakeBucket.name,
                    key: `${LAKE_PREFIXES.glueScripts}${file}`,
                    source: new pulumi.asset.FileAsset(path.join(GLUE_DIR, file)),
                    tags: args.tags,
                },
                { parent: this },
            );
            return pulumi.interpolate`s3://${object.bucket}/${object.key}`;
        };
        const scriptLocation = upload("normalised_to_parquet.py");
        const helperLocation = upload("lake_job.py");
        const schemaLocation = upload("schema.json");

        const jobs: Record<string, AccountJob> = {};
        for (const accountId of args.accountIds) {
            jobs[accountId] = new AccountJob(
                `${name}-${accountId}`,
                {
                    accountId,
                    partition: args.partition,
                    region: args.region,
                    centralAccountId: args.centralAccountId,
                    lakeBucket: args.lakeBucket,
                    lakeKeyArn: args.lakeKeyArn,
                    glueKeyArn: glueKey.arn,
                    securityConfigurationName: securityConfiguration.name,
                    scriptLocation,
                    helperLocation,
                    schemaLocation,
                    settings: args.settings,
                    tags: args.tags,
                },
                { parent: this },
            );
        }
        this.jobs = jobs;

        this.schedule = new GlueSchedule(
            `${name}-schedule`,
            {
                jobs: Object.fromEntries(Object.entries(jobs).map(([accountId, job]) => [accountId, job.jobName])),
                plan: { schedule: args.schedule, concurrentRunsQuota: args.settings.concurrentRunsQuota, staggerMinutes: args.settings.staggerMinutes },
                tags: args.tags,
            },
            { parent: this },
        );

        this.securityConfigurationName = securityConfiguration.name;
        this.registerOutputs({ securityConfigurationName: this.securityConfigurationName });
    }
}
