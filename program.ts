/**
 * The stack declaration: what index.ts runs under `pulumi up`, and what the tests, `npm run plan`
 * and the benchmarks run under Pulumi's mocks (testing/mockProgram.ts), so that they all declare
 * exactly the same program.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CloudTrailLake } from "./components/cloudTrailLake";
import { LakeConfig, lakeConfigFromPulumi } from "./config/stackConfig";

/** Where the stack is deployed. */
export interface StackLocation {
    /** Region of the central resources and home region of the member trails. */
    readonly region: string;
    /** Id of the central (log-archive) account the default provider deploys into. */
    readonly centralAccountId: pulumi.Input<string>;
}

/** The stack outputs (index.ts exports each under its name). */
export interface StackOutputs {
    /** The bucket the normaliser reads: the stack's archive, or the existing one (trailMode existing). */
    readonly archiveBucketName: pulumi.Output<string>;
    /** The bucket that receives the S3 server access logs of the archive and the lake. */
    readonly accessLogBucketName: pulumi.Output<string>;
    /** The lake bucket: `normalised/`, `parquet/`, Athena results. */
    readonly lakeBucketName: pulumi.Output<string>;
    /** The archive's KMS key (retained on `pulumi destroy`). */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** Trail ARN per account id. */
    readonly trailArns: pulumi.Output<Record<string, string>>;
    /** Organization mode only; an output in every mode, unset outside it. */
    readonly organizationTrailArn: pulumi.Output<string | undefined>;
    /** The normaliser Lambda's name. */
    readonly normaliserFunctionName: pulumi.Output<string>;
    /** The principal an existing archive's owner grants read to (`npm run bucket-owner-statements`). */
    readonly normaliserRoleArn: pulumi.Output<string>;
    /** Where log files that failed `normaliser.maxReceiveCount` times wait (an alarm fires). */
    readonly normaliserDeadLetterQueueUrl: pulumi.Output<string>;
    /** Glue job name per account id. */
    readonly glueJobNames: pulumi.Output<Record<string, string>>;
    /** The Glue database of the `cloudtrail` (Parquet), `cloudtrail_raw` and, with alerts, `cloudtrail_recent` tables. */
    readonly glueDatabaseName: pulumi.Output<string>;
    /** The Athena workgroup holding one named query per detection (`npm run query` runs there). */
    readonly athenaWorkgroupName: pulumi.Output<string>;
    /** Alerting (set when cloudtrail-lake:alerts is configured): the SNS topic to subscribe to. */
    readonly alertTopicArn?: pulumi.Output<string>;
    /** Alerting: the dead-letter queue every subscription's RedrivePolicy points at. */
    readonly alertDeliveryDeadLetterQueueArn?: pulumi.Output<string>;
    /** Alerting: the Lambda that runs the `kind: event` detections on each normalised file. */
    readonly alertEventEvaluatorName?: pulumi.Output<string>;
    /** Alerting: the Lambda that runs the windowed detections on Athena every `alerts.scheduleMinutes`. */
    readonly alertScheduledEvaluatorName?: pulumi.Output<string>;
}

export interface DeclaredStack {
    readonly lake: CloudTrailLake;
    readonly outputs: StackOutputs;
}

/** Declares the whole stack from validated config; `opts` go to the root component (its children inherit them). */
export function declareStack(config: LakeConfig, location: StackLocation, opts?: pulumi.ComponentResourceOptions): DeclaredStack {
    const lake = new CloudTrailLake("cloudtrail-lake", { config, region: location.region, centralAccountId: location.centralAccountId }, opts);
    const byAccount = <T>(items: Readonly<Record<string, T>>, output: (item: T) => pulumi.Output<string>) =>
        pulumi.all(Object.fromEntries(Object.entries(items).map(([accountId, item]) => [accountId, output(item)])));
    return {
        lake,
        outputs: {
            archiveBucketName: lake.archiveBucketName,
            accessLogBucketName: lake.archive.accessLogBucketName,
            lakeBucketName: lake.lake.bucketName,
            kmsKeyArn: lake.archive.keyArn,
            trailArns: byAccount(lake.trails, (trail) => trail.trailArn),
            organizationTrailArn: pulumi.output(lake.organizationTrail?.trailArn),
            normaliserFunctionName: lake.normaliser.functionName,
            normaliserRoleArn: lake.normaliser.roleArn,
            normaliserDeadLetterQueueUrl: lake.normaliser.deadLetterQueueUrl,
            glueJobNames: byAccount(lake.conversion.jobs, (job) => job.jobName),
            glueDatabaseName: lake.catalog.databaseName,
            athenaWorkgroupName: lake.catalog.workgroupName,
            alertTopicArn: lake.alerting?.topicArn,
            alertDeliveryDeadLetterQueueArn: lake.alerting?.deliveryDeadLetterQueueArn,
            alertEventEvaluatorName: lake.alerting?.eventEvaluatorName,
            alertScheduledEvaluatorName: lake.alerting?.scheduledEvaluatorName,
        },
    };
}

/**
 * Declares the stack from the Pulumi stack's config (`pulumi.runtime.allConfig()`), deployed by
 * the default provider's account. The whole config is validated first: a bad value throws the
 * ConfigError listing every problem before anything is declared.
 */
export function declareStackFromPulumiConfig(opts?: pulumi.ComponentResourceOptions): DeclaredStack {
    const config = lakeConfigFromPulumi(pulumi.runtime.allConfig());
    const region = new pulumi.Config("aws").require("region");
    return declareStack(config, { region, centralAccountId: aws.getCallerIdentityOutput().accountId }, opts);
}
