import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../iam/policyJson";
import { BucketRef } from "../references";
import { ANY_IN_ONE_PERIOD } from "../alarms";
import { ALERTS_ARCHITECTURE, ALERTS_RUNTIME, bundleAlerts } from "./bundle";
import { AlertingSettings, RECENT_TABLE } from "../../contract/alerting";
import { AlertsConfig } from "../../config/alerts";
import { serviceTrustPolicy } from "../iam/servicePolicies";
import { RuleFailureWatch } from "../ruleFailureWatch";
import { QueueFedFunction } from "../queueFedFunction";
import { declareDeliveryDeadLetters } from "./deliveryDeadLetters";
import { LAKE_PREFIXES } from "../../contract/prefixes";
import { ProjectionArgs } from "../catalog/tables";
import {
    alertKeyPolicy,
    alertTopicPolicy,
    CommonArgs,
    eventEvaluatorPolicy,
    lakeNotificationQueuePolicy,
    recentTable,
    scheduledEvaluatorPolicy,
} from "./alertPolicies";

/** Arguments of {@link Alerting}. */
export interface AlertingArgs {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Region of the functions, the lake and the workgroup. */
    readonly region: string;
    /** Id of the central account: key and topic policies and the roles' trust are pinned to it. */
    readonly centralAccountId: pulumi.Input<string>;
    /** The lake bucket: its new normalised files trigger the event evaluator; the scheduled one reads them. */
    readonly lakeBucket: BucketRef;
    /** The lake's key (the archive key). */
    readonly lakeKeyArn: pulumi.Input<string>;
    /** Glue database and Athena workgroup of the catalog: the `cloudtrail_recent` table goes in the database. */
    readonly databaseName: pulumi.Input<string>;
    readonly workgroupName: pulumi.Input<string>;
    /** Partition projection of the `cloudtrail_recent` table (accounts, regions, first date). */
    readonly projection: ProjectionArgs;
    /** `cloudtrail-lake:alerts`. */
    readonly config: AlertsConfig;
    /** What the functions evaluate and how (catalogue, suppressions, account names, windows); see contract/alerting.ts. */
    readonly settings: AlertingSettings;
    /** SNS topic the dead-letter alarms notify (normaliser.alarmTopicArn). @default none: the alarms show in CloudWatch only */
    readonly alarmTopicArn?: string;
    /** Alone may disable or delete the alert topic's key (config `cloudtrail-lake:breakGlassRoleArn`). @default nobody */
    readonly breakGlassRoleArn?: string;
    /** Whoever runs `pulumi up`: besides the break-glass role, the only principal that may change the alert topic key's policy. */
    readonly deployPrincipalArn: pulumi.Input<string>;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

const EVALUATOR_TIMEOUT_SECONDS = 300;
export const SCHEDULED_TIMEOUT_SECONDS = 900;
/**
 * /tmp of the event evaluator: one normalised file and DuckDB's spill files (its memory limit is 512 MB,
 * lambda/alerts/handlers.ts). Lambda's default of 512 MB would leave no room for both.
 */
export const EVALUATOR_EPHEMERAL_STORAGE_MB = 2048;

/**
 * Alerting: normalised files → S3 notification → SQS → event evaluator (DuckDB, kind=event
 * detections); an EventBridge schedule → scheduled evaluator (Athena over `cloudtrail_recent`,
 * threshold and correlation detections); both deduplicate in DynamoDB and send to an encrypted
 * SNS topic and/or an EventBridge bus. Dead-letter queues (evaluator messages, topic deliveries)
 * each have an alarm.
 */
export class Alerting extends pulumi.ComponentResource {
    public readonly topicArn?: pulumi.Output<string>;
    public readonly deliveryDeadLetterQueueArn?: pulumi.Output<string>;
    public readonly dedupTableName: pulumi.Output<string>;
    public readonly eventEvaluatorName: pulumi.Output<string>;
    public readonly scheduledEvaluatorName: pulumi.Output<string>;
    /** Role of the scheduled evaluator: other sources' readers (components/flowlogs/) grant it their tables. */
    public readonly scheduledEvaluatorRoleName: pulumi.Output<string>;
    public readonly recentTableName: pulumi.Output<string>;

    constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:alerts:Alerting", name, {}, opts);
        const recent = this.recentTable(name, args);
        const dedup = this.dedupTable(name, args);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: 90, tags: args.tags }, { parent: this });
        const topic = args.config.snsTopic?.enabled ? this.topic(name, args) : undefined;
        const functions: EvaluatorCommons = {
            code: new pulumi.asset.FileArchive(bundleAlerts(args.settings)),
            environment: {
                HOME: "/tmp", // DuckDB writes its home directory; only /tmp is writable in Lambda.
                DEDUP_TABLE: dedup.name,
                ...(topic ? { ALERT_TOPIC_ARN: topic.topic.arn } : {}),
                ATHENA_WORKGROUP: pulumi.output(args.workgroupName),
                GLUE_DATABASE: pulumi.output(args.databaseName),
                POWERTOOLS_SERVICE_NAME: "cloudtrail-lake-alerts",
            },
            logGroup,
            grants: this.commonGrants(args, dedup, logGroup, topic),
        };
        const eventEvaluator = this.eventEvaluator(name, args, functions);
        this.lakeNotification(name, args, eventEvaluator);
        const scheduled = this.scheduledEvaluator(name, args, functions);
        this.schedule(name, args, scheduled.evaluator);
        if (topic) this.topicPolicy(name, args, topic.topic, [eventEvaluator.roleArn, scheduled.role.arn]);

        this.topicArn = topic?.topic.arn;
        this.deliveryDeadLetterQueueArn = topic?.deliveryDeadLetterQueueArn;
        this.dedupTableName = dedup.name;
        this.eventEvaluatorName = eventEvaluator.functionName;
        this.scheduledEvaluatorName = scheduled.evaluator.name;
        this.scheduledEvaluatorRoleName = scheduled.role.name;
        this.recentTableName = recent.name;
        this.registerOutputs({
            topicArn: this.topicArn,
            deliveryDeadLetterQueueArn: this.deliveryDeadLetterQueueArn,
            dedupTableName: this.dedupTableName,
            eventEvaluatorName: this.eventEvaluatorName,
            scheduledEvaluatorName: this.scheduledEvaluatorName,
            recentTableName: this.recentTableName,
        });
    }

    /** `cloudtrail_recent`: the normalised files as a table, for the scheduled evaluator's Athena queries. */
    private recentTable(name: string, args: AlertingArgs): aws.glue.CatalogTable {
        const table = recentTable("LAKE", args.projection);
        return new aws.glue.CatalogTable(
            `${name}-recent-table`,
            {
                databaseName: args.databaseName,
                name: RECENT_TABLE,
                description: table.description,
                tableType: "EXTERNAL_TABLE",
                parameters: pulumi.output(args.lakeBucket.name).apply((bucket) => recentTable(bucket, args.projection).parameters),
                partitionKeys: table.partitionKeys,
                storageDescriptor: {
                    location: pulumi.interpolate`s3://${args.lakeBucket.name}/${LAKE_PREFIXES.normalised}`,
                    inputFormat: table.inputFormat,
                    outputFormat: table.outputFormat,
                    serDeInfo: { serializationLibrary: table.serde },
                    columns: table.columns,
                },
            },
            { parent: this },
        );
    }

    /** The alerts already sent, by key, until their TTL: both evaluators deduplicate against it. */
    private dedupTable(name: string, args: AlertingArgs): aws.dynamodb.Table {
        return new aws.dynamodb.Table(
            `${name}-dedup`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "alertKey",
                attributes: [{ name: "alertKey", type: "S" }],
                ttl: { attributeName: "expiresAt", enabled: true },
                serverSideEncryption: { enabled: true },
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /**
     * The alert topic, encrypted with a key of its own, and the dead-letter queue (with its alarm) where SNS puts
     * what it could not deliver to a subscriber whose RedrivePolicy names it. Its policy comes last ({@link topicPolicy}):
     * it names the publishers' roles.
     */
    private topic(name: string, args: AlertingArgs): AlertTopic {
        const key = new aws.kms.Key(
            `${name}-topic-key`,
            {
                description: "cloudtrail-lake: encrypts the alert topic",
                enableKeyRotation: true,
                policy: policyJson(pulumi.all([args.centralAccountId, args.deployPrincipalArn]), ([centralAccountId, deployPrincipalArn]) =>
                    alertKeyPolicy({ partition: args.partition, centralAccountId, deployPrincipalArn, breakGlassRoleArn: args.breakGlassRoleArn }),
                ),
                tags: args.tags,
            },
            { parent: this },
        );
        const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn, tags: args.tags }, { parent: this });
        const deliveryDeadLetters = declareDeliveryDeadLetters(
            name,
            {
                topic,
                alarmDescription:
                    "cloudtrail-lake: alerts that SNS could not deliver to a subscriber wait in the delivery dead-letter queue (subscriptions with its RedrivePolicy)",
                alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
                tags: args.tags,
            },
            this,
        );
        return { key, topic, deliveryDeadLetterQueueArn: deliveryDeadLetters.arn };
    }

    /** What both evaluators' policies grant alike: the lake, its key, the dedup table, the logs, the topic and the bus. */
    private commonGrants(
        args: AlertingArgs,
        dedup: aws.dynamodb.Table,
        logGroup: aws.cloudwatch.LogGroup,
        topic: AlertTopic | undefined,
    ): pulumi.Output<CommonArgs> {
        const eventBusArn = args.config.eventBridge
            ? pulumi.interpolate`arn:${args.partition}:events:${args.region}:${args.centralAccountId}:event-bus/${args.config.eventBridge.busName ?? "default"}`
            : undefined;
        return pulumi
            .all([args.lakeBucket.arn, args.lakeKeyArn, dedup.arn, logGroup.arn, topic?.topic.arn ?? "", topic?.key.arn ?? "", eventBusArn ?? ""])
            .apply(([lakeBucketArn, lakeKeyArn, dedupTableArn, logGroupArn, topicArn, topicKeyArn, busArn]) => ({
                lakeBucketArn,
                lakeKeyArn,
                dedupTableArn,
                logGroupArn,
                ...(topicArn ? { topicArn, topicKeyArn } : {}),
                ...(busArn ? { eventBusArn: busArn } : {}),
            }));
    }

    /** The event evaluator: the single-event detections on each new normalised file, with DuckDB, fed by its queue. */
    private eventEvaluator(name: string, args: AlertingArgs, functions: EvaluatorCommons): QueueFedFunction {
        return new QueueFedFunction(
            `${name}-events`,
            {
                centralAccountId: args.centralAccountId,
                description: "cloudtrail-lake: evaluates the single-event detections on each new normalised file (DuckDB) and sends alerts",
                runtime: ALERTS_RUNTIME,
                architecture: ALERTS_ARCHITECTURE,
                handler: "index.events",
                code: functions.code,
                memoryMb: args.config.evaluatorMemoryMb,
                timeoutSeconds: EVALUATOR_TIMEOUT_SECONDS,
                ephemeralStorageMb: EVALUATOR_EPHEMERAL_STORAGE_MB,
                environment: { ...functions.environment, FUNCTION_TIMEOUT_SECONDS: String(EVALUATOR_TIMEOUT_SECONDS) },
                maxReceiveCount: 5,
                batchSize: 10,
                maximumConcurrency: args.config.evaluatorMaxConcurrency,
                rolePolicy: ({ queueArn }) =>
                    policyJson(pulumi.all([functions.grants, queueArn]), ([grants, queueArn]) => eventEvaluatorPolicy({ ...grants, queueArn })),
                deadLetterAlarmDescription:
                    "cloudtrail-lake: normalised files failed alert evaluation and wait in the dead-letter queue (see the alert functions' logs)",
                alarmTopicArn: args.alarmTopicArn,
                logGroup: functions.logGroup,
                // Names and parent of these children before the queue-fed function was shared with the normaliser.
                childNames: { queue: `${name}-queue`, deadLetterQueue: `${name}-dlq`, deadLetterAlarm: `${name}-dlq-not-empty`, function: `${name}-events` },
                formerParent: this,
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /** The lake bucket notifies the event evaluator's queue of each new normalised file; the queue policy admits only that bucket. */
    private lakeNotification(name: string, args: AlertingArgs, eventEvaluator: QueueFedFunction): void {
        const queuePolicy = new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            {
                queueUrl: eventEvaluator.queueUrl,
                policy: policyJson(
                    pulumi.all([eventEvaluator.queueArn, args.lakeBucket.arn, args.centralAccountId]),
                    ([queueArn, lakeBucketArn, centralAccountId]) => lakeNotificationQueuePolicy({ queueArn, lakeBucketArn, centralAccountId }),
                ),
            },
            { parent: this },
        );
        // One notification configuration per bucket is all S3 allows: this resource owns the lake's.
        new aws.s3.BucketNotification(
            `${name}-lake-notification`,
            {
                bucket: args.lakeBucket.name,
                queues: [
                    { queueArn: eventEvaluator.queueArn, events: ["s3:ObjectCreated:*"], filterPrefix: LAKE_PREFIXES.normalised, filterSuffix: ".json.gz" },
                ],
            },
            { parent: this, dependsOn: [queuePolicy] },
        ); // S3 sends a test message on create and needs the policy to do so
    }

    /** The scheduled evaluator: the threshold and correlation detections on Athena, with its role and the role's policy. */
    private scheduledEvaluator(name: string, args: AlertingArgs, functions: EvaluatorCommons) {
        const role = new aws.iam.Role(
            `${name}-schedule-role`,
            {
                assumeRolePolicy: policyJson(pulumi.output(args.centralAccountId), (account) => serviceTrustPolicy("lambda.amazonaws.com", account)),
                tags: args.tags,
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-schedule-role-policy`,
            {
                role: role.id,
                policy: policyJson(
                    pulumi.all([functions.grants, args.centralAccountId, args.workgroupName, args.databaseName]),
                    ([grants, centralAccountId, workgroupName, databaseName]) =>
                        scheduledEvaluatorPolicy({
                            ...grants,
                            partition: args.partition,
                            region: args.region,
                            centralAccountId,
                            workgroupName,
                            databaseName,
                        }),
                ),
            },
            { parent: this },
        );
        const evaluator = new aws.lambda.Function(
            `${name}-schedule`,
            {
                description: "cloudtrail-lake: runs the threshold and correlation detections on Athena on a schedule and sends alerts",
                runtime: ALERTS_RUNTIME,
                architectures: [ALERTS_ARCHITECTURE],
                handler: "index.schedule",
                code: functions.code,
                role: role.arn,
                memorySize: 512,
                timeout: SCHEDULED_TIMEOUT_SECONDS,
                environment: { variables: { ...functions.environment, FUNCTION_TIMEOUT_SECONDS: String(SCHEDULED_TIMEOUT_SECONDS) } },
                loggingConfig: { logFormat: "JSON", logGroup: functions.logGroup.name },
                tags: args.tags,
            },
            { parent: this, dependsOn: [rolePolicy] },
        );
        return { role, evaluator };
    }

    /**
     * The EventBridge schedule that starts the scheduled evaluator every `scheduleMinutes`, with what makes its
     * failures visible: a run that cannot start (FailedInvocations, dead-letter queue), and a run that fails (Errors).
     */
    private schedule(name: string, args: AlertingArgs, evaluator: aws.lambda.Function): void {
        const { config } = args;
        const rule = new aws.cloudwatch.EventRule(
            `${name}-schedule-rule`,
            {
                description: `cloudtrail-lake: windowed detections every ${config.scheduleMinutes} minutes`,
                scheduleExpression: `rate(${config.scheduleMinutes} minutes)`,
                tags: args.tags,
            },
            { parent: this },
        );
        const permission = new aws.lambda.Permission(
            `${name}-schedule-permission`,
            {
                action: "lambda:InvokeFunction",
                function: evaluator.name,
                principal: "events.amazonaws.com",
                sourceArn: rule.arn,
            },
            { parent: this },
        );
        // A schedule EventBridge cannot deliver (a removed permission) counts in FailedInvocations only.
        const scheduleWatch = new RuleFailureWatch(
            `${name}-schedule-watch`,
            { rules: [{ name: rule.name, arn: rule.arn, what: "starts the scheduled alert run" }], alarmTopicArn: args.alarmTopicArn, tags: args.tags },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-schedule-target`,
            { rule: rule.name, arn: evaluator.arn, deadLetterConfig: { arn: scheduleWatch.deadLetterQueueArn } },
            { parent: this, dependsOn: [permission] },
        );
        // A failed scheduled run has no queue to land in: its error is the signal that windowed detections are blind.
        new aws.cloudwatch.MetricAlarm(
            `${name}-schedule-errors`,
            {
                alarmDescription: "cloudtrail-lake: a scheduled alert run failed (a windowed detection could not run on Athena); see the alert functions' logs",
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: evaluator.name },
                statistic: "Sum",
                period: config.scheduleMinutes * 60,
                ...ANY_IN_ONE_PERIOD,
                alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /** Only the two evaluators' roles may publish to the topic, and no public principal. */
    private topicPolicy(name: string, args: AlertingArgs, topic: aws.sns.Topic, publisherRoleArns: pulumi.Output<string>[]): void {
        new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            {
                arn: topic.arn,
                policy: policyJson(pulumi.all([topic.arn, args.centralAccountId, ...publisherRoleArns]), ([topicArn, centralAccountId, ...roleArns]) =>
                    alertTopicPolicy({ topicArn, publisherRoleArns: roleArns, centralAccountId, partition: args.partition }),
                ),
            },
            { parent: this },
        );
    }
}

/** The alert topic and what belongs to it. */
interface AlertTopic {
    readonly key: aws.kms.Key;
    readonly topic: aws.sns.Topic;
    readonly deliveryDeadLetterQueueArn: pulumi.Output<string>;
}

/** What the two evaluators share: the code, the environment, the log group and the grants of their policies. */
interface EvaluatorCommons {
    readonly code: pulumi.asset.FileArchive;
    readonly environment: Record<string, pulumi.Input<string>>;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly grants: pulumi.Output<CommonArgs>;
}
