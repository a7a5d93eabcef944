/**
 * Runs the policy pack's validators over declared resources, as the Pulumi engine would during
 * `pulumi preview --policy-pack policies`, without the engine: a resource validation sees each
 * resource's props, a stack validation sees them all with their providers and parents.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RULES } from "../policies/rules";
import { DeclaredResource } from "./mockProgram";

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: string;
    readonly message: string;
    readonly urn?: string;
}

class NotApplicable extends Error {}

function typeMatcher(type: string) {
    return {
        isType: (resourceClass: { __pulumiType?: string }) => resourceClass.__pulumiType === type,
    };
}

/** Config of each rule: its schema's defaults, overridden by `config[rule]`. */
function configOf(rule: ResourceValidationPolicy | StackValidationPolicy, config: Record<string, Record<string, unknown>>): Record<string, unknown> {
    const defaults = Object.fromEntries(Object.entries(rule.configSchema?.properties ?? {})
        .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
        .map(([key, schema]) => [key, (schema as { default: unknown }).default]));
    return { ...defaults, ...(config[rule.name] ?? {}) };
}

/** Every violation of the pack's rules (or of `rules`) over the declared resources. */
export async function runPolicies(
    resources: readonly DeclaredResource[],
    config: Record<string, Record<string, unknown>> = {},
    rules: readonly (ResourceValidationPolicy | StackValidationPolicy)[] = RULES,
): Promise<Violation[]> {
    const custom = resources.filter((resource) => resource.custom);
    const byUrn = new Map<string, PolicyResource>();
    const policyResources: PolicyResource[] = custom.map((resource) => {
        const policyResource = {
            type: resource.type,
            props: resource.outputs,
            urn: resource.urn,
            name: resource.name,
            opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
            dependencies: [] as PolicyResource[],
            propertyDependencies: {},
            ...typeMatcher(resource.type),
            asType: () => resource.outputs,
        } as unknown as PolicyResource;
        byUrn.set(resource.urn, policyResource);
        return policyResource;
    });
    custom.forEach((resource, i) => {
        const providerUrn = resource.provider.replace(/::[^:]*$/, "");
        const provider = byUrn.get(providerUrn);
        if (provider) (policyResources[i] as { provider?: unknown }).provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
        (policyResources[i] as { dependencies: PolicyResource[] }).dependencies = resource.dependencies.map((urn) => byUrn.get(urn)).filter(Boolean) as PolicyResource[];
    });

    const violations: Violation[] = [];
    for (const rule of rules) {
        const report = (message: string, urn?: string) => violations.push({ policy: rule.name, enforcementLevel: rule.enforcementLevel ?? "advisory", message, urn });
        const getConfig = <T>() => configOf(rule, config) as T;
        const notApplicable = (reason?: string): never => { throw new NotApplicable(reason); };
        if ("validateResource" in rule) {
            const validations = [rule.validateResource ?? []].flat();
            for (const resource of policyResources) {
                for (const validate of validations) {
                    try {
                        await validate({ ...resource, getConfig, notApplicable, stackTags: new Map() } as never, (message, urn) => report(message, urn ?? resource.urn));
                    } catch (error) {
                        if (!(error instanceof NotApplicable)) throw error;
                    }
                }
            }
        } else {
            try {
                await (rule as StackValidationPolicy).validateStack({ resources: policyResources, getConfig, notApplicable, stackTags: new Map() } as never, report);
            } catch (error) {
                if (!(error instanceof NotApplicable)) throw error;
            }
        }
    }
    return violations;
}
