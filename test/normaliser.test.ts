import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { normaliseLogFile, NormalisedFile, lakePartitionOf } from "../lambda/normaliser/core";
import { normalisedKey } from "../contract/keys";
import { normaliseEvent } from "../lambda/normaliser/normalise";
import { COLUMN_NAMES } from "../contract/schema";
import { asS3LogFile, corpusEvents, corpusFiles, CORPUS_DIR } from "./corpus";
import { expectLossless } from "./lossless";

/** Feeds bytes in chunks of the given size, as a stream from S3 or disk would. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    return Readable.from(chunks);
}

async function run(bytes: Buffer, fileName = "f.json.gz", size?: number): Promise<{ file: NormalisedFile; objects: Map<string, Buffer> }> {
    const file = await normaliseLogFile(chunked(bytes, size), { fileName });
    const objects = new Map<string, Buffer>();
    for (const output of file.outputs) objects.set(output.key, fs.readFileSync(output.tempPath));
    await file.cleanup();
    return { file, objects };
}

const lines = (gzipped: Buffer) =>
    zlib
        .gunzipSync(gzipped)
        .toString("utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
const gzipJson = (value: unknown) => zlib.gzipSync(JSON.stringify(value));

describe("normaliser core on the corpus", () => {
    it("keeps every value of every one of the corpus's 682 events (and of the 8 odd objects in Records)", async function () {
        let checked = 0;
        for (const file of corpusFiles()) {
            const events = corpusEvents(file);
            if (events.length === 0) continue;
            const { objects } = await run(asS3LogFile(file));
            // Records keep file order within each output object; deal them back to their events.
            const byKey = new Map([...objects].map(([key, bytes]) => [key, lines(bytes)]));
            for (const [index, event] of events.entries()) {
                const key = normalisedKey(lakePartitionOf(normaliseEvent(event), {}), "f.json.gz");
                const records = byKey.get(key);
                expect(records?.length, `${path.relative(CORPUS_DIR, file)}[${index}] has an output under ${key}`).to.be.above(0);
                const record = records!.shift();
                expect(Object.keys(record), "columns of the schema, in its order").to.deep.equal(COLUMN_NAMES.filter((name) => name in record));
                expectLossless(event, record, `${path.relative(CORPUS_DIR, file)}[${index}]`);
                checked++;
            }
            for (const [key, records] of byKey) expect(records, `${key} has no extra rows`).to.have.length(0);
        }
        // 682 events by the corpus README, and 8 non-event objects inside Records arrays of the Panther fixtures.
        expect(checked).to.equal(690);
    });

    it("coerces only where nothing is lost and keeps the rest verbatim", () => {
        const record = normaliseEvent({
            "eventTime": "2022-02-08 09:23:37",
            "readOnly": "true",
            "recipientAccountId": 123456789012,
            "managementEvent": "maybe",
            "additionalEventData": { MFAUsed: "Yes" },
            "responseElements": "a string",
            "userIdentity": { type: "IdentityCenterUser", onBehalfOf: { userId: "u", identityStoreArn: "arn" }, inScopeOf: { x: 1 } },
            "@timestamp": "2020-09-14T01:19:40.000Z",
        });
        expect(record).to.deep.include({
            eventtime: "2022-02-08T09:23:37Z",
            readonly: true,
            recipientaccountid: "123456789012",
            additionaleventdata: '{"MFAUsed":"Yes"}',
            responseelements: '"a string"',
        });
        expect(record).to.not.have.property("managementevent");
        expect((record.useridentity as Record<string, unknown>).onbehalfof).to.deep.equal({ userid: "u", identitystorearn: "arn" });
        expect(JSON.parse(record.extrafields as string)).to.deep.equal({
            "managementEvent": "maybe",
            "userIdentity.inScopeOf": { x: 1 },
            "@timestamp": "2020-09-14T01:19:40.000Z",
        });
    });

    it("writes one object per event date, so a file straddling midnight yields two", async () => {
        const { objects } = await run(
            gzipJson({
                Records: [
                    { eventTime: "2026-11-24T23:59:59Z", eventName: "A", recipientAccountId: "111122223333", awsRegion: "us-east-1" },
                    { eventTime: "2026-11-25T00:00:00Z", eventName: "B", recipientAccountId: "111122223333", awsRegion: "us-east-1" },
                ],
            }),
            "111122223333_CloudTrail_us-east-1_20261125T0005Z_abc.json.gz",
        );
        expect([...objects.keys()]).to.deep.equal([
            "normalised/account=111122223333/region=us-east-1/date=2026-11-24/111122223333_CloudTrail_us-east-1_20261125T0005Z_abc.json.gz",
            "normalised/account=111122223333/region=us-east-1/date=2026-11-25/111122223333_CloudTrail_us-east-1_20261125T0005Z_abc.json.gz",
        ]);
    });

    it("gives byte-identical objects for the same input, whatever the chunking", async () => {
        const bytes = asS3LogFile(path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json"));
        const first = await run(bytes);
        for (const size of [1, 7, 4096]) {
            const again = await run(bytes, "f.json.gz", size);
            expect([...again.objects.keys()]).to.deep.equal([...first.objects.keys()]);
            for (const [key, body] of first.objects) expect(again.objects.get(key)!.equals(body), `${key} at chunk size ${size}`).to.equal(true);
        }
    });

    it("reads plain JSON as well as gzip", async () => {
        const plain = JSON.stringify({ Records: [{ eventTime: "2026-01-01T00:00:00Z", eventName: "X" }] });
        const { file } = await run(Buffer.from(plain), "x.json.gz");
        expect(file.events).to.equal(1);
    });

    describe("rejects, with the reason, a file that is not CloudTrail", () => {
        const cases: [string, Buffer, RegExp][] = [
            ["a truncated gzip", gzipJson({ Records: [{ eventName: "A" }] }).subarray(0, 20), /truncated gzip/],
            ["valid gzip of invalid JSON", zlib.gzipSync('{"Records":[{"eventName": nope}]}'), /Records\[0\] is not valid JSON/],
            ['{"Records": 5}', gzipJson({ Records: 5 }), /"Records" is not an array/],
            ["an empty file", Buffer.alloc(0), /empty file/],
            ["gzip of nothing", zlib.gzipSync(""), /empty file/],
            ["a JSON file cut off mid-record", zlib.gzipSync('{"Records":[{"eventName":"A"},{"event'), /truncated: the file ends inside Records\[1\]/],
            ["a bare array", gzipJson([{ eventName: "A" }]), /not a JSON object/],
            ["a digest file", gzipJson({ digestStartTime: "x", logFiles: [] }), /no "Records" array/],
        ];
        for (const [name, bytes, reason] of cases) {
            it(name, async () => {
                let error: Error | undefined;
                try {
                    await run(bytes);
                } catch (caught) {
                    error = caught as Error;
                }
                expect(error?.message).to.match(reason);
            });
        }
    });

    it("accepts a file with zero records and writes nothing", async () => {
        const { file, objects } = await run(gzipJson({ Records: [] }));
        expect(file.events).to.equal(0);
        expect(objects.size).to.equal(0);
    });
});
