/**
 * Suspicious archive files (docs/architecture.md, "The normaliser"): a log not encrypted under the archive key, and a later
 * version of an existing log key. s3rver answers every S3 call but versioning ("NotImplemented")
 * and does not report server-side encryption, so the handler's real S3 client talks to a small
 * proxy in front of s3rver that answers ListObjectVersions from a table and adds the encryption
 * headers S3 would send to GetObject, as real S3 would, and records what it was asked.
 */
import { expect } from "chai";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as zlib from "node:zlib";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { createHandler, METRICS_NAMESPACE, ObjectOutcome, SUSPICIOUS_METRIC } from "../lambda/normaliser/handler";
import { firstVersionOf } from "../lambda/normaliser/versions";
import { LocalS3, startLocalS3 } from "./s3server";

const ARCHIVE = "archive";
const LAKE = "lake";
const KEY_ARN = "arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555";
const context = { functionName: "normaliser", awsRequestId: "test" } as unknown as Context;
const logKey = (name: string) => `AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/111122223333_CloudTrail_us-east-1_20260101T0000Z_${name}.json.gz`;

/** Versions per key, newest first as S3 lists them; and the encryption S3 reports per key. */
interface FakeArchive {
    versions: Map<string, string[]>;
    encryption: Map<string, { sse: string; keyId?: string }>;
    requests: string[];
    pageSize: number;
    /** GetObject requests to the archive in flight now, and at most. */
    inFlight: number;
    maxInFlight: number;
}

function versionsXml(archive: FakeArchive, url: URL): string {
    const prefix = url.searchParams.get("prefix") ?? "";
    const keyMarker = url.searchParams.get("key-marker");
    const versionMarker = url.searchParams.get("version-id-marker");
    const all: { key: string; version: string }[] = [];
    for (const key of [...archive.versions.keys()].sort()) {
        if (key.startsWith(prefix)) for (const version of archive.versions.get(key)!) all.push({ key, version });
    }
    let start = 0;
    if (keyMarker) start = all.findIndex((entry) => entry.key === keyMarker && entry.version === versionMarker) + 1;
    const page = all.slice(start, start + archive.pageSize);
    const truncated = start + archive.pageSize < all.length;
    const last = page[page.length - 1];
    return (
        `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${ARCHIVE}</Name><Prefix>${prefix}</Prefix><MaxKeys>${archive.pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<NextKeyMarker>${last.key}</NextKeyMarker><NextVersionIdMarker>${last.version}</NextVersionIdMarker>` : "") +
        page
            .map(
                (entry, i) =>
                    `<Version><Key>${entry.key}</Key><VersionId>${entry.version}</VersionId>` +
                    `<IsLatest>${i === 0}</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>1</Size></Version>`,
            )
            .join("") +
        "</ListVersionsResult>"
    );
}

/** Answers ListObjectVersions itself; proxies the rest to s3rver, adding S3's encryption headers to archive GETs. */
async function startProxy(target: number, archive: FakeArchive): Promise<{ client: S3Client; close(): Promise<void> }> {
    const server = http.createServer((request, response) => {
        const url = new URL(request.url!, "http://localhost");
        archive.requests.push(`${request.method} ${url.pathname}${url.search}`);
        if (request.method === "GET" && url.searchParams.has("versions")) {
            response.writeHead(200, { "content-type": "application/xml" }).end(versionsXml(archive, url));
            return;
        }
        url.searchParams.delete("versionId"); // s3rver keeps one version
        const archiveGet = request.method === "GET" && url.pathname.startsWith(`/${ARCHIVE}/`);
        if (archiveGet) archive.maxInFlight = Math.max(archive.maxInFlight, ++archive.inFlight);
        response.on("close", () => {
            if (archiveGet) archive.inFlight--;
        });
        const upstream = http.request(
            { host: "127.0.0.1", port: target, method: request.method, path: url.pathname + url.search, headers: request.headers },
            (reply) => {
                const headers = { ...reply.headers };
                const key = decodeURIComponent(url.pathname.slice(`/${ARCHIVE}/`.length));
                const encryption = archive.encryption.get(key);
                if (request.method === "GET" && url.pathname.startsWith(`/${ARCHIVE}/`) && encryption) {
                    headers["x-amz-server-side-encryption"] = encryption.sse;
                    if (encryption.keyId) headers["x-amz-server-side-encryption-aws-kms-key-id"] = encryption.keyId;
                }
                response.writeHead(reply.statusCode!, headers);
                reply.pipe(response);
            },
        );
        request.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new S3Client({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
    });
    return {
        client,
        close: () => {
            client.destroy();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}

const logFile = (eventName: string) =>
    zlib.gzipSync(
        JSON.stringify({
            Records: [
                {
                    eventVersion: "1.08",
                    eventTime: "2026-01-01T00:00:00Z",
                    eventSource: "cloudtrail.amazonaws.com",
                    eventName,
                    awsRegion: "us-east-1",
                    recipientAccountId: "111122223333",
                    eventID: eventName,
                },
            ],
        }),
    );

function notification(key: string, versionId: string) {
    return {
        Records: [
            {
                eventVersion: "2.1",
                eventSource: "aws:s3",
                awsRegion: "us-east-1",
                eventName: "ObjectCreated:Put",
                s3: { bucket: { name: ARCHIVE, arn: `arn:aws:s3:::${ARCHIVE}` }, object: { key, size: 1, versionId } },
            },
        ],
    };
}

describe("suspicious archive files (the normaliser's tamper reports)", () => {
    let s3: LocalS3;
    let proxy: { client: S3Client; close(): Promise<void> };
    const archive: FakeArchive = { versions: new Map(), encryption: new Map(), requests: [], pageSize: 1000, inFlight: 0, maxInFlight: 0 };
    const warnings: Record<string, unknown>[] = [];
    const metrics: string[] = [];
    let handler: ReturnType<typeof createHandler>;

    before(async () => {
        s3 = await startLocalS3([ARCHIVE, LAKE]);
        const port = Number(new URL(await s3.client.config.endpoint!().then((endpoint) => `http://${endpoint.hostname}:${endpoint.port}`)).port);
        proxy = await startProxy(port, archive);
        handler = createHandler({
            s3: proxy.client,
            lakeBucket: LAKE,
            archiveKeyArn: KEY_ARN,
            logger: {
                info: () => undefined,
                error: () => undefined,
                warn: (_message: string, data: Record<string, unknown>) => {
                    warnings.push(data);
                },
            } as never,
            metrics: {
                addMetric: (name: string) => {
                    metrics.push(name);
                },
                publishStoredMetrics: () => undefined,
            } as never,
        });
    });
    after(async () => {
        await proxy.close();
        await s3.stop();
    });
    beforeEach(() => {
        warnings.length = 0;
        metrics.length = 0;
        archive.requests.length = 0;
    });

    const lakeKeys = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: LAKE }))).Contents ?? []).map((object) => object.Key!);
    const invoke = async (key: string, versionId: string) => (await handler(notification(key, versionId) as never, context)) as ObjectOutcome[];

    it("normalises the first version of a log encrypted under the archive key, and reports nothing", async () => {
        const key = logKey("first");
        await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: logFile("DescribeTrails") }));
        archive.versions.set(key, ["v1"]);
        archive.encryption.set(key, { sse: "aws:kms", keyId: KEY_ARN });
        const [outcome] = await invoke(key, "v1");
        expect(outcome).to.deep.include({ status: "normalised", events: 1 });
        expect(outcome.suspicious).to.equal(undefined);
        expect(warnings).to.deep.equal([]);
        expect(
            archive.requests.some((request) => request.startsWith(`GET /${ARCHIVE}/${key}?`) && request.includes("versionId=v1")),
            "GetObject of that version",
        ).to.equal(true);
    });

    it("reports a later version of an existing log key and does not normalise it", async () => {
        const key = logKey("overwritten");
        await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: logFile("StopLogging") }));
        archive.versions.set(key, ["v2-forged", "v1-delivered"]);
        archive.versions.set(`${key}.other`, ["x1"]); // a longer key sharing the prefix does not count
        archive.encryption.set(key, { sse: "aws:kms", keyId: KEY_ARN });
        const before = await lakeKeys();
        const [outcome] = await invoke(key, "v2-forged");
        expect(outcome).to.deep.include({ status: "skipped", events: 0, suspicious: ["overwritten-log-version"] });
        expect(warnings).to.deep.equal([{ reason: "overwritten-log-version", bucket: ARCHIVE, key, versionId: "v2-forged", firstVersionId: "v1-delivered" }]);
        expect(metrics).to.deep.equal([SUSPICIOUS_METRIC]);
        expect(await lakeKeys()).to.deep.equal(before);
        expect(
            archive.requests.some((request) => request.startsWith(`GET /${ARCHIVE}/${key}?`) && !request.includes("versions")),
            "no GetObject",
        ).to.equal(false);
    });

    it("reports a log not encrypted under the archive key, and still normalises it (the evidence is kept)", async () => {
        for (const [name, encryption] of [
            ["own-key", { sse: "aws:kms", keyId: "arn:aws:kms:us-east-1:111122223333:key/member-owned" }],
            ["sse-s3", { sse: "AES256" }],
        ] as const) {
            warnings.length = 0;
            const key = logKey(name);
            await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: logFile("ConsoleLogin") }));
            archive.versions.set(key, ["v1"]);
            archive.encryption.set(key, encryption);
            const [outcome] = await invoke(key, "v1");
            expect(outcome).to.deep.include({ status: "normalised", events: 1, suspicious: ["not-encrypted-under-archive-key"] });
            expect(warnings).to.have.length(1);
            expect(warnings[0]).to.deep.include({
                reason: "not-encrypted-under-archive-key",
                key,
                serverSideEncryption: encryption.sse,
                archiveKeyArn: KEY_ARN,
            });
        }
        expect(METRICS_NAMESPACE).to.equal("CloudTrailLake");
    });

    it("finds a key's first version across ListObjectVersions pages", async () => {
        const key = logKey("paged");
        archive.versions.set(key, ["v5", "v4", "v3", "v2", "v1"]);
        archive.pageSize = 2;
        try {
            expect(await firstVersionOf(proxy.client, ARCHIVE, key)).to.equal("v1");
            expect(archive.requests.filter((request) => request.includes("versions"))).to.have.length(3);
            expect(await firstVersionOf(proxy.client, ARCHIVE, logKey("never-written"))).to.equal(undefined);
        } finally {
            archive.pageSize = 1000;
        }
    });

    it("normalises a batch's files one at a time (memory and /tmp are sized for one file)", async () => {
        const keys = ["batch-a", "batch-b", "batch-c"].map(logKey);
        for (const key of keys) {
            await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: logFile("ListBuckets") }));
            archive.versions.set(key, ["v1"]);
            archive.encryption.set(key, { sse: "aws:kms", keyId: KEY_ARN });
        }
        archive.maxInFlight = 0;
        const event = {
            Records: keys.map((key, index) => ({
                messageId: `m-${index}`,
                receiptHandle: "r",
                body: JSON.stringify(notification(key, "v1")),
                attributes: {},
                messageAttributes: {},
                md5OfBody: "",
                eventSource: "aws:sqs",
                eventSourceARN: "arn:aws:sqs:us-east-1:999999999999:q",
                awsRegion: "us-east-1",
            })),
        };
        const response = (await handler(event as never, context)) as { batchItemFailures: unknown[] };
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(archive.maxInFlight).to.equal(1);
    });
});
