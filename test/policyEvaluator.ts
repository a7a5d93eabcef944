/**
 * A small evaluator of resource policies, enough to ask "would AWS allow this request?" in tests.
 * Kept hand-written: the maintained evaluator, @cloud-copilot/iam-simulate, is AGPL-3.0 (the task
 * allows only MIT/Apache here). It follows IAM's documented logic for one resource policy:
 * - an explicit Deny wins, then any Allow, else implicit deny;
 * - operators String(Not)Equals, String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool, with `*`/`?`;
 * - a key absent from the request fails a positive operator and satisfies a negated one
 *   ("…IfExists" is not modelled); a negated operator with several values matches when the value is none of them;
 * - policy variables `${key}` in Resource are replaced from the context; a missing key matches nothing;
 * - the request context carries `aws:PrincipalArn` / `aws:PrincipalServiceName` from the principal, as AWS sets them.
 * A `Principal: {AWS: "arn:…:root"}` matches any principal of that account: it delegates to the
 * account's IAM policies, which the tests take as granting (they test what the resource policy denies).
 */
import { PolicyDocument, PolicyStatement } from "../components/iam/policyDocument";

export interface Request {
    /** A service principal, or an IAM principal by the ARN `aws:PrincipalArn` would carry (a role ARN, not a session). */
    readonly principal: { readonly service?: string; readonly aws?: string };
    readonly action: string;
    readonly resource: string;
    readonly context: Record<string, string | boolean>;
}

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
    const regex = new RegExp(
        `^${pattern
            .split("")
            .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
            .join("")}$`,
        caseInsensitive ? "i" : "",
    );
    return regex.test(value);
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function contextOf(request: Request): Record<string, string | boolean> {
    const context = { ...request.context };
    if (request.principal.service) context["aws:PrincipalServiceName"] = request.principal.service;
    if (request.principal.aws) {
        context["aws:PrincipalArn"] = request.principal.aws;
        context["aws:PrincipalAccount"] = request.principal.aws.split(":")[4];
    }
    return context;
}

function principalMatches(statement: PolicyStatement, request: Request): boolean {
    if (statement.Principal === "*") return true;
    const principal = statement.Principal ?? {};
    const services = list(principal.Service);
    const awsPrincipals = list(principal.AWS);
    const arn = request.principal.aws;
    return (
        (request.principal.service !== undefined && services.includes(request.principal.service)) ||
        (arn !== undefined && awsPrincipals.some((allowed) => allowed === arn || allowed === `arn:${arn.split(":")[1]}:iam::${arn.split(":")[4]}:root`))
    );
}

const OPERATORS: Record<string, { negated: boolean; test: (pattern: string, actual: string) => boolean }> = {
    StringEquals: { negated: false, test: (p, a) => p === a },
    StringNotEquals: { negated: true, test: (p, a) => p === a },
    StringLike: { negated: false, test: (p, a) => wildcard(p, a) },
    StringNotLike: { negated: true, test: (p, a) => wildcard(p, a) },
    ArnEquals: { negated: false, test: (p, a) => p === a },
    ArnNotEquals: { negated: true, test: (p, a) => p === a },
    ArnLike: { negated: false, test: (p, a) => wildcard(p, a) },
    ArnNotLike: { negated: true, test: (p, a) => wildcard(p, a) },
    Bool: { negated: false, test: (p, a) => p === a },
};

function conditionsHold(statement: PolicyStatement, context: Record<string, string | boolean>): boolean {
    for (const [operatorName, entries] of Object.entries(statement.Condition ?? {})) {
        const operator = OPERATORS[operatorName];
        if (!operator) throw new Error(`operator ${operatorName} not modelled`);
        for (const [key, expected] of Object.entries(entries)) {
            const actual = context[key];
            const patterns = list(expected as string | string[] | boolean).map(String);
            const anyMatch = actual !== undefined && patterns.some((pattern) => operator.test(pattern, String(actual)));
            if (operator.negated ? anyMatch : !anyMatch) return false;
        }
    }
    return true;
}

/** Resource with `${key}` policy variables replaced, or undefined when a variable has no value. */
function substituted(resource: string, context: Record<string, string | boolean>): string | undefined {
    let missing = false;
    const text = resource.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
        const value = context[key];
        if (value === undefined) missing = true;
        return String(value);
    });
    return missing ? undefined : text;
}

function applies(statement: PolicyStatement, request: Request): boolean {
    const context = contextOf(request);
    return (
        principalMatches(statement, request) &&
        list(statement.Action).some((action) => wildcard(action, request.action, true)) &&
        list(statement.Resource ?? "*").some((resource) => {
            const concrete = substituted(resource, context);
            return concrete !== undefined && wildcard(concrete, request.resource);
        }) &&
        conditionsHold(statement, context)
    );
}

/** "Allow" or "Deny" as IAM's evaluation of this one resource policy would decide. */
export function evaluate(policy: PolicyDocument, request: Request): "Allow" | "Deny" {
    if (policy.Statement.some((statement) => statement.Effect === "Deny" && applies(statement, request))) return "Deny";
    return policy.Statement.some((statement) => statement.Effect === "Allow" && applies(statement, request)) ? "Allow" : "Deny";
}

/**
 * Whether a Deny of this policy applies: what no IAM policy can then override. For principals of
 * the bucket's own account a bucket policy need not allow; it only must not deny.
 */
export function explicitlyDenies(policy: PolicyDocument, request: Request): boolean {
    return policy.Statement.some((statement) => statement.Effect === "Deny" && applies(statement, request));
}
