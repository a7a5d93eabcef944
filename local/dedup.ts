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
 * of an output only when it holds a duplicate. Memory: one string per distinct id (about 100
 * bytes each).
 */
import * as fs from "node:fs";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { NormalisedOutput, OUTPUT_GZIP_LEVEL } from "../lambda/normaliser/core";

const NEWLINE = 0x0a;

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
    seen: Set<string>,
    eventIds: readonly (string | null)[],
    /** zlib level of the output, kept when it is rewritten. */
    gzipLevel = OUTPUT_GZIP_LEVEL,
): Promise<{ output?: NormalisedOutput; duplicates: number }> {
    const dropped = new Set<number>();
    eventIds.forEach((id, index) => {
        if (id !== null) {
            if (seen.has(id)) dropped.add(index);
            else seen.add(id);
        }
    });
    const index = eventIds.length;
    if (dropped.size === 0) return { output, duplicates: 0 };
    if (dropped.size === index) {
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
