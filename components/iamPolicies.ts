/**
 * Least-privilege policies of the stack's own services, as pure functions of plain ARNs, so
 * that tests and the policy pack read exactly what is deployed.
 */
import { ARCHIVE_LOG_PREFIX, LAKE_PREFIXES } from "./layout";
import { denyInsecureTransport, PolicyDocument } from "./policies";

/** Trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Resource: "*" }],
    };
}

/** What the normaliser may do: read the archive's logs, write the lake's normalised prefix, consume its queue, log. */
export function normaliserRolePolicy(args: {
    readonly archiveBucketArn: string;
    readonly lakeBucketArn: string;
    readonly keyArn: string;
    readonly queueArn: string;
    readonly logGroupArn: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadArchiveLogs", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.archiveBucketArn}/${ARCHIVE_LOG_PREFIX}*` },
            { Sid: "WriteNormalised", Effect: "Allow", Action: "s3:PutObject", Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.normalised}*` },
            // Decrypt to read the archive; GenerateDataKey to write the lake under the same key.
            { Sid: "UseArchiveKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: args.keyArn },
            {
                Sid: "ConsumeQueue",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                Resource: args.queueArn,
            },
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
        ],
    };
}

/** The normaliser queue's policy: only S3 notifications of the archive bucket, in the central account, may send. */
export function notificationQueuePolicy(args: {
    readonly queueArn: string;
    readonly archiveBucketArn: string;
    readonly centralAccountId: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ArchiveNotifications",
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: args.queueArn,
                Condition: {
                    ArnEquals: { "aws:SourceArn": args.archiveBucketArn },
                    StringEquals: { "aws:SourceAccount": args.centralAccountId },
                },
            },
            { ...denyInsecureTransport(args.queueArn), Action: "sqs:*", Resource: args.queueArn },
        ],
    };
}
