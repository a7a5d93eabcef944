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
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { threadId } from "node:worker_threads";
import {
    decodedText,
    decompressed,
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    normaliseEvents,
    normaliseLogFile,
    NormalisedFile,
    NormalisedOutput,
    OUTPUT_GZIP_LEVEL,
    peek,
} from "../lambda/normaliser/core";
import { NotCloudTrailError } from "../lambda/normaliser/splitter";
import { ArchiveKind, archiveKindOf, ArchiveMember, otherFormatOf, tarMembers, zipMembers } from "./archives";
import { fsPathOf } from "./files";
import { diskFailureOf } from "./outFolder";
import { outputFileName, parseLogKey } from "../contract/keys";
import { publishToDirectory } from "../lambda/normaliser/publish";
import { dropDuplicateEvents, EventIdSet } from "./dedup";
import { StreamCounts, streamEvents } from "./shapes";
import { NormaliserPool, stopSpareNormalisers } from "./workerPool";
import type { FilePreparer, InputShapes, PreparedFile, PreparedMember, PreparedSingle, PrepareOptions } from "./filePreparation";

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
    /** Values that could not be kept as they were and were repaired (lambda/normaliser/wellFormed.ts), by field: how many events. */
    readonly repaired?: Readonly<Record<string, number>>;
}

export interface IngestOptions {
    /** `s3-log`: only `{"Records":[…]}` files (the normaliser's contract); `any`: every shape above. */
    readonly shapes: InputShapes;
    /** Called with the bytes and the events (before deduplication) of each file once it is read, in the order files finish. */
    readonly onFileDone?: (bytes: number, events: number) => void;
    /** Files read and normalised at once by a pool of workers (local/workerPool.ts). Default 1: on this thread. */
    readonly jobs?: number;
    /** Drop events whose eventID was read before (local/dedup.ts). Default true; the normalise command keeps the Lambda's behaviour (false). */
    readonly deduplicate?: boolean;
    /** Keep files already in `outDir` (`--append`): an output whose name is taken gets another. Default: replace them, as the Lambda does. */
    readonly keepExisting?: boolean;
    /** EventIDs already in the lake (`--append`), as their JSON texts; the ids read are added. Default: a new, empty set. */
    readonly seenEventIds?: EventIdSet;
    /** Folder in which the ingest makes its temporary folder (the local run: its staging folder, on --out's disk). Default: os.tmpdir(). */
    readonly tempRoot?: string;
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
 * Decompressed bytes looked at to see what a stream holds: an archive's header (tar's magic is at
 * byte 257), a byte order mark, the first characters of JSON.
 */
const START_BYTES = 4096;

/** How a text starts: its first characters, whether they are the whole text, and whether it was gzip. */
interface TextStart {
    readonly gzip: boolean;
    readonly text: string;
    readonly whole: boolean;
}

/**
 * Why a text is not CloudTrail, judged from its first characters (after gzip, a BOM and white
 * space), or undefined when it may be: JSON starts with `{` or `[` (or `"`, see below).
 */
function notCloudTrailReason(start: TextStart): string | undefined {
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

/** One stream to read: a file, or a member of an archive. */
interface Source {
    /** Its name in results and messages: the file's path, or `archive.zip!path/in/archive.json`. */
    readonly name: string;
    /** The path whose folders and name say its account, region and date (`AWSLogs/…`): the file's, or the member's in its archive. */
    readonly logPath: string;
    /** Its bytes as stored (gzip or not). */
    readonly bytes: AsyncIterable<Buffer>;
    /** Its path on disk, when it is a file (a zip is read by random access). */
    readonly fsPath?: string | Buffer;
}

/** What a source gave: one prepared single, or (an archive) one per member. */
type Prepared =
    { readonly single: PreparedSingle; readonly cleanup?: () => Promise<void> } | { readonly members: PreparedMember[]; readonly cleanup: () => Promise<void> };

/** Bytes an input file may still inflate to: one cap for a file, shared by all members of an archive. */
interface Budget {
    left: number;
    readonly cap: number;
}

async function readSource(source: Source, options: PrepareOptions, budget: Budget, inArchive: boolean): Promise<Prepared> {
    const location = parseLogKey(source.logPath);
    if (location.kind === "digest" || location.kind === "insight")
        return { single: { status: "skipped", bytes: 0, reason: `CloudTrail ${location.kind} file` } };
    const fileName = outputFileName(location.fileName);
    const defaults = { account: location.account, region: location.region, date: location.date };
    const write = { fileName, defaults, collectEventIds: options.eventIds, gzipLevel: options.gzipLevel, tempDirectory: options.tempDirectory };
    const raw = await peek(source.bytes, 2);
    const gzip = raw.head.length >= 2 && raw.head[0] === 0x1f && raw.head[1] === 0x8b;
    // Every byte this source (and the other members of its archive) inflates to counts against one cap.
    const content = decompressed(raw.stream, budget.cap);
    const counted = async function* () {
        for await (const chunk of content) {
            budget.left -= chunk.length;
            if (budget.left < 0)
                throw new NotCloudTrailError(
                    `the archive is larger than ${budget.cap} bytes once decompressed (the cap, CTL_MAX_DECOMPRESSED_BYTES, counts all its members); a zip bomb, or an archive to extract`,
                );
            yield chunk;
        }
    };
    const { head, ended, stream } = await peek(counted(), START_BYTES);
    const archive = archiveKindOf(head);
    if (archive) {
        if (inArchive)
            return { single: { status: "skipped", bytes: 0, reason: `a ${archive} inside an archive: extract the outer archive and give the folder` } };
        return readArchive(source, archive, gzip, stream, options, budget);
    }
    const otherFormat = otherFormatOf(head);
    if (otherFormat) return { single: { status: "skipped", bytes: 0, reason: otherFormat } };
    const text = await peek(decodedText(stream), START_BYTES);
    const notCloudTrail = notCloudTrailReason({ gzip, text: text.head.toString("utf8"), whole: ended && text.ended });
    if (notCloudTrail) return { single: { status: "skipped", bytes: 0, reason: notCloudTrail } };
    const start = text.head.toString("utf8", 0, 256);
    const s3Log = S3_LOG_START.test(start);
    // The normaliser's contract is S3 log files; other JSON (a sidecar, a config) is skipped, not failed. A "Records" member further in is left to the normaliser to judge.
    if (options.shapes === "s3-log" && !/"Records"\s*:/.test(start))
        return {
            single: { status: "skipped", bytes: 0, reason: 'JSON that is not a CloudTrail log file ({"Records": [...]}); npm start reads the other shapes' },
        };
    let normalised: NormalisedFile;
    if (options.shapes === "s3-log" || s3Log) {
        normalised = await normaliseLogFile(text.stream, write);
    } else {
        const counts: StreamCounts = { events: 0, digests: 0, others: 0 };
        normalised = await normaliseEvents(streamEvents(text.stream, counts), write);
        if (counts.events === 0) {
            await normalised.cleanup();
            const reason =
                counts.digests > 0
                    ? "CloudTrail digest file (log file validation), not events"
                    : `JSON without CloudTrail events (${counts.others} other JSON value(s))`;
            return { single: { status: "skipped", bytes: 0, reason } };
        }
    }
    return {
        single: {
            status: "normalised",
            bytes: 0,
            events: normalised.events,
            fileName,
            outputs: normalised.outputs,
            ...(normalised.repaired ? { repaired: normalised.repaired } : {}),
        },
        cleanup: () => normalised.cleanup(),
    };
}

/** Reads every member of an archive; a member that cannot be read fails alone, named. */
async function readArchive(
    source: Source,
    kind: ArchiveKind,
    gzip: boolean,
    content: AsyncGenerator<Buffer>,
    options: PrepareOptions,
    budget: Budget,
): Promise<Prepared> {
    const members: PreparedMember[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    const cleanup = async () => {
        for (const release of cleanups) await release();
    };
    let spilled: string | undefined;
    try {
        let listing: AsyncGenerator<ArchiveMember>;
        if (kind === "tar") listing = tarMembers(content);
        else if (!gzip && source.fsPath !== undefined) {
            await content.return(undefined);
            listing = zipMembers(source.fsPath);
        } else {
            // A zip is read from its directory at the end: a gzip-compressed zip goes to a temporary file first.
            spilled = path.join(options.tempDirectory ?? os.tmpdir(), `ctl-${process.pid}-${threadId}-${spills++}.zip`);
            await pipeline(Readable.from(content), fs.createWriteStream(spilled));
            listing = zipMembers(spilled);
        }
        for await (const member of listing) {
            const name = `${source.name}!${member.name}`;
            if ("notRead" in member) {
                members.push({ name, status: "skipped", bytes: 0, reason: member.notRead });
                continue;
            }
            try {
                const read = await readSource({ name, logPath: member.name, bytes: await member.open() }, options, budget, true);
                if ("members" in read) throw new Error("an archive inside an archive"); // readSource refuses it; kept for the types
                if (read.cleanup) cleanups.push(read.cleanup);
                members.push({ name, ...read.single });
            } catch (error) {
                // The cap is the archive's, not one member's: past it, the rest is not read either.
                if (budget.left < 0) throw new Error(`${(error as Error).message}; reached in ${member.name}`);
                members.push({ name, status: "failed", bytes: 0, reason: (error as Error).message });
            }
        }
        if (members.length === 0) members.push({ name: source.name, status: "skipped", bytes: 0, reason: `${kind} archive without files` });
    } catch (error) {
        // The archive stopped being readable (or hit the cap): what was read stays, and the archive itself is named as failed.
        members.push({
            name: source.name,
            status: "failed",
            bytes: 0,
            reason: `${kind} archive: ${(error as Error).message}${members.length > 0 ? ` (after ${members.length} member(s))` : ""}`,
        });
    } finally {
        if (spilled) await fs.promises.rm(spilled, { force: true });
    }
    return { members, cleanup };
}

/** Temporary files of zips that came gzip-compressed, numbered per thread. */
let spills = 0;

/**
 * Reads and normalises one file into temporary files: the part of ingesting that takes CPU, run
 * in parallel by local/workerPool.ts. Never throws for a bad file; `cleanup` removes the
 * temporary files (after publishing, or to abandon them). `fsPath`: what to open, when the name
 * is not valid UTF-8 (local/files.ts).
 */
export async function prepareFile(
    file: string,
    options: PrepareOptions,
    fsPath: string | Buffer = fsPathOf(file),
): Promise<{ prepared: PreparedFile; cleanup?: () => Promise<void> }> {
    let bytes = 0;
    try {
        bytes = (await fs.promises.stat(fsPath)).size;
    } catch (error) {
        return { prepared: { status: "failed", bytes, reason: `cannot read: ${(error as Error).message}` } };
    }
    const stream = fs.createReadStream(fsPath, { highWaterMark: 1 << 20 });
    try {
        const read = await readSource(
            { name: file, logPath: file, bytes: stream, fsPath },
            options,
            { left: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, cap: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES },
            false,
        );
        if ("members" in read) return { prepared: { status: "archive", bytes, members: read.members }, cleanup: read.cleanup };
        return { prepared: { ...read.single, bytes }, cleanup: read.cleanup };
    } catch (error) {
        return { prepared: { status: "failed", bytes, reason: (error as Error).message } };
    } finally {
        stream.destroy();
    }
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
    // One folder for every file's temporary outputs (in the local mode: on --out's disk, so that publishing is a rename), removed at the end.
    const tempDirectory = await fs.promises.mkdtemp(path.join(options.tempRoot ?? os.tmpdir(), "ctl-ingest-"));
    const prepareOptions: PrepareOptions = {
        shapes: options.shapes,
        eventIds: options.deduplicate !== false,
        gzipLevel: options.gzipLevel ?? OUTPUT_GZIP_LEVEL,
        tempDirectory,
    };
    const preparer = jobs > 1 ? new NormaliserPool(jobs, prepareOptions) : inProcessPreparer(prepareOptions);
    // Workers the command line started ahead (local/workerPool.ts prestartNormalisers) that the pool did not take: not needed.
    stopSpareNormalisers();
    const results: FileResult[] = [];
    const writtenBy = new Map<string, string>();
    const seen = options.seenEventIds ?? new EventIdSet();
    /** Whether `key` holds another file's output: of this run, or of an earlier one (`--append`). */
    const taken = (key: string, file: string) => {
        const by = writtenBy.get(key);
        return by !== undefined ? by !== file : options.keepExisting === true && fs.existsSync(path.join(outDir, ...key.split("/")));
    };
    const started: Promise<{ prepared: PreparedFile; release: () => Promise<void> }>[] = [];
    const launch = () => {
        while (started.length < files.length && started.length < consumed + LOOKAHEAD_PER_JOB * jobs) {
            const file = files[started.length];
            started.push(
                preparer.prepare(file).then(
                    (done) => {
                        options.onFileDone?.(done.prepared.bytes, eventsOf(done.prepared));
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
    /** Files taken from `started` (an archive gives several results). */
    let consumed = 0;
    const publishOne = async (file: string, prepared: PreparedSingle) => {
        // A full or read-only disk is not this file's fault and fails every file after it: the run stops, named (local/run.ts).
        if (prepared.status === "failed" && diskFailureOf(prepared.reason)) throw new Error(`${file}: ${prepared.reason}`);
        if (prepared.status !== "normalised") {
            results.push({ file, status: prepared.status, events: 0, objects: [], reason: prepared.reason });
            return;
        }
        try {
            results.push(await publishPrepared(file, prepared, outDir, { seen, taken, writtenBy, gzipLevel: prepareOptions.gzipLevel }));
        } catch (error) {
            if (diskFailureOf(error)) throw error;
            results.push({ file, status: "failed", events: 0, objects: [], reason: (error as Error).message });
        }
    };
    try {
        for (const file of files) {
            launch();
            const { prepared, release } = await started[consumed++];
            try {
                if (prepared.status === "archive") for (const { name, ...member } of prepared.members) await publishOne(name, member);
                else await publishOne(file, prepared);
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
        for (const abandoned of started.slice(consumed)) await abandoned.then(({ release }) => release());
        await preparer.close();
        await fs.promises.rm(tempDirectory, { recursive: true, force: true });
    }
}

/** Events read from a prepared file (an archive: all its members), before deduplication. */
function eventsOf(prepared: PreparedFile): number {
    if (prepared.status === "archive") return prepared.members.reduce((sum, member) => sum + eventsOf(member), 0);
    return prepared.status === "normalised" ? prepared.events : 0;
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

/** Files read ahead of the oldest unpublished one, per worker: enough to keep every worker busy behind a slow file. */
export const LOOKAHEAD_PER_JOB = 4;

/** Deduplicates a prepared file against the eventIDs read before it, names its outputs, publishes them. */
async function publishPrepared(
    file: string,
    prepared: Extract<PreparedFile, { status: "normalised" }>,
    outDir: string,
    state: { seen: EventIdSet; taken: (key: string, file: string) => boolean; writtenBy: Map<string, string>; gzipLevel: number },
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
    return {
        file,
        status: "normalised",
        events: prepared.events - duplicates,
        duplicates,
        objects,
        ...(prepared.repaired ? { repaired: prepared.repaired } : {}),
    };
}
