/**
 * What the archive's bucket and key policies add so that VPC Flow Logs can deliver into
 * `flow-logs/` and nobody else can write there. Pure functions, called by the archive policies
 * (components/archive/archivePolicies.ts) and by tests.
 *
 * AWS's documented grant ("Logs sent to Amazon S3", CloudWatch Logs User Guide,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html, which the
 * VPC guide's "Amazon S3 bucket permissions for flow logs" repeats): the principal
 * `delivery.logs.amazonaws.com` may `s3:GetBucketAcl` on the bucket and `s3:PutObject` with
 * `s3:x-amz-acl = bucket-owner-full-control`, pinned by `aws:SourceAccount` (the delivering
 * accounts) and `aws:SourceArn` (`arn:aws:logs:<region>:<account>:*`). For SSE-KMS the key must let
 * the same principal use it ("Amazon S3 bucket server-side encryption" on the same page).
 *
 * Scaling: like CloudTrail's grant, the account list (15 bytes an account) is what grows; when the
 * CloudTrail member-trail statement exists, log delivery joins it (one principal list, one account
 * list, one prefix per service) instead of repeating the list: 1,000 accounts stay under 20 KB.
 * Each service is then confined to its own prefix by the Denies below and CloudTrail's own.
 */
import { FLOW_LOG_PREFIX } from "../../contract/sources/flowLogs";
import type { IdentityPolicy, ResourceStatement } from "../iam/policyDocument";

export const LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com";

/** Who may deliver flow logs into the archive. */
export interface FlowLogGrant {
    /** Accounts whose flow logs deliver (each a listed account of the stack). */
    readonly accountIds: readonly string[];
    /** Regions their flow logs are created in (the source ARN's region). */
    readonly regions: readonly string[];
}

/**
 * Where an account's flow logs land, with `${aws:SourceAccount}` (a single-valued condition key
 * AWS substitutes in Resource): each delivering account writes only under its own
 * `aws-account-id=<id>/`, the Hive-compatible layout the flow logs are created with.
 */
export const OWN_ACCOUNT_FLOW_LOG_PREFIX = `${FLOW_LOG_PREFIX}AWSLogs/aws-account-id=\${aws:SourceAccount}/*`;

/** The `aws:SourceArn` patterns of log delivery for flow logs of those regions: any account there (the account list pins it). */
export function logDeliverySourceArns(partition: string, regions: readonly string[]): string[] {
    return [...new Set(regions)].sort().map((region) => `arn:${partition}:logs:${region}:*:*`);
}

/**
 * Adds log delivery to the CloudTrail member-trail grant: same actions (ACL check, write), the flow-log
 * prefix as a resource, the log-delivery source ARNs beside the trail pattern; the account list is shared.
 */
export function withFlowLogDelivery(statement: ResourceStatement, bucketArn: string, partition: string, grant: FlowLogGrant): ResourceStatement {
    const services = [statement.Principal !== "*" && statement.Principal.Service].flat().filter((service): service is string => typeof service === "string");
    const resources = [statement.Resource].flat();
    const arnLike = statement.Condition?.ArnLike?.["aws:SourceArn"];
    return {
        // The Sid stays CloudTrail's: the statement is the same grant, widened to a second service and its own prefix.
        ...statement,
        Principal: { Service: [...services, LOG_DELIVERY_SERVICE] },
        Resource: [...resources, `${bucketArn}/${OWN_ACCOUNT_FLOW_LOG_PREFIX}`],
        Condition: {
            ...statement.Condition,
            ArnLike: { "aws:SourceArn": [...[arnLike ?? []].flat().map(String), ...logDeliverySourceArns(partition, grant.regions)] },
        },
    };
}

/** The grant on its own, when there is no member-trail statement to join (organization mode). */
export function flowLogDeliveryGrant(bucketArn: string, partition: string, grant: FlowLogGrant): ResourceStatement {
    return {
        Sid: "FlowLogDeliveryAclCheckAndWriteOwnPrefix",
        Effect: "Allow",
        Principal: { Service: LOG_DELIVERY_SERVICE },
        Action: ["s3:GetBucketAcl", "s3:PutObject"],
        Resource: [bucketArn, `${bucketArn}/${OWN_ACCOUNT_FLOW_LOG_PREFIX}`],
        Condition: {
            StringEquals: { "aws:SourceAccount": [...new Set(grant.accountIds)].sort() },
            ArnLike: { "aws:SourceArn": logDeliverySourceArns(partition, grant.regions) },
        },
    };
}

/**
 * The flow-log prefix is evidence too: only log delivery writes there, always with the ACL AWS
 * requires. Constant size, whatever the number of accounts.
 */
export function flowLogPrefixProtection(bucketArn: string): ResourceStatement[] {
    return [
        {
            Sid: "LogDeliveryWritesWithOwnerFullControl",
            Effect: "Deny",
            Principal: { Service: LOG_DELIVERY_SERVICE },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/${FLOW_LOG_PREFIX}*`,
            Condition: { StringNotEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
        {
            // As for AWSLogs/: aws:PrincipalServiceName is absent for IAM principals, so the negated operator matches and denies.
            Sid: "DenyFlowLogWritesExceptLogDelivery",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: `${bucketArn}/${FLOW_LOG_PREFIX}*`,
            Condition: { StringNotEquals: { "aws:PrincipalServiceName": LOG_DELIVERY_SERVICE } },
        },
    ];
}

/**
 * Log delivery may use the archive key for flow-log objects only: S3 passes the object's ARN as the
 * encryption context when no bucket key is used (S3 User Guide, "Encryption context",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context),
 * so the grant is pinned to keys under `flow-logs/AWSLogs/` whatever the account count (the bucket
 * policy decides who may write there). Decrypt: S3 needs it for multipart uploads of SSE-KMS objects.
 * The docs' kms:Encrypt, kms:ReEncrypt* and kms:DescribeKey are left out: S3's SSE-KMS calls neither,
 * and DescribeKey carries no encryption context to pin.
 */
export function flowLogKeyStatement(partition: string, grant: FlowLogGrant): ResourceStatement {
    return {
        Sid: "LogDeliveryEncryptsFlowLogs",
        Effect: "Allow",
        Principal: { Service: LOG_DELIVERY_SERVICE },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: {
            StringLike: { "kms:EncryptionContext:aws:s3:arn": `arn:${partition}:s3:::*/${FLOW_LOG_PREFIX}AWSLogs/*` },
            ArnLike: { "aws:SourceArn": logDeliverySourceArns(partition, grant.regions) },
        },
    };
}

/**
 * What a query runner (the scheduled alert evaluator) needs to read `flow_logs` through Athena: the
 * table in the catalog, and the objects under the flow-log prefix. Decrypting them uses the archive
 * key, which the lake shares (its readers already hold kms:Decrypt on it).
 */
export function flowLogReaderPolicy(args: {
    readonly partition: string;
    readonly region: string;
    readonly centralAccountId: string;
    readonly databaseName: string;
    readonly tableName: string;
    readonly bucketArn: string;
    readonly prefix: string;
}): IdentityPolicy {
    const glue = `arn:${args.partition}:glue:${args.region}:${args.centralAccountId}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadFlowLogTable",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                Resource: [`${glue}:catalog`, `${glue}:database/${args.databaseName}`, `${glue}:table/${args.databaseName}/${args.tableName}`],
            },
            {
                Sid: "ListFlowLogs",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: args.bucketArn,
                Condition: { StringLike: { "s3:prefix": `${args.prefix}*` } },
            },
            // s3:GetBucketLocation has no s3:prefix in its request context: under that condition it would never be granted.
            { Sid: "LocateFlowLogBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: args.bucketArn },
            { Sid: "ReadFlowLogs", Effect: "Allow", Action: "s3:GetObject", Resource: `${args.bucketArn}/${args.prefix}*` },
        ],
    };
}
