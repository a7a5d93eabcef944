/**
 * npm start [-- --input <files or directories…>] [--out <dir>] [--since <ISO>] [--until <ISO>] [--json]
 *
 * The whole pipeline on this machine, no AWS account: normalise (the Lambda's core), Parquet
 * (the Glue job's role), every detection (DuckDB). Without --input it runs on the bundled real
 * samples in samples/. Prints a summary (or JSON with --json) and writes report.html.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findFiles } from "./files";
import { htmlReport, summaryTable } from "../local/report";
import { runLocal } from "../local/run";
import { readStackConfig } from "../local/alerts";
import { Suppressions } from "../contract/suppressions";

const ROOT = path.join(__dirname, "..");
const INPUT_SUFFIXES = [".json", ".json.gz", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"];
/** Show a progress bar only for inputs big enough to wait for. */
const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;

interface Arguments { inputs: string[]; out: string; since?: string; until?: string; json: boolean; stackFile?: string }

function parseArguments(argv: string[]): Arguments {
    const args: Arguments = { inputs: [], out: path.join(ROOT, "out"), json: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") args.json = true;
        else if (arg === "--out") args.out = argv[++i];
        else if (arg === "--since") args.since = argv[++i];
        else if (arg === "--until") args.until = argv[++i];
        else if (arg === "--stack-file") args.stackFile = argv[++i];
        else if (arg === "--input") while (argv[i + 1] && !argv[i + 1].startsWith("--")) args.inputs.push(argv[++i]);
        else throw new Error(`unknown argument ${arg}; usage: npm start -- [--input <files or dirs…>] [--out <dir>] [--since <ISO>] [--until <ISO>] [--json] [--stack-file Pulumi.prod.yaml]`);
    }
    for (const key of ["since", "until"] as const) {
        if (args[key] && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(args[key]!)) throw new Error(`--${key} must be an ISO-8601 UTC instant like 2026-11-25T00:00:00Z`);
    }
    if (args.inputs.length === 0) args.inputs.push(path.join(ROOT, "samples"));
    return args;
}

function progressBar(total: number): { advance: (bytes: number) => void; done: () => void } | undefined {
    if (!process.stderr.isTTY || total < PROGRESS_MIN_BYTES) return undefined;
    let seen = 0;
    const draw = () => {
        const share = Math.min(1, seen / total);
        process.stderr.write(`\rnormalising [${"#".repeat(Math.round(share * 30)).padEnd(30, ".")}] ${Math.round(share * 100)}% ${(seen / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB`);
    };
    return { advance: (bytes) => { seen += bytes; draw(); }, done: () => process.stderr.write("\n") };
}

async function main(argv: string[]): Promise<number> {
    const args = parseArguments(argv);
    const files = await findFiles(args.inputs, INPUT_SUFFIXES);
    const progress = progressBar(files.reduce((sum, file) => sum + fs.statSync(file).size, 0));
    const result = await runLocal({
        files, outDir: args.out, since: args.since, until: args.until,
        // The stack's tuning, applied as the alerts apply it (contract/suppressions.ts).
        suppressions: args.stackFile ? new Suppressions(readStackConfig(args.stackFile).suppressions) : undefined,
        onFileDone: progress?.advance,
        onStage: (stage) => { if (stage === "parquet") progress?.done(); },
    });
    const reportPath = path.join(args.out, "report.html");
    fs.writeFileSync(reportPath, htmlReport(result, new Date().toISOString()));
    if (args.json) {
        process.stdout.write(`${JSON.stringify({
            findings: result.findings.map(({ hits, ...finding }) => ({ ...finding, hits: hits.slice(0, 10) })),
            inputs: result.inputs,
            window: result.window ?? null,
            failedFiles: result.files.filter((file) => file.status === "failed").map((file) => ({ file: file.file, reason: file.reason })),
            report: reportPath,
        }, null, 2)}\n`);
    } else {
        console.log(summaryTable(result));
        console.log(`\nReport: ${path.relative(process.cwd(), reportPath) || reportPath}   (local lake under ${path.relative(process.cwd(), args.out) || args.out}/)`);
    }
    return 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code), (error) => { console.error(`error: ${(error as Error).message}`); process.exit(2); });
