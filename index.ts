import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CloudTrailLake } from "./components/cloudTrailLake";
import { lakeConfigFromPulumi } from "./config/stackConfig";

// Validate all of the config before declaring anything: a bad value stops here, with every problem listed.
const config = lakeConfigFromPulumi(pulumi.runtime.allConfig());
const region = new pulumi.Config("aws").require("region");

const stack = new CloudTrailLake("cloudtrail-lake", {
    config,
    region,
    centralAccountId: aws.getCallerIdentityOutput().accountId,
});

/** The bucket the normaliser reads: the stack's archive, or the existing one (trailMode existing). */
export const archiveBucketName = stack.archiveBucketName;
export const accessLogBucketName = stack.archive.accessLogBucketName;
export const lakeBucketName = stack.lake.bucketName;
export const kmsKeyArn = stack.archive.keyArn;
/** Trail ARN per account id. */
export const trailArns = pulumi.all(Object.fromEntries(Object.entries(stack.trails).map(([accountId, trail]) => [accountId, trail.trailArn])));
/** Organization mode only; an output in every mode, unset outside it. */
export const organizationTrailArn = pulumi.output(stack.organizationTrail?.trailArn);
export const normaliserFunctionName = stack.normaliser.functionName;
/** The principal an existing archive's owner grants read to (`npm run bucket-owner-statements`). */
export const normaliserRoleArn = stack.normaliser.roleArn;
export const normaliserDeadLetterQueueUrl = stack.normaliser.deadLetterQueueUrl;
export const glueJobNames = pulumi.all(Object.fromEntries(Object.entries(stack.conversion.jobs).map(([accountId, job]) => [accountId, job.jobName])));
export const glueDatabaseName = stack.catalog.databaseName;
export const athenaWorkgroupName = stack.catalog.workgroupName;
/** Alerting (set when cloudtrail-lake:alerts is configured): subscribe to the topic, point subscriptions' RedrivePolicy at the DLQ. */
export const alertTopicArn = stack.alerting?.topicArn;
export const alertDeliveryDeadLetterQueueArn = stack.alerting?.deliveryDeadLetterQueueArn;
export const alertEventEvaluatorName = stack.alerting?.eventEvaluatorName;
export const alertScheduledEvaluatorName = stack.alerting?.scheduledEvaluatorName;
