/**
 * What the rules know of the program they guard: its tag names, key prefixes, argument and table
 * parameter names, the service principals and key actions its policies name, and the service limits
 * it is sized for.
 *
 * The pack stands alone: `pulumi policy publish` uploads this folder and nothing else
 * (https://www.pulumi.com/docs/iac/cli/commands/pulumi_policy_publish/), and a published version is
 * enforced on stacks built from any commit of the program. So it cannot import these from the program;
 * each is restated here once, and test/policyPackConventions.test.ts compares it with the program's
 * own definition, so that a rename in the program fails a test instead of silently blinding a rule.
 */

/** Tag the program puts on each of its buckets, with the bucket's purpose as value. */
export const BUCKET_PURPOSE_TAG = "cloudtrail-lake:bucket";
/** {@link BUCKET_PURPOSE_TAG}'s value on the archive bucket, and on the lake bucket. */
export const ARCHIVE_PURPOSE = "archive";
export const LAKE_PURPOSE = "lake";
/** Tag of member trails kept beside the organization trail during a migration (`organization.keepMemberTrails`). */
export const MIGRATION_TAG = "cloudtrail-lake:migrating-to-organization-trail";

/** Where CloudTrail writes in the archive: `AWSLogs/[o-…/]<account>/CloudTrail/…`. */
export const ARCHIVE_LOG_PREFIX = "AWSLogs/";
/** A trail's own prefix, with the policy variable AWS substitutes with the writing trail's account. */
export const OWN_ACCOUNT_LOG_PREFIX = "AWSLogs/${aws:SourceAccount}/";
/** Where VPC Flow Logs deliver in the archive. */
export const FLOW_LOG_PREFIX = "flow-logs/";
/** The objects a delivering account's flow logs may write: its own Hive-style prefix. */
export const OWN_ACCOUNT_FLOW_LOG_OBJECTS = `${FLOW_LOG_PREFIX}AWSLogs/aws-account-id=\${aws:SourceAccount}/*`;

export const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";
/** The service principal that delivers VPC Flow Logs to S3. */
export const LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com";
/** The actions that make every log encrypted under a key unreadable. */
export const KEY_DESTRUCTION_ACTIONS = ["kms:DisableKey", "kms:ScheduleKeyDeletion"] as const;
/** What a protected key's policy denies to all but named roles: destruction, and changing the policy itself. */
export const PROTECTED_KEY_ACTIONS = [...KEY_DESTRUCTION_ACTIONS, "kms:PutKeyPolicy"] as const;

/** The Glue job argument naming the one account a job converts. */
export const GLUE_JOB_ACCOUNT_ARGUMENT = "--account_id";
/** The table parameter listing the accounts a table's partition projection covers. */
export const PROJECTED_ACCOUNTS_PARAMETER = "projection.account.values";

/** "Bucket policies are limited to 20 KB" (S3 User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html). */
export const S3_BUCKET_POLICY_MAX_BYTES = 20 * 1024;
/** Glue's limit of jobs a trigger may start (service quota L-EEC98450). */
export const GLUE_MAX_ACTIONS_PER_TRIGGER = 50;

/** Lambda runtimes accepted unless the pack's config says otherwise: the program's functions must run on one. */
export const DEFAULT_ALLOWED_RUNTIMES: readonly string[] = ["nodejs22.x", "nodejs24.x"];
/** Least Object Lock retention of the archive unless the pack's config says otherwise: the program's default must meet it. */
export const DEFAULT_MINIMUM_RETENTION_DAYS = 365;
