/**
 * The typed policy documents every component builds: resource, identity and trust statements are
 * distinct types, because IAM rejects each other's fields, so a builder that mixes them does not
 * compile. Builders are pure functions returning these types; components serialise them with
 * policyJson (./policyJson.ts), and tests call the builders to read exactly what is deployed.
 */

/** A condition block: operator → context key → value(s). */
export type PolicyCondition = Record<string, Record<string, string | string[] | boolean>>;

/** Who a resource or trust policy statement is about. */
export type PolicyPrincipal = "*" | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };

interface StatementBase {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Condition?: PolicyCondition;
}

/**
 * A statement of a resource policy (bucket, key, queue, topic): it names its principal and resource.
 * The three statement kinds are distinct types because IAM rejects each other's fields: a trust
 * policy with a Resource ("MalformedPolicyDocument: Has prohibited field Resource"), an identity
 * policy with a Principal. `never` makes either mistake a compile error.
 */
export interface ResourceStatement extends StatementBase {
    Principal: PolicyPrincipal;
    Resource: string | string[];
}

/** A statement of an identity policy (attached to a role): no Principal, the role is the principal. */
export interface IdentityStatement extends StatementBase {
    Principal?: never;
    Resource: string | string[];
}

/** A statement of a role's trust policy: who may assume the role; no Resource, the role is the resource. */
export interface TrustStatement extends StatementBase {
    Principal: PolicyPrincipal;
    Resource?: never;
    Action: "sts:AssumeRole" | ("sts:AssumeRole" | "sts:TagSession" | "sts:SetSourceIdentity")[];
}

/** Any statement, for code that only reads policies (size, evaluation). */
export type PolicyStatement = ResourceStatement | IdentityStatement | TrustStatement;

/** IAM policy document whose statements are all of one kind. */
export interface PolicyDocument<S extends PolicyStatement = PolicyStatement> {
    Version: "2012-10-17";
    Statement: S[];
}

export type ResourcePolicy = PolicyDocument<ResourceStatement>;
export type IdentityPolicy = PolicyDocument<IdentityStatement>;
export type TrustPolicy = PolicyDocument<TrustStatement>;

/** Size of a policy as sent to AWS (compact JSON). AWS measures a normalised form, so keep headroom. */
export function policySize(policy: PolicyDocument): number {
    return Buffer.byteLength(JSON.stringify(policy), "utf8");
}
