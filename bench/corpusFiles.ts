/**
 * Builds benchmark inputs deterministically from the real events of the vendored corpus
 * (test/fixtures/corpus, sources and licences in its README): CloudTrail
 * log files of a target compressed size. Events are cycled through, with the fields that are
 * unique in real logs (eventID, requestID, eventTime, source IP) regenerated from a seeded PRNG,
 * so that the files compress like real CloudTrail (~15-20:1) rather than like a repeated block.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parseJsonText, unwrapEvents } from "../local/shapes";
import { mulberry32 } from "../testing/seededRandom";

/** The vendored corpus (test/fixtures/corpus); BENCH_CORPUS points at another copy. */
export const CORPUS_DIR = process.env.BENCH_CORPUS ?? path.resolve(__dirname, "..", "test", "fixtures", "corpus");

/** Every event of the corpus, in a stable order. */
export function corpusEventList(): Record<string, unknown>[] {
    const events: Record<string, unknown>[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "_meta") walk(full);
            } else if (/\.(json|jsonl)$/.test(entry.name)) {
                events.push(...unwrapEvents(parseJsonText(fs.readFileSync(full, "utf8"))).events);
            }
        }
    };
    walk(CORPUS_DIR);
    return events;
}

/** How the synthetic events vary: the default is what every figure in docs/ was measured on. */
export interface EventShape {
    /** A call repeats 1 to `maxRun` times in a row (a service polling, a deployment). @default 12 */
    readonly maxRun: number;
    /** One caller address for a whole run of a call, as a burst from one client is, instead of one per event. @default false */
    readonly callerPerRun: boolean;
    /** Leaves out the corpus events whose JSON is longer: smaller events, more of them per MB. @default no limit */
    readonly maxEventBytes: number;
}

export const DEFAULT_SHAPE: EventShape = { maxRun: 12, callerPerRun: false, maxEventBytes: Infinity };

/**
 * Longer bursts from one caller, of the corpus's smaller events: files that compress about 14:1
 * with ~450,000 events per 400 MB, where the default gives ~12:1 and ~340,000. The I/O floor is
 * faster on such files (gzip finds longer matches) while a run's cost follows the events, so the
 * ratio of the two is lower: `BENCH_SHAPE=bursty npm run bench:stages` shows by how much.
 */
export const BURSTY_SHAPE: EventShape = { maxRun: 40, callerPerRun: true, maxEventBytes: 1500 };

const SHAPES: Readonly<Record<string, EventShape>> = { default: DEFAULT_SHAPE, bursty: BURSTY_SHAPE };

/** The shape named by BENCH_SHAPE (`default` or `bursty`), and the suffix its cached files' folder carries ("" for the default). */
export function shapeFromEnv(): { name: string; shape: EventShape; suffix: string } {
    const name = process.env.BENCH_SHAPE ?? "default";
    const shape = SHAPES[name];
    if (!shape) throw new Error(`BENCH_SHAPE must be one of ${Object.keys(SHAPES).join(", ")}, got "${name}"`);
    return { name, shape, suffix: name === "default" ? "" : `-${name}` };
}

/**
 * Yields realistic variations of the corpus events forever. Real trails repeat the same calls in
 * bursts (a service polling, a deployment), which is why CloudTrail files compress ~15:1: events
 * come in runs of the same call (1-12 by default), each with its own ids, time and caller address.
 */
export function* syntheticEvents(seed = 1, shape: EventShape = DEFAULT_SHAPE): Generator<Record<string, unknown>> {
    const base = corpusEventList().filter((event) => JSON.stringify(event).length <= shape.maxEventBytes);
    const random = mulberry32(seed);
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
    const addresses = Array.from(
        { length: 24 },
        () => `${Math.floor(random() * 223) + 1}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
    );
    let time = Date.UTC(2026, 10, 24, 22, 0, 0);
    let current = 0;
    let runLeft = 0;
    let caller = addresses[0];
    for (;;) {
        if (runLeft-- <= 0) {
            current = Math.floor(random() * base.length);
            runLeft = Math.floor(random() * shape.maxRun);
            if (shape.callerPerRun) caller = addresses[Math.floor(random() * addresses.length)];
        }
        const event = structuredClone(base[current]);
        time += Math.floor(random() * 400);
        event.eventTime = new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
        event.eventID = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
        event.requestID = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
        event.sourceIPAddress = shape.callerPerRun ? caller : addresses[Math.floor(random() * addresses.length)];
        yield event;
    }
}

/**
 * Writes `{"Records":[…]}` gzip files until the compressed size reaches `compressedBytes`
 * (cached: an existing file is reused). Returns its path and uncompressed size.
 */
export async function buildLogFile(
    dir: string,
    name: string,
    size: number | { readonly uncompressedBytes: number; readonly seed?: number; readonly shape?: EventShape },
): Promise<{ file: string; uncompressed: number; events: number }> {
    const compressedBytes = typeof size === "number" ? size : Infinity;
    const uncompressedBytes = typeof size === "number" ? Infinity : size.uncompressedBytes;
    const file = path.join(dir, name);
    // Not *.json: the normaliser would take it for input.
    const meta = `${file}.meta`;
    if (fs.existsSync(file) && fs.existsSync(meta)) return { file, ...JSON.parse(fs.readFileSync(meta, "utf8")) };
    fs.mkdirSync(dir, { recursive: true });
    const gzip = zlib.createGzip({ level: 6 });
    const out = fs.createWriteStream(file);
    gzip.pipe(out);
    let compressed = 0;
    gzip.on("data", (chunk: Buffer) => {
        compressed += chunk.length;
    });
    let uncompressed = 0;
    let events = 0;
    const write = async (text: string) => {
        uncompressed += Buffer.byteLength(text);
        if (!gzip.write(text)) await new Promise((resolve) => gzip.once("drain", resolve));
    };
    await write('{"Records":[');
    const generator = typeof size === "number" ? syntheticEvents(1) : syntheticEvents(size.seed ?? 1, size.shape);
    while (compressed < compressedBytes && uncompressed < uncompressedBytes) {
        let batch = "";
        for (let i = 0; i < 200; i++) batch += (events++ === 0 ? "" : ",") + JSON.stringify(generator.next().value);
        await write(batch);
        await new Promise<void>((resolve) => gzip.flush(zlib.constants.Z_NO_FLUSH, () => resolve()));
    }
    await write("]}");
    gzip.end();
    await new Promise<void>((resolve) => out.on("close", () => resolve()));
    fs.writeFileSync(meta, JSON.stringify({ uncompressed, events }));
    return { file, uncompressed, events };
}
