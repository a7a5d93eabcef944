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
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { decompressed, normaliseEvents, normaliseLogFile, NormalisedFile, NormalisedOutput, OUTPUT_GZIP_LEVEL } from "../lambda/normaliser/core";
import { outputFileName, parseLogKey } from "../contract/keys";
import { publishToDirectory } from "../lambda/normaliser/publish";
import { dropDuplicateEvents } from "./dedup";
import { StreamCounts, streamEvents } from "./shapes";
import { NormaliserPool } from "./workerPool";

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
    /** Called with the bytes and the events (before deduplication) of each file once it is read, in the order files finish. */
    readonly onFileDone?: (bytes: number, events: number) => void;
    /** Files read and normalised at once by a pool of workers (local/workerPool.ts). Default 1: on this thread. */
    readonly jobs?: number;
    /** Drop events whose eventID was read before (local/dedup.ts). Default true; the normalise command keeps the Lambda's behaviour (false). */
    readonly deduplicate?: boolean;
    /** Keep files already in `outDir` (`--append`): an output whose name is taken gets another. Default: replace them, as the Lambda does. */
    readonly keepExisting?: boolean;
    /** EventIDs already in the lake (`--append`); the ids read are added. Default: a new, empty set. */
    readonly seenEventIds?: Set<string>;
    /** zlib level of the normalised outputs. Default: the Lambda's ({@link OUTPUT_GZIP_LEVEL}); the local mode uses {@link LOCAL_GZIP_LEVEL}. */
    readonly gzipLevel?: number;
}

/**
 * zlib level of the local lake's normalised files. They are read once, by DuckDB, to build the
 * Parquet, and stay on the responder's disk, not in S3: level 1 compresses 103 MB of normalised
 * JSON in 0.37 s (10.6 MB) where the Lambda's level 6 takes 0.87 s (8.7 MB), measured with
 * zlib.gzipSync on the 100 MB input of bench:local. That is a tenth of the normalising CPU, and
 * the part that ran beside the JavaScript thread, which the worker pool cannot speed up.
 */
export const LOCAL_GZIP_LEVEL = 1;

/**
 * Compressed bytes read to see how a file starts: gzip's header and, once inflated, tens of
 * kilobytes of text (a gzip bomb's 4 KB inflate to at most about 4 MB).
 */
const START_BYTES = 4096;

/** How a file starts: gzip or not, its first characters (decompressed), and whether they are the whole file. */
interface FileStart {
    readonly gzip: boolean;
    readonly text: string;
    readonly whole: boolean;
}

/**
 * One read of the file's first bytes, inflated in memory: a stream and a gunzip per look cost
 * about 3 ms a file, which a folder of thousands of small CloudTrail files paid twice each.
 */
async function fileStart(file: string): Promise<FileStart> {
    const handle = await fs.promises.open(file, "r");
    let bytes: Buffer;
    try {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(START_BYTES), 0, START_BYTES, 0);
        bytes = buffer.subarray(0, bytesRead);
    } finally {
        await handle.close();
    }
    const whole = bytes.length < START_BYTES;
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { gzip: false, text: bytes.toString("utf8"), whole };
    try {
        // SYNC_FLUSH: the start of a longer stream inflates without an "unexpected end of file" error; a whole
        // file must end, so a truncated one fails here, named, as the normaliser would fail it.
        const text = zlib.gunzipSync(bytes, whole ? {} : { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString("utf8");
        return { gzip: true, text, whole };
    } catch (error) {
        const message = (error as Error).message;
        throw new Error(/unexpected end/i.test(message) ? "truncated gzip: the compressed data ends early" : `corrupt gzip: ${message}`);
    }
}

/**
 * Why a file is not CloudTrail, judged from its first bytes (after gzip, a BOM and white space),
 * or undefined when it may be: JSON starts with `{` or `[` (or `"`, see below).
 */
function notCloudTrailReason(start: FileStart): string | undefined {
    const text = start.text.replace(/^\uFEFF/, "").trimStart();
    const what = start.gzip ? "gzip-compressed " : "";
    // Only white space in what was read: empty if that was the whole file, else the parser judges the rest.
    if (text === "") return start.whole ? `empty ${what}file` : undefined;
    // `"`: a broken fragment of JSON is more likely a damaged export than something else; it fails, named, with the parser's reason.
    if (text[0] === "{" || text[0] === "[" || text[0] === '"') return undefined;
    const shown = JSON.stringify(text.slice(0, 12)).slice(1, -1);
    return `${what}content is not JSON (starts with "${shown}")`;
}

const S3_LOG_START = /^\uFEFF?\s*\{\s*"Records"\s*:/;

async function normaliseFile(file: string, fileName: string, options: PrepareOptions): Promise<NormalisedFile | { skipped: string }> {
    const location = parseLogKey(file);
    const defaults = { account: location.account, region: location.region, date: location.date };
    const write = { fileName, defaults, collectEventIds: options.eventIds, gzipLevel: options.gzipLevel, tempDirectory: options.tempDirectory };
    const fileHead = await fileStart(file);
    const notCloudTrail = notCloudTrailReason(fileHead);
    if (notCloudTrail) return { skipped: notCloudTrail };
    const start = fileHead.text.slice(0, 256);
    const s3Log = S3_LOG_START.test(start);
    // The normaliser's contract is S3 log files; other JSON (a sidecar, a config) is skipped, not failed. A "Records" member further in is left to the normaliser to judge.
    if (options.shapes === "s3-log" && !/"Records"\s*:/.test(start))
        return { skipped: 'JSON that is not a CloudTrail log file ({"Records": [...]}); npm start reads the other shapes' };
    if (options.shapes === "s3-log" || s3Log) {
        return normaliseLogFile(fs.createReadStream(file, { highWaterMark: 1 << 20 }), write);
    }
    const counts: StreamCounts = { events: 0, digests: 0, others: 0 };
    const normalised = await normaliseEvents(streamEvents(decompressed(fs.createReadStream(file, { highWaterMark: 1 << 20 })), counts), write);
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

/**
 * A file read and normalised into temporary files, not yet deduplicated or published: what a
 * worker hands back (plain data, so that it crosses a worker boundary).
 */
export type PreparedFile =
    | { readonly status: "skipped" | "failed"; readonly bytes: number; readonly reason: string }
    | { readonly status: "normalised"; readonly bytes: number; readonly events: number; readonly fileName: string; readonly outputs: NormalisedOutput[] };

export interface PrepareOptions {
    readonly shapes: IngestOptions["shapes"];
    /** Keep each output's line eventIDs (for the deduplication), as the normaliser renders them. */
    readonly eventIds: boolean;
    readonly gzipLevel: number;
    /** The ingest's folder for temporary files, shared by its workers (lambda/normaliser/core.ts WriteOptions). */
    readonly tempDirectory?: string;
}

/**
 * Reads and normalises one file into temporary files: the part of ingesting that takes CPU, run
 * in parallel by local/workerPool.ts. Never throws for a bad file; `cleanup` removes the
 * temporary files (after publishing, or to abandon them).
 */
export async function prepareFile(file: string, options: PrepareOptions): Promise<{ prepared: PreparedFile; cleanup?: () => Promise<void> }> {
    const location = parseLogKey(file);
    let bytes = 0;
    try {
        bytes = (await fs.promises.stat(file)).size;
    } catch (error) {
        return { prepared: { status: "failed", bytes, reason: `cannot read: ${(error as Error).message}` } };
    }
    if (location.kind === "digest" || location.kind === "insight")
        return { prepared: { status: "skipped", bytes, reason: `CloudTrail ${location.kind} file` } };
    const fileName = outputFileName(location.fileName);
    try {
        const normalised = await normaliseFile(file, fileName, options);
        if ("skipped" in normalised) return { prepared: { status: "skipped", bytes, reason: normalised.skipped } };
        return {
            prepared: { status: "normalised", bytes, events: normalised.events, fileName, outputs: normalised.outputs },
            cleanup: () => normalised.cleanup(),
        };
    } catch (error) {
        return { prepared: { status: "failed", bytes, reason: (error as Error).message } };
    }
}

/** Prepares files, here or in workers; `release` removes a prepared file's temporary files. */
export interface FilePreparer {
    prepare(file: string): Promise<{ prepared: PreparedFile; release: () => Promise<void> }>;
    close(): Promise<void>;
}

/** The preparer of `--jobs 1`: on this thread, one file at a time. */
export function inProcessPreparer(options: PrepareOptions): FilePreparer {
    return {
        prepare: async (file) => {
            const { prepared, cleanup } = await prepareFile(file, options);
            return { prepared, release: cleanup ?? (async () => undefined) };
        },
        close: async () => undefined,
    };
}

/**
 * Normalises every file into `outDir`; never throws for a bad file, reports it instead.
 *
 * With `jobs` > 1 the files are read and normalised by a pool of workers (local/workerPool.ts),
 * in any order, but deduplicated, named and published here one at a time in input order: which
 * occurrence of an eventID is kept, the duplicate counts, the output names and bytes are those of
 * `jobs: 1`. At most {@link LOOKAHEAD_PER_JOB} × jobs files are read ahead of the oldest one not
 * yet published, so a slow file holds back a bounded number of finished ones (their temporary
 * files and eventIDs), not the whole input.
 */
export async function ingestFiles(files: readonly string[], outDir: string, options: IngestOptions): Promise<FileResult[]> {
    const jobs = Math.max(1, Math.min(options.jobs ?? 1, files.length));
    // One folder for every file's temporary outputs (under TMPDIR: the run's own folder in the local mode), removed at the end.
    const tempDirectory = await fs.promises.mkdtemp(path.join(os.tmpdir(), "ctl-ingest-"));
    const prepareOptions: PrepareOptions = {
        shapes: options.shapes,
        eventIds: options.deduplicate !== false,
        gzipLevel: options.gzipLevel ?? OUTPUT_GZIP_LEVEL,
        tempDirectory,
    };
    const preparer = jobs > 1 ? new NormaliserPool(jobs, prepareOptions) : inProcessPreparer(prepareOptions);
    const results: FileResult[] = [];
    const writtenBy = new Map<string, string>();
    const seen = options.seenEventIds ?? new Set<string>();
    /** Whether `key` holds another file's output: of this run, or of an earlier one (`--append`). */
    const taken = (key: string, file: string) => {
        const by = writtenBy.get(key);
        return by !== undefined ? by !== file : options.keepExisting === true && fs.existsSync(path.join(outDir, ...key.split("/")));
    };
    const started: Promise<{ prepared: PreparedFile; release: () => Promise<void> }>[] = [];
    const launch = () => {
        while (started.length < files.length && started.length < results.length + LOOKAHEAD_PER_JOB * jobs) {
            const file = files[started.length];
            started.push(
                preparer.prepare(file).then(
                    (done) => {
                        options.onFileDone?.(done.prepared.bytes, done.prepared.status === "normalised" ? done.prepared.events : 0);
                        return done;
                    },
                    // A worker that died (out of memory) fails its file; the pool starts another.
                    (error: Error) => {
                        options.onFileDone?.(0, 0);
                        return { prepared: { status: "failed" as const, bytes: 0, reason: error.message }, release: async () => undefined };
                    },
                ),
            );
        }
    };
    const releasing: Promise<void>[] = [];
    try {
        for (const file of files) {
            launch();
            const { prepared, release } = await started[results.length];
            if (prepared.status !== "normalised") {
                results.push({ file, status: prepared.status, events: 0, objects: [], reason: prepared.reason });
                continue;
            }
            try {
                results.push(
                    await publishPrepared(file, prepared, outDir, {
                        seen,
                        taken,
                        writtenBy,
                        gzipLevel: prepareOptions.gzipLevel,
                    }),
                );
            } catch (error) {
                results.push({ file, status: "failed", events: 0, objects: [], reason: (error as Error).message });
            } finally {
                // Not awaited here: a worker answers only between its own files' parsing, and waiting for it held up
                // publishing, so the read-ahead filled and the workers stood idle.
                releasing.push(release().catch(() => undefined));
            }
        }
        return results;
    } finally {
        await Promise.all(releasing);
        // After an unexpected error: the files read ahead are abandoned.
        for (const abandoned of started.slice(results.length)) await abandoned.then(({ release }) => release());
        await preparer.close();
        await fs.promises.rm(tempDirectory, { recursive: true, force: true });
    }
}

/** Files read ahead of the oldest unpublished one, per worker: enough to keep every worker busy behind a slow file. */
export const LOOKAHEAD_PER_JOB = 4;

/** Deduplicates a prepared file against the eventIDs read before it, names its outputs, publishes them. */
async function publishPrepared(
    file: string,
    prepared: Extract<PreparedFile, { status: "normalised" }>,
    outDir: string,
    state: { seen: Set<string>; taken: (key: string, file: string) => boolean; writtenBy: Map<string, string>; gzipLevel: number },
): Promise<FileResult> {
    let fileName = prepared.fileName;
    let duplicates = 0;
    const outputs: NormalisedOutput[] = [];
    for (const { eventIds, ...output } of prepared.outputs) {
        // The normaliser hands over the lines' eventIDs exactly when the ingest deduplicates (PrepareOptions.eventIds).
        if (eventIds === undefined) {
            outputs.push(output);
            continue;
        }
        const kept = await dropDuplicateEvents(output, state.seen, eventIds, state.gzipLevel);
        duplicates += kept.duplicates;
        if (kept.output) outputs.push(kept.output);
    }
    // Two different local files with the same name must not overwrite each other's output.
    if (outputs.some((output) => state.taken(output.key, file))) {
        const tag = createHash("sha256").update(path.resolve(file)).digest("hex").slice(0, 8);
        const tagged = (n: number) => fileName.replace(/\.json\.gz$/, `.${tag}${n ? `-${n}` : ""}.json.gz`);
        let n = 0;
        while (outputs.some((output) => state.taken(output.key.replace(/[^/]+$/, tagged(n)), file))) n++;
        fileName = tagged(n);
        for (const output of outputs) (output as { key: string }).key = output.key.replace(/[^/]+$/, fileName);
    }
    const objects: string[] = [];
    for (const output of outputs) {
        state.writtenBy.set(output.key, file);
        await publish(outDir, output);
        objects.push(output.key);
    }
    return { file, status: "normalised", events: prepared.events - duplicates, duplicates, objects };
}
