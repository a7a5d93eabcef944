/**
 * One event per eventID. CloudTrail gives every event a unique `eventID`; the same id twice in
 * a responder's folder means the same event delivered or copied twice (an S3 log file and its
 * copy, an export and the log files it came from). Counting it twice inflates every count and
 * every burst threshold, so the local mode keeps the first (input files in path order, each
 * file's outputs in partition order, lines in file order) and counts the others as duplicates.
 * Events without an eventID cannot be matched and are all kept.
 *
 * Works on the normaliser's outputs before they are published: a pass over each output's
 * lines (reading only the top-level `"eventid"` member), and a rewrite of that output only when
 * it holds a duplicate. Memory: one string per distinct id (about 100 bytes each).
 */
import * as fs from "node:fs";
import * as readline from "node:readline";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { NormalisedOutput, OUTPUT_GZIP_LEVEL } from "../lambda/core";

/**
 * A top-level member of a normalised line (its JSON text, escapes kept). Inside a JSON string
 * every `"` is escaped, so `"eventid":` can only be a member name; no nested object of the
 * schema has a member of that name.
 */
const member = (name: string) => new RegExp(`"${name}":(?:null|("(?:[^"\\\\]|\\\\.)*"))`);
const EVENT_ID = member("eventid");

/**
 * The eventID of a normalised line, as JSON text; undefined without one. CloudTrail documents
 * eventID as the GUID that uniquely identifies an event, so two events with one id are one
 * event, even when their content differs (one is then altered: the first is kept). Test
 * fixtures and documentation examples that reuse placeholder ids (all zeros, `abc-123`) are
 * therefore read as one event each: 365 of the 690 events in samples/.
 */
export function eventIdOfLine(line: string): string | undefined {
    return EVENT_ID.exec(line)?.[1];
}

function lines(file: string): readline.Interface {
    return readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
}

/**
 * Drops the events of `output` whose eventID is in `seen` (or earlier in the same output), and
 * adds the others' ids to `seen`. Returns the output to publish (undefined when every event was
 * a duplicate: its temporary file is then removed) and how many were dropped.
 */
export async function dropDuplicateEvents(output: NormalisedOutput, seen: Set<string>): Promise<{ output?: NormalisedOutput; duplicates: number }> {
    const dropped = new Set<number>();
    let index = 0;
    for await (const line of lines(output.tempPath)) {
        const id = eventIdOfLine(line);
        if (id !== undefined) {
            if (seen.has(id)) dropped.add(index);
            else seen.add(id);
        }
        index++;
    }
    if (dropped.size === 0) return { output, duplicates: 0 };
    if (dropped.size === index) {
        await fs.promises.rm(output.tempPath, { force: true });
        return { duplicates: dropped.size };
    }
    const rewritten = `${output.tempPath}.dedup`;
    try {
        let at = 0;
        async function* kept(): AsyncGenerator<string> {
            for await (const line of lines(output.tempPath)) {
                if (!dropped.has(at++)) yield `${line}\n`;
            }
        }
        await pipeline(kept(), zlib.createGzip({ level: OUTPUT_GZIP_LEVEL }), fs.createWriteStream(rewritten));
        await fs.promises.rename(rewritten, output.tempPath);
    } catch (error) {
        await fs.promises.rm(rewritten, { force: true });
        throw error;
    }
    const bytes = (await fs.promises.stat(output.tempPath)).size;
    return { output: { ...output, records: output.records - dropped.size, bytes }, duplicates: dropped.size };
}
