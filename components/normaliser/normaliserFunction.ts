import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { BucketRef } from "../references";
import { ANY_IN_ONE_PERIOD } from "../alarms";
import { QueueFedFunction } from "../queueFedFunction";
import { bundleNormaliser, NORMALISER_RUNTIME } from "./bundle";
import { NormaliserConfig } from "../../config/stackConfig";
import { normaliserRolePolicy, notificationQueuePolicy } from "../iam/servicePolicies";
import { ARCHIVE_LOG_PREFIX } from "../../contract/prefixes";
import { ACCOUNTS_FILE, METRICS_NAMESPACE, SERVICE_NAME, SUSPICIOUS_METRIC } from "../../contract/suspicious";
import { RuleFailureWatch } from "../ruleFailureWatch";
import {
    archiveEventPattern,
    archiveEventsQueuePolicy,
    ExistingArchive,
    existingArchiveReadStatements,
    existingArchiveRegion,
} from "./existingArchivePolicies";
import * as path from "node:path";

/**
 * /tmp of the function. One file at a time (the handler processes a batch sequentially); its
 * outputs take about its compressed size, and a file spanning many partitions spills its
 * decompressed text (up to about 600 MB for the largest files CloudTrail writes, 50 MB compressed)
 * before compressing it: 2 GB leaves room for both. Sizing: docs/architecture.md ("The normaliser"), figures in docs/benchmarks.md.
 */
export const NORMALISER_EPHEMERAL_STORAGE_MB = 2048;

/** `accounts.json` beside the handler: the configured ids, sorted and unique, so reordering accounts in config changes nothing. */
export function accountsFileContent(accountIds: readonly string[]): string {
    return JSON.stringify([...new Set(accountIds)].sort());
}

/** Arguments of {@link NormaliserFunction}. */
export interface NormaliserFunctionArgs {
    /** Region of the buckets: the role may use the key only through S3 in it (kms:ViaService). */
    readonly region: string;
    /** Id of the central account: only its archive bucket may notify the queue. */
    readonly centralAccountId: pulumi.Input<string>;
    /** The archive bucket: it notifies the queue of each new log, the function reads the logs. */
    readonly archiveBucket: BucketRef;
    /** The lake bucket the function writes normalised files into. */
    readonly lakeBucket: BucketRef;
    /** The archive's key: the Lambda decrypts the logs with it and the lake is encrypted with it. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The configured accounts: logs of others are left alone (shipped beside the code, see lambda/normaliser/handler.ts). */
    readonly accountIds: readonly string[];
    /**
     * Existing mode: the archive is another team's bucket. No notification configuration is written on it:
     * S3 → EventBridge (the owner turns it on) → a rule of this stack → the queue; the role reads with
     * s3:GetObject and kms:Decrypt only. `kmsKeyArn` above is then the lake's key alone.
     * @default none: the archive is the stack's own bucket, which notifies the queue directly
     */
    readonly existingArchive?: ExistingArchive;
    /** Memory, timeout, retries, batch size, log retention, alarm topic. */
    readonly settings: NormaliserConfig;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * The normaliser: S3 notifications of new log files → SQS (with a dead-letter queue) → Lambda →
 * normalised objects in the lake. A CloudWatch alarm fires while the dead-letter queue holds a message.
 */
export class NormaliserFunction extends pulumi.ComponentResource {
    public readonly functionName: pulumi.Output<string>;
    public readonly queueUrl: pulumi.Output<string>;
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    public readonly dlqAlarmName: pulumi.Output<string>;
    /** Alarm on archive files the normaliser found suspicious (not under the archive key, an overwritten log). */
    public readonly suspiciousFileAlarmName: pulumi.Output<string>;
    /** The function's role: the principal an existing archive's owner grants read to. */
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: NormaliserFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        // The type token predates the class name (NormaliserFunction): kept, so URNs do not change.
        super("cloudtrail-lake:normaliser:Normaliser", name, {}, opts);
        const consumer = this.consumer(name, args);
        if (args.existingArchive) this.existingArchiveEvents(name, args, args.existingArchive, consumer);
        else this.archiveNotification(name, args, consumer);
        const suspiciousAlarm = this.suspiciousFileAlarm(name, args);

        this.functionName = consumer.functionName;
        this.roleArn = consumer.roleArn;
        this.queueUrl = consumer.queueUrl;
        this.deadLetterQueueUrl = consumer.deadLetterQueueUrl;
        this.dlqAlarmName = consumer.deadLetterAlarmName;
        this.suspiciousFileAlarmName = suspiciousAlarm.name;
        this.registerOutputs({
            suspiciousFileAlarmName: this.suspiciousFileAlarmName,
            functionName: this.functionName,
            roleArn: this.roleArn,
            queueUrl: this.queueUrl,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            dlqAlarmName: this.dlqAlarmName,
        });
    }

    /**
     * The queue of new log files, its dead-letter queue and alarm, and the normaliser Lambda that consumes it: the
     * bundled handler with the configured account ids beside it. Its role reads the archive, writes the lake's
     * normalised prefix, consumes the queue and logs.
     */
    private consumer(name: string, args: NormaliserFunctionArgs): QueueFedFunction {
        const { settings } = args;
        const existing = args.existingArchive;
        return new QueueFedFunction(
            name,
            {
                centralAccountId: args.centralAccountId,
                description: "cloudtrail-lake: normalises CloudTrail log files from the archive into the lake",
                runtime: NORMALISER_RUNTIME,
                architecture: "arm64",
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({
                    "index.js": new pulumi.asset.FileAsset(path.join(bundleNormaliser(), "index.js")),
                    [ACCOUNTS_FILE]: new pulumi.asset.StringAsset(accountsFileContent(args.accountIds)),
                }),
                memoryMb: settings.memoryMb,
                timeoutSeconds: settings.timeoutSeconds,
                ephemeralStorageMb: NORMALISER_EPHEMERAL_STORAGE_MB,
                environment: existing
                    ? {
                          LAKE_BUCKET: args.lakeBucket.name,
                          // The owner's key, if any: a file under another key is reported as suspicious. No
                          // first-version check: the role may not list the owner's versions.
                          ...(existing.kmsKeyArn ? { ARCHIVE_KEY_ARN: existing.kmsKeyArn } : {}),
                          VERIFY_FIRST_VERSION: "false",
                          ...(existingArchiveRegion(existing) ? { ARCHIVE_REGION: existingArchiveRegion(existing)! } : {}),
                          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
                      }
                    : { LAKE_BUCKET: args.lakeBucket.name, ARCHIVE_KEY_ARN: args.kmsKeyArn, POWERTOOLS_SERVICE_NAME: SERVICE_NAME },
                maxReceiveCount: settings.maxReceiveCount,
                batchSize: settings.batchSize,
                maximumBatchingWindowSeconds: settings.maximumBatchingWindowSeconds,
                rolePolicy: ({ queueArn, logGroupArn }) =>
                    policyJson(
                        pulumi.all([args.archiveBucket.arn, args.lakeBucket.arn, args.kmsKeyArn, queueArn, logGroupArn]),
                        ([archiveBucketArn, lakeBucketArn, keyArn, queueArn, logGroupArn]) =>
                            normaliserRolePolicy({
                                region: args.region,
                                archiveBucketArn,
                                lakeBucketArn,
                                keyArn,
                                queueArn,
                                logGroupArn,
                                existingArchiveRead: existing ? existingArchiveReadStatements(existing) : undefined,
                            }),
                    ),
                deadLetterAlarmDescription:
                    "cloudtrail-lake: CloudTrail log files failed normalisation and wait in the dead-letter queue (see the normaliser's logs for bucket, key and reason)",
                alarmTopicArn: settings.alarmTopicArn,
                logRetentionDays: settings.logRetentionDays,
                // These children were the normaliser's own before the queue-fed function was shared with the alerts.
                formerParent: this,
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /**
     * Existing mode: S3 keeps one notification configuration per bucket, and this bucket is someone else's: its
     * EventBridge events are matched by a rule of this stack instead, leaving that configuration alone.
     */
    private existingArchiveEvents(name: string, args: NormaliserFunctionArgs, existing: ExistingArchive, consumer: QueueFedFunction): void {
        const { settings } = args;
        const rule = new aws.cloudwatch.EventRule(
            `${name}-archive-events`,
            {
                description: `cloudtrail-lake: new log files in the existing archive ${existing.bucketName} (S3 EventBridge notifications)`,
                eventPattern: JSON.stringify(archiveEventPattern(existing.bucketName)),
                tags: args.tags,
            },
            { parent: this },
        );
        const queuePolicy = new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            {
                queueUrl: consumer.queueUrl,
                policy: policyJson(pulumi.all([consumer.queueArn, rule.arn]), ([queueArn, ruleArn]) => archiveEventsQueuePolicy({ queueArn, ruleArn })),
            },
            { parent: this },
        );
        // A refused delivery (the queue policy, its key) would drop new log files silently: alarm, and keep them.
        const watch = new RuleFailureWatch(
            `${name}-archive-events-watch`,
            {
                rules: [{ name: rule.name, arn: rule.arn, what: `queues new log files of ${existing.bucketName} for the normaliser` }],
                alarmTopicArn: settings.alarmTopicArn,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-archive-events-to-queue`,
            { rule: rule.name, arn: consumer.queueArn, deadLetterConfig: { arn: watch.deadLetterQueueArn } },
            { parent: this, dependsOn: [queuePolicy] },
        );
    }

    /** The archive bucket notifies the queue of each new log file; the queue policy admits only that bucket. */
    private archiveNotification(name: string, args: NormaliserFunctionArgs, consumer: QueueFedFunction): void {
        const queuePolicy = new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            {
                queueUrl: consumer.queueUrl,
                policy: policyJson(
                    pulumi.all([consumer.queueArn, args.archiveBucket.arn, args.centralAccountId]),
                    ([queueArn, archiveBucketArn, centralAccountId]) => notificationQueuePolicy({ queueArn, archiveBucketArn, centralAccountId }),
                ),
            },
            { parent: this },
        );

        // One notification configuration per bucket is all S3 allows: this resource owns the archive's.
        new aws.s3.BucketNotification(
            `${name}-archive-notification`,
            {
                bucket: args.archiveBucket.name,
                queues: [{ queueArn: consumer.queueArn, events: ["s3:ObjectCreated:*"], filterPrefix: ARCHIVE_LOG_PREFIX, filterSuffix: ".json.gz" }],
            },
            { parent: this, dependsOn: [queuePolicy] },
        ); // S3 sends a test message on create and needs the policy to do so
    }

    /** An alarm on a suspicious file in the archive. */
    private suspiciousFileAlarm(name: string, args: NormaliserFunctionArgs): aws.cloudwatch.MetricAlarm {
        const { settings } = args;
        // The handler counts each suspicious file in an embedded-metric-format log line (Powertools Metrics,
        // dimension `service`); the reason, bucket and key are in the "suspicious archive file" log line beside it.
        return new aws.cloudwatch.MetricAlarm(
            `${name}-suspicious-file`,
            {
                alarmDescription:
                    "cloudtrail-lake: a file in the archive is suspicious (not encrypted under the archive key, or a later version of an existing log); " +
                    'see the normaliser\'s "suspicious archive file" log lines for the reason, bucket and key',
                namespace: METRICS_NAMESPACE,
                metricName: SUSPICIOUS_METRIC,
                dimensions: { service: SERVICE_NAME },
                statistic: "Sum",
                period: 300,
                ...ANY_IN_ONE_PERIOD,
                alarmActions: settings.alarmTopicArn ? [settings.alarmTopicArn] : [],
                tags: args.tags,
            },
            { parent: this },
        );
    }
}
