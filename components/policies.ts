/**
 * Resource policies of the archive: pure functions of plain values, so tests can build them for
 * 1..1,000 accounts in milliseconds and the components just serialise them.
 *
 * Scaling: the CloudTrail docs' multi-account form lists one resource ARN and one trail ARN per
 * account (about 180 bytes each), which fills S3's 20 KB bucket-policy cap at roughly 100 accounts
 * (../shared/reference/aws-facts.md §1). Here the write grant is pinned by three conditions
 * instead: the trail name (`aws:SourceArn` pattern with the stack's region), the list of listed
 * account ids (`aws:SourceAccount`, 15 bytes per account), and the `AWSLogs/` prefix, under which
 * CloudTrail itself always writes `AWSLogs/<trail's own account>/…`. Only a trail with the
 * configured name, in a listed account, can write; the policy grows by 15 bytes per account.
 */

/** IAM policy statement, as AWS serialises it. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, string | string[]>;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** IAM policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** "Bucket policies are limited to 20 KB in size" (S3 User Guide). */
export const S3_BUCKET_POLICY_MAX_BYTES = 20 * 1024;
/** KMS key policies are limited to 32 KB (KMS quotas, "Key policy document size"). */
export const KMS_KEY_POLICY_MAX_BYTES = 32 * 1024;
/** The account count this design is tested for; the builders refuse lists whose policy would not fit. */
export const MAX_ACCOUNTS = 1_000;

export const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";

/** The AWS partition a region belongs to, for ARNs. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** Size of a policy as sent to AWS (compact JSON). AWS measures a normalised form, so keep headroom. */
export function policySize(policy: PolicyDocument): number {
    return Buffer.byteLength(JSON.stringify(policy), "utf8");
}

/** Matches the ARN of the trail named `trailName`, homed in `region`, in any account. */
export function trailArnPattern(partition: string, region: string, trailName: string): string {
    return `arn:${partition}:cloudtrail:${region}:*:trail/${trailName}`;
}

/** The ARN a member account's trail will have. */
export function trailArn(partition: string, region: string, accountId: string, trailName: string): string {
    return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

/** Denies every request that does not use TLS, on the bucket and its objects. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": false } },
    };
}

/** Where member trails deliver. */
export interface ArchiveGrantArgs {
    readonly partition: string;
    /** Home region of every member trail (the stack's region). */
    readonly region: string;
    /** Account ids whose trails may deliver, 1..{@link MAX_ACCOUNTS}. */
    readonly accountIds: readonly string[];
    /** Name of the trail in every member account. */
    readonly trailName: string;
}

function sortedUniqueAccounts(accountIds: readonly string[]): string[] {
    if (accountIds.length === 0) throw new Error("at least one account id is required");
    if (accountIds.length > MAX_ACCOUNTS) {
        throw new Error(`${accountIds.length} accounts exceed the ${MAX_ACCOUNTS} this archive's policies are sized for; ` +
            "split the accounts over several stacks or use an organization trail");
    }
    // Sorted, so that reordering accounts in config does not change the policy text (no diff, no update).
    return [...new Set(accountIds)].sort();
}

/** The archive bucket's policy: CloudTrail of the listed accounts may check the ACL and write logs; nothing without TLS. */
export function archiveBucketPolicy(args: ArchiveGrantArgs & { readonly bucketName: string }): PolicyDocument {
    const accounts = sortedUniqueAccounts(args.accountIds);
    const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
    const sourceTrail = trailArnPattern(args.partition, args.region, args.trailName);
    const policy: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            {
                // Reading the ACL of a BucketOwnerEnforced bucket reveals nothing; pinned to the trail name only,
                // which keeps the account list (the part that grows) in a single statement.
                Sid: "CloudTrailAclCheck",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "s3:GetBucketAcl",
                Resource: bucketArn,
                Condition: { ArnLike: { "aws:SourceArn": sourceTrail } },
            },
            {
                Sid: "CloudTrailWriteListedAccounts",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/*`,
                Condition: {
                    StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accounts },
                    ArnLike: { "aws:SourceArn": sourceTrail },
                },
            },
            denyInsecureTransport(bucketArn),
        ],
    };
    assertUnder(policy, S3_BUCKET_POLICY_MAX_BYTES, "archive bucket policy");
    return policy;
}

/**
 * The central account administers a key of this stack through IAM. Without it the key is
 * unmanageable (KMS refuses such a policy); it also lets IAM policies of the central account grant
 * the normaliser and Glue jobs their decrypt/encrypt rights.
 */
export function keyAdministeredThroughIam(partition: string, centralAccountId: string): PolicyStatement {
    return {
        Sid: "CentralAccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${centralAccountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** The archive key's policy: the central account administers it through IAM; listed trails may encrypt. */
export function archiveKeyPolicy(args: ArchiveGrantArgs & { readonly centralAccountId: string }): PolicyDocument {
    const accounts = sortedUniqueAccounts(args.accountIds);
    const sourceTrail = trailArnPattern(args.partition, args.region, args.trailName);
    const policy: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            keyAdministeredThroughIam(args.partition, args.centralAccountId),
            {
                // The docs prefer aws:SourceArn over aws:SourceAccount for KMS; both are set. A per-trail ARN list
                // would not fit 32 KB at 1,000 accounts, so the ARN is pinned by name and region and the account by list.
                Sid: "CloudTrailEncryptListedAccounts",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": sourceTrail },
                    StringEquals: { "aws:SourceAccount": accounts },
                    ArnLike: { "aws:SourceArn": sourceTrail },
                },
            },
            {
                Sid: "CloudTrailDescribeKey",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { ArnLike: { "aws:SourceArn": sourceTrail } },
            },
        ],
    };
    assertUnder(policy, KMS_KEY_POLICY_MAX_BYTES, "archive key policy");
    return policy;
}

/** Lets S3 server access logging of the central account's buckets write into the access-log bucket. */
export function accessLogBucketPolicy(args: {
    readonly partition: string;
    readonly bucketName: string;
    /** Only buckets of this account may log here (the archive and lake buckets live in it). */
    readonly centralAccountId: string;
}): PolicyDocument {
    const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "S3ServerAccessLogs",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/*`,
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:${args.partition}:s3:::*` },
                    StringEquals: { "aws:SourceAccount": args.centralAccountId },
                },
            },
            denyInsecureTransport(bucketArn),
        ],
    };
}

function assertUnder(policy: PolicyDocument, maxBytes: number, what: string): void {
    const size = policySize(policy);
    if (size > maxBytes) throw new Error(`${what} is ${size} bytes, over AWS's ${maxBytes}-byte limit`);
}
