/**
 * The stack configuration of cloudtrail-lake: its schema, its defaults, and the one place it is
 * read. Everything is validated before any resource is declared, and every problem is reported
 * at once, each naming its key path (`cloudtrail-lake:accounts[2].id`), the value found and what
 * is allowed.
 */
import { z } from "zod";
import { MAX_ACCOUNTS } from "../contract/limits";
import { cronProblems, planTriggers } from "./schedule";
import { alertsAllowedKeysAt, alertsSchema, suppressionsSchema } from "./alerts";
import { dataEventsProblems, dataEventsSchema } from "./dataEvents";
import { flowLogsAllowedKeysAt, flowLogsProblems, flowLogsSchema } from "./flowLogs";
import { dashboardsAllowedKeysAt, dashboardsSchema } from "./dashboards";

/** Regions the catalog projects by default: the commercial regions CloudTrail can log in (2025). */
export const DEFAULT_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
];

/** Config namespace: the Pulumi project name. */
export const CONFIG_NAMESPACE = "cloudtrail-lake";

/** Role assumed in a member account when the account entry names none (created by AWS Organizations). */
export const DEFAULT_MEMBER_ROLE = "OrganizationAccountAccessRole";

/** S3 Object Lock allows at most 100 years of default retention. */
const MAX_RETENTION_DAYS = 36_500;

const accountId = z
    .string({
        error: (issue) =>
            typeof issue.input === "number"
                ? `is a YAML number, and YAML drops leading zeros from numbers: write the id as a quoted ` +
                  `12-digit string, e.g. id: "${String(issue.input).padStart(12, "0")}"`
                : "must be a 12-digit AWS account id written as a quoted string",
    })
    .regex(/^\d{12}$/, { error: "must be exactly 12 digits (an AWS account id)" });

const accountName = z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
});

const roleName = z
    .string({ error: "must be a string" })
    .regex(/^[\w+=,.@-]{1,64}$/, { error: "must be an IAM role name (1-64 of letters, digits and +=,.@_-)" });

const wholeNumber = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

const oneOfNumbers = (values: readonly number[]) =>
    z.number({ error: `must be one of ${values.join(", ")}` }).refine((value) => values.includes(value), { error: `must be one of ${values.join(", ")}` });

const accountSchema = z.strictObject({
    id: accountId.describe("12-digit account id, quoted: YAML drops leading zeros from numbers."),
    name: accountName.describe("Short human name, used in tags and outputs."),
    roleName: roleName.default(DEFAULT_MEMBER_ROLE).describe("Role the program assumes in the account to create its trail."),
});

/**
 * S3 refuses a lifecycle transition into these classes for objects younger than 30 days (S3 API
 * reference, Transition: "Days ... must be greater than or equal to 30 for storageClass STANDARD_IA").
 * ONEZONE_IA has the same rule, but it is not offered: one zone is no place for the only copy of evidence.
 */
const MINIMUM_DAYS_BEFORE_TRANSITION: Partial<Record<string, number>> = { STANDARD_IA: 30, ONEZONE_IA: 30 };

/** Glue Flex runs only on these worker types (https://docs.aws.amazon.com/glue/latest/dg/add-job.html: flexible job runs need G.1X or G.2X workers). */
export const FLEX_WORKER_TYPES: readonly string[] = ["G.1X", "G.2X"];

/** Lambda rejects an SQS event source mapping with BatchSize above 10 unless MaximumBatchingWindowInSeconds is at least 1. */
const MAX_BATCH_WITHOUT_WINDOW = 10;

const archiveSchema = z
    .strictObject({
        objectLockMode: oneOf(["COMPLIANCE", "GOVERNANCE"] as const)
            .default("COMPLIANCE")
            .describe("COMPLIANCE: nobody, not even root, can shorten or remove the lock. GOVERNANCE: holders of s3:BypassGovernanceRetention can."),
        retentionDays: wholeNumber(1, MAX_RETENTION_DAYS).default(365).describe("Default Object Lock retention of every log file, in days."),
        coldStorageAfterDays: wholeNumber(0, MAX_RETENTION_DAYS)
            .default(90)
            .describe("Days after which log files move to colder storage; 0 keeps them in S3 Standard."),
        coldStorageClass: oneOf(["STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const)
            .default("GLACIER_IR")
            .describe(
                "The colder storage class. GLACIER_IR keeps millisecond reads, so Athena can still query the archive; STANDARD_IA needs coldStorageAfterDays of at least 30 (S3 refuses earlier); files under 128 KB stay in Standard (docs/architecture.md, Cold storage and small files).",
            ),
        expireAfterDays: wholeNumber(1, MAX_RETENTION_DAYS)
            .optional()
            .describe("Delete log files after this many days; unset keeps them forever. Must not undercut the lock."),
        accessLogRetentionDays: wholeNumber(1, MAX_RETENTION_DAYS)
            .default(365)
            .describe("How long S3 server access logs of the archive and lake buckets are kept."),
    })
    .superRefine((archive, ctx) => {
        const minimumDays = MINIMUM_DAYS_BEFORE_TRANSITION[archive.coldStorageClass];
        if (archive.coldStorageAfterDays > 0 && minimumDays !== undefined && archive.coldStorageAfterDays < minimumDays) {
            ctx.addIssue({
                code: "custom",
                path: ["coldStorageAfterDays"],
                input: archive.coldStorageAfterDays,
                message:
                    `must be at least ${minimumDays} with coldStorageClass ${archive.coldStorageClass}: S3 rejects a lifecycle ` +
                    `transition to ${archive.coldStorageClass} before day ${minimumDays}; use 0 (stay in S3 Standard), ${minimumDays} or more, or GLACIER_IR`,
            });
        }
        if (archive.expireAfterDays !== undefined && archive.expireAfterDays < archive.retentionDays) {
            ctx.addIssue({
                code: "custom",
                path: ["expireAfterDays"],
                input: archive.expireAfterDays,
                message: `must be at least retentionDays (${archive.retentionDays}): expiring a log before its lock ends leaves a delete marker over evidence`,
            });
        }
    });

const normaliserSchema = z
    .strictObject({
        memoryMb: wholeNumber(256, 10_240)
            .default(2048)
            .describe(
                'Lambda memory; CPU scales with it (1,769 MB is one vCPU). 2,048 MB: docs/architecture.md, "The normaliser", with the figures in docs/benchmarks.md.',
            ),
        timeoutSeconds: wholeNumber(30, 900).default(300).describe("Lambda timeout (the queue's visibility timeout is six times this, as AWS recommends)."),
        maxReceiveCount: wholeNumber(1, 100).default(5).describe("Deliveries of a message before it moves to the dead-letter queue."),
        batchSize: wholeNumber(1, 100)
            .default(5)
            .describe(
                "Messages per Lambda invocation, normalised one after the other: 5 of the largest files take about a third of the default timeout; above 10 needs maximumBatchingWindowSeconds of at least 1.",
            ),
        maximumBatchingWindowSeconds: wholeNumber(0, 300)
            .default(0)
            .describe("Seconds Lambda may wait to fill a batch (the event source mapping's MaximumBatchingWindowInSeconds); 0 invokes at once."),
        logRetentionDays: oneOfNumbers([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653])
            .default(90)
            .describe(
                "Retention of the Lambda's log group, in days: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).",
            ),
        alarmTopicArn: z
            .string({ error: "must be an SNS topic ARN" })
            .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, { error: "must be an SNS topic ARN" })
            .optional()
            .describe("SNS topic the dead-letter-queue alarm notifies; unset: the alarm only shows in CloudWatch."),
    })
    .superRefine((normaliser, ctx) => {
        if (normaliser.batchSize > MAX_BATCH_WITHOUT_WINDOW && normaliser.maximumBatchingWindowSeconds < 1) {
            ctx.addIssue({
                code: "custom",
                path: ["batchSize"],
                input: normaliser.batchSize,
                message:
                    `above ${MAX_BATCH_WITHOUT_WINDOW} needs normaliser.maximumBatchingWindowSeconds of at least 1 (it is ` +
                    `${normaliser.maximumBatchingWindowSeconds}): Lambda rejects such an SQS event source mapping; set the window, or a batchSize of ${MAX_BATCH_WITHOUT_WINDOW} or less`,
            });
        }
    });

const glueSchema = z
    .strictObject({
        workerType: oneOf(["G.1X", "G.2X", "G.4X", "G.8X"] as const)
            .default("G.1X")
            .describe("Worker type of every account's job. G.1X = 1 DPU (4 vCPU, 16 GB)."),
        numberOfWorkers: wholeNumber(2, 299).default(2).describe("Workers per job run; Spark jobs need at least 2."),
        timeoutMinutes: wholeNumber(1, 2880)
            .default(60)
            .describe("A run that takes longer is stopped; its bookmark is not committed, so the next run redoes it."),
        executionClass: oneOf(["STANDARD", "FLEX"] as const)
            .default("STANDARD")
            .describe("FLEX runs on spare capacity at a lower price, with a later start; only with G.1X or G.2X workers (Glue rejects others)."),
        concurrentRunsQuota: wholeNumber(1, 10_000)
            .default(200)
            .describe("The account's quota of concurrent Glue job runs (L-5E4153CA): at most this many jobs start together."),
        staggerMinutes: wholeNumber(1, 59).default(10).describe("Minutes between waves of triggers when the accounts exceed the quota."),
    })
    .superRefine((glue, ctx) => {
        if (glue.executionClass === "FLEX" && !FLEX_WORKER_TYPES.includes(glue.workerType)) {
            ctx.addIssue({
                code: "custom",
                path: ["executionClass"],
                input: glue.executionClass,
                message:
                    `runs only on worker types ${FLEX_WORKER_TYPES.join(", ")}, not glue.workerType ${glue.workerType}: ` +
                    "Glue rejects the job; use STANDARD, or one of those worker types",
            });
        }
    });

const athenaSchema = z.strictObject({
    bytesScannedCutoffMb: wholeNumber(10, 7_000_000_000).default(10_240).describe("Athena cancels a query that would scan more (10 MB is Athena's minimum)."),
    resultsRetentionDays: wholeNumber(1, 3650).default(30).describe("Days query results are kept in the lake bucket."),
});

const catalogSchema = z.strictObject({
    regions: z
        .array(z.string({ error: "must be a region name" }).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be a region name such as eu-west-1" }), {
            error: "must be a list of region names",
        })
        .min(1, { error: "must list at least one region" })
        .default(DEFAULT_REGIONS)
        .describe("Regions the tables project: a query over a region not listed finds nothing."),
    firstDate: z
        .string({ error: "must be a date YYYY-MM-DD" })
        .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date YYYY-MM-DD" })
        .default("2020-01-01")
        .describe("First day the tables project, YYYY-MM-DD; the last is always today."),
});

/** The ARN `aws:PrincipalArn` carries: an IAM role or user (with path), not an `sts` session. */
const iamPrincipalArn = z.string({ error: "must be an IAM role or user ARN" }).regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/, {
    error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/BreakGlass (not an sts assumed-role session ARN)",
});

/** How logs reach the archive (docs/deploy.md, "Trail modes"). */
export const TRAIL_MODES = ["per-account", "organization", "existing"] as const;
export type TrailMode = (typeof TRAIL_MODES)[number];

const organizationSchema = z
    .strictObject({
        id: z
            .string({ error: "must be an AWS Organizations id such as o-a1b2c3d4e5 (a string)" })
            .regex(/^o-[a-z0-9]{10,32}$/, { error: "must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5" })
            .describe("The AWS Organizations id, `o-` and 10-32 lowercase letters or digits: CloudTrail's key prefix `AWSLogs/<id>/`."),
        managementAccountId: accountId.describe("The organization's management account: an organization trail can only be created there."),
        roleName: roleName
            .optional()
            .describe(
                "Role the program assumes in the management account to create the organization trail. No default: OrganizationAccountAccessRole exists only in member accounts that Organizations created, never in the management account (docs/deploy-organization.md). Exactly one of roleName and profile.",
            ),
        profile: z
            .string({ error: "must be the name of an AWS profile (a string)" })
            .regex(/^[\w.@+=,-]{1,128}$/, { error: "must be the name of an AWS profile (letters, digits and ._-@+=,)" })
            .optional()
            .describe("Named AWS profile of the management account's own credentials (e.g. an IAM Identity Center session), instead of a role."),
        keepMemberTrails: z
            .boolean({ error: "must be true or false" })
            .default(false)
            .describe(
                'Migration from per-account (docs/deploy.md, "Move from per-account to organization"): keep the member trails and their grants beside the organization trail until its first files arrive, so no event goes unrecorded.',
            ),
    })
    .superRefine((organization, ctx) => {
        if ((organization.roleName === undefined) === (organization.profile === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: [organization.roleName === undefined ? "roleName" : "profile"],
                input: organization.roleName === undefined ? undefined : organization.profile,
                message:
                    organization.roleName === undefined
                        ? `must name the role the program assumes in the management account ${organization.managementAccountId} to create the organization trail ` +
                          "(OrganizationAccountAccessRole exists only in member accounts Organizations created, not in the management account), " +
                          "or set organization.profile to an AWS profile of that account; docs/deploy-organization.md lists the permissions it needs"
                        : "is set together with organization.roleName: choose one, the role to assume or the profile of the management account",
            });
        }
    });

const existingArchiveSchema = z.strictObject({
    bucketName: z
        .string({ error: "must be an S3 bucket name (a string)" })
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')" })
        .describe("The bucket another team's trail (e.g. Control Tower's organization trail) already delivers to. Never modified by this stack."),
    kmsKeyArn: z
        .string({ error: "must be a KMS key ARN (a string)" })
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/, {
            error: "must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
        })
        .optional()
        .describe("The KMS key the log files are encrypted with (SSE-KMS); unset: SSE-S3, nothing to decrypt."),
    region: z
        .string({ error: "must be a region name such as eu-west-1" })
        .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be a region name such as eu-west-1" })
        .optional()
        .describe(
            "The bucket's region, when it is not the stack's and the logs are not SSE-KMS (an SSE-KMS key is in its bucket's region, so kmsKeyArn tells it). The normaliser reads the bucket there; unset, it follows S3's redirect on every read.",
        ),
    organizationId: z
        .string({ error: "must be an AWS Organizations id such as o-a1b2c3d4e5 (a string)" })
        .regex(/^o-[a-z0-9]{10,32}$/, { error: "must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5" })
        .optional()
        .describe(
            "The organization id when an organization trail (Control Tower's, say) fills the bucket: its keys are `AWSLogs/<o-id>/<account>/…`, and the raw table projects that layout. Unset: `AWSLogs/<account>/…`.",
        ),
});

const topLevelSchema = z.strictObject({
    trailMode: oneOf(TRAIL_MODES)
        .default("per-account")
        .describe("per-account: one trail per listed account (default); organization: one organization trail; existing: read a bucket another trail fills."),
    organization: organizationSchema.optional().describe("Required with trailMode organization, refused otherwise."),
    existingArchive: existingArchiveSchema.optional().describe("Required with trailMode existing, refused otherwise."),
    accounts: z
        .array(accountSchema, { error: "must be a list of accounts, each with id and name" })
        .min(1, { error: "must list at least one account: without one there is nothing to collect" })
        .max(MAX_ACCOUNTS, {
            error: `must list at most ${MAX_ACCOUNTS} accounts, what the archive's bucket and key policies are sized for; split the rest over another stack`,
        })
        .describe(
            `The only required key: the accounts whose logs are collected, normalised, converted (one Glue job each) and projected in the tables; 1 to ${MAX_ACCOUNTS}, ids and names unique.`,
        ),
    trailName: z
        .string({ error: "must be a string" })
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/, { error: "must be a CloudTrail trail name (3-128 of letters, digits, '.', '_', '-')" })
        .default("cloudtrail-lake")
        .describe("Name of the trail created in every member account; bucket and key policies are pinned to it."),
    archive: archiveSchema.prefault({}).describe("The immutable archive bucket of the log files (trailMode per-account and organization)."),
    normaliser: normaliserSchema.prefault({}).describe("The normaliser Lambda, its queue and its dead-letter queue."),
    schedule: z
        .string({ error: "must be an AWS cron expression" })
        .default("cron(0 */6 * * ? *)")
        .describe(
            "When the Glue jobs run: AWS cron (six fields, UTC, one of day-of-month and day-of-week `?`, runs at least 5 minutes apart); the waves of triggers must fit in its hour.",
        ),
    glue: glueSchema.prefault({}).describe("The Glue jobs that convert each account's normalised logs to Parquet."),
    athena: athenaSchema.prefault({}).describe("The Athena workgroup."),
    catalog: catalogSchema.prefault({}).describe("What the Glue catalog's tables project (partition projection)."),
    breakGlassRoleArn: iamPrincipalArn
        .optional()
        .describe(
            "IAM role that alone may disable or schedule deletion of the archive key, and bypass GOVERNANCE retention (and, with the deployer, change the key policy). Unset: nobody may.",
        ),
    deployRoleArn: iamPrincipalArn
        .optional()
        .describe(
            "IAM ARN of whoever runs `pulumi up` (a role ARN, not an assumed-role session ARN): the only principal besides the break-glass role that may change the archive key's policy. Default: the caller's role (the issuer of its session). Set it when people and CI deploy in turn.",
        ),
    dataEvents: dataEventsSchema
        .prefault({})
        .describe(
            "Data events the stack's trails record (docs/data-events.md): S3 object calls of the listed buckets and Lambda invocations. Off by default (billed from the first event).",
        ),
    alerts: alertsSchema
        .optional()
        .describe(
            "Alerting (docs/deploy.md, Alerts and suppressions); setting it, even to {}, deploys both evaluators, the dedup table and the cloudtrail_recent table; unset: no alerting resources.",
        ),
    suppressions: suppressionsSchema.describe(
        "Tuning: rows of detections that are expected noise, for alerts, the local mode and Athena runs; each entry needs a reason and at least one of principalArn, userAgent, sourceCidr, account, and all the conditions it gives must hold.",
    ),
    flowLogs: flowLogsSchema
        .optional()
        .describe("VPC Flow Logs of listed accounts into the archive, or adopted where they land (docs/flow-logs.md); unset: none."),
    dashboards: dashboardsSchema
        .optional()
        .describe("QuickSight dashboards over the lake (docs/dashboards.md); unset: nothing QuickSight-related is declared."),
    tags: z
        .record(z.string(), z.string({ error: "must be a string" }), { error: "must be a map of tag names to strings" })
        .default({})
        .describe("Tags added to every resource that takes tags."),
});

/** The schedule must be valid AWS cron, and its waves of Glue triggers must fit within its hour. */
function scheduleProblems(config: z.output<typeof topLevelSchema>): string[] {
    const key = configKeyPath(["schedule"]);
    const problems = cronProblems(config.schedule).map((problem) => `${key} = ${describeValue(config.schedule)}: ${problem}`);
    if (problems.length > 0) return problems;
    try {
        planTriggers(
            config.accounts.map((account) => account.id),
            { schedule: config.schedule, ...config.glue },
        );
        return [];
    } catch (error) {
        return [
            `${key} = ${describeValue(config.schedule)}: ${config.accounts.length} accounts need several waves of ` +
                `${config.glue.concurrentRunsQuota} jobs (cloudtrail-lake:glue.concurrentRunsQuota) ${config.glue.staggerMinutes} minutes apart ` +
                `(glue.staggerMinutes), but ${(error as Error).message}; ` +
                "use a schedule with a single early minute such as cron(0 */6 * * ? *), fewer minutes between waves, or a raised quota",
        ];
    }
}

/**
 * Duplicate ids and names, checked on the raw values so that they are reported together with
 * every other problem (zod runs refinements only on otherwise valid input).
 */
function duplicateAccountProblems(accounts: unknown): string[] {
    if (!Array.isArray(accounts)) return [];
    const problems: string[] = [];
    for (const field of ["id", "name"] as const) {
        const firstIndex = new Map<string, number>();
        accounts.forEach((account, index) => {
            const value = (account as Record<string, unknown> | null)?.[field];
            if (typeof value !== "string" && typeof value !== "number") return;
            const key = String(value);
            const first = firstIndex.get(key);
            if (first === undefined) firstIndex.set(key, index);
            else
                problems.push(
                    `${configKeyPath(["accounts", index, field])} = ${describeValue(value)}: duplicates accounts[${first}].${field}; every account ${field} must be unique`,
                );
        });
    }
    return problems;
}

/**
 * The keys each trail mode needs and refuses, checked on the raw values so that they are reported
 * together with every other problem.
 */
function trailModeProblems(values: Record<string, unknown>): string[] {
    const mode = values.trailMode ?? "per-account";
    if (typeof mode !== "string" || !(TRAIL_MODES as readonly string[]).includes(mode)) return []; // the schema reports it
    const problems: string[] = [];
    const required: Record<string, "organization" | "existingArchive" | undefined> = { organization: "organization", existing: "existingArchive" };
    for (const key of ["organization", "existingArchive"] as const) {
        const needed = required[mode] === key;
        const present = values[key] !== undefined;
        const wantedMode = key === "organization" ? "organization" : "existing";
        if (needed && !present) {
            problems.push(
                `${configKeyPath([key])} is missing: trailMode ${mode} needs it (` +
                    (key === "organization" ? "{ id: o-…, managementAccountId: …, roleName: … or profile: … }" : "{ bucketName: …, kmsKeyArn?: … }") +
                    ")",
            );
        }
        if (!needed && present) {
            problems.push(
                `${configKeyPath([key])} is set but ${configKeyPath(["trailMode"])} is ${mode}: it is read only with trailMode ${wantedMode}; ` +
                    `set trailMode: ${wantedMode}, or remove ${key}`,
            );
        }
    }
    if (mode === "existing" && values.dataEvents !== undefined) {
        problems.push(
            `${configKeyPath(["dataEvents"])} is set but trailMode is existing: this stack creates no trail then, so it records no data events; ` +
                "configure them on the existing trail, or remove dataEvents",
        );
    }
    if (mode === "existing" && values.trailName !== undefined) {
        problems.push(
            `${configKeyPath(["trailName"])} is set but trailMode is existing: this stack creates no trail then; remove trailName (the existing trail keeps its own name)`,
        );
    }
    return problems;
}

export type AccountConfig = z.output<typeof accountSchema>;
export type ArchiveConfig = z.output<typeof archiveSchema>;
export type NormaliserConfig = z.output<typeof normaliserSchema>;
export type GlueConfig = z.output<typeof glueSchema>;
export type AthenaConfig = z.output<typeof athenaSchema>;
export type CatalogConfig = z.output<typeof catalogSchema>;
export type LakeConfig = z.output<typeof topLevelSchema>;

/** Account id → name from `accounts`: shown beside account ids in findings, alerts, the report and the dashboards. */
export function accountNamesOf(accounts: LakeConfig["accounts"]): Record<string, string> {
    return Object.fromEntries(accounts.map((account) => [account.id, account.name]));
}
export type OrganizationConfig = z.output<typeof organizationSchema>;
export type ExistingArchiveConfig = z.output<typeof existingArchiveSchema>;

/** The config keys this program reads, without namespace. */
export const CONFIG_KEYS = Object.keys(topLevelSchema.shape) as (keyof typeof topLevelSchema.shape)[];

/** Thrown when the stack config is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((problem) => `  - ${problem}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** `["accounts", 2, "id"]` → `cloudtrail-lake:accounts[2].id`. */
export function configKeyPath(path: readonly PropertyKey[]): string {
    let text = CONFIG_NAMESPACE;
    path.forEach((part, index) => {
        if (typeof part === "number") text += `[${part}]`;
        else text += `${index === 0 ? ":" : "."}${String(part)}`;
    });
    return text;
}

function describeValue(value: unknown): string {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Validates config values (already decoded from YAML/JSON), keyed without namespace, and
 * returns the config with defaults filled in. Throws {@link ConfigError} listing every problem.
 */
export function parseLakeConfig(values: Record<string, unknown>): LakeConfig {
    const result = topLevelSchema.safeParse(values, { reportInput: true });
    const duplicates = duplicateAccountProblems(values.accounts);
    const schedule = result.success ? scheduleProblems(result.data) : [];
    const modes = [...trailModeProblems(values), ...flowLogsProblems(values, configKeyPath)];
    const dataEvents = result.success ? dataEventsProblems(result.data.dataEvents, configKeyPath) : [];
    if (result.success && duplicates.length === 0 && schedule.length === 0 && modes.length === 0 && dataEvents.length === 0) return result.data;
    const problems: string[] = [];
    for (const issue of result.error?.issues ?? []) {
        if (issue.code === "unrecognized_keys") {
            const allowed = allowedKeysAt(issue.path);
            for (const key of issue.keys) {
                problems.push(`${configKeyPath([...issue.path, key])}: unknown key (a typo?); allowed here: ${allowed.join(", ")}`);
            }
        } else {
            problems.push(
                issue.input === undefined
                    ? `${configKeyPath(issue.path)} is missing: it ${issue.message}`
                    : `${configKeyPath(issue.path)} = ${describeValue(issue.input)}: ${issue.message}`,
            );
        }
    }
    problems.push(...duplicates, ...schedule, ...modes, ...dataEvents);
    throw new ConfigError(problems);
}

function allowedKeysAt(path: readonly PropertyKey[]): string[] {
    if (path.length === 0) return [...CONFIG_KEYS];
    const alertKeys = alertsAllowedKeysAt(path) ?? flowLogsAllowedKeysAt(path);
    if (alertKeys) return alertKeys;
    const dashboardKeys = dashboardsAllowedKeysAt(path);
    if (dashboardKeys) return dashboardKeys;
    if (path[0] === "accounts") return Object.keys(accountSchema.shape);
    if (path[0] === "archive") return Object.keys(archiveSchema.shape);
    if (path[0] === "normaliser") return Object.keys(normaliserSchema.shape);
    if (path[0] === "glue") return Object.keys(glueSchema.shape);
    if (path[0] === "athena") return Object.keys(athenaSchema.shape);
    if (path[0] === "catalog") return Object.keys(catalogSchema.shape);
    if (path[0] === "organization") return Object.keys(organizationSchema.shape);
    if (path[0] === "existingArchive") return Object.keys(existingArchiveSchema.shape);
    if (path[0] === "dataEvents") return Object.keys(dataEventsSchema.shape);
    return [];
}

/**
 * Reads the `cloudtrail-lake:*` keys out of Pulumi's flat config map (`{"cloudtrail-lake:accounts": "<json>"}`),
 * decoding structured values, and validates them. Keys of other namespaces (aws:, pulumi:) are ignored.
 */
export function lakeConfigFromPulumi(allConfig: Record<string, string>): LakeConfig {
    const values: Record<string, unknown> = {};
    for (const [fullKey, raw] of Object.entries(allConfig)) {
        const separator = fullKey.indexOf(":");
        if (fullKey.slice(0, separator) !== CONFIG_NAMESPACE) continue;
        values[fullKey.slice(separator + 1)] = decodeConfigValue(raw);
    }
    return parseLakeConfig(values);
}

/** Pulumi stores structured and numeric values as JSON text and plain strings as themselves. */
function decodeConfigValue(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/**
 * A warning when the central account is not one of the collected accounts: its own API calls (the
 * key policy, the bucket policy, a break-glass session) would then be recorded by no trail of this
 * stack, and the tamper alarm sees only what a trail in that account records.
 */
export function centralAccountWarning(config: LakeConfig, centralAccountId: string): string | undefined {
    // An organization trail records every account of the organization, the central one included; in
    // existing mode the trail is someone else's.
    if (config.trailMode !== "per-account") return undefined;
    if (config.accounts.some((account) => account.id === centralAccountId)) return undefined;
    return (
        `${configKeyPath(["accounts"])} does not list the central account ${centralAccountId}, which holds the archive: ` +
        "its own API calls (changes to the archive key and bucket, break-glass sessions) are not logged by this stack; " +
        "add it to the accounts, or make sure another trail records it"
    );
}

/** The schema itself, for the generated reference of every key (scripts/generate-docs.ts, docs/deploy.md). */
export const STACK_CONFIG_SCHEMA = topLevelSchema;
