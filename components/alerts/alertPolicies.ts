/**
 * Policies and table of the alerting component, as pure functions of plain ARNs and names, so
 * that tests and the policy pack read exactly what is deployed.
 */
import { hiveColumns, PARTITION_COLUMNS } from "../../contract/schema";
import { LAKE_PREFIXES } from "../../contract/prefixes";
import { keyAdministeredThroughIam, PolicyDocument, PolicyStatement } from "../archive/archivePolicies";
import { ProjectionArgs, TableDefinition } from "../catalog/tables";
import { RECENT_TABLE } from "../../contract/alerting";
import { AWS_IP_RANGES_TABLE } from "../../contract/awsIpRanges";

/**
 * Key policy of an SNS topic's own key. SNS encrypts with it on behalf of the publishers (their IAM
 * policies grant GenerateDataKey/Decrypt, delegated by the first statement); a service that publishes
 * for the account (CloudWatch alarms, EventBridge rules) may do so only when the key policy lets its
 * service principal use the key, and only for this account.
 */
export function encryptedTopicKeyPolicy(args: {
    readonly partition: string;
    readonly centralAccountId: string;
    readonly publisherService: string;
    readonly sid: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            keyAdministeredThroughIam(args.partition, args.centralAccountId),
            {
                Sid: args.sid,
                Effect: "Allow",
                Principal: { Service: args.publisherService },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": args.centralAccountId } },
            },
        ],
    };
}

/** The alert topic's key: CloudWatch alarms may publish to it. */
export function alertKeyPolicy(args: { partition: string; centralAccountId: string }): PolicyDocument {
    return encryptedTopicKeyPolicy({ ...args, publisherService: "cloudwatch.amazonaws.com", sid: "CloudWatchAlarmsPublishToEncryptedTopic" });
}

/**
 * Only the alert functions' roles publish. The Deny covers IAM principals of the same account
 * whose own policies would allow sns:Publish on `*` (an Allow in a topic policy restricts nobody);
 * subscribing stays with the account's administrators (IAM), never `*`.
 */
export function alertTopicPolicy(args: { topicArn: string; publisherRoleArns: string[]; centralAccountId: string; partition: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "AlertFunctionsPublish", Effect: "Allow", Principal: { AWS: args.publisherRoleArns }, Action: "sns:Publish", Resource: args.topicArn },
            {
                Sid: "AccountManagesSubscriptions",
                Effect: "Allow",
                Principal: { AWS: `arn:${args.partition}:iam::${args.centralAccountId}:root` },
                Action: ["sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"],
                Resource: args.topicArn,
            },
            {
                Sid: "NobodyElsePublishes",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: args.topicArn,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": args.publisherRoleArns } },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: args.topicArn,
                Condition: { Bool: { "aws:SecureTransport": false } },
            },
        ],
    };
}

/** The delivery dead-letter queue: SNS moves messages it could not deliver to a subscriber here (subscription RedrivePolicy). */
export function deliveryDeadLetterQueuePolicy(args: { queueArn: string; topicArn: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AlertTopicDeadLetters",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: args.queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": args.topicArn } },
            },
        ],
    };
}

/** The evaluator queue: only the lake bucket's notifications, in the central account, may send. */
export function lakeNotificationQueuePolicy(args: { queueArn: string; lakeBucketArn: string; centralAccountId: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LakeNotifications",
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: args.queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": args.lakeBucketArn }, StringEquals: { "aws:SourceAccount": args.centralAccountId } },
            },
        ],
    };
}

interface CommonArgs {
    readonly lakeBucketArn: string;
    /** The lake's key (the archive key): normalised files and Athena results are encrypted with it. */
    readonly lakeKeyArn: string;
    readonly dedupTableArn: string;
    readonly logGroupArn: string;
    /** Absent when the SNS destination is off. */
    readonly topicArn?: string;
    readonly topicKeyArn?: string;
    /** Absent when the EventBridge destination is off. */
    readonly eventBusArn?: string;
}

function destinationStatements(args: CommonArgs): PolicyStatement[] {
    return [
        { Sid: "Dedup", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], Resource: args.dedupTableArn },
        ...(args.topicArn
            ? [
                  { Sid: "PublishToAlertTopic", Effect: "Allow" as const, Action: "sns:Publish", Resource: args.topicArn },
                  { Sid: "UseAlertTopicKey", Effect: "Allow" as const, Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.topicKeyArn! },
              ]
            : []),
        ...(args.eventBusArn ? [{ Sid: "PutAlertEvents", Effect: "Allow" as const, Action: "events:PutEvents", Resource: args.eventBusArn }] : []),
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
    ];
}

/** The event evaluator reads only the normalised files it is told about, and sends alerts. */
export function eventEvaluatorPolicy(args: CommonArgs & { readonly queueArn: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadNormalised", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.normalised}*` },
            { Sid: "DecryptLake", Effect: "Allow", Action: "kms:Decrypt", Resource: args.lakeKeyArn },
            {
                Sid: "ConsumeQueue",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                Resource: args.queueArn,
            },
            ...destinationStatements(args),
        ],
    };
}

/** The scheduled evaluator runs queries in the workgroup over the normalised table, and sends alerts. */
export function scheduledEvaluatorPolicy(
    args: CommonArgs & {
        readonly partition: string;
        readonly region: string;
        readonly centralAccountId: string;
        readonly workgroupName: string;
        readonly databaseName: string;
    },
): PolicyDocument {
    const glue = `arn:${args.partition}:glue:${args.region}:${args.centralAccountId}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "RunQueries",
                Effect: "Allow",
                Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
                Resource: `arn:${args.partition}:athena:${args.region}:${args.centralAccountId}:workgroup/${args.workgroupName}`,
            },
            {
                Sid: "ReadCatalog",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                Resource: [
                    `${glue}:catalog`,
                    `${glue}:database/${args.databaseName}`,
                    `${glue}:table/${args.databaseName}/${RECENT_TABLE}`,
                    // Reference data some detections join (contract/awsIpRanges.ts).
                    `${glue}:table/${args.databaseName}/${AWS_IP_RANGES_TABLE}`,
                ],
            },
            {
                Sid: "ListNormalisedAndResults",
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                Resource: args.lakeBucketArn,
                Condition: {
                    StringLike: { "s3:prefix": [`${LAKE_PREFIXES.normalised}*`, `${LAKE_PREFIXES.reference}*`, `${LAKE_PREFIXES.athenaResults}*`] },
                },
            },
            { Sid: "ReadNormalised", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.normalised}*` },
            { Sid: "ReadReferenceTables", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.reference}*` },
            // Athena writes the results with the caller's permissions, then the caller reads them.
            {
                Sid: "QueryResults",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.athenaResults}*`,
            },
            { Sid: "UseLakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: args.lakeKeyArn },
            ...destinationStatements(args),
        ],
    };
}

/**
 * `cloudtrail_recent`: the normaliser's gzip JSON lines under `normalised/`, same columns and
 * partition projection as the Parquet table. Visible as soon as a file is written (no wait for the
 * Glue job), at the price of scanning JSON: the scheduled detections read only their window.
 */
export function recentTable(lakeBucketName: string, args: ProjectionArgs): TableDefinition {
    const root = `s3://${lakeBucketName}/${LAKE_PREFIXES.normalised}`;
    return {
        name: RECENT_TABLE,
        description: "Normalised CloudTrail as JSON lines, visible seconds after delivery (cloudtrail-lake alerts). Same columns as cloudtrail.",
        location: root,
        columns: hiveColumns(),
        partitionKeys: PARTITION_COLUMNS.map((name) => ({ name, type: "string" })),
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serde: "org.openx.data.jsonserde.JsonSerDe",
        parameters: {
            "classification": "json",
            "EXTERNAL": "TRUE",
            "compressionType": "gzip",
            "projection.enabled": "true",
            "projection.account.type": "enum",
            "projection.account.values": [...args.accountIds].sort().join(","),
            "projection.region.type": "enum",
            "projection.region.values": args.regions.join(","),
            "projection.date.type": "date",
            "projection.date.format": "yyyy-MM-dd",
            "projection.date.range": `${args.firstDate},NOW`,
            "projection.date.interval": "1",
            "projection.date.interval.unit": "DAYS",
            "storage.location.template": `${root}account=\${account}/region=\${region}/date=\${date}/`,
        },
    };
}
