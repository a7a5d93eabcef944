import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** An alarm that fires as soon as one period's value is above zero; no data is not a breach. */
export const ANY_IN_ONE_PERIOD = {
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
} as const;

/**
 * The metric part of an alarm on a dead-letter queue that is not empty (visible messages over 5 minutes):
 * every dead-letter queue of the stack is watched the same way.
 */
export function queueNotEmptyAlarmArgs(queueName: pulumi.Input<string>, description: string): aws.cloudwatch.MetricAlarmArgs {
    return {
        alarmDescription: description,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queueName },
        statistic: "Maximum",
        period: 300,
        ...ANY_IN_ONE_PERIOD,
    };
}

/**
 * An alarm on an EventBridge rule's failed target invocations ("Monitoring Amazon EventBridge",
 * AWS/Events FailedInvocations by RuleName): a target that refuses the event (a topic or key policy,
 * a queue policy, a deleted function) counts here and nowhere else.
 */
export function ruleFailedInvocationsAlarmArgs(ruleName: pulumi.Input<string>, description: string): aws.cloudwatch.MetricAlarmArgs {
    return {
        alarmDescription: description,
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: ruleName },
        statistic: "Sum",
        period: 300,
        ...ANY_IN_ONE_PERIOD,
    };
}
