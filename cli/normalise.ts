/**
 * npm run normalise -- <files or directories…> --out <dir>
 *
 * Runs the Lambda's core on local CloudTrail log files (`.json.gz` or `.json`, `{"Records":[…]}`)
 * and writes the lake's layout under <dir>: normalised/account=…/region=…/date=…/<file>.json.gz.
 * Prints per-file counts; a file that cannot be read is reported with the reason and the others
 * go on. Exit status 1 when any file failed.
 */
import * as path from "node:path";
import { FileResult, ingestFiles } from "../local/ingest";
import { findFiles } from "./files";

/** Normalises S3 log files into `outDir` with the Lambda's core; reports a bad file instead of throwing. */
export function normaliseFiles(files: readonly string[], outDir: string): Promise<FileResult[]> {
    return ingestFiles(files, outDir, { shapes: "s3-log" });
}

async function main(argv: string[]): Promise<number> {
    const outIndex = argv.indexOf("--out");
    if (outIndex < 0 || !argv[outIndex + 1]) {
        console.error("usage: npm run normalise -- <files or directories…> --out <dir>");
        return 2;
    }
    const outDir = argv[outIndex + 1];
    const inputs = argv.filter((_, index) => index !== outIndex && index !== outIndex + 1);
    if (inputs.length === 0) {
        console.error("usage: npm run normalise -- <files or directories…> --out <dir>");
        return 2;
    }
    const files = await findFiles(inputs, [".json.gz", ".json"]);
    const results = await normaliseFiles(files, outDir);
    for (const result of results) {
        const name = path.relative(process.cwd(), result.file);
        if (result.status === "normalised") console.log(`${name}: ${result.events} events -> ${result.objects.length} object(s)`);
        else console.log(`${name}: ${result.status.toUpperCase()}: ${result.reason}`);
    }
    const count = (status: FileResult["status"]) => results.filter((result) => result.status === status).length;
    const events = results.reduce((sum, result) => sum + result.events, 0);
    console.log(`\n${results.length} files: ${count("normalised")} normalised (${events} events), ${count("skipped")} skipped, ${count("failed")} errors -> ${outDir}`);
    return count("failed") > 0 ? 1 : 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code), (error) => { console.error(error); process.exit(1); });
