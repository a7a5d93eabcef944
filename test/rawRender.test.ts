/**
 * The fast path (lambda/normaliser/rawRender.ts, lines written from the input's bytes) against the
 * exact path (JSON.parse, the normaliser, JSON.stringify), line for line: on every event of the
 * corpus, and on thousands of variants of them with what JSON allows and CloudTrail rarely writes
 * (escapes, odd numbers, white space, duplicate and numeric keys, values of the wrong type,
 * non-ASCII and invalid UTF-8, invalid JSON). Every input is generated from the vendored corpus.
 */
import { expect } from "chai";
import { eventIdTexts, renderChunk, renderEvents, renderTexts, RenderedBatch, parseRecord, PartitionDefaults } from "../lambda/normaliser/render";
import { ByteWriter, RawRenderer } from "../lambda/normaliser/rawRender";
import { RecordsSplitter, RecordText } from "../lambda/normaliser/splitter";
import type { Evidence } from "../lambda/normaliser/hostile";
import { corpusEvents, corpusFiles } from "./corpus";
import { mulberry32 } from "../testing/seededRandom";

/** The records of a `{"Records":[…]}` text, as the normaliser's splitter cuts them (one chunk). */
function splitRecords(file: Buffer): RecordText[] {
    const splitter = new RecordsSplitter();
    const records = splitter.push(file);
    // Their bytes stay valid until the next push or end: copy them away first.
    const copy = Buffer.from(file);
    splitter.end();
    return records.map((record) => new RecordText(copy, record.start, record.end, record.pairs, record.oddNumbers));
}

function logFile(records: (string | Buffer)[]): Buffer {
    const parts: Buffer[] = [Buffer.from('{"Records":[')];
    records.forEach((record, i) => {
        if (i > 0) parts.push(Buffer.from(","));
        parts.push(typeof record === "string" ? Buffer.from(record, "utf8") : record);
    });
    parts.push(Buffer.from("]}"));
    return Buffer.concat(parts);
}

/** What a batch holds, comparable: each group's partition, lines as text and eventIDs, and the repairs. */
function comparable(batch: RenderedBatch): unknown {
    return {
        count: batch.count,
        repaired: batch.repaired,
        groups: batch.groups.map((group) => ({ ...group, lines: group.lines.toString("latin1") })),
    };
}

/** The exact path: every record parsed (with what JSON.parse loses) and normalised. */
function exact(records: RecordText[], defaults: PartitionDefaults): RenderedBatch {
    const events: unknown[] = [];
    const evidence: (Evidence | undefined)[] = [];
    records.forEach((record, i) => {
        const [event, lost] = parseRecord(record, `Records[${i}]`);
        events.push(event);
        evidence.push(lost);
    });
    return renderEvents(events, 0, defaults, evidence, true);
}

function outcome(render: () => RenderedBatch): unknown {
    try {
        return comparable(render());
    } catch (error) {
        return { error: (error as Error).message };
    }
}

/**
 * Asserts both paths give the same bytes for each record alone, and for the records that do not
 * fail all in one batch (lines of several partitions, each rendered after the last one's);
 * returns how many the fast path rendered itself.
 */
function expectSameAsExact(records: (string | Buffer)[], defaults: PartitionDefaults = {}): number {
    const texts = splitRecords(logFile(records));
    const renderer = new RawRenderer();
    const scratch = new ByteWriter();
    const valid: RecordText[] = [];
    let fast = 0;
    texts.forEach((text, i) => {
        const one = [text];
        const where = typeof records[i] === "string" ? (records[i] as string).slice(0, 300) : (records[i] as Buffer).toString("latin1").slice(0, 300);
        const expected = outcome(() => exact(one, defaults));
        const actual = outcome(() => renderTexts(one, 0, defaults, true));
        // Compared as text first: chai's deep comparison of thousands of records is what would take the time.
        if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, where).to.deep.equal(expected);
        if (!(expected as { error?: string }).error) valid.push(text);
        if (!text.oddNumbers && renderer.render(text.source, text.start, text.end, scratch)) fast++;
    });
    expect(
        outcome(() => renderTexts(valid, 0, defaults, true)),
        "all in one batch",
    ).to.deep.equal(outcome(() => exact(valid, defaults)));
    return fast;
}

/** Lines and eventIDs per partition, over batches. */
function merged(batches: RenderedBatch[]): Record<string, { lines: string; eventIds: (string | null)[] }> {
    const out: Record<string, { lines: string; eventIds: (string | null)[] }> = {};
    for (const batch of batches) {
        for (const group of batch.groups) {
            const key = JSON.stringify(group.partition);
            out[key] ??= { lines: "", eventIds: [] };
            out[key].lines += group.lines.toString("latin1");
            out[key].eventIds.push(...eventIdTexts(group.eventIds));
        }
    }
    return out;
}

/**
 * Asserts that a whole log file, split into chunks of `chunkSize` bytes and rendered as the
 * normaliser does (renderChunk: records read whole from their bytes where they can be, across
 * chunk boundaries), gives the exact path's lines, or fails with its message.
 */
function expectFileSameAsExact(records: (string | Buffer)[], chunkSize: number, defaults: PartitionDefaults = {}): void {
    const file = logFile(records);
    const chunked = (() => {
        try {
            const splitter = new RecordsSplitter();
            const batches: RenderedBatch[] = [];
            for (let at = 0; at < file.length; at += chunkSize) batches.push(renderChunk(splitter, file.subarray(at, at + chunkSize), defaults, true));
            splitter.end();
            return merged(batches);
        } catch (error) {
            return { error: (error as Error).message };
        }
    })();
    const whole = (() => {
        try {
            return merged([exact(splitRecords(file), defaults)]);
        } catch (error) {
            return { error: (error as Error).message };
        }
    })();
    expect(chunked, `chunks of ${chunkSize} bytes`).to.deep.equal(whole);
}

const corpus: Record<string, unknown>[] = corpusFiles().flatMap((file) => corpusEvents(file));

/** Values JSON allows that the fast path must copy, or hand to the exact path, correctly. */
const ODD_VALUES: string[] = [
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1.0",
    "1.5",
    "-0.25",
    "0.0000001",
    "1e3",
    "1E-2",
    "123456789012345",
    "1234567890123456789",
    "12345678901234567890123",
    "0.1234567890123456789",
    '""',
    '"true"',
    '"false"',
    '"True"',
    '"2026-11-25 10:00:00"',
    '"2026-11-25T10:00:00.123+02:00"',
    '"2024-02-30T00:00:00Z"',
    '"not a time"',
    '"2024-02-29T23:59:59Z"',
    '"2023-02-29T00:00:00Z"',
    '"2026-11-25T24:00:00Z"',
    '"2026-11-25T23:60:00Z"',
    '"2026-11-25T23:59:60Z"',
    '"0000-01-01T00:00:00Z"',
    '"2026-13-01T00:00:00Z"',
    '"2026-11-25t10:00:00Z"',
    '"2026-11-25T10:00:00z"',
    '"2026-11-25T10:00:00.5Z"',
    '"2026/11/25T10:00:00Z"',
    '"a\\"quoted\\" \\\\ back\\/slash"',
    '"tab\\there\\nnewline\\r\\b\\f"',
    '"\\u00e9t\\u00E9"',
    '"\\ud83d\\ude00"',
    '"lone \\ud800 surrogate"',
    '"\\u0000\\u001f"',
    '"été ✓ 😀"',
    '"\u2028"',
    "[]",
    "{}",
    '[null,1,"x",{}]',
    '[{"ARN":"arn:a","accountId":"1","type":"T"},null,"x",{"ARN":1}]',
    '{"a":1,"b":{"c":[1,2,{"d":null}]}}',
    '{"a":1,"a":2}',
    '{"0":"zero","b":1,"1":"one"}',
    '{"__proto__":{"x":1},"constructor":1}',
    '{"":1}',
    '{"a.b":1}',
    '{ "spaced" : [ 1 , 2 ] }',
    '{"nested":{"x":1,"x":[2]}}',
];

/** Keys the variants add: unknown ones, schema ones in the wrong place, and tricky ones. */
const ODD_KEYS = ["extraKey", "__proto__", "", "0", "17", "a.b", "userIdentity.type", "ARN", "eventTime", "é", "tab\\tkey", 'q\\"k'];

/** Paths in an event (as key lists) where a value can be replaced or a key added. */
function objectPaths(value: unknown, path: string[] = [], out: string[][] = []): string[][] {
    if (typeof value !== "object" || value === null) return out;
    out.push(path);
    for (const [key, member] of Object.entries(value)) objectPaths(member, [...path, key], out);
    return out;
}

function valueAt(event: unknown, path: string[]): unknown {
    // Undefined when an earlier replacement took the place of an object on the way.
    return path.reduce<unknown>((value, key) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined), event);
}

/** A variant of an event: its JSON text with one to three replacements at random places. */
function variant(event: Record<string, unknown>, random: () => number): string {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const marked = structuredClone(event);
    const replacements: string[] = [];
    const places = objectPaths(marked);
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const target = valueAt(marked, pick(places)) as Record<string, unknown>;
        if (typeof target !== "object" || target === null) continue; // replaced by an earlier marker
        const keys = Object.keys(target);
        const marker = `@@${replacements.length}@@`;
        if (Array.isArray(target) || random() < 0.5 || keys.length === 0) {
            if (Array.isArray(target)) target.push(marker);
            else target[pick(ODD_KEYS).replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c))] = marker;
        } else target[pick(keys)] = marker;
        replacements.push(pick(ODD_VALUES));
    }
    let text = JSON.stringify(marked);
    replacements.forEach((replacement, i) => (text = text.replace(`"@@${i}@@"`, replacement)));
    return text;
}

describe("normaliser fast path (lines from the input's bytes)", () => {
    it("writes the exact path's bytes for every corpus event, and renders nearly all of them itself", () => {
        const records = corpus.map((event) => JSON.stringify(event));
        const fast = expectSameAsExact(records);
        // The corpus's events as CloudTrail writes them (compact JSON): the few left hold \u escapes or odd numbers.
        expect(fast / records.length).to.be.above(0.95);
    });

    it("writes the exact path's bytes for the corpus events pretty-printed, with the archive key's partition", () => {
        expectSameAsExact(
            corpus.slice(0, 100).map((event) => JSON.stringify(event, null, 2)),
            { account: "111122223333", region: "eu-west-1", date: "2026-11-25" },
        );
    });

    it("writes the exact path's bytes, or fails with its message, for 2,000 variants with odd values, keys and escapes", () => {
        const random = mulberry32(26);
        const records: string[] = [];
        for (let i = 0; i < 2000; i++) records.push(variant(corpus[Math.floor(random() * corpus.length)], random));
        const fast = expectSameAsExact(records);
        // Most variants stay on the fast path: the test compares it, not only the fallback.
        expect(fast).to.be.above(500);
        const valid = records.filter((record) => {
            try {
                JSON.parse(record);
                return true;
            } catch {
                return false;
            }
        });
        expectFileSameAsExact(valid, 65536);
        expectFileSameAsExact(valid.slice(0, 300), 13);
        expectFileSameAsExact(valid.slice(0, 20), 1);
    });

    it("writes the exact path's bytes for records with invalid UTF-8, raw control characters and invalid JSON", () => {
        const base = JSON.stringify(corpus[0]);
        const at = base.indexOf('"eventName":"') + 13;
        const records: (string | Buffer)[] = [
            Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(base.slice(at))]),
            Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(base.slice(at))]),
            Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from("é", "utf8"), Buffer.from(base.slice(at))]),
            base.slice(0, at) + "\u0001" + base.slice(at),
            base.slice(0, -1) + ',"x":tru}',
            base.slice(0, -1) + ',"x":01}',
            base.slice(0, -1) + ',"x":-}',
            base.slice(0, -1) + ',"x":1.}',
            base.slice(0, -1) + ',"x":[1,]}',
            base.slice(0, -1) + ',"x":{"a":1,}}',
            base.slice(0, -1) + ',"x":"\\x"}',
            base.slice(0, -1) + ",}",
            '{"eventName":"A"}',
            "{}",
            '{"extra":1}',
        ];
        for (const record of records) {
            expectSameAsExact([record]);
            expectFileSameAsExact([record], 4096);
        }
    });

    it("writes the exact path's bytes for values of the wrong type, colliding paths and the partition's fallbacks", () => {
        const records = [
            // Two entries of extrafields with one path: the exact path keeps the first place and the last value.
            '{"userIdentity.x":1,"userIdentity":{"x":2}}',
            '{"__proto__":{"eventName":"x"},"eventName":"y"}',
            '{"userIdentity":"a string","resources":{"ARN":"x"},"eventTime":12,"readOnly":"yes","managementEvent":1}',
            '{"resources":[{"ARN":"a","extra":{"k":[1]}},null,5,[1],{}],"readOnly":"false","sessionCredentialFromConsole":true}',
            '{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"k":"v","n":[1,2]}},"attributes":{"mfaAuthenticated":true,"creationDate":7}}}}',
            '{"eventID":123,"recipientAccountId":123456789012,"awsRegion":true}',
            '{"eventID":{"x":1},"userIdentity":{"accountId":"999000111222"}}',
            '{"eventTime":"2026-11-25T00:30:00+01:00","eventID":"a\\"b"}',
            '{"eventTime":"2026-11-25 10:00:00","userIdentity":{"accountId":null},"recipientAccountId":null,"awsRegion":null}',
            '{"requestParameters":"text","responseElements":5,"additionalEventData":[{"a":"b\\"c"}],"serviceEventDetails":false,"insightDetails":{}}',
        ];
        for (const defaults of [{}, { account: "111122223333", region: "us-east-1", date: "2026-11-24" }]) {
            expect(expectSameAsExact(records, defaults), "rendered on the fast path").to.equal(records.length - 1);
        }
    });
});
