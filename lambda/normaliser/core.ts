/**
 * The normaliser's core: the bytes of one CloudTrail file in, one gzip JSON-lines file per
 * (account, region, event date) out. Streaming and bounded: memory holds one input chunk, the
 * record in progress and zlib's windows, whatever the file size. Output goes to temporary files
 * that the caller publishes only when the whole input was read without error, so no partial
 * output is ever visible. Deterministic: the same input gives byte-identical outputs.
 */
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { Readable, TransformOptions } from "node:stream";
import { threadId } from "node:worker_threads";
import * as zlib from "node:zlib";
import { normalisedKey } from "../../contract/keys";
import { EventIdLines, joinEventIds, PartitionDefaults, RenderedBatch, renderChunk, renderEvents } from "./render";
import type { Evidence } from "./hostile";
import { NotCloudTrailError, RecordsSplitter } from "./splitter";

export type { PartitionDefaults } from "./render";
export { lakePartitionOf } from "./render";

/** One output object, written to a temporary file, ready to publish. */
export interface NormalisedOutput {
    readonly key: string;
    readonly tempPath: string;
    readonly records: number;
    readonly bytes: number;
    /** The eventID of each line, in line order (./render.ts EventIdLines); only with {@link WriteOptions.collectEventIds}. */
    readonly eventIds?: EventIdLines;
}

/** Where outputs are named, and how they are written. */
export interface WriteOptions {
    readonly fileName: string;
    readonly keyPrefix?: string;
    /** Keep each output's line eventIDs ({@link NormalisedOutput.eventIds}), for the local mode's deduplication. */
    readonly collectEventIds?: boolean;
    /** zlib level of the outputs; default {@link OUTPUT_GZIP_LEVEL}, the Lambda's. */
    readonly gzipLevel?: number;
    /**
     * An existing folder, owned by the caller, for the temporary files (named uniquely per call, so
     * that calls on several threads can share it). Default: a new folder per call under os.tmpdir().
     * Creating and removing a folder per file cost a folder of small files about a millisecond each.
     */
    readonly tempDirectory?: string;
}

/** Calls of this thread that wrote into a shared {@link WriteOptions.tempDirectory}: part of their file names. */
let sharedDirectoryCalls = 0;

export interface NormalisedFile {
    readonly events: number;
    /**
     * Values that could not be kept as they were and were repaired (./wellFormed.ts: lone UTF-16
     * surrogates replaced by U+FFFD), by field path: in how many events. Absent when none.
     */
    readonly repaired?: Readonly<Record<string, number>>;
    readonly outputs: NormalisedOutput[];
    /** Removes the temporary files (after publishing, or to abandon them). */
    cleanup(): Promise<void>;
}

/** zlib level of the output: 6 is zlib's default; measured in bench/normaliser.ts. */
export const OUTPUT_GZIP_LEVEL = 6;

/** zlib streams pass stream options on to their Transform; Node's types only declare zlib's own. */
function withStreamOptions(options: zlib.ZlibOptions, stream: TransformOptions): zlib.ZlibOptions {
    return { ...options, ...stream } as zlib.ZlibOptions;
}

function isGzip(chunk: Buffer): boolean {
    return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

/**
 * Default cap on the decompressed size of one input file: 4 GiB (environment variable
 * `CTL_MAX_DECOMPRESSED_BYTES` overrides it). CloudTrail delivers at most 50 MB compressed per
 * file, about 500 MB of JSON; the cap stops a small gzip bomb (gigabytes of whitespace) from
 * occupying a Lambda until its timeout.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES =
    Number(process.env.CTL_MAX_DECOMPRESSED_BYTES) > 0 ? Number(process.env.CTL_MAX_DECOMPRESSED_BYTES) : 4 * 1024 * 1024 * 1024;

/**
 * The first `bytes` of a stream (fewer when it ends first), and the whole stream again from its
 * start: to look at how a stream begins without reading it twice.
 */
export async function peek(source: AsyncIterable<Buffer>, bytes: number): Promise<{ head: Buffer; ended: boolean; stream: AsyncGenerator<Buffer> }> {
    const iterator = source[Symbol.asyncIterator]();
    const read: Buffer[] = [];
    let length = 0;
    let ended = false;
    while (length < bytes) {
        const next = await iterator.next();
        if (next.done) {
            ended = true;
            break;
        }
        read.push(next.value);
        length += next.value.length;
    }
    const head = read.length === 1 ? read[0] : Buffer.concat(read);
    async function* stream(): AsyncGenerator<Buffer> {
        if (head.length > 0) yield head;
        if (ended) return;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    }
    return { head: head.subarray(0, bytes), ended, stream: stream() };
}

/**
 * Gzip layers unwrapped at most: a `.json.gz` gzipped again by a mail client or a collection
 * script is common; more layers than this is a decompression bomb's trick, not a log.
 */
export const MAX_GZIP_LAYERS = 4;

/**
 * Gunzips the stream as long as it starts with gzip's magic bytes (a gzip inside a gzip too, up to
 * {@link MAX_GZIP_LAYERS}), else passes it through; fails past `maxBytes` of output.
 */
export async function* decompressed(source: AsyncIterable<Buffer>, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): AsyncGenerator<Buffer> {
    let total = 0;
    for await (const chunk of decompressedUncapped(source, 0)) {
        total += chunk.length;
        if (total > maxBytes) {
            throw new NotCloudTrailError(
                `larger than ${maxBytes} bytes once decompressed (the cap, CTL_MAX_DECOMPRESSED_BYTES); a gzip bomb or an export to split`,
            );
        }
        yield chunk;
    }
}

async function* decompressedUncapped(source: AsyncIterable<Buffer>, layers: number): AsyncGenerator<Buffer> {
    // Enough bytes to see gzip's two magic bytes, however the source chunks its data.
    const { head, stream } = await peek(source, 2);
    if (head.length === 0) return;
    if (!isGzip(head)) {
        yield* stream;
        return;
    }
    if (layers >= MAX_GZIP_LAYERS) throw new NotCloudTrailError(`gzip inside gzip more than ${MAX_GZIP_LAYERS} layers deep: not read`);
    const gunzip = zlib.createGunzip(withStreamOptions({ chunkSize: 256 * 1024 }, { readableHighWaterMark: 4 << 20 }));
    const feeding = pipeline(Readable.from(stream), gunzip).catch((error) => gunzip.destroy(error));
    async function* inflated(): AsyncGenerator<Buffer> {
        try {
            for await (const chunk of gunzip) yield chunk as Buffer;
        } catch (error) {
            const message = (error as Error).message;
            throw new NotCloudTrailError(/unexpected end/i.test(message) ? "truncated gzip: the compressed data ends early" : `corrupt gzip: ${message}`);
        }
    }
    try {
        yield* decompressedUncapped(inflated(), layers + 1);
    } finally {
        gunzip.destroy();
        await feeding;
    }
}

/** How a text starts: its byte order mark, or (without one) the zero bytes of UTF-16 around JSON's first character. */
export function textEncodingOf(head: Buffer): { encoding: "utf-8" | "utf-16le" | "utf-16be"; bom: number } {
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf-8", bom: 3 };
    if (head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bom: 2 };
    if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bom: 2 };
    // No mark: `{\0` or `[\0` (little-endian), `\0{` or `\0[` (big-endian); JSON's other first characters are rare in a log.
    const json = (byte: number | undefined) => byte === 0x7b || byte === 0x5b;
    if (head.length >= 2 && json(head[0]) && head[1] === 0) return { encoding: "utf-16le", bom: 0 };
    if (head.length >= 2 && head[0] === 0 && json(head[1])) return { encoding: "utf-16be", bom: 0 };
    return { encoding: "utf-8", bom: 0 };
}

/**
 * The text of a (decompressed) stream as UTF-8 bytes, without a byte order mark: UTF-16 (what
 * Windows PowerShell's `Out-File` and `>` write, little-endian with a BOM) is transcoded as it
 * streams; UTF-8 passes through. Unpaired UTF-16 surrogates become U+FFFD, as a UTF-8 decoder
 * does with bytes it cannot read.
 */
export async function* decodedText(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const { head, stream } = await peek(source, 4);
    const { encoding, bom } = textEncodingOf(head);
    let skip = bom;
    if (encoding === "utf-8") {
        for await (const chunk of stream) {
            if (skip > 0) {
                const dropped = chunk.subarray(skip);
                skip = 0;
                if (dropped.length > 0) yield dropped;
            } else yield chunk;
        }
        return;
    }
    const decoder = new TextDecoder(encoding, { ignoreBOM: false });
    for await (const chunk of stream) {
        const text = decoder.decode(chunk, { stream: true });
        if (text.length > 0) yield Buffer.from(text, "utf8");
    }
    const rest = decoder.decode();
    if (rest.length > 0) yield Buffer.from(rest, "utf8");
}

/** Text handed to zlib per write; see {@link Group.gzip}. */
const FLUSH_BYTES = 1 << 20;

/** Rendered lines waiting to be compressed or spilled. */
class PendingLines {
    private chunks: Buffer[] = [];
    bytes = 0;

    add(lines: Buffer): void {
        this.chunks.push(lines);
        this.bytes += lines.length;
    }

    /** Everything added, in one buffer, and empties the list. */
    take(): Buffer {
        const taken = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
        this.chunks = [];
        this.bytes = 0;
        return taken;
    }

    /** Everything added, as added, and empties the list. */
    takeAll(): Buffer[] {
        const taken = this.chunks;
        this.chunks = [];
        this.bytes = 0;
        return taken;
    }
}

class Group {
    // zlib compresses on libuv's thread pool while the main thread parses, but only one write at a time and
    // only when the main thread lets its callback run: hand it ~1 MB per write (FLUSH_BYTES) with room for
    // a few more, so the other core stays busy. Measured in bench/normaliser.ts: 16 KB writes left
    // the main thread waiting a third of the time. Bounded: writers wait for "drain" beyond the buffer.
    readonly gzip: zlib.Gzip;
    readonly done: Promise<void>;
    records = 0;
    readonly pending = new PendingLines();
    readonly eventIds: EventIdLines[] = [];

    constructor(
        readonly key: string,
        readonly tempPath: string,
        gzipLevel: number,
    ) {
        this.gzip = zlib.createGzip(withStreamOptions({ level: gzipLevel, chunkSize: 1 << 20 }, { writableHighWaterMark: 8 << 20 }));
        this.done = pipeline(this.gzip, fs.createWriteStream(tempPath));
    }

    /** Hands the buffered text to zlib once there is enough of it (or at the end, `force`). */
    flush(force = false): boolean {
        if (this.pending.bytes === 0 || (!force && this.pending.bytes < FLUSH_BYTES)) return true;
        let ok = true;
        for (const lines of this.pending.takeAll()) ok = this.gzip.write(lines);
        return ok;
    }
}

/**
 * Normalises a CloudTrail log file (`{"Records":[…]}`, gzip or plain). Throws
 * {@link NotCloudTrailError} with the reason when the input is not one; then nothing is left behind.
 */
export async function normaliseLogFile(
    input: AsyncIterable<Buffer>,
    options: WriteOptions & { readonly defaults?: PartitionDefaults; readonly maxDecompressedBytes?: number },
): Promise<NormalisedFile> {
    return writeRendered(
        renderLogFile(decodedText(decompressed(input, options.maxDecompressedBytes)), options.defaults ?? {}, options.collectEventIds ?? false),
        options,
    );
}

/** Splits the stream into records and renders them, chunk by chunk, in file order. */
async function* renderLogFile(chunks: AsyncIterable<Buffer>, defaults: PartitionDefaults, collectEventIds: boolean): AsyncGenerator<RenderedBatch> {
    const splitter = new RecordsSplitter();
    for await (const chunk of chunks) yield renderChunk(splitter, chunk, defaults, collectEventIds);
    splitter.end();
}

/** Parsed events, optionally with what JSON.parse lost from each (./hostile.ts). */
export type EventBatch = unknown[] | { readonly events: unknown[]; readonly evidence?: readonly (Evidence | undefined)[] };

/**
 * Normalises batches of already-parsed events (the local mode's other input shapes) into
 * grouped gzip outputs, like {@link normaliseLogFile}.
 */
export async function normaliseEvents(
    batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
    options: WriteOptions & { readonly defaults?: PartitionDefaults },
): Promise<NormalisedFile> {
    async function* rendered(): AsyncGenerator<RenderedBatch> {
        let index = 0;
        for await (const batch of batches) {
            const events = Array.isArray(batch) ? batch : batch.events;
            yield renderEvents(events, index, options.defaults ?? {}, Array.isArray(batch) ? undefined : batch.evidence, options.collectEventIds ?? false);
            index += events.length;
        }
    }
    return writeRendered(rendered(), options);
}

/**
 * Partitions that get their own gzip stream (and file descriptor) while the file is read, in order
 * of first appearance. A CloudTrail file holds one account and region and one or two dates; a
 * hostile or merged file may hold thousands of partitions, and a stream per partition would take
 * about 250 KB of zlib state and a descriptor each (1,024 descriptors in Lambda). Later partitions
 * are spilled: their text goes to one spill file and is compressed one partition at a time at the
 * end, into the same bytes a stream of their own would have written (deterministic: which
 * partitions spill depends only on the order of the records).
 */
export const MAX_OPEN_GROUPS = 16;
/** Spilled text buffered in memory before it is written to the spill file. */
const SPILL_BUFFER_BYTES = 8 << 20;
/** Spilled groups compressed at once at the end. */
const SPILL_COMPRESSIONS = 4;
const gzipAsync = promisify(zlib.gzip);

/** A partition beyond {@link MAX_OPEN_GROUPS}: its text as segments of the spill file. */
class SpilledGroup {
    records = 0;
    readonly pending = new PendingLines();
    readonly eventIds: EventIdLines[] = [];
    readonly segments: { offset: number; length: number }[] = [];
    constructor(
        readonly key: string,
        readonly tempPath: string,
    ) {}
}

class SpillFile {
    private handle: fs.promises.FileHandle | undefined;
    private offset = 0;
    pendingBytes = 0;
    constructor(
        private readonly filePath: string,
        private readonly gzipLevel: number,
    ) {}

    async write(groups: Iterable<SpilledGroup>): Promise<void> {
        this.handle ??= await fs.promises.open(this.filePath, "w+");
        for (const group of groups) {
            if (group.pending.bytes === 0) continue;
            const bytes = group.pending.take();
            await this.handle.write(bytes, 0, bytes.length, this.offset);
            group.segments.push({ offset: this.offset, length: bytes.length });
            this.offset += bytes.length;
        }
        this.pendingBytes = 0;
    }

    /**
     * Compresses one spilled group into its temp file, reading its segments back in order. A small
     * group (most are, when there are thousands) in one zlib call on the thread pool; a large one
     * through a stream. Same zlib settings either way, so the same bytes for the same text.
     */
    async compress(group: SpilledGroup): Promise<void> {
        const total = group.segments.reduce((sum, segment) => sum + segment.length, 0);
        if (total <= SPILL_BUFFER_BYTES) {
            const text = Buffer.allocUnsafe(total);
            let at = 0;
            for (const segment of group.segments) {
                await this.handle!.read(text, at, segment.length, segment.offset);
                at += segment.length;
            }
            await fs.promises.writeFile(group.tempPath, await gzipAsync(text, { level: this.gzipLevel }));
            return;
        }
        const gzip = zlib.createGzip(withStreamOptions({ level: this.gzipLevel, chunkSize: 1 << 20 }, { writableHighWaterMark: 8 << 20 }));
        const done = pipeline(gzip, fs.createWriteStream(group.tempPath));
        try {
            for (const segment of group.segments) {
                const bytes = Buffer.allocUnsafe(segment.length);
                await this.handle!.read(bytes, 0, segment.length, segment.offset);
                if (!gzip.write(bytes)) await once(gzip, "drain");
            }
            gzip.end();
        } catch (error) {
            gzip.destroy(error as Error);
        }
        await done;
    }

    async close(): Promise<void> {
        await this.handle?.close();
        this.handle = undefined;
    }
}

/** Writes rendered batches into one gzip temp file per partition. */
async function writeRendered(batches: AsyncIterable<RenderedBatch>, options: WriteOptions): Promise<NormalisedFile> {
    const gzipLevel = options.gzipLevel ?? OUTPUT_GZIP_LEVEL;
    const ownDirectory = options.tempDirectory === undefined;
    const workDir = options.tempDirectory ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), "ctl-normalise-")));
    // In a shared folder: this process, this thread and this call, then the group's number.
    const prefix = ownDirectory ? "" : `ctl-${process.pid}-${threadId}-${sharedDirectoryCalls++}-`;
    const groups = new Map<string, Group | SpilledGroup>();
    const open: Group[] = [];
    const spilled: SpilledGroup[] = [];
    const spillPath = path.join(workDir, `${prefix}spill`);
    const spill = new SpillFile(spillPath, gzipLevel);
    const cleanup = ownDirectory
        ? () => fs.promises.rm(workDir, { recursive: true, force: true })
        : async () => {
              // Published outputs were moved away already (force: gone is fine).
              await Promise.all([spillPath, ...[...groups.values()].map((group) => group.tempPath)].map((file) => fs.promises.rm(file, { force: true })));
          };
    let events = 0;
    let repaired: Record<string, number> | undefined;
    try {
        for await (const batch of batches) {
            if (batch.repaired) {
                repaired ??= Object.create(null) as Record<string, number>;
                for (const [field, count] of Object.entries(batch.repaired)) repaired[field] = (repaired[field] ?? 0) + count;
            }
            for (const rendered of batch.groups) {
                const key = normalisedKey(rendered.partition, options.fileName, options.keyPrefix);
                let group = groups.get(key);
                if (!group) {
                    const tempPath = path.join(workDir, `${prefix}${groups.size}.json.gz`);
                    if (open.length < MAX_OPEN_GROUPS) {
                        group = new Group(key, tempPath, gzipLevel);
                        open.push(group);
                    } else {
                        group = new SpilledGroup(key, tempPath);
                        spilled.push(group);
                    }
                    groups.set(key, group);
                }
                group.pending.add(rendered.lines);
                group.records += rendered.count;
                if (options.collectEventIds) group.eventIds.push(rendered.eventIds);
                if (group instanceof SpilledGroup) spill.pendingBytes += rendered.lines.length;
            }
            events += batch.count;
            // Hand the text to zlib (which compresses on libuv's threads) and wait when it is behind: bounded memory.
            for (const group of open) {
                if (!group.flush()) await once(group.gzip, "drain");
            }
            if (spill.pendingBytes > SPILL_BUFFER_BYTES) await spill.write(spilled);
        }
        for (const group of open) {
            group.flush(true);
            group.gzip.end();
        }
        await Promise.all(open.map((group) => group.done));
        await spill.write(spilled);
        // A few at a time: zlib's thread pool has four threads; each needs at most one descriptor.
        for (let i = 0; i < spilled.length; i += SPILL_COMPRESSIONS) {
            await Promise.all(spilled.slice(i, i + SPILL_COMPRESSIONS).map((group) => spill.compress(group)));
        }
        await spill.close();
        await fs.promises.rm(spillPath, { force: true });
        // Sorted by key, so callers publish and report in a stable order.
        const outputs = await Promise.all(
            [...groups.values()]
                .sort((a, b) => (a.key < b.key ? -1 : 1))
                .map(async (group) => ({
                    key: group.key,
                    tempPath: group.tempPath,
                    records: group.records,
                    bytes: (await fs.promises.stat(group.tempPath)).size,
                    ...(options.collectEventIds ? { eventIds: joinEventIds(group.eventIds) } : {}),
                })),
        );
        return { events, outputs, cleanup, ...(repaired ? { repaired: { ...repaired } } : {}) };
    } catch (error) {
        for (const group of open) group.gzip.destroy();
        await Promise.allSettled(open.map((group) => group.done));
        await spill.close().catch(() => undefined);
        await cleanup();
        throw error;
    }
}
