import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ResourcePolicy } from "./policies";

/** The CloudTrail management events that attack the archive, by event source. */
export const TAMPER_EVENTS = {
    /** Each makes every log under the key unreadable, or opens the way to it. */
    key: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"],
    /** Each removes a protection of the archive bucket. */
    bucket: [
        "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
        "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "PutObjectLockConfiguration", "PutBucketVersioning",
        "PutBucketLifecycle", "DeleteBucketLifecycle",
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

/** Lets EventBridge rules of this stack, and nothing else, publish to the alarm topic. */
export function alarmTopicPolicy(args: { readonly topicArn: string; readonly ruleArns: readonly string[]; readonly centralAccountId: string }): ResourcePolicy {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "TamperRulesPublish",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: args.topicArn,
            Condition: {
                ArnEquals: { "aws:SourceArn": [...args.ruleArns].sort() },
                StringEquals: { "aws:SourceAccount": args.centralAccountId },
            },
        }],
    };
}

/** Arguments of {@link TamperAlarm}. */
export interface TamperAlarmArgs {
    readonly centralAccountId: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly archiveBucketName: pulumi.Input<string>;
    /**
     * Existing SNS topic to notify (config `cloudtrail-lake:normaliser.alarmTopicArn`); its policy must let
     * `events.amazonaws.com` publish. Unset: the component creates a topic for the alarms.
     */
    readonly alarmTopicArn?: string;
    readonly tags?: Record<string, string>;
}

/**
 * Alarms on any attempt to disable, delete or re-policy the archive key, or to change a protection
 * of the archive bucket: EventBridge rules on the central account's CloudTrail management events →
 * the stack's alarm topic. Needs a trail in the central account (list it in `accounts`).
 */
export class TamperAlarm extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: TamperAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:archive:TamperAlarm", name, {}, opts);

        const topic = args.alarmTopicArn === undefined
            ? new aws.sns.Topic(`${name}-topic`, { tags: args.tags }, { parent: this })
            : undefined;
        const topicArn = topic ? topic.arn : pulumi.output(args.alarmTopicArn as string);

        const rules = [
            new aws.cloudwatch.EventRule(`${name}-key`, {
                description: "cloudtrail-lake: an attempt to disable, delete or re-policy the archive key",
                eventPattern: pulumi.output(args.keyArn).apply((keyArn) => JSON.stringify(keyTamperPattern(keyArn))),
                tags: args.tags,
            }, { parent: this }),
            new aws.cloudwatch.EventRule(`${name}-bucket`, {
                description: "cloudtrail-lake: a change to a protection of the archive bucket",
                eventPattern: pulumi.output(args.archiveBucketName).apply((bucketName) => JSON.stringify(bucketTamperPattern(bucketName))),
                tags: args.tags,
            }, { parent: this }),
        ];

        const topicPolicy = topic && new aws.sns.TopicPolicy(`${name}-topic-policy`, {
            arn: topic.arn,
            policy: pulumi.all([topic.arn, args.centralAccountId, ...rules.map((rule) => rule.arn)]).apply(([arn, centralAccountId, ...ruleArns]) =>
                JSON.stringify(alarmTopicPolicy({ topicArn: arn, ruleArns, centralAccountId }))),
        }, { parent: this });

        rules.forEach((rule, index) => {
            new aws.cloudwatch.EventTarget(`${name}-${["key", "bucket"][index]}-target`, {
                rule: rule.name,
                arn: topicArn,
            }, { parent: this, dependsOn: topicPolicy ? [topicPolicy] : [] });
        });

        this.topicArn = topicArn;
        this.registerOutputs({ topicArn });
    }
}
