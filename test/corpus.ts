/**
 * The corpus of real CloudTrail events, as tests read it: the copy vendored in test/fixtures/corpus
 * (sources and licences in its README), so that `npm test` needs nothing outside the repository.
 * `npm run check:corpus -- <dir>` points CORPUS_DIR at another copy of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parseJsonText, unwrapEvents } from "../local/shapes";

/** The vendored corpus. */
export const VENDORED_CORPUS_DIR = path.resolve(__dirname, "fixtures", "corpus");

export const CORPUS_DIR = process.env.CORPUS_DIR ? path.resolve(process.env.CORPUS_DIR) : VENDORED_CORPUS_DIR;

/** Every data file of the corpus (not its `_meta`), sorted. */
export function corpusFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (entry.isDirectory()) {
                if (entry.name !== "_meta") walk(path.join(dir, entry.name));
            } else if (/\.(json|jsonl|ndjson|gz)$/.test(entry.name)) {
                out.push(path.join(dir, entry.name));
            }
        }
    };
    walk(CORPUS_DIR);
    return out;
}

export function readText(file: string): string {
    let bytes = fs.readFileSync(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
    return bytes.toString("utf8");
}

/**
 * What the normaliser must keep of a corpus file: every element of `Records` for an S3 log file
 * (a few fixtures hold non-event objects there, kept too), else the events of its envelope.
 */
export function corpusEvents(file: string): Record<string, unknown>[] {
    if (isS3LogFile(file)) return JSON.parse(readText(file)).Records;
    return unwrapEvents(parseJsonText(readText(file))).events;
}

/** Whether the file is already an S3 log file (`{"Records":[…]}`). */
export function isS3LogFile(file: string): boolean {
    try {
        const value = JSON.parse(readText(file));
        return typeof value === "object" && value !== null && Array.isArray(value.Records);
    } catch {
        return false;
    }
}

/** The corpus file as CloudTrail would have delivered it: gzip `{"Records":[…]}`. */
export function asS3LogFile(file: string): Buffer {
    if (isS3LogFile(file)) return zlib.gzipSync(fs.readFileSync(file));
    return zlib.gzipSync(JSON.stringify({ Records: corpusEvents(file) }));
}
