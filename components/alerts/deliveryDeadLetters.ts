import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { queueNotEmptyAlarmArgs } from "../alarms";
import { deliveryDeadLetterQueuePolicy } from "./alertPolicies";

/** What {@link declareDeliveryDeadLetters} needs besides the parent. */
export interface DeliveryDeadLettersArgs {
    /** The topic whose failed deliveries the queue keeps: only it may send there. */
    readonly topic: aws.sns.Topic;
    /** The queue-depth alarm's description: what waits in the queue. */
    readonly alarmDescription: string;
    /** Where the depth alarm notifies; omitted where the only topic is the one whose delivery failed. */
    readonly alarmActions?: pulumi.Input<pulumi.Input<string>[]>;
    readonly tags?: Record<string, string>;
}

/**
 * The dead-letter queue of a topic's subscriptions (`<name>-delivery-dlq`), its policy that lets only
 * that topic send to it, and its depth alarm (`<name>-delivery-dlq-not-empty`): subscribers (email,
 * chat, paging) set the queue as their subscription's RedrivePolicy, so a message SNS could not
 * deliver waits there and shows in CloudWatch. The alert topic and the tamper alarm's topic both
 * have one. A function rather than a component: the resources keep the parent they had.
 */
export function declareDeliveryDeadLetters(name: string, args: DeliveryDeadLettersArgs, parent: pulumi.Resource): aws.sqs.Queue {
    const deliveryDeadLetters = new aws.sqs.Queue(
        `${name}-delivery-dlq`,
        { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600, tags: args.tags },
        { parent },
    );
    new aws.sqs.QueuePolicy(
        `${name}-delivery-dlq-policy`,
        {
            queueUrl: deliveryDeadLetters.url,
            policy: policyJson(pulumi.all([deliveryDeadLetters.arn, args.topic.arn]), ([queueArn, topicArn]) =>
                deliveryDeadLetterQueuePolicy({ queueArn, topicArn }),
            ),
        },
        { parent },
    );
    new aws.cloudwatch.MetricAlarm(
        `${name}-delivery-dlq-not-empty`,
        {
            ...queueNotEmptyAlarmArgs(deliveryDeadLetters.name, args.alarmDescription),
            ...(args.alarmActions === undefined ? {} : { alarmActions: args.alarmActions }),
            tags: args.tags,
        },
        { parent },
    );
    return deliveryDeadLetters;
}
