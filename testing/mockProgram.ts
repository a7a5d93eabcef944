/**
 * Runs the Pulumi program offline under Pulumi's documented mocks (`pulumi.runtime.setMocks`)
 * and records every resource it declares, with its parent, dependencies, provider and options.
 * Used by the unit tests, `npm run bench:scale` and `npm run plan`: nothing here needs a Pulumi
 * CLI, an AWS account or credentials.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

/** A resource as the program declared it. */
export interface DeclaredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs after resolution (what would be sent to the provider). */
    readonly inputs: Record<string, any>;
    /** Inputs and the attributes the (mock) provider computed: what `pulumi up` would know after the step. */
    readonly outputs: Record<string, any>;
    readonly parent: string;
    /** URNs of explicit and implicit dependencies. */
    readonly dependencies: string[];
    /** `urn::id` reference of the explicit provider, if any. */
    readonly provider: string;
    readonly retainOnDelete: boolean;
    readonly custom: boolean;
}

/** The account the mocked default provider is in. */
export const MOCK_CENTRAL_ACCOUNT_ID = "999999999999";

const declared: DeclaredResource[] = [];
const providerAccounts = new Map<string, string>();
let installed = false;

/** Computed attributes AWS would return, so that ARNs and names flow on as they would in a deployment. */
function mockState(type: string, name: string, inputs: Record<string, any>, provider: string): Record<string, any> {
    const region = inputs.region ?? "ap-northeast-1";
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-0123456789abcdef`;
            return { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:kms/key:Key":
            return { ...inputs, keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${MOCK_CENTRAL_ACCOUNT_ID}:key/${name}-key-id` };
        case "aws:cloudtrail/trail:Trail": {
            const account = providerAccounts.get(provider.split("::").slice(0, -1).join("::")) ?? MOCK_CENTRAL_ACCOUNT_ID;
            return { ...inputs, arn: `arn:aws:cloudtrail:${region}:${account}:trail/${inputs.name}` };
        }
        default:
            return { ...inputs, arn: inputs.arn ?? `arn:aws:mock:${region}:${MOCK_CENTRAL_ACCOUNT_ID}:${type}/${name}`, name: inputs.name ?? name };
    }
}

/** Installs the mocks (once per process) and starts recording declarations. */
export async function installMocks(project = "cloudtrail-lake", stack = "prod"): Promise<void> {
    if (installed) return;
    installed = true;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const state = mockState(args.type, args.name, args.inputs, args.provider ?? "");
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

    // The mock monitor does not pass parents, dependencies or options to the mocks; record them here.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, response: any) => void) =>
        register(req, (err: any, response: any) => {
            if (!err && response) {
                const inputs = pulumi.runtime.deserializeProperties(req.getObject());
                const urn: string = response.getUrn();
                if (req.getType() === "pulumi:providers:aws" && inputs.allowedAccountIds) {
                    // Provider inputs arrive JSON-encoded.
                    const allowed = typeof inputs.allowedAccountIds === "string" ? JSON.parse(inputs.allowedAccountIds) : inputs.allowedAccountIds;
                    providerAccounts.set(urn, allowed[0]);
                }
                declared.push({
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    inputs,
                    outputs: { ...inputs, ...pulumi.runtime.deserializeProperties(response.getObject()) },
                    parent: req.getParent(),
                    dependencies: req.getDependenciesList(),
                    provider: req.getProvider(),
                    retainOnDelete: req.getRetainondelete?.() ?? false,
                    custom: req.getCustom(),
                });
            }
            callback(err, response);
        });
}

/**
 * Declares resources with `declare` under the mocks and resolves, once every registration has
 * settled, with what was declared during this call alone.
 */
export async function recordDeclarations(declare: () => unknown): Promise<DeclaredResource[]> {
    await installMocks();
    const start = declared.length;
    declare();
    await (pulumi.runtime as any).waitForRPCs();
    return declared.slice(start);
}

/** Sets the stack config the program will read, as the Pulumi CLI would from a stack file. */
export function setStackConfig(config: Record<string, unknown>): void {
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) flat[key] = typeof value === "string" ? value : JSON.stringify(value);
    pulumi.runtime.setAllConfig(flat);
}

/** The `config:` map of a `Pulumi.<stack>.yaml` file. */
export function readStackFile(path: string): Record<string, unknown> {
    const document = parseYaml(fs.readFileSync(path, "utf8")) ?? {};
    return (document.config ?? {}) as Record<string, unknown>;
}

/**
 * Declares the whole stack as index.ts does, from stack-config values (`{"cloudtrail-lake:accounts": [...]}`),
 * and returns what was declared. Throws the ConfigError of a bad config before declaring anything.
 */
export async function declareStack(values: Record<string, unknown>, region = "ap-northeast-1"): Promise<DeclaredResource[]> {
    // Imported here so that the mocks are installed before any resource module loads.
    const { CloudTrailLake } = await import("../components/cloudTrailLake");
    const { lakeConfigFromPulumi } = await import("../config/stackConfig");
    const flat = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
    const config = lakeConfigFromPulumi(flat);
    return recordDeclarations(() => new CloudTrailLake("cloudtrail-lake", { config, region, centralAccountId: MOCK_CENTRAL_ACCOUNT_ID }));
}

/** The resource of that type and name; throws if there is none. */
export function findResource(resources: readonly DeclaredResource[], type: string, name: string): DeclaredResource {
    const found = resources.find((resource) => resource.type === type && resource.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
}
