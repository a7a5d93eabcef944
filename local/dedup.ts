/**
 * One event per eventID. CloudTrail gives every event a unique `eventID`; the same id twice in
 * a responder's folder means the same event delivered or copied twice (an S3 log file and its
 * copy, an export and the log files it came from). Counting it twice inflates every count and
 * every burst threshold, so the local mode keeps the first (input files in path order, each
 * file's outputs in partition order, lines in file order; never the order in which parallel workers
 * finish) and counts the others as duplicates.
 * Events without an eventID cannot be matched and are all kept.
 *
 * CloudTrail documents eventID as the GUID that uniquely identifies an event, so two events with
 * one id are one event, even when their content differs (one is then altered: the first is kept).
 * Test fixtures and documentation examples that reuse placeholder ids (all zeros, `abc-123`) are
 * therefore read as one event each: 365 of the 690 events in samples/.
 *
 * Works on the normaliser's outputs before they are published, with the eventID of each line
 * as the normaliser rendered it (lambda/normaliser/render.ts, `collectEventIds`), and a rewrite
 * of an output only when it holds a duplicate. Memory: each distinct id's bytes and a hash table
 * over them ({@link EventIdSet}), about 80 bytes an id with the arrays' room to grow (26 MB for 338,600).
 */
import * as fs from "node:fs";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { NormalisedOutput, OUTPUT_GZIP_LEVEL } from "../lambda/normaliser/core";
import type { EventIdLines } from "../lambda/normaliser/render";

const NEWLINE = 0x0a;

/**
 * The eventIDs seen so far, each as the bytes of its JSON text (lambda/normaliser/render.ts
 * EventIdLines). Two ids are one when their bytes are; the normaliser writes valid UTF-8, so that is
 * when their texts are.
 *
 * A hash set over one byte array rather than a `Set` of strings: the workers hand the ids over as
 * bytes, and making a string of each, then a `Set` of 338,600 of them, took the main thread about
 * a second of CPU on `npm run bench:stages`, which the workers then lacked on two cores
 * (docs/performance.md).
 */
export class EventIdSet {
    /** The ids' bytes, one after the other: id `i` is `bytes[starts[i], starts[i + 1])`. */
    private bytes = new Uint8Array(1 << 20);
    private starts = new Int32Array(1 << 15);
    private count = 0;
    /**
     * Open addressing, linear probing, at most half full: slot `k` is `table[2k]`, an id's hash, and
     * `table[2k + 1]`, 1 + its number (0: free). The hash beside the number: one cache line read per probe.
     */
    private table = new Int32Array(1 << 17);
    /** Ids that are not a UUID in canonical form (see {@link allCanonicalUuids}). */
    private otherIds = 0;

    /** A set of ids given as their JSON texts (as the lake's files hold them: `--append`). */
    static of(texts: Iterable<string>): EventIdSet {
        const set = new EventIdSet();
        const encoder = new TextEncoder();
        for (const text of texts) {
            const bytes = encoder.encode(text);
            set.add(bytes, 0, bytes.length);
        }
        return set;
    }

    get size(): number {
        return this.count;
    }

    /**
     * Whether every id is a UUID written as DuckDB writes one back (lower-case hex, 8-4-4-4-12), as
     * CloudTrail writes them: then the local lake stores them as Parquet UUIDs (local/lake.ts
     * EventIdColumn). Test fixtures and documentation examples have others (`EXAMPLE…`, `1`).
     */
    allCanonicalUuids(): boolean {
        return this.otherIds === 0;
    }

    /** Adds the id `source[start, end)`; false when it was there already. */
    add(source: Uint8Array, start: number, end: number): boolean {
        const hash = hashOf(source, start, end);
        const table = this.table;
        const mask = (table.length >> 1) - 1;
        let slot = hash & mask;
        for (let entry = table[2 * slot + 1]; entry !== 0; entry = table[2 * slot + 1]) {
            if (table[2 * slot] === hash && this.holds(entry - 1, source, start, end)) return false;
            slot = (slot + 1) & mask;
        }
        const id = this.count;
        const length = end - start;
        if (id + 2 > this.starts.length) {
            const starts = new Int32Array(this.starts.length * 2);
            starts.set(this.starts);
            this.starts = starts;
        }
        const from = this.starts[id];
        if (from + length > this.bytes.length) {
            const bytes = new Uint8Array(Math.max(this.bytes.length * 2, from + length));
            bytes.set(this.bytes);
            this.bytes = bytes;
        }
        const bytes = this.bytes;
        for (let i = 0; i < length; i++) bytes[from + i] = source[start + i];
        this.starts[id + 1] = from + length;
        table[2 * slot] = hash;
        table[2 * slot + 1] = id + 1;
        this.count++;
        if (!isCanonicalUuidText(source, start, end)) this.otherIds++;
        if (this.count * 4 > table.length) this.rehash();
        return true;
    }

    private holds(id: number, source: Uint8Array, start: number, end: number): boolean {
        const from = this.starts[id];
        if (this.starts[id + 1] - from !== end - start) return false;
        for (let i = 0; i < end - start; i++) if (this.bytes[from + i] !== source[start + i]) return false;
        return true;
    }

    private rehash(): void {
        const old = this.table;
        const table = new Int32Array(old.length * 2);
        const mask = (table.length >> 1) - 1;
        for (let k = 0; k < old.length; k += 2) {
            if (old[k + 1] === 0) continue;
            let slot = old[k] & mask;
            while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
            table[2 * slot] = old[k];
            table[2 * slot + 1] = old[k + 1];
        }
        this.table = table;
    }
}

const QUOTE = 0x22,
    HYPHEN = 0x2d;

/** Whether `source[start, end)` is the JSON text of a canonical UUID: `"` 8-4-4-4-12 lower-case hex digits `"`. */
function isCanonicalUuidText(source: Uint8Array, start: number, end: number): boolean {
    if (end - start !== 38 || source[start] !== QUOTE || source[end - 1] !== QUOTE) return false;
    for (let i = 1; i < 37; i++) {
        const byte = source[start + i];
        if (i === 9 || i === 14 || i === 19 || i === 24) {
            if (byte !== HYPHEN) return false;
        } else if (!((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66))) return false;
    }
    return true;
}

/** FNV-1a over the bytes, then MurmurHash3's finaliser, so that the low bits the slots use are mixed. */
function hashOf(source: Uint8Array, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ source[i], 0x01000193);
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    return hash ^ (hash >>> 16);
}

/**
 * The lines of a gzip file as views on the decompressed chunks (no copy unless a line spans
 * chunks; a long line is joined once, not chunk by chunk). Native byte search: about 10x
 * faster than readline on the normaliser's outputs.
 */
async function* lines(file: string): AsyncGenerator<Buffer> {
    const pending: Buffer[] = [];
    for await (const chunk of fs.createReadStream(file).pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) as AsyncIterable<Buffer>) {
        let from = 0;
        for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, from)) {
            const piece = chunk.subarray(from, newline);
            yield pending.length > 0 ? Buffer.concat([...pending.splice(0), piece]) : piece;
            from = newline + 1;
        }
        if (from < chunk.length) pending.push(chunk.subarray(from));
    }
    if (pending.length > 0) yield Buffer.concat(pending);
}

/**
 * Drops the events of `output` whose eventID is in `seen` (or earlier in the same output), and
 * adds the others' ids to `seen`. Returns the output to publish (undefined when every event was
 * a duplicate: its temporary file is then removed) and how many were dropped. `eventIds`: each
 * line's id as the normaliser rendered it (`collectEventIds`).
 */
export async function dropDuplicateEvents(
    output: NormalisedOutput,
    seen: EventIdSet,
    eventIds: EventIdLines,
    /** zlib level of the output, kept when it is rewritten. */
    gzipLevel = OUTPUT_GZIP_LEVEL,
): Promise<{ output?: NormalisedOutput; duplicates: number }> {
    const dropped = new Set<number>();
    // Buffer's indexOf is a native byte search; a Uint8Array's (what the worker's array arrives as) is ten times slower.
    const ids = Buffer.from(eventIds.buffer, eventIds.byteOffset, eventIds.byteLength);
    let lineCount = 0;
    for (let start = 0; start < ids.length; lineCount++) {
        const end = ids.indexOf(NEWLINE, start);
        // An empty line: the event has no eventID, and is kept.
        if (end > start && !seen.add(eventIds, start, end)) dropped.add(lineCount);
        start = end + 1;
    }
    if (dropped.size === 0) return { output, duplicates: 0 };
    if (dropped.size === lineCount) {
        await fs.promises.rm(output.tempPath, { force: true });
        return { duplicates: dropped.size };
    }
    const rewritten = `${output.tempPath}.dedup`;
    try {
        let at = 0;
        const newline = Buffer.from("\n");
        async function* kept(): AsyncGenerator<Buffer> {
            for await (const line of lines(output.tempPath)) {
                if (!dropped.has(at++)) {
                    yield line;
                    yield newline;
                }
            }
        }
        await pipeline(kept(), zlib.createGzip({ level: gzipLevel }), fs.createWriteStream(rewritten));
        await fs.promises.rename(rewritten, output.tempPath);
    } catch (error) {
        await fs.promises.rm(rewritten, { force: true });
        throw error;
    }
    const bytes = (await fs.promises.stat(output.tempPath)).size;
    return { output: { ...output, records: output.records - dropped.size, bytes }, duplicates: dropped.size };
}
