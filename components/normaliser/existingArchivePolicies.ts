/**
 * Existing mode (`cloudtrail-lake:existingArchive`; docs/deploy.md, "Existing mode"): the logs are in a bucket another team owns,
 * such as Control Tower's log archive. Pure builders of what the normaliser needs there, and of the
 * statements the bucket's owner adds on their side (`npm run bucket-owner-statements`). Nothing here
 * writes to that bucket: not its policy, lock, encryption or notification configuration.
 */
import { ARCHIVE_LOG_PREFIX } from "../../contract/prefixes";
import { denyInsecureTransport } from "../archive/archivePolicies";
import { IdentityStatement, ResourcePolicy, ResourceStatement } from "../iam/policyDocument";
import { viaS3 } from "../iam/servicePolicies";

/** The region and account of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`). */
export function keyArnParts(kmsKeyArn: string): { partition: string; region: string; accountId: string } {
    const [, partition, , region, accountId] = kmsKeyArn.split(":");
    return { partition, region, accountId };
}

/** Where the normaliser reads: the bucket, and the key its log files are encrypted with (unset: SSE-S3). */
export interface ExistingArchive {
    readonly partition: string;
    readonly bucketName: string;
    readonly kmsKeyArn?: string;
    /** The bucket's region if configured (`existingArchive.region`). */
    readonly region?: string;
}

/** The archive's region as far as the config tells it: configured, or its SSE-KMS key's (S3 needs the key in the bucket's region). */
export function existingArchiveRegion(archive: ExistingArchive): string | undefined {
    return archive.region ?? (archive.kmsKeyArn ? keyArnParts(archive.kmsKeyArn).region : undefined);
}

export function existingArchiveBucketArn(archive: ExistingArchive): string {
    return `arn:${archive.partition}:s3:::${archive.bucketName}`;
}

/**
 * What the normaliser reads an archive object with: S3's EventBridge events carry the object's
 * `version-id`, and a GetObject with a VersionId is authorised as s3:GetObjectVersion, not s3:GetObject
 * (S3 API Reference, GetObject, "Permissions"). A versioned archive (Control Tower's is: Object Lock
 * needs versioning) refuses every read with s3:GetObject alone; an unversioned one sends no version.
 */
export const ARCHIVE_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];

/**
 * The normaliser role's rights on the existing archive: {@link ARCHIVE_READ_ACTIONS} under `AWSLogs/`,
 * kms:Decrypt on the key through S3 only. No s3:ListBucketVersions, so the first-version check is off in
 * this mode: the owner's bucket, lock and policy are theirs to keep tamper-proof.
 */
export function existingArchiveReadStatements(archive: ExistingArchive): IdentityStatement[] {
    const statements: IdentityStatement[] = [
        {
            Sid: "ReadExistingArchiveLogs",
            Effect: "Allow",
            Action: [...ARCHIVE_READ_ACTIONS],
            Resource: `${existingArchiveBucketArn(archive)}/${ARCHIVE_LOG_PREFIX}*`,
        },
    ];
    if (archive.kmsKeyArn) {
        // SSE-KMS keys are in the bucket's region, so the key's region is the S3 endpoint that calls KMS.
        statements.push({
            Sid: "DecryptExistingArchive",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: archive.kmsKeyArn,
            Condition: viaS3(keyArnParts(archive.kmsKeyArn).region),
        });
    }
    return statements;
}

/**
 * The EventBridge pattern of new log files in the existing archive ("Amazon S3 events in EventBridge"):
 * Object Created under `AWSLogs/`. Digests and Insights are skipped by the handler, as with S3 notifications.
 */
export function archiveEventPattern(bucketName: string): Record<string, unknown> {
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": { bucket: { name: [bucketName] }, object: { key: [{ prefix: ARCHIVE_LOG_PREFIX }] } },
    };
}

/** The normaliser queue's policy in existing mode: only the stack's EventBridge rule may send. */
export function archiveEventsQueuePolicy(args: { readonly queueArn: string; readonly ruleArn: string }): ResourcePolicy {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ArchiveObjectCreatedEvents",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: args.queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": args.ruleArn } },
            },
            { ...denyInsecureTransport(args.queueArn), Action: "sqs:*", Resource: args.queueArn },
        ],
    };
}

/** What the owner of an existing archive in another account adds, for one normaliser role. */
export interface BucketOwnerStatements {
    /** Statements to add to the archive bucket's policy. */
    readonly bucketPolicy: ResourceStatement[];
    /** Statements to add to the archive key's policy (empty when the logs are SSE-S3). */
    readonly keyPolicy: ResourceStatement[];
    /** The rule the owner adds on their default event bus, forwarding the bucket's events to this stack's account. */
    readonly eventForwarding: { readonly eventPattern: Record<string, unknown>; readonly targetEventBusArn: string };
    /** The statement this stack's account adds to its default event bus's policy so the forwarded events are accepted. */
    readonly centralEventBusPolicy: ResourceStatement;
}

/**
 * The exact statements the owner of an existing archive adds when it lives in another account: read of
 * the log prefix for the normaliser role, decrypt through S3 for the same role, and the forwarding of the
 * bucket's EventBridge events (S3 sends them to the default bus of the bucket's own account only).
 */
export function bucketOwnerStatements(args: {
    readonly partition: string;
    readonly bucketName: string;
    readonly kmsKeyArn?: string;
    /** The deployed normaliser role's ARN (stack output `normaliserRoleArn`). */
    readonly normaliserRoleArn: string;
    /** The account and region of the stack (where the normaliser's rule listens). */
    readonly centralAccountId: string;
    readonly region: string;
    /** The account that owns the bucket, for the event-bus statement; default: the key's account. */
    readonly bucketAccountId?: string;
}): BucketOwnerStatements {
    const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
    const bucketAccountId = args.bucketAccountId ?? (args.kmsKeyArn ? keyArnParts(args.kmsKeyArn).accountId : undefined);
    return {
        bucketPolicy: [
            {
                Sid: "CloudTrailLakeNormaliserReadsLogs",
                Effect: "Allow",
                Principal: { AWS: args.normaliserRoleArn },
                Action: [...ARCHIVE_READ_ACTIONS],
                Resource: `${bucketArn}/${ARCHIVE_LOG_PREFIX}*`,
            },
        ],
        keyPolicy: args.kmsKeyArn
            ? [
                  {
                      Sid: "CloudTrailLakeNormaliserDecryptsThroughS3",
                      Effect: "Allow",
                      Principal: { AWS: args.normaliserRoleArn },
                      Action: "kms:Decrypt",
                      Resource: "*",
                      Condition: viaS3(keyArnParts(args.kmsKeyArn).region),
                  },
              ]
            : [],
        eventForwarding: {
            eventPattern: archiveEventPattern(args.bucketName),
            targetEventBusArn: `arn:${args.partition}:events:${args.region}:${args.centralAccountId}:event-bus/default`,
        },
        centralEventBusPolicy: {
            Sid: "CloudTrailLakeArchiveEventsFromBucketOwner",
            Effect: "Allow",
            Principal: { AWS: `arn:${args.partition}:iam::${bucketAccountId ?? "<bucket owner account id>"}:root` },
            Action: "events:PutEvents",
            Resource: `arn:${args.partition}:events:${args.region}:${args.centralAccountId}:event-bus/default`,
        },
    };
}
