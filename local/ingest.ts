/**
 * Reading input files into the local lake's `normalised/` layout with the Lambda's own core.
 * S3 log files stream (bounded memory, whatever their size); the other shapes people have
 * (arrays, one event per line, lookup-events output, EventBridge and CloudWatch Logs envelopes)
 * are streamed too and unwrapped (local/shapes.ts). A file that cannot be read is reported with the reason; the
 * others go on.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { decompressed, normaliseEvents, normaliseLogFile, NormalisedFile } from "../lambda/core";
import { outputFileName, parseLogKey } from "../lambda/layout";
import { publishToDirectory } from "../lambda/publish";
import { StreamCounts, streamEvents } from "./shapes";

export interface FileResult {
    readonly file: string;
    readonly status: "normalised" | "skipped" | "failed";
    readonly events: number;
    /** Keys of the normalised objects written, relative to the output directory. */
    readonly objects: string[];
    readonly reason?: string;
}

export interface IngestOptions {
    /** `s3-log`: only `{"Records":[…]}` files (the normaliser's contract); `any`: every shape above. */
    readonly shapes: "s3-log" | "any";
    /** Called with the bytes of each file once it is done. */
    readonly onFileDone?: (bytes: number) => void;
}

/** Reads the first bytes of a file, decompressed, to tell an S3 log file from the other shapes. */
async function head(file: string): Promise<string> {
    for await (const chunk of decompressed(fs.createReadStream(file, { highWaterMark: 64 * 1024, end: 64 * 1024 - 1 }))) {
        return chunk.subarray(0, 256).toString("utf8");
    }
    return "";
}

const S3_LOG_START = /^\uFEFF?\s*\{\s*"Records"\s*:/;

async function normaliseFile(file: string, fileName: string, options: IngestOptions): Promise<NormalisedFile | { skipped: string }> {
    const location = parseLogKey(file);
    const defaults = { account: location.account, region: location.region, date: location.date };
    if (options.shapes === "s3-log" || S3_LOG_START.test(await head(file))) {
        return normaliseLogFile(fs.createReadStream(file, { highWaterMark: 1 << 20 }), { fileName, defaults });
    }
    const counts: StreamCounts = { events: 0, digests: 0, others: 0 };
    const normalised = await normaliseEvents(streamEvents(decompressed(fs.createReadStream(file, { highWaterMark: 1 << 20 })), counts), { fileName, defaults });
    if (counts.events === 0) {
        await normalised.cleanup();
        if (counts.digests > 0) return { skipped: "CloudTrail digest file (log file validation), not events" };
        throw new Error(`no CloudTrail events found (${counts.others} other JSON value(s))`);
    }
    return normalised;
}

/** Normalises every file into `outDir`; never throws for a bad file, reports it instead. */
export async function ingestFiles(files: readonly string[], outDir: string, options: IngestOptions): Promise<FileResult[]> {
    const results: FileResult[] = [];
    const writtenBy = new Map<string, string>();
    for (const file of files) {
        const location = parseLogKey(file);
        const size = fs.statSync(file).size;
        if (location.kind === "digest" || location.kind === "insight") {
            results.push({ file, status: "skipped", events: 0, objects: [], reason: `CloudTrail ${location.kind} file` });
            options.onFileDone?.(size);
            continue;
        }
        let fileName = outputFileName(location.fileName);
        try {
            const normalised = await normaliseFile(file, fileName, options);
            if ("skipped" in normalised) {
                results.push({ file, status: "skipped", events: 0, objects: [], reason: normalised.skipped });
                continue;
            }
            try {
                // Two different local files with the same name must not overwrite each other's output.
                if (normalised.outputs.some((output) => (writtenBy.get(output.key) ?? file) !== file)) {
                    const tag = createHash("sha256").update(path.resolve(file)).digest("hex").slice(0, 8);
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
        } finally {
            options.onFileDone?.(size);
        }
    }
    return results;
}
