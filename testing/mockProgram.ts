/**
 * Runs the Pulumi program offline under Pulumi's documented mocks (`pulumi.runtime.setMocks`)
 * and records every resource it declares, with its parent, dependencies, provider and options.
 * Used by the unit tests, `npm run bench:scale` and `npm run plan`: nothing here needs a Pulumi
 * CLI, an AWS account or credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../config/stackFile";

/** Property values as the (mock) provider sees them: plain JSON-like data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs of any resource type; tests read them field by field
export type Properties = Record<string, any>;

/** A resource as the program declared it. */
export interface DeclaredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs after resolution (what would be sent to the provider). */
    readonly inputs: Properties;
    /** Inputs and the attributes the (mock) provider computed: what `pulumi up` would know after the step. */
    readonly outputs: Properties;
    /** URN of the parent ("" for the root component). */
    readonly parent: string;
    /** URNs of the explicit dependencies (`dependsOn`); implicit ones (through inputs) are not listed. */
    readonly dependencies: string[];
    /** `urn::id` reference of the explicit provider, if any. */
    readonly provider: string;
    readonly retainOnDelete: boolean;
    readonly custom: boolean;
    /** Its `aliases` option, resolved: the identities a deployed stack may know it by (testing/engineUrns.ts). */
    readonly aliases: DeclaredAlias[];
}

/**
 * One entry of a resource's `aliases` option with its inputs resolved. As in Pulumi's `Alias`, a field
 * that is absent means "the resource's own" (https://www.pulumi.com/docs/iac/concepts/options/aliases/).
 */
export interface DeclaredAlias {
    /** An alias given as a whole URN. */
    readonly urn?: string;
    readonly name?: string;
    readonly type?: string;
    /** URN of the former parent as this runtime names it; null: the stack itself. */
    readonly parent?: string | null;
    readonly project?: string;
    readonly stack?: string;
}

/** The account the mocked default provider is in. */
export const MOCK_CENTRAL_ACCOUNT_ID = "999999999999";

/** What the mocks' newResource saw (resolved inputs, provider), by `type::name`. */
interface ProviderView {
    readonly inputs: Properties;
    readonly outputs: Properties;
    readonly provider: string;
}
const providerViews = new Map<string, ProviderView>();
/** Account of each explicit AWS provider (its first allowedAccountIds entry), by provider name. */
const providerAccounts = new Map<string, string>();
let installed = false;

const viewKey = (type: string, name: string) => `${type}::${name}`;

/** Computed attributes AWS would return, so that ARNs and names flow on as they would in a deployment. */
function mockState(type: string, name: string, inputs: Properties, provider: string): Properties {
    const region = inputs.region ?? "ap-northeast-1";
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-0123456789abcdef`;
            return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:kms/key:Key":
            return { ...inputs, keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${MOCK_CENTRAL_ACCOUNT_ID}:key/${name}-key-id` };
        case "aws:cloudtrail/trail:Trail": {
            // A provider reference is `<provider urn>::<id>`; the urn ends with the provider's name.
            const providerName = provider.split("::").slice(-2, -1)[0] ?? "";
            const account = providerAccounts.get(providerName) ?? MOCK_CENTRAL_ACCOUNT_ID;
            return { ...inputs, arn: `arn:aws:cloudtrail:${region}:${account}:trail/${inputs.name}` };
        }
        default:
            return { ...inputs, arn: inputs.arn ?? `arn:aws:mock:${region}:${MOCK_CENTRAL_ACCOUNT_ID}:${type}/${name}`, name: inputs.name ?? name };
    }
}

/** Installs the mocks (once per process). */
export async function installMocks(project = "cloudtrail-lake", stack = "prod"): Promise<void> {
    if (installed) return;
    installed = true;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const provider = args.provider ?? "";
                if (args.type === "pulumi:providers:aws" && args.inputs.allowedAccountIds) {
                    // Provider inputs arrive JSON-encoded.
                    const allowed =
                        typeof args.inputs.allowedAccountIds === "string" ? JSON.parse(args.inputs.allowedAccountIds) : args.inputs.allowedAccountIds;
                    providerAccounts.set(args.name, allowed[0]);
                }
                const state = mockState(args.type, args.name, args.inputs, provider);
                providerViews.set(viewKey(args.type, args.name), { inputs: args.inputs, outputs: { ...args.inputs, ...state }, provider });
                // As in AWS, a bucket's id is its name (sub-resources refer to it by either).
                return { id: args.type === "aws:s3/bucket:Bucket" ? state.bucket : `${args.name}-id`, state };
            },
            call: (args) => {
                switch (args.token) {
                    case "aws:index/getCallerIdentity:getCallerIdentity":
                        return {
                            accountId: MOCK_CENTRAL_ACCOUNT_ID,
                            arn: `arn:aws:iam::${MOCK_CENTRAL_ACCOUNT_ID}:user/offline`,
                            userId: "OFFLINE",
                            id: MOCK_CENTRAL_ACCOUNT_ID,
                        };
                    case "aws:index/getPartition:getPartition":
                        return { partition: "aws", dnsSuffix: "amazonaws.com" };
                    case "aws:index/getRegion:getRegion":
                        return { name: "ap-northeast-1", region: "ap-northeast-1" };
                    default:
                        return args.inputs;
                }
            },
        },
        project,
        stack,
        false,
    );
}

/** The value of an output, once the (mock) engine has resolved it. */
function settled<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** An alias as the program passed it, resolved; `hasOwnProperty` as Pulumi's SDK reads it (resource.ts, collapseAliasToUrn). */
async function resolveAlias(alias: pulumi.Input<string | pulumi.Alias>): Promise<DeclaredAlias> {
    const value = pulumi.Output.isInstance(alias) ? await settled(alias) : await alias;
    if (typeof value === "string") return { urn: value };
    const has = (field: keyof pulumi.Alias) => Object.prototype.hasOwnProperty.call(value, field);
    const text = async (input: pulumi.Input<string> | undefined) => (input === undefined ? undefined : settled(pulumi.output(input)));
    const parent = value.parent;
    return {
        ...(has("name") ? { name: await text(value.name) } : {}),
        ...(has("type") ? { type: await text(value.type) } : {}),
        ...(has("parent") ? { parent: parent === undefined ? null : pulumi.Resource.isInstance(parent) ? await settled(parent.urn) : await text(parent) } : {}),
        ...(has("project") ? { project: await text(value.project) } : {}),
        ...(has("stack") ? { stack: await text(value.stack) } : {}),
    };
}

/** What a transformation saw of one resource at construction. */
interface Construction {
    readonly resource: pulumi.Resource;
    readonly type: string;
    readonly name: string;
    readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

/**
 * Declares resources with `declare` under the mocks and resolves, once every registration has
 * settled, with what was declared during this call alone. `declare` must pass the options it is
 * given to its root resource: their `transformations` (the public option of Pulumi's SDK that
 * mocks support, unlike `transforms` and stack transformations) see every resource the root and
 * its children construct, with its options (its aliases among them, which the mocks' monitor never
 * sees); the mocks' newResource sees its resolved inputs and
 * provider. Completion is every recorded resource's URN (and id) having resolved.
 */
export async function recordDeclarations(declare: (opts: pulumi.ComponentResourceOptions) => unknown): Promise<DeclaredResource[]> {
    await installMocks();
    const constructions: Construction[] = [];
    const record: pulumi.ResourceTransformation = (args) => {
        constructions.push({ resource: args.resource, type: args.type, name: args.name, opts: args.opts });
        return undefined;
    };
    // An error thrown inside an apply that feeds a resource's inputs (a refusal of bad config, say)
    // reaches the runtime as an unhandled rejection, and that resource's URN never resolves: without
    // this, the wait below would hang until the test's timeout instead of failing with the error,
    // where `pulumi up` fails at once.
    let onUnhandled: ((reason: unknown) => void) | undefined;
    const failed = new Promise<never>((_resolve, reject) => {
        onUnhandled = (reason) => reject(reason instanceof Error ? reason : new Error(String(reason)));
        process.on("unhandledRejection", onUnhandled);
    });
    failed.catch(() => undefined);
    try {
        declare({ transformations: [record] });
        // Resources may be declared inside apply callbacks: wait until no new one appears.
        let settledCount = -1;
        while (settledCount !== constructions.length) {
            settledCount = constructions.length;
            await Promise.race([
                failed,
                Promise.all(
                    constructions.map((construction) =>
                        Promise.all([
                            settled(construction.resource.urn),
                            pulumi.CustomResource.isInstance(construction.resource) ? settled(construction.resource.id) : undefined,
                        ]),
                    ),
                ),
            ]);
            await new Promise((resolve) => setImmediate(resolve));
        }
    } finally {
        if (onUnhandled) process.off("unhandledRejection", onUnhandled);
    }
    const seen = new Set<string>();
    return Promise.all(
        constructions.map(async ({ resource, type, name, opts }) => {
            const key = viewKey(type, name);
            // Matching by type and name needs them unique in the program (URNs are unique per parent only).
            if (seen.has(key)) throw new Error(`two resources of type ${type} are named "${name}": the mock harness matches by type and name`);
            seen.add(key);
            const view = providerViews.get(key);
            if (!view) throw new Error(`the mocks never saw ${key}`);
            const dependsOn = (await settled(pulumi.output(opts.dependsOn ?? []))) as pulumi.Resource | pulumi.Resource[];
            return {
                urn: await settled(resource.urn),
                type,
                name,
                inputs: view.inputs,
                outputs: view.outputs,
                parent: opts.parent ? await settled(opts.parent.urn) : "",
                dependencies: await Promise.all((Array.isArray(dependsOn) ? dependsOn : [dependsOn]).map((dependency) => settled(dependency.urn))),
                provider: view.provider,
                retainOnDelete: opts.retainOnDelete ?? false,
                custom: pulumi.CustomResource.isInstance(resource),
                aliases: await Promise.all((opts.aliases ?? []).map(resolveAlias)),
            };
        }),
    );
}

/** Sets the stack config the program will read, as the Pulumi CLI would from a stack file. */
export function setStackConfig(config: Record<string, unknown>): void {
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) flat[key] = typeof value === "string" ? value : JSON.stringify(value);
    pulumi.runtime.setAllConfig(flat);
}

/** The `config:` map of a `Pulumi.<stack>.yaml` file (config/stackFile.ts), for the tests and the plan. */
export { readStackFile };

/**
 * Declares the whole stack as index.ts does (program.ts), from stack-config values
 * (`{"cloudtrail-lake:accounts": [...]}`), and returns what was declared. Throws the ConfigError
 * of a bad config before declaring anything.
 */
export async function declareMockStack(values: Record<string, unknown>, region = "ap-northeast-1"): Promise<DeclaredResource[]> {
    // Imported here so that the mocks are installed before any resource module loads.
    const { declareStack } = await import("../program");
    const { lakeConfigFromPulumi } = await import("../config/stackConfig");
    const flat = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
    const config = lakeConfigFromPulumi(flat);
    return recordDeclarations((opts) => declareStack(config, { region, centralAccountId: MOCK_CENTRAL_ACCOUNT_ID }, opts));
}

/** The resource of that type and name; throws if there is none. */
export function findResource(resources: readonly DeclaredResource[], type: string, name: string): DeclaredResource {
    const found = resources.find((resource) => resource.type === type && resource.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
}
