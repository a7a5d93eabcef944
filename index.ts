import { declareStackFromPulumiConfig } from "./program";

// The declaration is program.ts, shared with the tests and the offline plan; a bad config stops it before anything is declared.
const { outputs } = declareStackFromPulumiConfig();

export const archiveBucketName = outputs.archiveBucketName;
export const accessLogBucketName = outputs.accessLogBucketName;
export const lakeBucketName = outputs.lakeBucketName;
export const kmsKeyArn = outputs.kmsKeyArn;
/** Trail ARN per account id. */
export const trailArns = outputs.trailArns;
export const normaliserFunctionName = outputs.normaliserFunctionName;
export const normaliserDeadLetterQueueUrl = outputs.normaliserDeadLetterQueueUrl;
export const glueJobNames = outputs.glueJobNames;
export const glueDatabaseName = outputs.glueDatabaseName;
export const athenaWorkgroupName = outputs.athenaWorkgroupName;
/** Organization mode only; an output in every mode, unset outside it. */
export const organizationTrailArn = outputs.organizationTrailArn;
/** The principal an existing archive's owner grants read to (`npm run bucket-owner-statements`). */
export const normaliserRoleArn = outputs.normaliserRoleArn;
/** Alerting (set when cloudtrail-lake:alerts is configured): subscribe to the topic, point subscriptions' RedrivePolicy at the DLQ. */
export const alertTopicArn = outputs.alertTopicArn;
export const alertDeliveryDeadLetterQueueArn = outputs.alertDeliveryDeadLetterQueueArn;
export const alertEventEvaluatorName = outputs.alertEventEvaluatorName;
export const alertScheduledEvaluatorName = outputs.alertScheduledEvaluatorName;
