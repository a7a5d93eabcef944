/** One local run for bench/flowLogs.ts, in its own process so that its peak memory is its own. */
import * as fs from "node:fs";
import * as path from "node:path";
import { runLocal } from "../local/run";

async function main(): Promise<void> {
    const [input, out] = process.argv.slice(2);
    const files = fs
        .readdirSync(input)
        .filter((name) => name.endsWith(".gz"))
        .map((name) => path.join(input, name));
    const started = Date.now();
    const result = await runLocal({ files, outDir: out });
    const failed = result.flowLogs.files.filter((file) => file.status === "failed").length;
    // resourceUsage().maxRSS is in kilobytes (getrusage).
    const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(JSON.stringify({ flowRecords: result.inputs.flowRecords, wallMs: Date.now() - started, maxRssMb, failed }));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
