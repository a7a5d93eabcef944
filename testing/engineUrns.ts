/**
 * The URNs the Pulumi engine gives resources, and the former URNs their aliases name, computed from
 * what the mocked program declared.
 *
 * The mocks' URNs are not the engine's: the mock monitor prefixes a child's type with its immediate
 * parent's type only (node_modules/@pulumi/pulumi/runtime/mocks.js, newUrn), while the engine
 * (generateURN in https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/deployment.go) and the
 * SDK's `pulumi.createUrn` (node_modules/@pulumi/pulumi/resource.js) prefix it with the parent's whole
 * qualified type: `urn:pulumi:<stack>::<project>::Outer$Inner$aws:sqs/queue:Queue::<name>`. The mocks
 * never see aliases either.
 * So both are rebuilt here from each resource's type, name and parent chain with `pulumi.createUrn`,
 * the function the SDK itself turns an alias into a URN with (resource.js, collapseAliasToUrn).
 */
import * as pulumi from "@pulumi/pulumi";
import { DeclaredAlias } from "./mockProgram";

/** A resource as a snapshot records it: its URN as the mocks named it, its type, and its parent's mock URN ("" for none). */
export interface UrnNode {
    readonly urn: string;
    readonly type: string;
    readonly parent: string;
}

/** The name part of a URN (everything after its fourth `::`-separated field). */
export const nameOfUrn = (urn: string): string => urn.split("::").slice(3).join("::");

const resolved = (output: pulumi.Output<string>): Promise<string> => new Promise((resolve) => output.apply(resolve));

/** The engine's URN of each node, keyed by its mock URN; throws on a parent that is not among the nodes. */
export async function engineUrns(nodes: readonly UrnNode[], project: string, stack: string): Promise<Map<string, string>> {
    const byUrn = new Map(nodes.map((node) => [node.urn, node]));
    const engine = new Map<string, Promise<string>>();
    const urnOf = (node: UrnNode): Promise<string> => {
        let urn = engine.get(node.urn);
        if (!urn) {
            const parent = node.parent === "" ? undefined : byUrn.get(node.parent);
            if (node.parent !== "" && !parent) throw new Error(`${node.urn}: its parent ${node.parent} is not declared`);
            urn = (parent ? urnOf(parent) : Promise.resolve(undefined)).then((parentUrn) =>
                resolved(pulumi.createUrn(nameOfUrn(node.urn), node.type, parentUrn, project, stack)),
            );
            engine.set(node.urn, urn);
        }
        return urn;
    };
    return new Map(await Promise.all(nodes.map(async (node) => [node.urn, await urnOf(node)] as const)));
}

/**
 * The engine URNs a resource's aliases name. As in the SDK (resource.ts, collapseAliasToUrn), an absent
 * field is the resource's own; a parent is given by its mock URN here and mapped to the engine's.
 * Aliases a parent passes on to its children are not computed: a resource they would cover shows as
 * not aliased, so a check built on this fails rather than passes wrongly.
 */
export async function engineAliasUrns(
    resource: UrnNode & { readonly aliases: readonly DeclaredAlias[] },
    engineUrnOf: ReadonlyMap<string, string>,
    project: string,
    stack: string,
): Promise<string[]> {
    const parentUrn = (mockUrn: string | null): string | undefined => {
        if (mockUrn === null || mockUrn === "") return undefined;
        const urn = engineUrnOf.get(mockUrn);
        if (!urn) throw new Error(`${resource.urn}: an alias names the parent ${mockUrn}, which is not declared`);
        return urn;
    };
    return Promise.all(
        resource.aliases.map((alias) =>
            alias.urn !== undefined
                ? Promise.resolve(alias.urn)
                : resolved(
                      pulumi.createUrn(
                          alias.name ?? nameOfUrn(resource.urn),
                          alias.type ?? resource.type,
                          parentUrn(alias.parent === undefined ? resource.parent : alias.parent),
                          alias.project ?? project,
                          alias.stack ?? stack,
                      ),
                  ),
        ),
    );
}
