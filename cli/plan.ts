/**
 * cloudtrail-lake plan, npm run plan: the offline plan of a stack under Pulumi's mocks, with the
 * policy pack. Its options and exit codes are declared in cli/commands.ts (PLAN).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../config/stackConfig";
import { DeclaredResource, recordDeclarations, setStackConfig } from "../testing/mockProgram";
import { readStackFile } from "../config/stackFile";
import { runPolicies, Violation } from "../testing/policyHarness";
import { parseCommand, runTableCommand, UsageError } from "./args";
import { DEFAULT_STACK, exitCodesOf, PLAN } from "./commands";

const EXIT = exitCodesOf(PLAN);

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

/** The stack file and policy configuration the command line names; a UsageError naming the option otherwise. */
export function parsePlanArguments(argv: readonly string[]): { stackFile: string; policyConfig: Record<string, Record<string, unknown>> } {
    const { values } = parseCommand(PLAN, argv);
    if (values.stack !== undefined && values["stack-file"] !== undefined) throw new UsageError("give --stack or --stack-file, not both");
    const stack = values.stack ?? DEFAULT_STACK;
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack must be a stack name (letters, digits, . _ -), not "${stack}"`);
    const stackFile = values["stack-file"] ?? path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new UsageError(`no stack file ${values["stack-file"] ?? path.basename(stackFile)}`);
    const configFile = values["policy-config"];
    let policyConfig: Record<string, Record<string, unknown>> = {};
    if (configFile !== undefined) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, Record<string, unknown>>;
        } catch (error) {
            throw new UsageError(`--policy-config ${configFile}: ${(error as Error).message}`);
        }
    }
    return { stackFile, policyConfig };
}

export async function main(argv: readonly string[]): Promise<number> {
    const { stackFile, policyConfig } = parsePlanArguments(argv);
    const stack = /Pulumi\.(.+)\.yaml$/.exec(path.basename(stackFile))?.[1] ?? DEFAULT_STACK;
    try {
        setStackConfig(readStackFile(stackFile));
    } catch (error) {
        // Not YAML, or unreadable: a config error like the others, named with the file.
        console.error((error as Error).message);
        return EXIT.usage;
    }
    let configError: unknown;
    // `require`: the bin registers only tsx's CommonJS hooks (cli/cloudtrail-lake.js), which `import()` does not go through.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { declareStackFromPulumiConfig } = require("../program") as typeof import("../program");
    const resources = await recordDeclarations((opts) => {
        try {
            declareStackFromPulumiConfig(opts);
        } catch (error) {
            configError = error;
        }
    });
    if (configError) {
        console.error(configError instanceof ConfigError ? `${path.basename(stackFile)}: ${configError.message}` : configError);
        return EXIT.usage;
    }
    console.log(`Offline plan of stack "${stack}" (${path.basename(stackFile)}) under Pulumi's mocks: nothing is deployed, no credentials used.\n`);
    for (const line of summarise(resources)) console.log(line);
    const violations = await runPolicies(resources, policyConfig);
    console.log("");
    for (const line of formatViolations(violations, new Map(resources.map((resource) => [resource.urn, resource])))) console.log(line);
    return violations.some((violation) => violation.enforcementLevel === "mandatory") ? EXIT.violation : EXIT.ok;
}

if (require.main === module) runTableCommand(PLAN, main);
