/**
 * Resource policies of the archive: pure functions of plain values, so tests can build them for
 * 1..1,000 accounts in milliseconds and the components just serialise them.
 *
 * Scaling: the CloudTrail docs' multi-account form lists one resource ARN and one trail ARN per
 * account (about 180 bytes each), which fills S3's 20 KB bucket-policy cap at roughly 100 accounts
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html;
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html for the 20 KB cap). Here the write grant is pinned by three conditions
 * instead: the trail name (`aws:SourceArn` pattern with the stack's region), the list of listed
 * account ids (`aws:SourceAccount`, 15 bytes per account), and the `AWSLogs/` prefix, under which
 * CloudTrail itself always writes `AWSLogs/<trail's own account>/…`. Only a trail with the
 * configured name, in a listed account, can write; the policy grows by 15 bytes per account.
 */
import { MAX_ACCOUNTS } from "../../contract/limits";
import { PolicyDocument, policySize, ResourcePolicy, ResourceStatement } from "../iam/policyDocument";
import { FlowLogGrant, flowLogDeliveryGrant, flowLogKeyStatement, flowLogPrefixProtection, withFlowLogDelivery } from "../flowlogs/flowLogPolicies";

/** "Bucket policies are limited to 20 KB in size" (S3 User Guide). */
export const S3_BUCKET_POLICY_MAX_BYTES = 20 * 1024;
/** KMS key policies are limited to 32 KB (KMS quotas, "Key policy document size"). */
export const KMS_KEY_POLICY_MAX_BYTES = 32 * 1024;
export { MAX_ACCOUNTS };
/** Re-exported for the dashboards' policies, which import them from here. */
export type { IdentityPolicy, TrustPolicy } from "../iam/policyDocument";

export const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";

/** The AWS partition a region belongs to, for ARNs. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
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
export function denyInsecureTransport(bucketArn: string): ResourceStatement {
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
    /**
     * IAM role ARN that alone may disable or delete the key and bypass GOVERNANCE retention
     * (config `cloudtrail-lake:breakGlassRoleArn`). Unset: nobody may.
     */
    readonly breakGlassRoleArn?: string;
    /**
     * IAM ARN (`aws:PrincipalArn`: a role ARN, not a session ARN) of whoever runs `pulumi up`: besides
     * the break-glass role, the only principal that may change the key and bucket policies
     * (onboarding an account rewrites both).
     */
    readonly deployPrincipalArn: string;
    /**
     * Set in organization mode (config `cloudtrail-lake:organization`): the one organization trail, named
     * `trailName` and homed in `region` in the management account, is the only writer, and `accountIds`
     * no longer shapes the policies (the normaliser still filters by them).
     */
    readonly organization?: OrganizationTrailGrant;
    /** VPC Flow Logs delivering under `flow-logs/` (components/flowlogs/flowLogPolicies.ts); unset: none. */
    readonly flowLogs?: FlowLogGrant;
}

/** The organization trail the archive admits. */
export interface OrganizationTrailGrant {
    /** `o-…`: CloudTrail writes member accounts' logs under `AWSLogs/<id>/<account>/`. */
    readonly id: string;
    /** The account the organization trail lives in. */
    readonly managementAccountId: string;
    /** During a migration from per-account mode: the member trails keep their grants beside the organization trail's. */
    readonly keepMemberTrails?: boolean;
}

/**
 * The prefix a trail writes under, with the IAM policy variable `${aws:SourceAccount}`: AWS
 * substitutes the account of the calling trail ("Policy elements: Variables and tags": any
 * single-valued condition key may be a variable in Resource after the ARN's fifth colon; a key
 * without a value matches nothing). So each account's trail writes only under its own
 * `AWSLogs/<account>/`, in one statement of constant size.
 */
export const OWN_ACCOUNT_LOG_PREFIX = "AWSLogs/${aws:SourceAccount}/";

/**
 * A Deny condition that exempts the listed principals, or none when the list is empty. `aws:PrincipalArn`
 * is the role ARN (with its path) for any session of an assumed role, unlike the session ARN
 * `arn:aws:sts::…:assumed-role/…`, so it pins a role whatever the session name.
 */
function exceptPrincipals(arns: readonly (string | undefined)[]): Pick<ResourceStatement, "Condition"> {
    const listed = [...new Set(arns.filter((arn): arn is string => arn !== undefined))].sort();
    if (listed.length === 0) return {};
    return { Condition: { ArnNotEquals: { "aws:PrincipalArn": listed.length === 1 ? listed[0] : listed } } };
}

function sortedUniqueAccounts(accountIds: readonly string[]): string[] {
    if (accountIds.length === 0) throw new Error("at least one account id is required");
    if (accountIds.length > MAX_ACCOUNTS) {
        throw new Error(
            `${accountIds.length} accounts exceed the ${MAX_ACCOUNTS} this archive's policies are sized for; ` +
                "split the accounts over several stacks or use an organization trail",
        );
    }
    // Sorted, so that reordering accounts in config does not change the policy text (no diff, no update).
    return [...new Set(accountIds)].sort();
}

/**
 * The archive bucket's policy. CloudTrail of the listed accounts may check the ACL and write logs,
 * each account only under its own prefix; nobody else may write into `AWSLogs/` (a new version of an
 * existing log key would be a forged log); nobody but the break-glass role may bypass GOVERNANCE
 * retention; nobody but the deployer and that role may change this policy; nothing without TLS.
 */
export function archiveBucketPolicy(args: ArchiveGrantArgs & { readonly bucketName: string }): ResourcePolicy {
    const accounts = args.organization && !args.organization.keepMemberTrails ? [] : sortedUniqueAccounts(args.accountIds);
    const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
    const sourceTrail = trailArnPattern(args.partition, args.region, args.trailName);
    const policy: ResourcePolicy = {
        Version: "2012-10-17",
        Statement: [
            ...(args.organization
                ? organizationTrailBucketGrants(
                      bucketArn,
                      trailArn(args.partition, args.region, args.organization.managementAccountId, args.trailName),
                      args.organization,
                  )
                : []),
            ...(args.organization && !args.organization.keepMemberTrails
                ? args.flowLogs
                    ? [flowLogDeliveryGrant(bucketArn, args.partition, args.flowLogs)]
                    : []
                : [
                      {
                          // One statement for the ACL check and the write, so the account list (the part that grows,
                          // 15 bytes per account) appears once and still pins both actions to the listed accounts.
                          Sid: "CloudTrailAclCheckAndWriteOwnPrefix",
                          Effect: "Allow" as const,
                          Principal: { Service: CLOUDTRAIL_SERVICE },
                          Action: ["s3:GetBucketAcl", "s3:PutObject"],
                          Resource: [bucketArn, `${bucketArn}/${OWN_ACCOUNT_LOG_PREFIX}*`],
                          Condition: {
                              StringEquals: { "aws:SourceAccount": accounts },
                              ArnLike: { "aws:SourceArn": sourceTrail },
                          },
                      },
                  ].map((statement) => (args.flowLogs ? withFlowLogDelivery(statement, bucketArn, args.partition, args.flowLogs) : statement))),
            {
                // The CloudTrail docs require this ACL on delivery; as a Deny it needs no second account list.
                Sid: "CloudTrailWritesWithOwnerFullControl",
                Effect: "Deny",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/*`,
                Condition: { StringNotEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
            },
            {
                // aws:PrincipalServiceName is present only when a service principal calls; for any IAM
                // principal it is absent, and a negated operator on an absent key matches, so the Deny applies.
                Sid: "DenyLogWritesExceptCloudTrail",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/*`,
                Condition: { StringNotEquals: { "aws:PrincipalServiceName": CLOUDTRAIL_SERVICE } },
            },
            {
                // Only matters in GOVERNANCE mode (COMPLIANCE cannot be bypassed by anyone); harmless otherwise.
                Sid: "DenyGovernanceBypassExceptBreakGlass",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:BypassGovernanceRetention",
                Resource: `${bucketArn}/*`,
                ...exceptPrincipals([args.breakGlassRoleArn]),
            },
            {
                // Deleting or rewriting this policy would lift every Deny above. S3 still lets the bucket
                // owner's root user change a bucket policy that denies it (the documented way out of a
                // lock-out), so this cannot lock the account out; the tamper alarm reports that too.
                Sid: "DenyBucketPolicyChangeExceptDeployerAndBreakGlass",
                Effect: "Deny",
                Principal: "*",
                Action: ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
                Resource: bucketArn,
                ...exceptPrincipals([args.deployPrincipalArn, args.breakGlassRoleArn]),
            },
            denyInsecureTransport(bucketArn),
            ...(args.flowLogs ? flowLogPrefixProtection(bucketArn) : []),
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
export function keyAdministeredThroughIam(partition: string, centralAccountId: string): ResourceStatement {
    return {
        Sid: "CentralAccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${centralAccountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** The actions that make every log encrypted under the key unreadable. */
export const KEY_DESTRUCTION_ACTIONS = ["kms:DisableKey", "kms:ScheduleKeyDeletion"] as const;

/**
 * The archive key's policy: the central account administers it through IAM, but nobody except the
 * break-glass role may disable it or schedule its deletion, and nobody except that role and the
 * deploying principal (onboarding an account rewrites this policy) may change the policy; listed
 * trails may encrypt and describe.
 */
export function archiveKeyPolicy(args: ArchiveGrantArgs & { readonly centralAccountId: string }): ResourcePolicy {
    const organization = args.organization;
    const memberTrails = trailArnPattern(args.partition, args.region, args.trailName);
    // The organization trail's ARN is exact (one trail, in the management account); member trails share a name and region.
    const organizationTrail = organization && trailArn(args.partition, args.region, organization.managementAccountId, args.trailName);
    const withMemberTrails = !organization || organization.keepMemberTrails === true;
    const grants: ResourceStatement[] = [];
    if (organization) {
        grants.push({
            Sid: "OrganizationTrailEncryptAndDescribe",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": organization.managementAccountId, "aws:SourceArn": organizationTrail! } },
        });
    }
    if (withMemberTrails) {
        grants.push({
            // The docs prefer aws:SourceArn over aws:SourceAccount for KMS; both are set. A per-trail ARN list
            // would not fit 32 KB at 1,000 accounts, so the ARN is pinned by name and region and the account by list,
            // which appears once, for both actions.
            Sid: "CloudTrailEncryptAndDescribeListedAccounts",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
            Condition: {
                StringEquals: { "aws:SourceAccount": sortedUniqueAccounts(args.accountIds) },
                ArnLike: { "aws:SourceArn": memberTrails },
            },
        });
    }
    const encryptingTrails = [organizationTrail, withMemberTrails ? memberTrails : undefined].filter((arn): arn is string => typeof arn === "string");
    const policy: ResourcePolicy = {
        Version: "2012-10-17",
        Statement: [
            keyAdministeredThroughIam(args.partition, args.centralAccountId),
            ...grants,
            {
                // The documented pin of a data key to a trail; absent context → StringNotLike matches → denied.
                Sid: "CloudTrailEncryptsOnlyForTheTrail",
                Effect: "Deny",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringNotLike: { "kms:EncryptionContext:aws:cloudtrail:arn": encryptingTrails.length === 1 ? encryptingTrails[0] : encryptingTrails },
                },
            },
            ...keyProtection(args),
            ...(args.flowLogs ? [flowLogKeyStatement(args.partition, args.flowLogs)] : []),
        ],
    };
    assertUnder(policy, KMS_KEY_POLICY_MAX_BYTES, "archive key policy");
    return policy;
}

/** Nobody but the break-glass role may destroy the key, nobody but it and the deployer may change its policy. */
export function keyProtection(args: { readonly breakGlassRoleArn?: string; readonly deployPrincipalArn: string }): ResourceStatement[] {
    return [
        {
            Sid: "DenyKeyDestructionExceptBreakGlass",
            Effect: "Deny",
            Principal: "*",
            Action: [...KEY_DESTRUCTION_ACTIONS],
            Resource: "*",
            ...exceptPrincipals([args.breakGlassRoleArn]),
        },
        {
            Sid: "DenyKeyPolicyChangeExceptDeployerAndBreakGlass",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:PutKeyPolicy",
            Resource: "*",
            ...exceptPrincipals([args.deployPrincipalArn, args.breakGlassRoleArn]),
        },
    ];
}

/**
 * The key of the lake alone, in existing mode, where the archive (and its key) belong to someone else:
 * no CloudTrail grant, the same protection against destruction and policy changes.
 */
export function lakeOnlyKeyPolicy(args: {
    readonly partition: string;
    readonly centralAccountId: string;
    readonly breakGlassRoleArn?: string;
    readonly deployPrincipalArn: string;
}): ResourcePolicy {
    return { Version: "2012-10-17", Statement: [keyAdministeredThroughIam(args.partition, args.centralAccountId), ...keyProtection(args)] };
}

/**
 * AWS's documented bucket policy of an organization trail ("Amazon S3 bucket policy for CloudTrail",
 * organization trail form): the ACL check and the writes, each pinned with `aws:SourceArn` to the one
 * trail ARN in the management account; writes under `AWSLogs/<org id>/*`, where the trail delivers
 * every member account's logs, and `AWSLogs/<management account>/*`, which CloudTrail uses if the trail
 * is ever turned back into a single-account trail. `aws:SourceAccount` would be the management account
 * for every member's delivery, so it pins nothing more than the ARN does.
 */
export function organizationTrailBucketGrants(bucketArn: string, organizationTrailArn: string, organization: OrganizationTrailGrant): ResourceStatement[] {
    return [
        {
            Sid: "OrganizationTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": organizationTrailArn } },
        },
        {
            Sid: "OrganizationTrailWrite",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:PutObject",
            Resource: [`${bucketArn}/AWSLogs/${organization.managementAccountId}/*`, `${bucketArn}/AWSLogs/${organization.id}/*`],
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": organizationTrailArn } },
        },
    ];
}

/** Lets S3 server access logging of the central account's buckets write into the access-log bucket. */
export function accessLogBucketPolicy(args: {
    readonly partition: string;
    readonly bucketName: string;
    /** Only buckets of this account may log here (the archive and lake buckets live in it). */
    readonly centralAccountId: string;
}): ResourcePolicy {
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
