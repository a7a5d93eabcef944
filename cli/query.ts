/**
 * npm run query -- <detection> [--since 24h | --since <ISO instant>] [--until <ISO instant>]
 *                  [--format table|csv|json] [--stack prod] [--workgroup <name>] [--database <name>] [--timeout 300]
 *                  [--stack-file Pulumi.prod.yaml]   (apply its cloudtrail-lake:suppressions to the rows)
 *
 * Runs one detection from queries/ in the deployed Athena workgroup, over a window ending now
 * (or at --until), and prints the results. Uses the default AWS credential chain.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { isoSeconds, loadDetections, parseDuration, queryForWindow } from "../components/detections";
import { AthenaQueryError, runAthenaQuery } from "./athena";
import { Format, formatRows } from "./format";
import { Suppressions } from "../contract/suppressions";
import { readStackConfig } from "../local/alerts";

/**
 * Removes the rows stack config suppresses (contract/suppressions.ts, the post-filter the alerts
 * and the local mode apply) from an Athena result; returns the rows kept and the number removed.
 */
export function suppressResultRows(detection: string, columns: readonly string[], rows: readonly (string | null)[][], suppressions: Suppressions): { rows: (string | null)[][]; suppressed: number } {
    const objects = rows.map((row) => ({ ...(Object.fromEntries(columns.map((column, index) => [column, row[index]])) as Record<string, string | null>), row }));
    const { kept, suppressed } = suppressions.partition(detection, objects);
    return { rows: kept.map((object) => object.row), suppressed: suppressed.length };
}

function option(argv: string[], name: string): string | undefined {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
}

/** `24h` (before `until`) or an ISO instant. */
export function resolveSince(text: string, until: Date): string {
    return /^\d{4}-/.test(text) ? text : isoSeconds(new Date(until.getTime() - parseDuration(text)));
}

async function main(argv: string[]): Promise<number> {
    const name = argv.find((arg, index) => !arg.startsWith("--") && (index === 0 || !argv[index - 1].startsWith("--")));
    const detections = loadDetections();
    const detection = detections.find((candidate) => candidate.name === name);
    if (!detection) {
        console.error(`usage: npm run query -- <detection> [--since 24h] [--format table|csv|json]\ndetections: ${detections.map((d) => d.name).join(", ")}`);
        return 2;
    }
    const format = (option(argv, "--format") ?? "table") as Format;
    if (!["table", "csv", "json"].includes(format)) {
        console.error(`--format must be table, csv or json, not "${format}"`);
        return 2;
    }
    const stack = option(argv, "--stack") ?? "prod";
    const untilText = option(argv, "--until");
    const until = untilText ? new Date(untilText) : new Date();
    const window = { since: resolveSince(option(argv, "--since") ?? "24h", until), until: isoSeconds(until) };
    const sql = queryForWindow(detection, window);
    try {
        const result = await runAthenaQuery(new AthenaClient({}), {
            sql,
            workgroup: option(argv, "--workgroup") ?? `cloudtrail-lake-${stack}`,
            database: option(argv, "--database") ?? `cloudtrail_lake_${stack.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`,
            timeoutMs: Number(option(argv, "--timeout") ?? 300) * 1000,
        });
        const stackFile = option(argv, "--stack-file");
        const { rows, suppressed } = stackFile
            ? suppressResultRows(detection.name, result.columns, result.rows, new Suppressions(readStackConfig(stackFile).suppressions))
            : { rows: result.rows, suppressed: 0 };
        console.log(formatRows(result.columns, rows, format));
        console.error(`${detection.name} [${detection.severity}]: ${rows.length} hit(s)${suppressed > 0 ? ` (${suppressed} suppressed by ${stackFile})` : ""} from ${window.since} to ${window.until}; ` +
            `${(result.bytesScanned / 1024 / 1024).toFixed(1)} MB scanned (query ${result.queryExecutionId})`);
        return 0;
    } catch (error) {
        console.error(error instanceof AthenaQueryError ? error.message : `${detection.name}: ${(error as Error).message}`);
        return 1;
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code), (error) => { console.error(error); process.exit(1); });
