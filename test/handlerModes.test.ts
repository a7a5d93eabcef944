/**
 * The normaliser Lambda in the organization and existing modes, on s3rver as
 * test/handler.test.ts: organization-trail keys, EventBridge "Object Created" events through SQS, and
 * logs of accounts not listed in cloudtrail-lake:accounts left alone and counted.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createHandler, ObjectOutcome, readAccountIds } from "../lambda/normaliser/handler";
import { parseLogKey } from "../contract/keys";
import { accountsFileContent } from "../components/normaliser/normaliserFunction";
import { asS3LogFile, CORPUS_DIR } from "./corpus";
import { LocalS3, startLocalS3 } from "./s3server";

const ARCHIVE = "control-tower-logs";
const LAKE = "lake";
const ORG = "o-a1b2c3d4e5";
const context = { functionName: "normaliser", awsRequestId: "test" } as unknown as Context;
const orgKey = (account: string, name: string) =>
    `AWSLogs/${ORG}/${account}/CloudTrail/us-east-1/2020/09/14/${account}_CloudTrail_us-east-1_20200914T0120Z_${name}.json.gz`;

/** An S3 event as EventBridge delivers it to an SQS target ("Amazon S3 events in EventBridge"). */
function objectCreated(key: string, bucket = ARCHIVE, detailType = "Object Created") {
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": detailType,
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2020-09-14T01:21:00Z",
        "region": "us-east-1",
        "resources": [`arn:aws:s3:::${bucket}`],
        "detail": { version: "0", bucket: { name: bucket }, object: { key, size: 1, etag: "x", sequencer: "1" }, reason: "PutObject" },
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

describe("normaliser Lambda with an organization trail's archive and EventBridge events", function () {
    let s3: LocalS3;
    let client: S3Client;
    const logs: { message: string; data?: Record<string, unknown> }[] = [];
    const record = (message: string, data?: Record<string, unknown>) => void logs.push({ message, data });
    const logger = { info: record, warn: record, error: record } as never;
    const listed = "123456789123";
    const unlisted = "777788889999";
    const sample = path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json");
    const lakeKeys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: LAKE }))).Contents ?? []).map((object) => object.Key!).sort();

    before(async () => {
        s3 = await startLocalS3([ARCHIVE, LAKE]);
        client = s3.client;
    });
    after(async () => s3.stop());
    beforeEach(() => void logs.splice(0));

    it("parses organization-trail keys AWSLogs/<org id>/<account>/CloudTrail/…", () => {
        expect(parseLogKey(orgKey(listed, "a"))).to.deep.include({ kind: "log", account: listed, region: "us-east-1", date: "2020-09-14" });
        const digest = `AWSLogs/${ORG}/${listed}/CloudTrail-Digest/us-east-1/2020/09/14/${listed}_CloudTrail-Digest_us-east-1_x.json.gz`;
        expect(parseLogKey(digest).kind).to.equal("digest");
        // An org id out of the documented shape is not taken for one.
        expect(parseLogKey(`AWSLogs/o-short/${listed}/CloudTrail/us-east-1/2020/09/14/x.json.gz`).kind).to.equal("other");
    });

    it("normalises a log named in an EventBridge Object Created event (through SQS), without the first-version check", async () => {
        const handler = createHandler({ s3: client, lakeBucket: LAKE, logger, accountIds: new Set([listed]), verifyFirstVersion: false });
        await client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: orgKey(listed, "eventbridge01"), Body: asS3LogFile(sample) }));
        const response = (await handler(sqsEvent([objectCreated(orgKey(listed, "eventbridge01"))]), context)) as SQSBatchResponse;
        expect(response.batchItemFailures).to.deep.equal([]);
        const keys = await lakeKeys();
        expect(keys.length).to.be.greaterThan(0);
        expect(
            keys.every((key) => key.startsWith("normalised/account=") && key.endsWith(`${listed}_CloudTrail_us-east-1_20200914T0120Z_eventbridge01.json.gz`)),
        ).to.equal(true);
        expect(logs.find((line) => line.message === "normalised")?.data).to.include({ bucket: ARCHIVE, key: orgKey(listed, "eventbridge01") });
    });

    it("leaves logs of accounts not listed alone, and counts them in one log line per invocation", async () => {
        const handler = createHandler({ s3: client, lakeBucket: LAKE, logger, accountIds: new Set([listed]), verifyFirstVersion: false });
        const before = await lakeKeys();
        // Not even put in the archive: the handler must not read it.
        const response = (await handler(
            sqsEvent([
                objectCreated(orgKey(unlisted, "other01")),
                objectCreated(orgKey(unlisted, "other02")),
                objectCreated(orgKey("222233334444", "other03")),
            ]),
            context,
        )) as SQSBatchResponse;
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(await lakeKeys()).to.deep.equal(before);
        const counted = logs.filter((line) => line.message === "skipped: logs of accounts not listed in cloudtrail-lake:accounts");
        expect(counted).to.have.length(1);
        expect(counted[0].data).to.deep.equal({ files: 3, byAccount: { [unlisted]: 2, "222233334444": 1 } });
    });

    it("returns the unlisted account in the outcome of a direct S3 invocation too", async () => {
        const handler = createHandler({ s3: client, lakeBucket: LAKE, logger, accountIds: new Set([listed]) });
        const key = orgKey(unlisted, "direct01");
        const outcomes = (await handler(
            {
                Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: ARCHIVE }, object: { key } } }],
            } as never,
            context,
        )) as ObjectOutcome[];
        expect(outcomes).to.deep.equal([{ bucket: ARCHIVE, key, status: "skipped", events: 0, outputs: [], unlistedAccount: unlisted }]);
    });

    it("ignores EventBridge events that are not Object Created", async () => {
        const handler = createHandler({ s3: client, lakeBucket: LAKE, logger, accountIds: new Set([listed]) });
        const response = (await handler(sqsEvent([objectCreated(orgKey(listed, "deleted"), ARCHIVE, "Object Deleted")]), context)) as SQSBatchResponse;
        expect(response.batchItemFailures).to.deep.equal([]);
        expect(logs.map((line) => line.message)).to.deep.equal(["skipped: not an S3 Object Created event"]);
    });

    it("reads the account list shipped beside the code, and refuses a malformed one by name", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "accounts-"));
        try {
            expect(readAccountIds(path.join(dir, "accounts.json"))).to.equal(undefined);
            // What the component ships: sorted and unique, read back as the set of ids.
            fs.writeFileSync(path.join(dir, "accounts.json"), accountsFileContent([unlisted, listed, unlisted]));
            expect([...readAccountIds(path.join(dir, "accounts.json"))!]).to.deep.equal([listed, unlisted]);
            fs.writeFileSync(path.join(dir, "accounts.json"), JSON.stringify({ ids: [listed] }));
            expect(() => readAccountIds(path.join(dir, "accounts.json"))).to.throw(/accounts.json: expected a JSON list of account ids/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
