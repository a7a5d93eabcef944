/**
 * Least-privilege policies of the stack's own services, as pure functions of plain ARNs, so
 * that tests and the policy pack read exactly what is deployed.
 */
import { ARCHIVE_LOG_PREFIX, LAKE_PREFIXES } from "../../contract/prefixes";
import { denyInsecureTransport, keyAdministeredThroughIam } from "../archive/archivePolicies";
import { IdentityPolicy, IdentityStatement, ResourcePolicy, TrustPolicy } from "./policyDocument";

/**
 * Trust policy letting one AWS service assume a role, only on behalf of resources of `sourceAccount`
 * (confused-deputy protection; Lambda and Glue set `aws:SourceAccount` when they assume a role).
 * A trust policy has no Resource: IAM refuses one that does.
 */
export function serviceTrustPolicy(service: string, sourceAccount: string): TrustPolicy {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } },
            },
        ],
    };
}

/** KMS called by S3 on the role's behalf, in `region`: the only way the role's S3 reads and writes use the key. */
export function viaS3(region: string) {
    return { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } };
}

/**
 * What the normaliser may do: read the archive's logs (every version, so it can tell a first
 * delivery from a rewrite), write the lake's normalised prefix, consume its queue, log.
 */
export function normaliserRolePolicy(args: {
    readonly region: string;
    readonly archiveBucketArn: string;
    readonly lakeBucketArn: string;
    readonly keyArn: string;
    readonly queueArn: string;
    readonly logGroupArn: string;
    /**
     * Existing mode: the archive is another team's bucket, read with s3:GetObject on its log prefix and
     * kms:Decrypt on its key only (components/normaliser/existingArchivePolicies.ts); `keyArn` is then the lake's key alone.
     */
    readonly existingArchiveRead?: IdentityStatement[];
}): IdentityPolicy {
    const archiveRead: IdentityStatement[] = args.existingArchiveRead ?? [
        {
            Sid: "ReadArchiveLogs",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: `${args.archiveBucketArn}/${ARCHIVE_LOG_PREFIX}*`,
        },
        {
            Sid: "ListArchiveLogVersions",
            Effect: "Allow",
            Action: "s3:ListBucketVersions",
            Resource: args.archiveBucketArn,
            Condition: { StringLike: { "s3:prefix": `${ARCHIVE_LOG_PREFIX}*` } },
        },
    ];
    return {
        Version: "2012-10-17",
        Statement: [
            ...archiveRead,
            { Sid: "WriteNormalised", Effect: "Allow", Action: "s3:PutObject", Resource: `${args.lakeBucketArn}/${LAKE_PREFIXES.normalised}*` },
            // Decrypt to read the archive; GenerateDataKey to write the lake under the same key; both only through S3.
            {
                Sid: args.existingArchiveRead ? "UseLakeKey" : "UseArchiveKey",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: args.keyArn,
                Condition: viaS3(args.region),
            },
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
}): ResourcePolicy {
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

/** Everything one account's Glue job may touch in the lake. */
export function glueJobRolePolicy(args: {
    readonly partition: string;
    readonly region: string;
    readonly centralAccountId: string;
    readonly accountId: string;
    readonly lakeBucketArn: string;
    /** Key of the lake bucket (the archive's key). */
    readonly lakeKeyArn: string;
    /** Key of the Glue security configuration (logs, bookmarks). */
    readonly glueKeyArn: string;
}): IdentityPolicy {
    const lake = args.lakeBucketArn;
    const source = `${LAKE_PREFIXES.normalised}account=${args.accountId}/`;
    const target = `${LAKE_PREFIXES.parquet}account=${args.accountId}/`;
    const temp = `${LAKE_PREFIXES.glueTemp}${args.accountId}/`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListOwnPrefixes",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: lake,
                Condition: { StringLike: { "s3:prefix": [`${source}*`, `${target}*`, `${temp}*`, `${LAKE_PREFIXES.glueScripts}*`] } },
            },
            { Sid: "ReadOwnNormalised", Effect: "Allow", Action: "s3:GetObject", Resource: [`${lake}/${source}*`, `${lake}/${LAKE_PREFIXES.glueScripts}*`] },
            // Rebuilding a partition overwrites and deletes its Parquet files; Spark stages them under the same prefix.
            {
                Sid: "WriteOwnParquet",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: [`${lake}/${target}*`, `${lake}/${temp}*`],
            },
            // The lake key only through S3; the Glue key is called directly by the job (bookmarks, logs).
            {
                Sid: "UseLakeKeyThroughS3",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: args.lakeKeyArn,
                Condition: viaS3(args.region),
            },
            { Sid: "UseGlueKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: args.glueKeyArn },
            {
                Sid: "WriteGlueLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                Resource: `arn:${args.partition}:logs:${args.region}:${args.centralAccountId}:log-group:/aws-glue/*`,
            },
            {
                Sid: "PublishGlueMetrics",
                Effect: "Allow",
                Action: "cloudwatch:PutMetricData",
                Resource: "*",
                Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
            },
        ],
    };
}

/** The Glue key: the central account administers it; CloudWatch Logs encrypts Glue's log groups with it. */
export function glueKeyPolicy(args: { readonly partition: string; readonly region: string; readonly centralAccountId: string }): ResourcePolicy {
    return {
        Version: "2012-10-17",
        Statement: [
            keyAdministeredThroughIam(args.partition, args.centralAccountId),
            {
                Sid: "CloudWatchLogsEncryptsGlueLogs",
                Effect: "Allow",
                Principal: { Service: `logs.${args.region}.amazonaws.com` },
                // No kms:DescribeKey here: it has no encryption context, so under this condition it was never granted
                // (service authorization reference); CloudWatch Logs encrypts and decrypts with the context.
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:${args.partition}:logs:${args.region}:${args.centralAccountId}:log-group:/aws-glue/*`,
                    },
                },
            },
        ],
    };
}
