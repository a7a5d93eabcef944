/**
 * npm run plan [-- --stack prod] — runs the Pulumi program under mocks with the config of
 * `Pulumi.<stack>.yaml` and prints what it would declare: per component and per account, counts
 * per resource type. Needs no Pulumi CLI, no AWS account and no credentials. Exits non-zero
 * on a config error.
 */
import * as path from "node:path";
import { ConfigError } from "../components/config";
import { DeclaredResource, readStackFile, recordDeclarations, setStackConfig } from "./mockProgram";

function argument(name: string, fallback: string): string {
    const index = process.argv.indexOf(name);
    return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

/** Groups resources under their nearest ancestor component of this program. */
export function summarise(resources: DeclaredResource[]): string[] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const groups = new Map<string, Map<string, number>>();
    for (const resource of resources) {
        if (!resource.custom) continue;
        let owner = byUrn.get(resource.parent);
        // Climb to the component directly under the stack's root component (archive, lake, trail-<id>, ...).
        while (owner && byUrn.get(owner.parent)?.parent && byUrn.get(owner.parent)!.type !== "cloudtrail-lake:index:CloudTrailLake") {
            owner = byUrn.get(owner.parent);
        }
        const group = owner ? `${owner.name} (${owner.type.split(":").pop()})` : "(stack)";
        const counts = groups.get(group) ?? new Map<string, number>();
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
        groups.set(group, counts);
    }
    const lines: string[] = [];
    for (const [group, counts] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(group);
        for (const [type, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${String(count).padStart(4)}  ${type}`);
    }
    const total = resources.filter((resource) => resource.custom).length;
    lines.push(`${total} resources in ${groups.size} components`);
    return lines;
}

async function main(): Promise<number> {
    const stack = argument("--stack", "prod");
    const stackFile = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
    setStackConfig(readStackFile(stackFile));
    let configError: unknown;
    const resources = await recordDeclarations(() => {
        try {
            require("../index");
        } catch (error) {
            configError = error;
        }
    });
    if (configError) {
        console.error(configError instanceof ConfigError ? `${path.basename(stackFile)}: ${configError.message}` : configError);
        return 2;
    }
    console.log(`Offline plan of stack "${stack}" (${path.basename(stackFile)}), under Pulumi mocks: nothing is deployed.\n`);
    for (const line of summarise(resources)) console.log(line);
    return 0;
}

if (require.main === module) main().then((code) => process.exit(code), (error) => { console.error(error); process.exit(1); });
