/**
 * Hostile and unlucky input to the normaliser core: every input here is generated.
 * Each test asserts what a user would notice: the file fails with a message naming the record,
 * or is normalised completely, within bounded time, memory and file descriptors.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { MAX_OPEN_GROUPS, normaliseLogFile, NormalisedFile } from "../lambda/normaliser/core";
import { MAX_NESTING, MAX_RECORD_BYTES, RecordsSplitter } from "../lambda/normaliser/splitter";
import { eventIdTexts } from "../lambda/normaliser/render";

const openDescriptors = () => fs.readdirSync("/proc/self/fd").length;

/** Chunks of `size` bytes; `onChunk` runs before each is handed over (to sample memory and descriptors). */
function chunked(bytes: Buffer, size = 64 * 1024, onChunk?: () => void): Readable {
    async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) {
            onChunk?.();
            yield bytes.subarray(i, i + size);
        }
    }
    return Readable.from(chunks());
}

async function outputsOf(file: NormalisedFile): Promise<Map<string, Buffer>> {
    const objects = new Map<string, Buffer>();
    for (const output of file.outputs) objects.set(output.key, fs.readFileSync(output.tempPath));
    await file.cleanup();
    return objects;
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
    } catch (error) {
        return (error as Error).message;
    }
    return "no error";
}

const event = (index: number, extra: Record<string, unknown> = {}) => ({
    eventVersion: "1.08",
    eventTime: "2026-01-01T00:00:00Z",
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    eventID: `id-${index}`,
    ...extra,
});

describe("normaliser core on hostile input", function () {
    it("bounds open streams and memory for one file spanning 3,000 partitions, with byte-identical outputs across runs", async () => {
        // 3,000 (account, region, date) groups, two records each, interleaved: the worst order.
        const records: unknown[] = [];
        for (let round = 0; round < 2; round++) {
            for (let group = 0; group < 3000; group++) {
                records.push(
                    event(round * 3000 + group, {
                        recipientAccountId: String(100000000000 + (group % 300)),
                        awsRegion: `region-${group % 10}`,
                        eventTime: `2026-01-${String(1 + Math.floor((group / 3000) * 28)).padStart(2, "0")}T00:00:00Z`,
                        requestParameters: { filler: "x".repeat(200) },
                    }),
                );
            }
        }
        const bytes = zlib.gzipSync(JSON.stringify({ Records: records }));
        const baseDescriptors = openDescriptors();
        const baseRss = process.memoryUsage().rss;
        let peakDescriptors = 0;
        let peakRss = 0;
        const sample = () => {
            peakDescriptors = Math.max(peakDescriptors, openDescriptors());
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
        };
        // With the eventIDs the local mode's deduplication collects: they are kept to the end of the file.
        const first = await normaliseLogFile(chunked(bytes, 16 * 1024, sample), { fileName: "many.json.gz", collectEventIds: true });
        sample();
        expect(first.outputs).to.have.length(3000);
        expect(first.events).to.equal(6000);
        expect(first.outputs.map((output) => eventIdTexts(output.eventIds!).length)).to.deep.equal(first.outputs.map(() => 2));
        expect(peakDescriptors - baseDescriptors, "descriptors opened").to.be.at.most(MAX_OPEN_GROUPS + 4);
        expect((peakRss - baseRss) / 1024 / 1024, "MB of RSS grown").to.be.below(200);
        const firstObjects = await outputsOf(first);
        for (const bytesOut of firstObjects.values()) {
            const lines = zlib.gunzipSync(bytesOut).toString("utf8").trim().split("\n");
            expect(lines).to.have.length(2);
        }
        // Different chunking, same bytes out.
        const second = await outputsOf(await normaliseLogFile(chunked(bytes, 1_000_003), { fileName: "many.json.gz" }));
        expect([...second.keys()]).to.deep.equal([...firstObjects.keys()]);
        for (const [key, value] of second) expect(value.equals(firstObjects.get(key)!), key).to.equal(true);
    });

    it("scans a record with one long string in linear time", () => {
        // 15 MB of string in 4 KB chunks: about 3,800 chunks; rescanning the string on each was quadratic.
        // Work counted in bytes searched, not in seconds: the same on a busy machine as on an idle one.
        const long = "a".repeat(15 * 1024 * 1024);
        const bytes = Buffer.from(JSON.stringify({ Records: [event(0), event(1, { requestParameters: { long } }), event(2)] }));
        const splitter = new RecordsSplitter();
        let records = 0;
        for (let at = 0; at < bytes.length; at += 4096) records += splitter.push(bytes.subarray(at, at + 4096)).length;
        records += splitter.end().length;
        expect(records).to.equal(3);
        expect(splitter.stringBytesSearched).to.be.below(bytes.length * 1.1);
    });

    it("fails a file with a record over the size limit, naming the record", async () => {
        const huge = '\\"'.repeat(MAX_RECORD_BYTES / 2 + 10); // escaped quotes: the worst case for finding the string's end
        const text = `{"Records":[${JSON.stringify(event(0))},{"eventName":"${huge}"}]}`;
        const message = await failureOf(normaliseLogFile(chunked(Buffer.from(text), 64 * 1024), { fileName: "huge.json.gz" }));
        expect(message).to.match(new RegExp(`Records\\[1\\] is larger than ${MAX_RECORD_BYTES} bytes`));
    });

    it("fails a file with deep nesting, naming the record, not with a stack overflow", async () => {
        const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
        const text = `{"Records":[${JSON.stringify(event(0))},{"eventName":"X","requestParameters":${deep}}]}`;
        const message = await failureOf(normaliseLogFile(chunked(Buffer.from(text)), { fileName: "deep.json.gz" }));
        expect(message).to.match(new RegExp(`Records\\[1\\] is nested deeper than ${MAX_NESTING} levels`));
    });

    it("keeps the evidence JSON.parse would lose: __proto__, 1e400, integers above 2^53, duplicate keys", async () => {
        const text =
            '{"Records":[{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com",' +
            '"eventName":"StopLogging","eventName":"DescribeTrails","__proto__":{"polluted":true},' +
            '"requestParameters":{"limit":1e400,"big":12345678901234567891,"ok":1.5},"awsRegion":"us-east-1","recipientAccountId":"111122223333"},' +
            JSON.stringify(event(1)) +
            "]}";
        const objects = await outputsOf(await normaliseLogFile(chunked(Buffer.from(text)), { fileName: "hostile.json.gz" }));
        const [record, plain] = zlib
            .gunzipSync([...objects.values()][0])
            .toString("utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line));
        expect(record.eventname).to.equal("DescribeTrails"); // JSON's last-wins, as every reader does
        const extras = JSON.parse(record.extrafields);
        expect(extras.$duplicateKeys).to.deep.equal({ eventName: ['"StopLogging"', '"DescribeTrails"'] });
        expect(Object.getOwnPropertyDescriptor(extras, "__proto__")?.value).to.deep.equal({ polluted: true });
        expect(extras["requestParameters.limit"]).to.equal("1e400");
        expect(extras["requestParameters.big"]).to.equal("12345678901234567891");
        expect(extras).to.not.have.property("requestParameters.ok");
        expect(plain.extrafields, "an ordinary record gets no evidence").to.equal(undefined);
    });

    it("fails a gzip bomb at the decompressed-size cap, naming the cap", async () => {
        const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('{"Records":['), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from("]}")]));
        const message = await failureOf(normaliseLogFile(chunked(bomb), { fileName: "bomb.json.gz", maxDecompressedBytes: 8 * 1024 * 1024 }));
        expect(message).to.match(/larger than 8388608 bytes once decompressed/);
    });
});
