import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam/policyJson";
import { queueNotEmptyAlarmArgs, ruleFailedInvocationsAlarmArgs } from "./alarms";
import { eventTargetDeadLetterQueuePolicy } from "./alerts/alertPolicies";

/** An EventBridge rule whose targets are watched. */
export interface WatchedRule {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    /** What the rule's target does, for the alarm's description. */
    readonly what: string;
}

/** Arguments of {@link RuleFailureWatch}. */
export interface RuleFailureWatchArgs {
    /** The rules; each target of theirs sets `deadLetterConfig: { arn: deadLetterQueueArn }`. */
    readonly rules: readonly WatchedRule[];
    /** SNS topic the alarms notify. @default none: the alarms show in CloudWatch only */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * Makes a failed EventBridge delivery visible instead of silent: an alarm on each rule's
 * FailedInvocations, and a dead-letter queue for the rules' targets (EventBridge "Using dead-letter
 * queues to process undelivered events": after its retries, or at once on a permission error, the
 * event waits there with the error in its attributes) with an alarm on its depth.
 */
export class RuleFailureWatch extends pulumi.ComponentResource {
    public readonly deadLetterQueueArn: pulumi.Output<string>;
    /** The alarms' ARNs: a topic policy that lets CloudWatch publish names them. */
    public readonly alarmArns: pulumi.Output<string>[];

    constructor(name: string, args: RuleFailureWatchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:index:RuleFailureWatch", name, {}, opts);
        const alarmActions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
        const queue = new aws.sqs.Queue(
            `${name}-dlq`,
            { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600, tags: args.tags },
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-dlq-policy`,
            {
                queueUrl: queue.url,
                policy: policyJson(pulumi.all([queue.arn, ...args.rules.map((rule) => rule.arn)]), ([queueArn, ...ruleArns]) =>
                    eventTargetDeadLetterQueuePolicy({ queueArn, ruleArns }),
                ),
            },
            { parent: this },
        );
        const depthAlarm = new aws.cloudwatch.MetricAlarm(
            `${name}-dlq-not-empty`,
            {
                ...queueNotEmptyAlarmArgs(
                    queue.name,
                    `cloudtrail-lake: EventBridge could not deliver events of ${args.rules.map((rule) => rule.what).join("; ")}; they wait in this dead-letter queue with the error in their attributes`,
                ),
                alarmActions,
                tags: args.tags,
            },
            { parent: this },
        );
        const failureAlarms = args.rules.map(
            (rule, index) =>
                new aws.cloudwatch.MetricAlarm(
                    `${name}-failed-invocations-${index}`,
                    {
                        ...ruleFailedInvocationsAlarmArgs(
                            rule.name,
                            `cloudtrail-lake: EventBridge failed to deliver to the target of the rule that ${rule.what} (a topic, key or queue policy refused it?)`,
                        ),
                        alarmActions,
                        tags: args.tags,
                    },
                    { parent: this },
                ),
        );
        this.deadLetterQueueArn = queue.arn;
        this.alarmArns = [depthAlarm, ...failureAlarms].map((alarm) => alarm.arn);
        this.registerOutputs({ deadLetterQueueArn: this.deadLetterQueueArn, alarmArns: this.alarmArns });
    }
}
