/**
 * Runs the policy pack's validators over declared resources, as the Pulumi engine would during
 * `pulumi preview --policy-pack policy-pack`, without the engine: a resource validation sees each
 * resource's props, a stack validation sees them all with their providers and parents.
 */
import * as path from "node:path";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PolicyKind, policyDocumentsOf } from "../policy-pack/policyDocuments";
import { RULES } from "../policy-pack/rules";
import { DeclaredResource, installMocks, readStackFile, recordDeclarations, setStackConfig } from "./mockProgram";

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
    const defaults = Object.fromEntries(
        Object.entries(rule.configSchema?.properties ?? {})
            .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
            .map(([key, schema]) => [key, (schema as { default: unknown }).default]),
    );
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
        if (provider)
            (policyResources[i] as { provider?: unknown }).provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
        (policyResources[i] as { dependencies: PolicyResource[] }).dependencies = resource.dependencies
            .map((urn) => byUrn.get(urn))
            .filter(Boolean) as PolicyResource[];
    });

    const violations: Violation[] = [];
    for (const rule of rules) {
        const report = (message: string, urn?: string) =>
            violations.push({ policy: rule.name, enforcementLevel: rule.enforcementLevel ?? "advisory", message, urn });
        const getConfig = <T>() => configOf(rule, config) as T;
        const notApplicable = (reason?: string): never => {
            throw new NotApplicable(reason);
        };
        if ("validateResource" in rule) {
            const validations = [rule.validateResource ?? []].flat();
            for (const resource of policyResources) {
                for (const validate of validations) {
                    try {
                        await validate({ ...resource, getConfig, notApplicable, stackTags: new Map() } as never, (message, urn) =>
                            report(message, urn ?? resource.urn),
                        );
                    } catch (error) {
                        if (!(error instanceof NotApplicable)) throw error;
                    }
                }
            }
        } else {
            try {
                await (rule as StackValidationPolicy).validateStack(
                    { resources: policyResources, getConfig, notApplicable, stackTags: new Map() } as never,
                    report,
                );
            } catch (error) {
                if (!(error instanceof NotApplicable)) throw error;
            }
        }
    }
    return violations;
}

/** Where the literal JSON of every policy document the program declares is kept, for review in pull requests. */
export const FIXTURE_DIR = path.join(__dirname, "..", "test", "fixtures", "policies");

/** One policy document a declared resource holds, with its kind. */
export interface PolicyDocumentOf {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly property: string;
    readonly kind: PolicyKind;
    readonly document: unknown;
}

/** Every policy document of the declared resources (bucket, key, queue, topic policies; role trust and inline policies). */
export function collectPolicyDocuments(resources: readonly DeclaredResource[]): PolicyDocumentOf[] {
    return resources
        .filter((resource) => resource.custom)
        .flatMap((resource) =>
            policyDocumentsOf(resource.type, resource.inputs).map((found) => ({ urn: resource.urn, type: resource.type, name: resource.name, ...found })),
        )
        .sort((a, b) => fixtureFileName(a).localeCompare(fixtureFileName(b)));
}

/** `iam-role.normaliser-role.assumeRolePolicy.json`: service-type, logical name, property. */
export function fixtureFileName(document: Pick<PolicyDocumentOf, "type" | "name" | "property">): string {
    return `${document.type.split(":")[1].replace("/", "-")}.${document.name}.${document.property.replace(/[^\w-]/g, "_")}.json`;
}

/** The program as index.ts declares it with Pulumi.prod.yaml, under the mocks. */
export async function declareProdStack(): Promise<DeclaredResource[]> {
    await installMocks();
    setStackConfig(readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml")));
    const { declareStackFromPulumiConfig } = await import("../program");
    return recordDeclarations((opts) => declareStackFromPulumiConfig(opts));
}
