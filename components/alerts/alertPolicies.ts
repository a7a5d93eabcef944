/**
 * Policies and table of the alerting component, as pure functions of plain ARNs and names, so
 * that tests and the policy pack read exactly what is deployed.
 */
import { hiveColumns, PARTITION_COLUMNS } from "../../contract/schema";
import { LAKE_PREFIXES } from "../../contract/prefixes";
import { keyAdministeredThroughIam, keyProtection } from "../archive/archivePolicies";
import { PolicyDocument, PolicyStatement } from "../iam/policyDocument";
import { ProjectionArgs, TableDefinition } from "../catalog/tables";
import { RECENT_TABLE } from "../../contract/alerting";
import { AWS_IP_RANGES_TABLE } from "../../contract/awsIpRanges";

/** Who may destroy a key of the stack or change its policy (the archive key's protections, components/archive/archivePolicies.ts). */
export interface KeyGuardians {
    /** Alone may disable the key or schedule its deletion (config `cloudtrail-lake:breakGlassRoleArn`). @default nobody */
    readonly breakGlassRoleArn?: string;
    /** Whoever runs `pulumi up`: besides the break-glass role, the only principal that may change the key policy. */
    readonly deployPrincipalArn: string;
}

/**
 * Key policy of an SNS topic's own key. SNS encrypts with it on behalf of the publishers: IAM
 * principals of the account through their IAM policies (delegated by the first statement), and the
 * AWS services in `publisherServices`, which need the key policy itself to name them.
 *
 * A service's statement carries no aws:SourceAccount / aws:SourceArn: SNS's key-management page
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "Enable compatibility between
 * event sources from AWS services and encrypted topics") shows the statement without them and says that
 * for EventBridge they are not supported: every publish would fail KMS authorisation. AWS documents no
 * encryption context that SNS sets on a topic's data keys, so nothing pins the statement to the topic;
 * who may publish is pinned by the topic policy (rule and alarm ARNs), which SNS checks before it
 * touches the key.
 *
 * Like the archive key, nobody but the break-glass role may disable or delete it, and nobody but that
 * role and the deployer may change this policy: a disabled topic key silences every alarm on the topic.
 */
export function encryptedTopicKeyPolicy(
    args: KeyGuardians & {
        readonly partition: string;
        readonly centralAccountId: string;
        /** Service principals that publish to the topic, with the Sid of their statement. @default none */
        readonly publisherServices?: readonly { readonly service: string; readonly sid: string }[];
    },
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            keyAdministeredThroughIam(args.partition, args.centralAccountId),
            ...(args.publisherServices ?? []).map(({ service, sid }): PolicyStatement => ({
                Sid: sid,
                Effect: "Allow",
                Principal: { Service: service },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
            })),
            ...keyProtection(args),
        ],
    };
}

/**
 * The alert topic's key: only the alert functions publish (through their roles' IAM policies), so no
 * service principal is named; the topic policy denies every other publisher anyway.
 */
export function alertKeyPolicy(args: KeyGuardians & { partition: string; centralAccountId: string }): PolicyDocument {
    return encryptedTopicKeyPolicy(args);
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

/** The dead-letter queue of EventBridge targets: only the stack's rules may send (EventBridge's documented queue policy). */
export function eventTargetDeadLetterQueuePolicy(args: { queueArn: string; ruleArns: readonly string[] }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "UndeliveredRuleEvents",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: args.queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": [...args.ruleArns].sort() } },
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

/** What both evaluators' policies grant alike. */
export interface CommonArgs {
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
                Action: "s3:ListBucket",
                Resource: args.lakeBucketArn,
                Condition: {
                    StringLike: { "s3:prefix": [`${LAKE_PREFIXES.normalised}*`, `${LAKE_PREFIXES.reference}*`, `${LAKE_PREFIXES.athenaResults}*`] },
                },
            },
            // s3:GetBucketLocation has no s3:prefix key (service authorization reference): under that condition it was never granted.
            // Athena calls it on the results location with the caller's permissions.
            { Sid: "LocateLakeBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: args.lakeBucketArn },
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
