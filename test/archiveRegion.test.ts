/**
 * An existing archive in another region than the function's (trailMode existing): S3 answers a
 * request signed for the wrong region with 301 PermanentRedirect and the bucket's region in
 * `x-amz-bucket-region`. A proxy in front of s3rver plays that part for one bucket, so the test
 * shows what a client that does not follow redirects gets, and that the normaliser's does read.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { AddressInfo } from "node:net";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse } from "aws-lambda";
import { createHandler } from "../lambda/normaliser/handler";
import { s3Client } from "../lambda/shared/s3";
import { asS3LogFile, CORPUS_DIR } from "./corpus";
import { LocalS3, startLocalS3 } from "./s3server";

const ARCHIVE = "archive-in-eu-west-1";
const ARCHIVE_REGION = "eu-west-1";
const LAKE = "lake";
const KEY = "AWSLogs/123456789123/CloudTrail/us-east-1/2020/09/14/123456789123_CloudTrail_us-east-1_20200914T0120Z_region01.json.gz";
const context = { functionName: "normaliser", awsRequestId: "test" } as unknown as Context;

/** S3's answer to a request for ARCHIVE signed for another region; everything else goes on to s3rver. */
function regionalProxy(target: number): Promise<http.Server> {
    const server = http.createServer((request, response) => {
        const signedRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? "")?.[1];
        if (request.url?.startsWith(`/${ARCHIVE}`) && signedRegion !== ARCHIVE_REGION) {
            request.resume();
            response.writeHead(301, { "x-amz-bucket-region": ARCHIVE_REGION, "content-type": "application/xml" });
            response.end(
                `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>${ARCHIVE}</Bucket></Error>`,
            );
            return;
        }
        const forwarded = http.request({ host: "127.0.0.1", port: target, method: request.method, path: request.url, headers: request.headers }, (answer) => {
            response.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(response);
        });
        request.pipe(forwarded);
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("normaliser reading an existing archive in another region", () => {
    let s3: LocalS3;
    let proxy: http.Server;
    let viaProxy: S3ClientConfig;

    before(async () => {
        s3 = await startLocalS3([ARCHIVE, LAKE]);
        const s3rver = await (s3.client.config.endpoint as () => Promise<{ port?: number }>)();
        proxy = await regionalProxy(Number(s3rver.port));
        viaProxy = {
            endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
            region: "us-east-1",
            forcePathStyle: true,
            credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
            requestChecksumCalculation: "WHEN_REQUIRED",
            responseChecksumValidation: "WHEN_REQUIRED",
        };
        const sample = path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json");
        await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: KEY, Body: asS3LogFile(sample) }));
    });
    after(async () => {
        await new Promise((resolve) => proxy.close(resolve));
        await s3.stop();
    });

    it("a client of the function's region that does not follow redirects gets S3's 301", async () => {
        const plain = new S3Client(viaProxy);
        try {
            const error = await plain.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: KEY })).then(
                () => undefined,
                (caught: { $metadata?: { httpStatusCode?: number } }) => caught,
            );
            expect(error?.$metadata?.httpStatusCode).to.equal(301);
        } finally {
            plain.destroy();
        }
    });

    it("the normaliser's archive client follows the redirect, and the file is normalised into the lake", async () => {
        const archiveS3 = s3Client(viaProxy);
        expect(await archiveS3.config.followRegionRedirects).to.equal(true);
        const handler = createHandler({
            s3: s3.client,
            archiveS3,
            lakeBucket: LAKE,
            verifyFirstVersion: false,
            logger: { info() {}, warn() {}, error() {} } as never,
        });
        const event = {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": { bucket: { name: ARCHIVE }, object: { key: KEY } },
        };
        const response = (await handler(
            {
                Records: [
                    {
                        messageId: "m-0",
                        receiptHandle: "r",
                        body: JSON.stringify(event),
                        attributes: {} as never,
                        messageAttributes: {},
                        md5OfBody: "",
                        eventSource: "aws:sqs",
                        eventSourceARN: "arn:aws:sqs:us-east-1:999999999999:q",
                        awsRegion: "us-east-1",
                    },
                ],
            },
            context,
        )) as SQSBatchResponse;
        archiveS3.destroy();
        expect(response.batchItemFailures).to.deep.equal([]);
        const written = (await s3.client.send(new ListObjectsV2Command({ Bucket: LAKE }))).Contents ?? [];
        expect(written.map((object) => object.Key).filter((key) => key?.endsWith("_region01.json.gz")).length).to.be.greaterThan(0);
    });

    it("every S3 client of the functions is made by s3Client, which follows redirects", async () => {
        const client = s3Client({ region: ARCHIVE_REGION });
        expect(await client.config.followRegionRedirects).to.equal(true);
        expect(await client.config.region()).to.equal(ARCHIVE_REGION);
        client.destroy();
        const lambdaDir = path.join(__dirname, "..", "lambda");
        const sources = fs.readdirSync(lambdaDir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
        const constructing = sources.filter((file) => /new S3Client\(/.test(fs.readFileSync(path.join(lambdaDir, file), "utf8")));
        expect(constructing).to.deep.equal([path.join("shared", "s3.ts")]);
    });
});
