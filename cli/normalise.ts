/**
 * npm run normalise -- <files or directories…> --out <dir>
 *
 * Runs the Lambda's core on local CloudTrail log files (`.json.gz` or `.json`, `{"Records":[…]}`)
 * and writes the lake's layout under <dir>: normalised/account=…/region=…/date=…/<file>.json.gz.
 * Prints per-file counts; a file that cannot be read is reported with the reason and the others
 * go on. Exit status 1 when any file failed.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { normaliseLogFile } from "../lambda/core";
import { outputFileName, parseLogKey } from "../lambda/layout";
import { publishToDirectory } from "../lambda/publish";
import { findFiles } from "./files";

export interface FileResult {
    readonly file: string;
    readonly status: "normalised" | "skipped" | "failed";
    readonly events: number;
    readonly objects: string[];
    readonly reason?: string;
}

/** Normalises every file into `outDir`; never throws for a bad file, reports it instead. */
export async function normaliseFiles(files: readonly string[], outDir: string): Promise<FileResult[]> {
    const results: FileResult[] = [];
    const writtenBy = new Map<string, string>();
    for (const file of files) {
        const location = parseLogKey(file);
        if (location.kind === "digest" || location.kind === "insight") {
            results.push({ file, status: "skipped", events: 0, objects: [], reason: `CloudTrail ${location.kind} file` });
            continue;
        }
        let fileName = outputFileName(location.fileName);
        try {
            const normalised = await normaliseLogFile(fs.createReadStream(file, { highWaterMark: 1 << 20 }), {
                fileName,
                defaults: { account: location.account, region: location.region, date: location.date },
            });
            try {
                // Two different local files with the same name must not overwrite each other's output.
                if (normalised.outputs.some((output) => (writtenBy.get(output.key) ?? file) !== file)) {
                    const tag = createHash("sha256").update(file).digest("hex").slice(0, 8);
                    fileName = fileName.replace(/\.json\.gz$/, `.${tag}.json.gz`);
                    for (const output of normalised.outputs) (output as { key: string }).key = output.key.replace(/[^/]+$/, fileName);
                }
                const objects: string[] = [];
                for (const output of normalised.outputs) {
                    writtenBy.set(output.key, file);
                    await publishToDirectory(outDir, output);
                    objects.push(output.key);
                }
                results.push({ file, status: "normalised", events: normalised.events, objects });
            } finally {
                await normalised.cleanup();
            }
        } catch (error) {
            results.push({ file, status: "failed", events: 0, objects: [], reason: (error as Error).message });
        }
    }
    return results;
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
