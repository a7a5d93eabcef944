import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { BucketRef } from "../references";
import { GlueConfig } from "../../config/stackConfig";
import { glueJobRolePolicy, serviceTrustPolicy } from "../iam/servicePolicies";
import { LAKE_PREFIXES } from "../../contract/prefixes";

/** Arguments of {@link AccountJob}. */
export interface AccountJobArgs {
    /** The account whose normalised logs this job converts. */
    readonly accountId: string;
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Region of the job and the lake. */
    readonly region: string;
    /** Id of the central account: the role's trust is pinned to it. */
    readonly centralAccountId: pulumi.Input<string>;
    /** The lake bucket: the job reads normalised JSON and writes Parquet under the account's prefixes. */
    readonly lakeBucket: BucketRef;
    /** Key of the lake bucket. */
    readonly lakeKeyArn: pulumi.Input<string>;
    /** Key of the security configuration. */
    readonly glueKeyArn: pulumi.Input<string>;
    /** Glue security configuration encrypting S3 output, logs and bookmarks. */
    readonly securityConfigurationName: pulumi.Input<string>;
    /** S3 locations of the job script, its helper module and the schema. */
    readonly scriptLocation: pulumi.Input<string>;
    /** S3 location of the job's helper module. */
    readonly helperLocation: pulumi.Input<string>;
    /** S3 location of glue/schema.json. */
    readonly schemaLocation: pulumi.Input<string>;
    /** Worker type and count, timeout, execution class. */
    readonly settings: GlueConfig;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/** The arguments the job script reads (besides JOB_NAME, which Glue passes itself); see glue/lake_job.py. */
export function jobScriptArguments(accountId: string, lakeBucketName: string): Record<string, string> {
    return {
        "--lake_bucket": lakeBucketName,
        "--account_id": accountId,
        "--source_prefix": LAKE_PREFIXES.normalised,
        "--target_prefix": LAKE_PREFIXES.parquet,
        // --extra-files copies the schema into the script's working directory under its own name.
        "--schema_file": "schema.json",
    };
}

/**
 * One account's Glue job (normalised JSON → Parquet) and its role, which can read only that
 * account's normalised prefix and write only its Parquet prefix. One job per account keeps each
 * account's bookmark, permissions and failures apart.
 */
export class AccountJob extends pulumi.ComponentResource {
    public readonly jobName: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: AccountJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:glue:AccountJob", name, {}, opts);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: policyJson(pulumi.output(args.centralAccountId), (centralAccountId) =>
                    serviceTrustPolicy("glue.amazonaws.com", centralAccountId),
                ),
                tags: { ...args.tags, "cloudtrail-lake:account": args.accountId },
            },
            { parent: this },
        );

        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.id,
                policy: policyJson(
                    pulumi.all([args.centralAccountId, args.lakeBucket.arn, args.lakeKeyArn, args.glueKeyArn]),
                    ([centralAccountId, lakeBucketArn, lakeKeyArn, glueKeyArn]) =>
                        glueJobRolePolicy({
                            partition: args.partition,
                            region: args.region,
                            centralAccountId,
                            accountId: args.accountId,
                            lakeBucketArn,
                            lakeKeyArn,
                            glueKeyArn,
                        }),
                ),
            },
            { parent: this },
        );

        const job = new aws.glue.Job(
            name,
            {
                name: pulumi.interpolate`cloudtrail-lake-${pulumi.getStack()}-${args.accountId}`,
                description: `cloudtrail-lake: normalised CloudTrail of ${args.accountId} to Parquet`,
                roleArn: role.arn,
                glueVersion: "5.0",
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: args.scriptLocation },
                workerType: args.settings.workerType,
                numberOfWorkers: args.settings.numberOfWorkers,
                timeout: args.settings.timeoutMinutes,
                executionClass: args.settings.executionClass,
                maxRetries: 0, // the next scheduled run retries: the bookmark was not committed
                // Bookmarks require exactly one run at a time.
                executionProperty: { maxConcurrentRuns: 1 },
                // Past the account's concurrent-run quota, runs wait instead of failing.
                jobRunQueuingEnabled: true,
                securityConfiguration: args.securityConfigurationName,
                defaultArguments: pulumi.all([args.lakeBucket.name, args.helperLocation, args.schemaLocation]).apply(([lakeBucketName, helper, schema]) => ({
                    // Only arguments that change something on Glue 5.0: no --job-language (python is the
                    // default) and no --enable-continuous-cloudwatch-log (5.0 always logs in real time).
                    "--job-bookmark-option": "job-bookmark-enable",
                    "--enable-metrics": "true",
                    "--enable-observability-metrics": "true",
                    "--TempDir": `s3://${lakeBucketName}/${LAKE_PREFIXES.glueTemp}${args.accountId}/`,
                    "--extra-py-files": helper,
                    "--extra-files": schema,
                    ...jobScriptArguments(args.accountId, lakeBucketName),
                })),
                tags: { ...args.tags, "cloudtrail-lake:account": args.accountId },
            },
            { parent: this, dependsOn: [rolePolicy] },
        );

        this.jobName = job.name;
        this.roleArn = role.arn;
        this.registerOutputs({ jobName: this.jobName, roleArn: this.roleArn });
    }
}
