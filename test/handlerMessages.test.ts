/**
 * What the two SQS-fed Lambdas (normaliser, event evaluator) do with each kind of message a queue
 * can hold: an S3 notification as S3 sends it, the same wrapped in SNS (a topic fanning one
 * archive's notifications out to several queues), an EventBridge "Object Created" event, S3's
 * s3:TestEvent, and anything else — which must be logged by message id and failed (so that the
 * queue moves it to the dead-letter queue), never consumed in silence. On s3rver, as
 * test/handler.test.ts.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createHandler } from "../lambda/normaliser/handler";
import { createEventEvaluator } from "../lambda/alerts/handlers";
import { MemoryDedupStore } from "../lambda/alerts/dedup";
import { Alert } from "../lambda/alerts/alert";
import { NotAnObjectNotification, objectsOfMessage } from "../lambda/shared/notifications";
import { ALERT_FIXTURES, fixtureSettings } from "./alertFixtures";
import { LocalS3, startLocalS3 } from "./s3server";
import * as path from "node:path";

const ARCHIVE = "archive";
const LAKE = "lake";
const TOPIC = "arn:aws:sns:eu-west-1:999999999999:log-archive-notifications";
const context = { functionName: "test", awsRequestId: "test" } as unknown as Context;

function s3Notification(bucket: string, key: string, extra: Record<string, unknown> = {}) {
    return {
        Records: [
            {
                eventVersion: "2.1",
                eventSource: "aws:s3",
                awsRegion: "eu-west-1",
                eventName: "ObjectCreated:Put",
                s3: { bucket: { name: bucket }, object: { key: key.split("/").map(encodeURIComponent).join("/"), size: 1, ...extra } },
            },
        ],
    };
}

/** What SNS delivers to a subscribed queue without raw message delivery (SNS developer guide, "Fanout to Amazon SQS queues"). */
function snsEnvelope(message: unknown) {
    return {
        Type: "Notification",
        MessageId: "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
        TopicArn: TOPIC,
        Subject: "Amazon S3 Notification",
        Message: typeof message === "string" ? message : JSON.stringify(message),
        Timestamp: "2026-11-25T10:10:01.000Z",
        SignatureVersion: "1",
        Signature: "EXAMPLE",
        SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem",
        UnsubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    };
}

function eventBridgeObjectCreated(bucket: string, key: string, versionId?: string) {
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "999999999999",
        "time": "2026-11-25T10:10:00Z",
        "region": "eu-west-1",
        "resources": [`arn:aws:s3:::${bucket}`],
        "detail": { version: "0", bucket: { name: bucket }, object: { key, size: 1, ...(versionId ? { "version-id": versionId } : {}) }, reason: "PutObject" },
    };
}

const TEST_EVENT = { Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-11-25T00:00:00.000Z", Bucket: ARCHIVE, RequestId: "x", HostId: "y" };

/** Messages no queue of this stack should hold, each with what the failure must say. */
const STRANGERS: [string, string, RegExp][] = [
    ["not JSON", "hello", /body is not JSON/],
    ["an empty object", "{}", /an empty JSON object/],
    ["some other JSON", JSON.stringify({ orderId: 7, status: "paid" }), /keys orderId, status/],
    [
        "an SNS notification of something else",
        JSON.stringify(snsEnvelope({ alarm: "CPU high" })),
        /SNS notification whose Message is a JSON object with keys alarm/,
    ],
    ["an SNS notification whose message is text", JSON.stringify(snsEnvelope("Hello from SNS")), /SNS notification from .* whose Message is not JSON/],
    ["records that are not S3's", JSON.stringify({ Records: [{ eventSource: "aws:sqs", body: "x" }] }), /Records\[0\] is not an S3 event record/],
    ["no records", JSON.stringify({ Records: [] }), /"Records" is empty/],
];

const sqsEvent = (bodies: string[]): SQSEvent => ({
    Records: bodies.map((body, index) => ({
        messageId: `message-${index}`,
        receiptHandle: `r-${index}`,
        body,
        attributes: {} as never,
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-1:999999999999:q",
        awsRegion: "eu-west-1",
    })),
});

describe("SQS messages: what is unwrapped, what is consumed, what goes to the dead-letter queue", () => {
    describe("objectsOfMessage (lambda/shared/notifications.ts)", () => {
        it("reads the object of an S3 notification, one wrapped in SNS, and an EventBridge event, directly or through SNS", () => {
            const key = "normalised/account=111122223333/region=eu-west-1/date=2026-11-25/a b+c.json.gz";
            const plain = objectsOfMessage("m", JSON.stringify(s3Notification(LAKE, key, { versionId: "v1" })));
            expect(plain).to.deep.equal({ objects: [{ bucket: LAKE, key, versionId: "v1" }], ignored: [], testEvent: false, envelope: "s3" });
            expect(objectsOfMessage("m", JSON.stringify(snsEnvelope(s3Notification(LAKE, key, { versionId: "v1" }))))).to.deep.equal({
                ...plain,
                envelope: "sns",
            });
            const bridged = objectsOfMessage("m", JSON.stringify(eventBridgeObjectCreated(LAKE, key, "v2")));
            expect(bridged).to.deep.equal({ objects: [{ bucket: LAKE, key, versionId: "v2" }], ignored: [], testEvent: false, envelope: "eventbridge" });
            expect(objectsOfMessage("m", JSON.stringify(snsEnvelope(eventBridgeObjectCreated(LAKE, key)))).envelope).to.equal("sns+eventbridge");
        });

        it("recognises s3:TestEvent (plain or through SNS) and S3 events that are not creations, to log and consume", () => {
            expect(objectsOfMessage("m", JSON.stringify(TEST_EVENT))).to.deep.include({ testEvent: true, objects: [] });
            expect(objectsOfMessage("m", JSON.stringify(snsEnvelope(TEST_EVENT)))).to.deep.include({ testEvent: true, envelope: "sns" });
            const deletion = s3Notification(LAKE, "k");
            deletion.Records[0].eventName = "ObjectRemoved:Delete";
            expect(objectsOfMessage("m", JSON.stringify(deletion))).to.deep.include({
                objects: [],
                ignored: [{ bucket: LAKE, key: "k", event: "ObjectRemoved:Delete" }],
            });
        });

        for (const [name, body, reason] of STRANGERS) {
            it(`refuses ${name}, naming the message id`, () => {
                let error: unknown;
                try {
                    objectsOfMessage("id-7", body);
                } catch (caught) {
                    error = caught;
                }
                expect(error).to.be.instanceOf(NotAnObjectNotification);
                expect((error as Error).message).to.match(/^SQS message id-7: /);
                expect((error as Error).message).to.match(reason);
            });
        }
    });

    describe("both Lambdas against s3rver", function () {
        let s3: LocalS3;
        const logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];
        const record = (level: string) => (message: string, data?: Record<string, unknown>) => void logs.push({ level, message, data });
        const logger = { info: record("info"), warn: record("warn"), error: record("error") };
        const sent: Alert[] = [];
        const archiveKey = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/25/111122223333_CloudTrail_eu-west-1_20261125T1010Z_stoplogging.json.gz";
        let lakeKeys: string[] = [];

        const normaliser = () => createHandler({ s3: s3.client, lakeBucket: LAKE, logger: logger as never });
        const evaluator = () =>
            createEventEvaluator({
                settings: fixtureSettings(),
                dedup: new MemoryDedupStore(),
                destinations: [{ name: "recorder", minSeverity: "low", send: async (alert) => void sent.push(alert) }],
                logger,
                s3: s3.client,
                now: () => Date.parse("2026-11-25T10:12:00Z"),
            });

        before(async () => {
            s3 = await startLocalS3([ARCHIVE, LAKE]);
            const body = zlib.gzipSync(fs.readFileSync(path.join(ALERT_FIXTURES, "stop-logging.json")));
            await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: archiveKey, Body: body }));
        });
        after(async () => s3.stop());
        beforeEach(() => {
            logs.length = 0;
            sent.length = 0;
        });

        it("the normaliser normalises a log announced through SNS, consumes a wrapped s3:TestEvent, and fails the strangers by message id", async () => {
            const bodies = [
                JSON.stringify(snsEnvelope(s3Notification(ARCHIVE, archiveKey))),
                JSON.stringify(snsEnvelope(TEST_EVENT)),
                ...STRANGERS.map(([, body]) => body),
            ];
            const response = (await normaliser()(sqsEvent(bodies), context)) as SQSBatchResponse;
            expect(response.batchItemFailures).to.deep.equal(STRANGERS.map((_, index) => ({ itemIdentifier: `message-${index + 2}` })));
            lakeKeys = ((await s3.client.send(new ListObjectsV2Command({ Bucket: LAKE }))).Contents ?? []).map((object) => object.Key!);
            expect(lakeKeys).to.have.length(1);
            expect(logs.find((line) => line.message === "skipped: s3:TestEvent")?.data).to.deep.equal({ messageId: "message-1", envelope: "sns" });
            const refused = logs.filter((line) => line.message === "not an S3 object notification");
            expect(refused.map((line) => line.data?.messageId)).to.deep.equal(STRANGERS.map((_, index) => `message-${index + 2}`));
            refused.forEach((line, index) => expect(String(line.data?.reason)).to.match(STRANGERS[index][2]));
        });

        it("the event evaluator alerts on a normalised file announced through SNS or EventBridge, and fails the strangers by message id", async () => {
            const bodies = [
                JSON.stringify(snsEnvelope(s3Notification(LAKE, lakeKeys[0]))),
                JSON.stringify(eventBridgeObjectCreated(LAKE, lakeKeys[0])),
                JSON.stringify(TEST_EVENT),
                ...STRANGERS.map(([, body]) => body),
            ];
            const response = await evaluator()(sqsEvent(bodies));
            expect(response.batchItemFailures).to.deep.equal(STRANGERS.map((_, index) => ({ itemIdentifier: `message-${index + 3}` })));
            // The second announcement of the same file is a repeat inside the dedup window: one alert.
            expect(sent.map((alert) => alert.detection)).to.deep.equal(["cloudtrail-logging-stopped"]);
            expect(logs.filter((line) => line.message === "alert repeat within dedup window")).to.have.length(1);
            const refused = logs.filter((line) => line.message === "not an S3 object notification");
            expect(refused.map((line) => line.data?.messageId)).to.deep.equal(STRANGERS.map((_, index) => `message-${index + 3}`));
        });

        it("the event evaluator names the bucket, key and version of a deleted object and of an empty one", async () => {
            const emptyKey = lakeKeys[0].replace(/[^/]+$/, "empty.json.gz");
            const goneKey = lakeKeys[0].replace(/[^/]+$/, "gone.json.gz");
            await s3.client.send(new PutObjectCommand({ Bucket: LAKE, Key: emptyKey, Body: Buffer.alloc(0) }));
            await s3.client.send(new PutObjectCommand({ Bucket: LAKE, Key: goneKey, Body: Buffer.from("x") }));
            await s3.client.send(new DeleteObjectCommand({ Bucket: LAKE, Key: goneKey }));
            const response = await evaluator()(
                sqsEvent([JSON.stringify(s3Notification(LAKE, goneKey, { versionId: "3HL4kqtJlcpXroDTDmJ" })), JSON.stringify(s3Notification(LAKE, emptyKey))]),
            );
            expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: "message-0" }, { itemIdentifier: "message-1" }]);
            const failures = logs.filter((line) => line.message === "alert evaluation of an object failed").map((line) => line.data);
            expect(failures).to.deep.equal([
                { bucket: LAKE, key: goneKey, versionId: "3HL4kqtJlcpXroDTDmJ", reason: "the object does not exist (deleted, or never written)" },
                { bucket: LAKE, key: emptyKey, reason: "the object is empty (0 bytes), not a gzip file the normaliser wrote" },
            ]);
            const batchLines = logs.filter((line) => line.message === "alert evaluation failed").map((line) => String(line.data?.reason));
            expect(batchLines[0]).to.contain(`s3://${LAKE}/${goneKey} (version 3HL4kqtJlcpXroDTDmJ)`);
            expect(batchLines[1]).to.contain(`s3://${LAKE}/${emptyKey}`);
        });
    });
});
