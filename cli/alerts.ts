/**
 * npm run alerts -- --input <files or dirs…> [--since <ISO>] [--until <ISO>] [--json] [--stack-file Pulumi.prod.yaml] [--out <dir>]
 *
 * Replays local logs through the alerting code and prints the alerts that would have been sent,
 * after suppression and deduplication, and what each suppression removed. Tune the stack file's
 * `cloudtrail-lake:suppressions` with it before enabling a destination.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { discoverFiles } from "../local/files";
import { loadAlertDetections } from "../contract/alerting";
import { alertingSettings, readStackConfig, replayAlerts } from "../local/alerts";
import { parseLakeConfig } from "../config/stackConfig";
import { parseCommandLineWithInputs, runCommand, UsageError, utcSecond } from "./args";

const USAGE = "usage: npm run alerts -- --input <files or dirs…> [--since <ISO>] [--until <ISO>] [--json] [--stack-file Pulumi.prod.yaml] [--out <dir>]";

interface Arguments {
    inputs: string[];
    since?: string;
    until?: string;
    json: boolean;
    stackFile?: string;
    out?: string;
}

function parseArguments(argv: readonly string[]): Arguments {
    const { values, inputs, others } = parseCommandLineWithInputs(argv, {
        "input": { type: "string", multiple: true },
        "since": { type: "string" },
        "until": { type: "string" },
        "json": { type: "boolean" },
        "stack-file": { type: "string" },
        "out": { type: "string" },
    });
    if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}": give files and folders after --input`);
    if (inputs.length === 0) throw new UsageError("--input is required");
    return {
        inputs,
        since: values.since === undefined ? undefined : utcSecond("--since", values.since),
        until: values.until === undefined ? undefined : utcSecond("--until", values.until),
        json: values.json ?? false,
        stackFile: values["stack-file"],
        out: values.out,
    };
}

export async function main(argv: readonly string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
    const args = parseArguments(argv);
    // Without a stack file: no suppressions, no account names, default windows, every alert listed.
    const config = args.stackFile ? readStackConfig(args.stackFile) : parseLakeConfig({ accounts: [{ id: "000000000000", name: "replay" }] });
    const settings = alertingSettings(config, loadAlertDetections());
    const outDir = args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "cloudtrail-lake-alerts-"));
    try {
        // Every file is read by its content, whatever its name, as npm start does (local/files.ts); what is not read is named.
        const discovery = await discoverFiles(args.inputs, { exclude: [{ dir: outDir, reason: "the output folder (--out) of this run, not read" }] });
        for (const entry of [...discovery.skipped, ...discovery.failed]) console.error(`not read: ${entry.file}: ${entry.reason}`);
        const result = await replayAlerts({ files: discovery.files, outDir, settings, since: args.since, until: args.until });
        if (args.json) {
            write(`${JSON.stringify({ alerts: result.alerts, suppressed: result.suppressed, errors: result.errors, inputs: result.inputs }, null, 2)}\n`);
        } else {
            const lines = [
                `${result.alerts.length} alert(s) from ${result.inputs.events} event(s) in ${result.inputs.read} file(s) (${result.inputs.skipped} skipped, ${result.inputs.failed} failed)`,
            ];
            for (const alert of result.alerts) {
                lines.push(
                    `  [${alert.severity}] ${alert.detection}  ${alert.accountName ?? alert.account}  ${alert.principal}  ${alert.count} event(s) ${alert.firstSeen}..${alert.lastSeen}` +
                        `${alert.windowCount > alert.count ? ` (+${alert.windowCount - alert.count} repeat event(s) in its dedup window)` : ""} → ${alert.destinations.join(", ") || "no destination"}`,
                );
            }
            for (const entry of result.suppressed)
                lines.push(`  suppressed by suppressions[${entry.index}] (${entry.reason}): ${entry.rows} row(s) of ${entry.detections.join(", ")}`);
            for (const entry of result.errors) lines.push(`  ERROR ${entry.detection}: ${entry.error}`);
            write(`${lines.join("\n")}\n`);
        }
        return result.errors.length > 0 ? 1 : 0;
    } finally {
        if (!args.out) fs.rmSync(outDir, { recursive: true, force: true });
    }
}

// Any failure exits 2, as this command always has: it is run by hand, while tuning.
if (require.main === module) runCommand(main, USAGE, 2);
