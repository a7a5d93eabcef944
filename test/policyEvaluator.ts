/**
 * A deliberately small evaluator of resource policies, enough to ask "would AWS allow this
 * CloudTrail delivery?" in tests: explicit deny wins, then any allow; conditions StringEquals,
 * StringLike, ArnLike and Bool, with `*`/`?` wildcards; a missing context key fails a condition.
 */
import { PolicyDocument, PolicyStatement } from "../components/policies";

export interface Request {
    readonly principal: { readonly service?: string; readonly aws?: string };
    readonly action: string;
    readonly resource: string;
    readonly context: Record<string, string | boolean>;
}

function wildcard(pattern: string, value: string): boolean {
    const regex = new RegExp(`^${pattern.split("").map((c) => c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join("")}$`);
    return regex.test(value);
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function principalMatches(statement: PolicyStatement, request: Request): boolean {
    if (statement.Principal === "*") return true;
    const services = list(statement.Principal?.Service ?? []);
    const awsPrincipals = list(statement.Principal?.AWS ?? []);
    return (request.principal.service !== undefined && services.includes(request.principal.service)) ||
        (request.principal.aws !== undefined && awsPrincipals.includes(request.principal.aws));
}

function conditionsHold(statement: PolicyStatement, request: Request): boolean {
    for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
        for (const [key, expected] of Object.entries(entries)) {
            const actual = request.context[key];
            if (actual === undefined) return false;
            const candidates = list(expected as string | string[] | boolean).map(String);
            const ok = operator === "StringEquals" || operator === "Bool"
                ? candidates.includes(String(actual))
                : operator === "StringLike" || operator === "ArnLike"
                    ? candidates.some((pattern) => wildcard(pattern, String(actual)))
                    : (() => { throw new Error(`operator ${operator} not modelled`); })();
            if (!ok) return false;
        }
    }
    return true;
}

function applies(statement: PolicyStatement, request: Request): boolean {
    return principalMatches(statement, request) &&
        list(statement.Action).some((action) => wildcard(action, request.action)) &&
        list(statement.Resource).some((resource) => wildcard(resource, request.resource)) &&
        conditionsHold(statement, request);
}

/** "Allow" or "Deny" as IAM's resource-policy evaluation would decide for a service principal. */
export function evaluate(policy: PolicyDocument, request: Request): "Allow" | "Deny" {
    if (policy.Statement.some((statement) => statement.Effect === "Deny" && applies(statement, request))) return "Deny";
    return policy.Statement.some((statement) => statement.Effect === "Allow" && applies(statement, request)) ? "Allow" : "Deny";
}
