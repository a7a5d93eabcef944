import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { encryptedTopicKeyPolicy, KeyGuardians } from "../alerts/alertPolicies";
import { declareDeliveryDeadLetters } from "../alerts/deliveryDeadLetters";
import { RuleFailureWatch } from "../ruleFailureWatch";
import { ResourcePolicy } from "../iam/policyDocument";

/** The CloudTrail management events that attack the archive, by event source. */
export const TAMPER_EVENTS = {
    /** Each makes every log under the key unreadable, or opens the way to it. */
    key: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"],
    /** Each removes a protection of the archive bucket. */
    bucket: [
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutBucketOwnershipControls",
        "DeleteBucketOwnershipControls",
        "PutObjectLockConfiguration",
        "PutBucketVersioning",
        "PutBucketLifecycle",
        "DeleteBucketLifecycle",
    ],
} as const;

/**
 * EventBridge pattern of an attempt on the archive key: any of {@link TAMPER_EVENTS}.key, allowed or
 * denied (CloudTrail records denied calls too, with an errorCode). These three calls take the key as
 * key id or key ARN (no alias), which CloudTrail records as `requestParameters.keyId`.
 */
export function keyTamperPattern(keyArn: string): Record<string, unknown> {
    const keyId = keyArn.slice(keyArn.lastIndexOf("/") + 1);
    return {
        "source": ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": { eventSource: ["kms.amazonaws.com"], eventName: [...TAMPER_EVENTS.key], requestParameters: { keyId: [keyId, keyArn] } },
    };
}

/** EventBridge pattern of a change to one of the archive bucket's protections. */
export function bucketTamperPattern(bucketName: string): Record<string, unknown> {
    return {
        "source": ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": { eventSource: ["s3.amazonaws.com"], eventName: [...TAMPER_EVENTS.bucket], requestParameters: { bucketName: [bucketName] } },
    };
}

/**
 * Lets the stack's EventBridge rules, and the CloudWatch alarms that watch their delivery, publish to the
 * alarm topic, and nothing else (the documented topic policies of "Amazon EventBridge targets: Amazon SNS"
 * and of CloudWatch alarm actions, each pinned with aws:SourceArn).
 */
export function alarmTopicPolicy(args: {
    readonly topicArn: string;
    readonly ruleArns: readonly string[];
    readonly centralAccountId: string;
    /** CloudWatch alarms that notify the topic when a rule's delivery fails. @default none */
    readonly alarmArns?: readonly string[];
}): ResourcePolicy {
    const alarms = args.alarmArns ?? [];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TamperRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: args.topicArn,
                Condition: {
                    ArnEquals: { "aws:SourceArn": [...args.ruleArns].sort() },
                    StringEquals: { "aws:SourceAccount": args.centralAccountId },
                },
            },
            ...(alarms.length > 0
                ? [
                      {
                          Sid: "DeliveryAlarmsPublish",
                          Effect: "Allow" as const,
                          Principal: { Service: "cloudwatch.amazonaws.com" },
                          Action: "sns:Publish",
                          Resource: args.topicArn,
                          Condition: {
                              ArnEquals: { "aws:SourceArn": [...alarms].sort() },
                              StringEquals: { "aws:SourceAccount": args.centralAccountId },
                          },
                      },
                  ]
                : []),
        ],
    };
}

/**
 * Key policy of the alarm topic's own key: EventBridge (the tamper rules) and CloudWatch (the alarms on
 * their failed deliveries) must be able to use it to publish to the encrypted topic, in the statement
 * SNS documents, with no aws:Source* condition (see {@link encryptedTopicKeyPolicy}); the topic policy
 * pins the rules and alarms.
 */
export function alarmTopicKeyPolicy(args: KeyGuardians & { readonly partition: string; readonly centralAccountId: string }): ResourcePolicy {
    return encryptedTopicKeyPolicy({
        ...args,
        publisherServices: [
            { service: "events.amazonaws.com", sid: "EventBridgePublishesToEncryptedTopic" },
            { service: "cloudwatch.amazonaws.com", sid: "CloudWatchAlarmsPublishToEncryptedTopic" },
        ],
    }) as ResourcePolicy;
}

/** Arguments of {@link TamperAlarm}. */
export interface TamperAlarmArgs {
    readonly centralAccountId: pulumi.Input<string>;
    /** AWS partition of the stack's region (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    readonly keyArn: pulumi.Input<string>;
    readonly archiveBucketName: pulumi.Input<string>;
    /**
     * Existing SNS topic to notify (config `cloudtrail-lake:normaliser.alarmTopicArn`); its policy must let
     * `events.amazonaws.com` publish.
     * @default none: the component creates a topic for the alarms
     */
    readonly alarmTopicArn?: string;
    /** Alone may disable or delete the topic's key (config `cloudtrail-lake:breakGlassRoleArn`). @default nobody */
    readonly breakGlassRoleArn?: string;
    /** Whoever runs `pulumi up`: besides the break-glass role, the only principal that may change the topic key's policy. */
    readonly deployPrincipalArn: pulumi.Input<string>;
    /** @default none */
    readonly tags?: Record<string, string>;
}

/**
 * Alarms on any attempt to disable, delete or re-policy the archive key, or to change a protection
 * of the archive bucket: EventBridge rules on the central account's CloudTrail management events →
 * the stack's alarm topic. Needs a trail in the central account (list it in `accounts`).
 */
export class TamperAlarm extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    /** Dead-letter queue for subscriptions of the topic the component creates (unset with an existing topic). */
    public readonly deliveryDeadLetterQueueArn?: pulumi.Output<string>;

    constructor(name: string, args: TamperAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:archive:TamperAlarm", name, {}, opts);

        const topic =
            args.alarmTopicArn === undefined
                ? new aws.sns.Topic(
                      `${name}-topic`,
                      {
                          // Encrypted at rest like every topic of the stack (policy pack: sns-topic-encrypted), with a key of its own.
                          kmsMasterKeyId: new aws.kms.Key(
                              `${name}-topic-key`,
                              {
                                  description: "cloudtrail-lake: encrypts the archive tamper alarm topic",
                                  enableKeyRotation: true,
                                  policy: policyJson(pulumi.all([args.centralAccountId, args.deployPrincipalArn]), ([centralAccountId, deployPrincipalArn]) =>
                                      alarmTopicKeyPolicy({
                                          partition: args.partition,
                                          centralAccountId,
                                          deployPrincipalArn,
                                          breakGlassRoleArn: args.breakGlassRoleArn,
                                      }),
                                  ),
                                  tags: args.tags,
                              },
                              { parent: this },
                          ).arn,
                          tags: args.tags,
                      },
                      { parent: this },
                  )
                : undefined;
        const topicArn = topic ? topic.arn : pulumi.output(args.alarmTopicArn as string);

        const rules = [
            new aws.cloudwatch.EventRule(
                `${name}-key`,
                {
                    description: "cloudtrail-lake: an attempt to disable, delete or re-policy the archive key",
                    eventPattern: pulumi.output(args.keyArn).apply((keyArn) => JSON.stringify(keyTamperPattern(keyArn))),
                    tags: args.tags,
                },
                { parent: this },
            ),
            new aws.cloudwatch.EventRule(
                `${name}-bucket`,
                {
                    description: "cloudtrail-lake: a change to a protection of the archive bucket",
                    eventPattern: pulumi.output(args.archiveBucketName).apply((bucketName) => JSON.stringify(bucketTamperPattern(bucketName))),
                    tags: args.tags,
                },
                { parent: this },
            ),
        ];

        // A tamper event EventBridge cannot deliver must not vanish: it waits in a dead-letter queue, and the
        // rules' FailedInvocations alarm. Without a topic of the operator's, the alarms notify this topic
        // through CloudWatch, a second publisher that does not depend on EventBridge's grant.
        const watch = new RuleFailureWatch(
            `${name}-delivery-watch`,
            {
                rules: [
                    { name: rules[0].name, arn: rules[0].arn, what: "alarms on an attempt on the archive key" },
                    { name: rules[1].name, arn: rules[1].arn, what: "alarms on a change to the archive bucket's protections" },
                ],
                alarmTopicArn: topicArn,
                tags: args.tags,
            },
            { parent: this },
        );

        const topicPolicy =
            topic &&
            new aws.sns.TopicPolicy(
                `${name}-topic-policy`,
                {
                    arn: topic.arn,
                    policy: policyJson(
                        pulumi.all([topic.arn, args.centralAccountId, pulumi.all(rules.map((rule) => rule.arn)), pulumi.all(watch.alarmArns)]),
                        ([arn, centralAccountId, ruleArns, alarmArns]) => alarmTopicPolicy({ topicArn: arn, ruleArns, centralAccountId, alarmArns }),
                    ),
                },
                { parent: this },
            );

        rules.forEach((rule, index) => {
            new aws.cloudwatch.EventTarget(
                `${name}-${["key", "bucket"][index]}-target`,
                {
                    rule: rule.name,
                    arn: topicArn,
                    deadLetterConfig: { arn: watch.deadLetterQueueArn },
                    // EventBridge's defaults, stated: a throttled or unavailable topic is retried for a day.
                    retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
                },
                { parent: this, dependsOn: topicPolicy ? [topicPolicy] : [] },
            );
        });

        if (topic) {
            // Subscribers (email, chat, paging) set this queue as their subscription's RedrivePolicy: a
            // tamper alarm that could not be delivered waits here, and the queue's depth alarm shows it in
            // CloudWatch (it cannot notify the topic whose delivery failed).
            const deliveryDeadLetters = declareDeliveryDeadLetters(
                name,
                {
                    topic,
                    alarmDescription: "cloudtrail-lake: a tamper alarm could not be delivered to a subscriber and waits in the delivery dead-letter queue",
                    tags: args.tags,
                },
                this,
            );
            this.deliveryDeadLetterQueueArn = deliveryDeadLetters.arn;
        }
        this.topicArn = topicArn;
        this.registerOutputs({ topicArn, deliveryDeadLetterQueueArn: this.deliveryDeadLetterQueueArn });
    }
}
