import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createHandler } from "../lambda/normaliser/handler";
import { Alert } from "../lambda/alerts/alert";
import { DynamoDedupStore } from "../lambda/alerts/dedup";
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, eventBridgeDestination, snsDestination } from "../lambda/alerts/destinations";
import { createEventEvaluator } from "../lambda/alerts/handlers";
import { AlertingSettings, RECENT_TABLE } from "../contract/alerting";
import { ALERT_FIXTURES, FIXTURE_DETECTIONS, fixtureSettings } from "./alertFixtures";

const ARCHIVE = "archive";
const LAKE = "lake";
const TOPIC = "arn:aws:sns:eu-west-1:999999999999:cloudtrail-lake-alerts";
const NOW = Date.parse("2026-11-25T10:12:00Z");
import { Engine } from "../lambda/shared/engine";
import { loadNormalisedFiles } from "../lambda/alerts/evaluate";
import { LocalDynamo, RecordingEndpoint, startLocalDynamo, startRecordingEndpoint } from "./alertServices";
import { LocalS3, startLocalS3 } from "./s3server";

function sqsEvent(bucket: string, keys: string[]): SQSEvent {
    return {
        Records: keys.map((key, index) => ({
            messageId: `message-${index}`,
            receiptHandle: `r-${index}`,
            attributes: {} as never,
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:eu-west-1:999999999999:q",
            awsRegion: "eu-west-1",
            body: JSON.stringify({
                Records: [
                    {
                        eventSource: "aws:s3",
                        eventName: "ObjectCreated:Put",
                        s3: { bucket: { name: bucket }, object: { key: key.split("/").map(encodeURIComponent).join("/") } },
                    },
                ],
            }),
        })),
    };
}

describe("alerts: a log file lands, alerts go out (s3rver, dynalite, recorded SNS and EventBridge)", function () {
    let s3: LocalS3;
    let dynamo: LocalDynamo;
    let endpoint: RecordingEndpoint;
    let tables = 0;
    const logs: { message: string; details?: Record<string, unknown> }[] = [];
    const logger = {
        info: (message: string, details?: Record<string, unknown>) => {
            logs.push({ message, details });
        },
        error: (message: string, details?: Record<string, unknown>) => {
            logs.push({ message: `ERROR ${message}`, details });
        },
    };

    before(async () => {
        [s3, dynamo, endpoint] = await Promise.all([startLocalS3([ARCHIVE, LAKE]), startLocalDynamo(), startRecordingEndpoint()]);
    });
    after(async () => Promise.all([s3.stop(), dynamo.stop(), endpoint.stop()]));
    beforeEach(() => {
        endpoint.requests.length = 0;
        logs.length = 0;
    });

    /** The normaliser Lambda writes the fixture's normalised file(s) to the lake; returns their keys. */
    async function land(fixture: string): Promise<string[]> {
        const name = `111122223333_CloudTrail_eu-west-1_20261125T1010Z_${fixture.replace(/\W/g, "")}.json.gz`;
        const key = `AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/25/${name}`;
        await s3.client.send(new PutObjectCommand({ Bucket: ARCHIVE, Key: key, Body: zlib.gzipSync(fs.readFileSync(path.join(ALERT_FIXTURES, fixture))) }));
        const normaliser = createHandler({ s3: s3.client, lakeBucket: LAKE, logger: { info() {}, error() {} } as never });
        const response = (await normaliser(sqsEvent(ARCHIVE, [key]), {} as Context)) as SQSBatchResponse;
        expect(response.batchItemFailures).to.deep.equal([]);
        const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: LAKE, Prefix: "normalised/" }));
        return (listed.Contents ?? []).map((object) => object.Key!).filter((lakeKey) => lakeKey.endsWith(name));
    }

    async function evaluator(settings: AlertingSettings = fixtureSettings()) {
        const table = `dedup-${++tables}`;
        await dynamo.createDedupTable(table);
        const handler = createEventEvaluator({
            settings,
            dedup: new DynamoDedupStore(dynamo.client, table),
            destinations: [
                snsDestination(endpoint.sns, TOPIC, settings.sns!.minSeverity),
                eventBridgeDestination(endpoint.eventBridge, settings.eventBridge!.busName, settings.eventBridge!.minSeverity),
            ],
            logger,
            s3: s3.client,
            now: () => NOW,
        });
        return { handler, table };
    }

    const expectedAlert = (query: string): Alert => ({
        alertId: "cloudtrail-logging-stopped:111122223333:arn:aws:sts::111122223333:assumed-role/ops-admin/mallory:2026-11-25T10:02:00Z",
        detection: "cloudtrail-logging-stopped",
        title: "CloudTrail logging stopped or trail deleted",
        severity: "critical",
        kind: "event",
        tactics: ["TA0005"],
        techniques: ["T1562.008"],
        account: "111122223333",
        accountName: "prod",
        region: "eu-west-1",
        regions: ["eu-west-1"],
        principal: "arn:aws:sts::111122223333:assumed-role/ops-admin/mallory",
        sourceIp: "203.0.113.7",
        sourceNetwork: "outside AWS (ranges of 2026-08-22)",
        sourceIps: ["203.0.113.7"],
        sourceNetworks: { "203.0.113.7": "outside AWS (ranges of 2026-08-22)" },
        userAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023",
        firstSeen: "2026-11-25T10:02:00Z",
        lastSeen: "2026-11-25T10:02:00Z",
        count: 1,
        eventIds: ["00000000-0000-4000-8000-000000000002"],
        eventIdsTruncated: false,
        eventNames: ["StopLogging"],
        details: ["arn:aws:cloudtrail:eu-west-1:111122223333:trail/cloudtrail-lake"],
        description: "A trail was stopped or deleted, including denied attempts: the evidence this lake collects is being cut off.",
        runbook: "Ask the principal's owner; if unknown, revoke its sessions, StartLogging on the trail, and review its other calls from this source IP.",
        query,
    });

    it("sends one critical alert to SNS and EventBridge with every field an on-call engineer needs", async () => {
        const keys = await land("stop-logging.json");
        expect(keys).to.have.length(1);
        expect(keys[0]).to.match(/^normalised\/account=111122223333\/region=eu-west-1\/date=2026-11-25\//);
        const { handler } = await evaluator();
        expect(await handler(sqsEvent(LAKE, keys))).to.deep.equal({ batchItemFailures: [] });

        expect(endpoint.requests.map((request) => `${request.service}:${request.operation}`)).to.deep.equal(["sns:Publish", "eventbridge:PutEvents"]);
        const [sns, eventBridge] = endpoint.requests;
        const published = JSON.parse(String(sns.body.Message));
        const alert = JSON.parse(published.default) as Alert;
        expect(alert.query).to.equal(
            [
                "SELECT * FROM (",
                "SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal,",
                "       sourceipaddress, useragent, eventid, coalesce(errorcode, json_extract_scalar(requestparameters, '$.name')) AS detail",
                "FROM cloudtrail_recent",
                "WHERE \"date\" BETWEEN '2026-11-25' AND '2026-11-25' AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-11-25T10:02:00Z') AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('2026-11-25T10:02:01Z')",
                "  AND eventsource = 'cloudtrail.amazonaws.com'",
                "  AND eventname IN ('StopLogging', 'DeleteTrail')",
                "ORDER BY eventtime",
                ") AS hits",
                "WHERE account = '111122223333' AND principal = 'arn:aws:sts::111122223333:assumed-role/ops-admin/mallory'",
                "ORDER BY eventtime",
            ].join("\n"),
        );
        expect(alert).to.deep.equal(expectedAlert(alert.query));
        expect(sns.body).to.deep.include({
            "Action": "Publish",
            "TopicArn": TOPIC,
            "Subject": "[CRITICAL] CloudTrail logging stopped or trail deleted - prod",
            "MessageStructure": "json",
            "MessageAttributes.entry.1.Name": "severity",
            "MessageAttributes.entry.1.Value.StringValue": "critical",
            "MessageAttributes.entry.2.Name": "detection",
            "MessageAttributes.entry.2.Value.StringValue": "cloudtrail-logging-stopped",
            "MessageAttributes.entry.3.Name": "account",
            "MessageAttributes.entry.3.Value.StringValue": "111122223333",
        });
        expect(Object.keys(published).sort()).to.deep.equal(["default", "email", "email-json", "sms"]);
        expect(published.email).to.contain("Principal:  arn:aws:sts::111122223333:assumed-role/ops-admin/mallory");
        expect(published.email).to.contain("Account:    111122223333 (prod)");
        expect(published.email).to.contain("Runbook: Ask the principal's owner");
        expect(published.email).to.contain("ATT&CK:     TA0005, T1562.008");

        expect(eventBridge.body).to.deep.equal({
            Entries: [
                {
                    Source: EVENT_SOURCE,
                    DetailType: EVENT_DETAIL_TYPE,
                    Detail: published.default,
                    EventBusName: "security",
                    Time: Date.parse("2026-11-25T10:02:00Z") / 1000,
                },
            ],
        });
        expect(EVENT_SOURCE).to.equal("cloudtrail-lake");
        expect(EVENT_DETAIL_TYPE).to.equal("CloudTrail Lake Alert");
    });

    it("the alert's Athena query, run on the same file, shows exactly the alert's events", async () => {
        const keys = await land("stop-logging.json");
        const { handler } = await evaluator();
        await handler(sqsEvent(LAKE, keys));
        const alert = JSON.parse(JSON.parse(String(endpoint.requests[0].body.Message)).default) as Alert;
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), "alert-query-"));
        const local = path.join(directory, keys[0]);
        fs.mkdirSync(path.dirname(local), { recursive: true });
        const object = await s3.client.send(new GetObjectCommand({ Bucket: LAKE, Key: keys[0] }));
        fs.writeFileSync(local, Buffer.from(await object.Body!.transformToByteArray()));
        const engine = await Engine.open();
        try {
            await loadNormalisedFiles(engine, [local]);
            await engine.run(`CREATE VIEW ${RECENT_TABLE} AS SELECT * FROM cloudtrail`);
            expect((await engine.all(alert.query)).map((row) => row.eventid)).to.deep.equal(alert.eventIds);
        } finally {
            engine.close();
            fs.rmSync(directory, { recursive: true, force: true });
        }
    });

    it("the same file delivered twice gives one alert, and the dedup count stays the number of distinct events", async () => {
        const keys = await land("stop-logging.json");
        const { handler, table } = await evaluator();
        await handler(sqsEvent(LAKE, keys));
        await handler(sqsEvent(LAKE, keys));
        await handler(sqsEvent(LAKE, [...keys, ...keys]));
        expect(endpoint.requests.map((request) => request.operation)).to.deep.equal(["Publish", "PutEvents"]);
        const item = await dynamo.client.send(
            new GetItemCommand({
                TableName: table,
                Key: { alertKey: { S: "cloudtrail-logging-stopped|111122223333|arn:aws:sts::111122223333:assumed-role/ops-admin/mallory" } },
            }),
        );
        expect(item.Item?.eventIds.SS).to.deep.equal(["00000000-0000-4000-8000-000000000002"]);
        expect(item.Item?.sent.BOOL).to.equal(true);
        expect(Number(item.Item?.expiresAt.N)).to.equal(NOW / 1000 + 3600);
        expect(logs.filter((log) => log.message === "alert repeat within dedup window").map((log) => log.details?.windowCount)).to.deep.equal([1, 1, 1]);
    });

    it("the stack's deploy role, suppressed by one line of config, gives no alert", async () => {
        const keys = await land("stop-logging-by-deploy-role.json");
        const { handler } = await evaluator();
        expect(await handler(sqsEvent(LAKE, keys))).to.deep.equal({ batchItemFailures: [] });
        expect(endpoint.requests).to.deep.equal([]);
        expect(logs.find((log) => log.message === "rows suppressed")?.details).to.deep.include({
            suppressed: 1,
            reasons: ["the stack's own deploy role (pulumi up)"],
        });
        // Without the suppression the same file alerts: the fixture is a real positive.
        const unsuppressed = await evaluator(fixtureSettings({ suppressions: [] }));
        await unsuppressed.handler(sqsEvent(LAKE, keys));
        expect(endpoint.requests.map((request) => request.operation)).to.deep.equal(["Publish", "PutEvents"]);
    });

    it("a file of benign events gives no alert", async () => {
        const keys = await land("benign.json");
        const { handler } = await evaluator();
        expect(await handler(sqsEvent(LAKE, keys))).to.deep.equal({ batchItemFailures: [] });
        expect(endpoint.requests).to.deep.equal([]);
        expect(logs.filter((log) => log.message.startsWith("ERROR"))).to.deep.equal([]);
    });

    it("a medium alert goes to EventBridge only (SNS threshold high)", async () => {
        const mediumStop = FIXTURE_DETECTIONS.map((detection) => (detection.kind === "event" ? { ...detection, severity: "medium" as const } : detection));
        const keys = await land("stop-logging.json");
        const { handler } = await evaluator(fixtureSettings({ detections: mediumStop }));
        await handler(sqsEvent(LAKE, keys));
        expect(endpoint.requests.map((request) => request.service)).to.deep.equal(["eventbridge"]);
    });

    it("a destination that refuses the alert fails the message and releases the claim, so the retry sends it", async () => {
        const keys = await land("stop-logging.json");
        const { handler } = await evaluator();
        endpoint.failNextPutEvents("ThrottlingException");
        expect(await handler(sqsEvent(LAKE, keys))).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "message-0" }] });
        expect(logs.find((log) => log.message === "ERROR alert evaluation failed")?.details?.reason).to.match(
            /EventBridge refused the alert .*ThrottlingException/,
        );
        endpoint.requests.length = 0;
        expect(await handler(sqsEvent(LAKE, keys))).to.deep.equal({ batchItemFailures: [] });
        expect(endpoint.requests.map((request) => request.operation)).to.deep.equal(["Publish", "PutEvents"]);
    });
});
