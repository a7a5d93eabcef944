import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { normaliseFiles } from "../cli/normalise";
import { createHandler } from "../lambda/normaliser/handler";
import { asS3LogFile, CORPUS_DIR } from "./corpus";
import { LocalS3, startLocalS3 } from "./s3server";

const ARCHIVE = "archive";
const LAKE = "lake";
const context = { functionName: "normaliser", awsRequestId: "test" } as unknown as Context;

/** How S3 writes keys into notifications: URL-encoded, spaces as `+`. */
const encodeKey = (key: string) =>
    key
        .split("/")
        .map((part) => encodeURIComponent(part).replace(/%20/g, "+"))
        .join("/");
const logKey = (name: string, account = "111122223333", region = "us-east-1") => `AWSLogs/${account}/CloudTrail/${region}/2020/09/14/${name}`;

function s3Notification(key: string, bucket = ARCHIVE) {
    return {
        Records: [
            {
                eventVersion: "2.1",
                eventSource: "aws:s3",
                awsRegion: "us-east-1",
                eventName: "ObjectCreated:Put",
                s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeKey(key), size: 1 } },
            },
        ],
    };
}

function sqsEvent(bodies: unknown[]): SQSEvent {
    return {
        Records: bodies.map((body, index) => ({
            messageId: `message-${index}`,
            receiptHandle: `r-${index}`,
            body: JSON.stringify(body),
            attributes: {} as never,
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:us-east-1:999999999999:q",
            awsRegion: "us-east-1",
        })),
    };
}

describe("normaliser Lambda against a real S3-compatible server", function () {
    let s3: LocalS3;
    let client: S3Client;
    const logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];
    const logger = {
        info: (message: string, data?: Record<string, unknown>) => {
            logs.push({ level: "info", message, data });
        },
        error: (message: string, data?: Record<string, unknown>) => {
            logs.push({ level: "error", message, data });
        },
    } as never;
    let handler: ReturnType<typeof createHandler>;

    const put = (key: string, body: Buffer) => client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: body }));
    const lakeKeys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: LAKE }))).Contents ?? []).map((object) => object.Key!).sort();
    const read = async (bucket: string, key: string) =>
        Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
    const invoke = async (event: SQSEvent) => (await handler(event, context)) as SQSBatchResponse;

    before(async () => {
        s3 = await startLocalS3([ARCHIVE, LAKE]);
        client = s3.client;
        handler = createHandler({ s3: client, lakeBucket: LAKE, logger });
    });
    after(async () => s3.stop());

    const otrf = path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json");
    const cloudtrailExample = path.join(CORPUS_DIR, "awsdocs__aws-cloudtrail-user-guide", "cloudtrail-log-file-examples__block02.json");
    const otrfKey = logKey("123456789123_CloudTrail_us-east-1_20200914T0120Z_otrf0000000001.json.gz", "123456789123");
    const exampleKey = logKey("111122223333_CloudTrail_us-east-1_20200914T0120Z_docs000000000001.json.gz");

    it("normalises real log files named in SQS messages into the lake, exactly as the local command does", async () => {
        await put(otrfKey, asS3LogFile(otrf));
        await put(exampleKey, asS3LogFile(cloudtrailExample));
        const response = await invoke(sqsEvent([s3Notification(otrfKey), s3Notification(exampleKey)]));
        expect(response.batchItemFailures).to.deep.equal([]);

        // The local command on the same bytes, laid out the same way, gives the same objects, byte for byte.
        const local = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-local-"));
        for (const key of [otrfKey, exampleKey]) {
            const file = path.join(local, "in", key);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, await read(ARCHIVE, key));
        }
        const results = await normaliseFiles([path.join(local, "in", otrfKey), path.join(local, "in", exampleKey)], path.join(local, "out"));
        const expected = results.flatMap((result) => result.objects).sort();
        expect(await lakeKeys()).to.deep.equal(expected);
        expect(
            expected.every(
                (key) =>
                    key.startsWith("normalised/account=123456789123/region=us-east-1/date=") ||
                    key.startsWith("normalised/account=111122223333/region=us-east-1/date="),
            ),
        ).to.equal(true);
        for (const key of expected) {
            expect((await read(LAKE, key)).equals(fs.readFileSync(path.join(local, "out", key))), key).to.equal(true);
        }
        const rows = zlib
            .gunzipSync(await read(LAKE, expected[0]))
            .toString()
            .trim()
            .split("\n");
        expect(JSON.parse(rows[0])).to.have.property("eventtime");
    });

    it("writes the same objects, byte for byte, when S3 delivers the same notification twice", async () => {
        const before = await lakeKeys();
        const bodies = await Promise.all(before.map((key) => read(LAKE, key)));
        const response = await invoke(sqsEvent([s3Notification(otrfKey), s3Notification(otrfKey)]));
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(await lakeKeys()).to.deep.equal(before);
        for (const [index, key] of before.entries()) expect((await read(LAKE, key)).equals(bodies[index]), key).to.equal(true);
    });

    it("decodes keys with spaces and non-ASCII characters", async () => {
        const key = logKey("111122223333_CloudTrail_us-east-1_20200914T0120Z_ä ö+€.json.gz");
        await put(key, asS3LogFile(cloudtrailExample));
        const response = await invoke(sqsEvent([s3Notification(key)]));
        expect(response.batchItemFailures).to.deep.equal([]);
        expect((await lakeKeys()).some((lakeKey) => lakeKey.endsWith("/111122223333_CloudTrail_us-east-1_20200914T0120Z_ä ö+€.json.gz"))).to.equal(true);
    });

    it("skips the s3:TestEvent, digest files and other keys without an error", async () => {
        const before = await lakeKeys();
        const digestKey =
            "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2020/09/14/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20200914T012000Z.json.gz";
        await put(
            digestKey,
            zlib.gzipSync(
                fs.readFileSync(
                    path.join(CORPUS_DIR, "awsdocs__aws-cloudtrail-user-guide", "cloudtrail-log-file-validation-digest-file-structure__block02.json"),
                ),
            ),
        );
        logs.length = 0;
        const response = await invoke(
            sqsEvent([
                { Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-11-25T00:00:00.000Z", Bucket: ARCHIVE, RequestId: "x", HostId: "y" },
                s3Notification(digestKey),
                s3Notification("AWSLogs/111122223333/CloudTrail/us-east-1/2020/09/14/notes.txt"),
            ]),
        );
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(await lakeKeys()).to.deep.equal(before);
        expect(logs.filter((log) => log.message.startsWith("skipped"))).to.have.length(3);
    });

    describe("a file that is not CloudTrail fails only its own message, logged, leaving no output and the raw file untouched", () => {
        const bad: [string, Buffer, RegExp][] = [
            ["truncated gzip", asS3LogFile(otrf).subarray(0, 2000), /truncated gzip/],
            ["valid gzip of invalid JSON", zlib.gzipSync('{"Records":[{"a":}]}'), /not valid JSON/],
            ['{"Records": 5}', zlib.gzipSync('{"Records": 5}'), /"Records" is not an array/],
            ["empty file", Buffer.alloc(0), /empty file/],
        ];
        for (const [name, body, reason] of bad) {
            it(name, async () => {
                const key = logKey(`111122223333_CloudTrail_us-east-1_20200914T0120Z_${name.replace(/\W+/g, "-")}.json.gz`);
                await put(key, body);
                const etag = (await client.send(new HeadObjectCommand({ Bucket: ARCHIVE, Key: key }))).ETag;
                const good = logKey(`111122223333_CloudTrail_us-east-1_20200914T0120Z_good-${name.replace(/\W+/g, "-")}.json.gz`);
                await put(good, asS3LogFile(cloudtrailExample));
                logs.length = 0;
                const before = await lakeKeys();
                const response = await invoke(sqsEvent([s3Notification(good), s3Notification(key)]));
                expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: "message-1" }]);
                const failure = logs.find((log) => log.level === "error")!;
                expect(failure.data).to.include({ bucket: ARCHIVE, key });
                expect(String(failure.data!.reason)).to.match(reason);
                const written = (await lakeKeys()).filter((lakeKey) => !before.includes(lakeKey));
                expect(
                    written.every((lakeKey) => lakeKey.endsWith(good.slice(good.lastIndexOf("/")))),
                    "nothing from the bad file",
                ).to.equal(true);
                expect(written).to.have.length.above(0);
                expect((await client.send(new HeadObjectCommand({ Bucket: ARCHIVE, Key: key }))).ETag).to.equal(etag);
                expect((await read(ARCHIVE, key)).equals(body)).to.equal(true);
            });
        }
    });

    it("accepts a log file with zero records and writes nothing", async () => {
        const key = logKey("111122223333_CloudTrail_us-east-1_20200914T0120Z_empty00000000001.json.gz");
        await put(key, zlib.gzipSync('{"Records":[]}'));
        const before = await lakeKeys();
        const response = await invoke(sqsEvent([s3Notification(key)]));
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(await lakeKeys()).to.deep.equal(before);
    });

    it("also takes a direct S3 event, and throws for a bad file so that Lambda retries it", async () => {
        const outcomes = await handler(s3Notification(otrfKey) as never, context);
        expect(outcomes).to.have.length(1);
        const key = logKey("111122223333_CloudTrail_us-east-1_20200914T0120Z_direct-bad.json.gz");
        await put(key, Buffer.from("not json"));
        let error: Error | undefined;
        try {
            await handler(s3Notification(key) as never, context);
        } catch (caught) {
            error = caught as Error;
        }
        expect(error?.message).to.contain(`s3://${ARCHIVE}/${key}`);
    });
});
