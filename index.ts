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

export const archiveBucketName = stack.archive.bucketName;
export const accessLogBucketName = stack.archive.accessLogBucketName;
export const lakeBucketName = stack.lake.bucketName;
export const kmsKeyArn = stack.archive.keyArn;
/** Trail ARN per account id. */
export const trailArns = pulumi.all(Object.fromEntries(Object.entries(stack.trails).map(([accountId, trail]) => [accountId, trail.trailArn])));
export const normaliserFunctionName = stack.normaliser.functionName;
export const normaliserDeadLetterQueueUrl = stack.normaliser.deadLetterQueueUrl;
export const glueJobNames = pulumi.all(Object.fromEntries(Object.entries(stack.conversion.jobs).map(([accountId, job]) => [accountId, job.jobName])));
export const glueDatabaseName = stack.catalog.databaseName;
export const athenaWorkgroupName = stack.catalog.workgroupName;
/** Alerting (set when cloudtrail-lake:alerts is configured): subscribe to the topic, point subscriptions' RedrivePolicy at the DLQ. */
export const alertTopicArn = stack.alerting?.topicArn;
export const alertDeliveryDeadLetterQueueArn = stack.alerting?.deliveryDeadLetterQueueArn;
export const alertEventEvaluatorName = stack.alerting?.eventEvaluatorName;
export const alertScheduledEvaluatorName = stack.alerting?.scheduledEvaluatorName;
