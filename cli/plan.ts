/**
 * npm run plan [-- --stack prod | --stack-file <Pulumi.x.yaml>] [--policy-config <file.json>]
 *
 * Runs the Pulumi program under Pulumi's mocks with the config of `Pulumi.<stack>.yaml`, prints
 * what it would declare (per component and per account, counts per resource type), runs the
 * policy pack over it and prints the violations. Needs no Pulumi CLI, AWS account or credentials.
 * Exit status: 0 clean, 1 a mandatory policy violation, 2 a config error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../config/stackConfig";
import { DeclaredResource, recordDeclarations, setStackConfig } from "../testing/mockProgram";
import { readStackFile } from "../config/stackFile";
import { runPolicies, Violation } from "../testing/policyHarness";

function argument(name: string, fallback?: string): string | undefined {
    const index = process.argv.indexOf(name);
    return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const shortType = (type: string) => (type.startsWith("pulumi:providers:") ? "Provider" : type.split(":").pop()!);

/** Resources grouped under their nearest component; groups named after an account id are that account's. */
export function summarise(resources: readonly DeclaredResource[], maxAccounts = 12): string[] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const groups = new Map<string, Map<string, number>>();
    for (const resource of resources) {
        if (!resource.custom) continue;
        const owner = byUrn.get(resource.parent);
        const group = owner && owner.type !== "cloudtrail-lake:index:CloudTrailLake" ? `${owner.name} (${shortType(owner.type)})` : "(stack)";
        const counts = groups.get(group) ?? new Map<string, number>();
        counts.set(shortType(resource.type), (counts.get(shortType(resource.type)) ?? 0) + 1);
        groups.set(group, counts);
    }
    const accountOf = (group: string) => /-(\d{12}) \(/.exec(group)?.[1];
    const describe = (counts: Map<string, number>) =>
        [...counts]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([type, count]) => `${count} ${type}`)
            .join(", ");
    const lines: string[] = ["Shared"];
    for (const [group, counts] of [...groups].filter(([group]) => !accountOf(group)).sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${group.padEnd(38)} ${describe(counts)}`);
    }
    const accounts = new Map<string, string[]>();
    for (const [group, counts] of groups) {
        const account = accountOf(group);
        if (account) accounts.set(account, [...(accounts.get(account) ?? []), `${group.replace(/ \(.*/, "")}: ${describe(counts)}`]);
    }
    lines.push(`Per account (${accounts.size})`);
    const sorted = [...accounts].sort(([a], [b]) => a.localeCompare(b));
    for (const [account, parts] of sorted.slice(0, maxAccounts)) lines.push(`  ${account}  ${parts.sort().join("; ")}`);
    if (sorted.length > maxAccounts) lines.push(`  … and ${sorted.length - maxAccounts} more accounts, each the same`);
    const total = resources.filter((resource) => resource.custom);
    const byType = new Map<string, number>();
    for (const resource of total) byType.set(shortType(resource.type), (byType.get(shortType(resource.type)) ?? 0) + 1);
    lines.push(`${total.length} resources: ${describe(byType)}`);
    return lines;
}

export function formatViolations(violations: readonly Violation[], byUrn: Map<string, DeclaredResource>): string[] {
    if (violations.length === 0) return ["Policy pack: no violations."];
    return [
        `Policy pack: ${violations.length} violation(s)`,
        ...violations.map(
            (violation) =>
                `  [${violation.enforcementLevel}] ${violation.policy}: ${violation.message}${violation.urn && byUrn.get(violation.urn) ? ` (${byUrn.get(violation.urn)!.name})` : ""}`,
        ),
    ];
}

async function main(): Promise<number> {
    const stackFile = argument("--stack-file") ?? path.join(__dirname, "..", `Pulumi.${argument("--stack", "prod")}.yaml`);
    const stack = /Pulumi\.(.+)\.yaml$/.exec(path.basename(stackFile))?.[1] ?? "prod";
    if (!fs.existsSync(stackFile)) {
        console.error(`no stack file ${path.basename(stackFile)}`);
        return 2;
    }
    setStackConfig(readStackFile(stackFile));
    let configError: unknown;
    const { declareStackFromPulumiConfig } = await import("../program");
    const resources = await recordDeclarations((opts) => {
        try {
            declareStackFromPulumiConfig(opts);
        } catch (error) {
            configError = error;
        }
    });
    if (configError) {
        console.error(configError instanceof ConfigError ? `${path.basename(stackFile)}: ${configError.message}` : configError);
        return 2;
    }
    const configFile = argument("--policy-config");
    const policyConfig = configFile ? JSON.parse(fs.readFileSync(configFile, "utf8")) : {};
    console.log(`Offline plan of stack "${stack}" (${path.basename(stackFile)}) under Pulumi's mocks: nothing is deployed, no credentials used.\n`);
    for (const line of summarise(resources)) console.log(line);
    const violations = await runPolicies(resources, policyConfig);
    console.log("");
    for (const line of formatViolations(violations, new Map(resources.map((resource) => [resource.urn, resource])))) console.log(line);
    return violations.some((violation) => violation.enforcementLevel === "mandatory") ? 1 : 0;
}

if (require.main === module)
    main().then(
        (code) => process.exit(code),
        (error) => {
            console.error(error);
            process.exit(1);
        },
    );
