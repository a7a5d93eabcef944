/**
 * Reading input files into the local lake's `normalised/` layout with the Lambda's own core.
 * S3 log files stream (bounded memory, whatever their size); the other shapes people have
 * (arrays, one event per line, lookup-events output, EventBridge and CloudWatch Logs envelopes)
 * are streamed too and unwrapped (local/shapes.ts). A file that cannot be read is reported with the reason; the
 * others go on.
 *
 * Files are recognised by their content, never their name (exports come as `.log`, `.txt` or
 * no extension): gzip's magic bytes, then the first byte of JSON. What is not CloudTrail (empty,
 * not JSON, JSON without events, digest files) is skipped with the reason; nothing is ignored
 * without a word. Events whose eventID was already read are dropped and counted (local/dedup.ts).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { decompressed, normaliseEvents, normaliseLogFile, NormalisedFile, NormalisedOutput } from "../lambda/normaliser/core";
import { outputFileName, parseLogKey } from "../contract/keys";
import { publishToDirectory } from "../lambda/normaliser/publish";
import { dropDuplicateEvents } from "./dedup";
import { StreamCounts, streamEvents } from "./shapes";

export interface FileResult {
    readonly file: string;
    readonly status: "normalised" | "skipped" | "failed";
    /** Events kept: read from the file, less {@link duplicates}. */
    readonly events: number;
    /** Events dropped because an event with the same eventID was read before (in this run, or in the lake with `--append`). */
    readonly duplicates?: number;
    /** Keys of the normalised objects written, relative to the output directory. */
    readonly objects: string[];
    readonly reason?: string;
}

export interface IngestOptions {
    /** `s3-log`: only `{"Records":[…]}` files (the normaliser's contract); `any`: every shape above. */
    readonly shapes: "s3-log" | "any";
    /** Called with the bytes of each file once it is done. */
    readonly onFileDone?: (bytes: number) => void;
    /** Drop events whose eventID was read before (local/dedup.ts). Default true; the normalise command keeps the Lambda's behaviour (false). */
    readonly deduplicate?: boolean;
    /** Keep files already in `outDir` (`--append`): an output whose name is taken gets another. Default: replace them, as the Lambda does. */
    readonly keepExisting?: boolean;
    /** EventIDs already in the lake (`--append`); the ids read are added. Default: a new, empty set. */
    readonly seenEventIds?: Set<string>;
}

/** Reads the first bytes of a file, decompressed, to tell an S3 log file from the other shapes. */
async function head(file: string): Promise<string> {
    for await (const chunk of decompressed(fs.createReadStream(file, { highWaterMark: 64 * 1024, end: 64 * 1024 - 1 }))) {
        return chunk.subarray(0, 256).toString("utf8");
    }
    return "";
}

async function isGzipFile(file: string): Promise<boolean> {
    const handle = await fs.promises.open(file, "r");
    try {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
        return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
    } finally {
        await handle.close();
    }
}

/**
 * Why a file is not CloudTrail, judged from its first bytes (after gzip, a BOM and white space),
 * or undefined when it may be: JSON starts with `{` or `[` (or `"`, see below).
 */
export async function notCloudTrailReason(file: string): Promise<string | undefined> {
    const gzip = await isGzipFile(file);
    const start = (await head(file)).replace(/^\uFEFF/, "").trimStart();
    const what = gzip ? "gzip-compressed " : "";
    if (start === "") return `empty ${what}file`;
    // `"`: a broken fragment of JSON is more likely a damaged export than something else; it fails, named, with the parser's reason.
    if (start[0] === "{" || start[0] === "[" || start[0] === '"') return undefined;
    const shown = JSON.stringify(start.slice(0, 12)).slice(1, -1);
    return `${what}content is not JSON (starts with "${shown}")`;
}

const S3_LOG_START = /^\uFEFF?\s*\{\s*"Records"\s*:/;

async function normaliseFile(file: string, fileName: string, options: IngestOptions): Promise<NormalisedFile | { skipped: string }> {
    const location = parseLogKey(file);
    const defaults = { account: location.account, region: location.region, date: location.date };
    const notCloudTrail = await notCloudTrailReason(file);
    if (notCloudTrail) return { skipped: notCloudTrail };
    const start = await head(file);
    const s3Log = S3_LOG_START.test(start);
    // The normaliser's contract is S3 log files; other JSON (a sidecar, a config) is skipped, not failed. A "Records" member further in is left to the normaliser to judge.
    if (options.shapes === "s3-log" && !/"Records"\s*:/.test(start))
        return { skipped: 'JSON that is not a CloudTrail log file ({"Records": [...]}); npm start reads the other shapes' };
    if (options.shapes === "s3-log" || s3Log) {
        return normaliseLogFile(fs.createReadStream(file, { highWaterMark: 1 << 20 }), { fileName, defaults });
    }
    const counts: StreamCounts = { events: 0, digests: 0, others: 0 };
    const normalised = await normaliseEvents(streamEvents(decompressed(fs.createReadStream(file, { highWaterMark: 1 << 20 })), counts), { fileName, defaults });
    if (counts.events === 0) {
        await normalised.cleanup();
        if (counts.digests > 0) return { skipped: "CloudTrail digest file (log file validation), not events" };
        return { skipped: `JSON without CloudTrail events (${counts.others} other JSON value(s))` };
    }
    return normalised;
}

/** Publishes an output; a failed copy leaves no `.partial` file behind. */
async function publish(outDir: string, output: NormalisedOutput): Promise<void> {
    try {
        await publishToDirectory(outDir, output);
    } catch (error) {
        // publishToDirectory stages next to the destination under this name.
        await fs.promises.rm(`${path.join(outDir, ...output.key.split("/"))}.partial-${process.pid}`, { force: true });
        throw error;
    }
}

/** Normalises every file into `outDir`; never throws for a bad file, reports it instead. */
export async function ingestFiles(files: readonly string[], outDir: string, options: IngestOptions): Promise<FileResult[]> {
    const results: FileResult[] = [];
    const writtenBy = new Map<string, string>();
    const seen = options.seenEventIds ?? new Set<string>();
    /** Whether `key` holds another file's output: of this run, or of an earlier one (`--append`). */
    const taken = (key: string, file: string) => {
        const by = writtenBy.get(key);
        return by !== undefined ? by !== file : options.keepExisting === true && fs.existsSync(path.join(outDir, ...key.split("/")));
    };
    for (const file of files) {
        const location = parseLogKey(file);
        let size = 0;
        try {
            size = (await fs.promises.stat(file)).size;
        } catch (error) {
            results.push({ file, status: "failed", events: 0, objects: [], reason: `cannot read: ${(error as Error).message}` });
            continue;
        }
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
                let duplicates = 0;
                const outputs: NormalisedOutput[] = [];
                for (const output of normalised.outputs) {
                    if (options.deduplicate === false) {
                        outputs.push(output);
                        continue;
                    }
                    const kept = await dropDuplicateEvents(output, seen);
                    duplicates += kept.duplicates;
                    if (kept.output) outputs.push(kept.output);
                }
                // Two different local files with the same name must not overwrite each other's output.
                if (outputs.some((output) => taken(output.key, file))) {
                    const tag = createHash("sha256").update(path.resolve(file)).digest("hex").slice(0, 8);
                    const tagged = (n: number) => fileName.replace(/\.json\.gz$/, `.${tag}${n ? `-${n}` : ""}.json.gz`);
                    let n = 0;
                    while (outputs.some((output) => taken(output.key.replace(/[^/]+$/, tagged(n)), file))) n++;
                    fileName = tagged(n);
                    for (const output of outputs) (output as { key: string }).key = output.key.replace(/[^/]+$/, fileName);
                }
                const objects: string[] = [];
                for (const output of outputs) {
                    writtenBy.set(output.key, file);
                    await publish(outDir, output);
                    objects.push(output.key);
                }
                results.push({ file, status: "normalised", events: normalised.events - duplicates, duplicates, objects });
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
