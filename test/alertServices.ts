/**
 * Local stand-ins for the alert functions' AWS services, reached by the real SDK clients:
 * DynamoDB = dynalite (an implementation of DynamoDB's API on LevelDB, in memory), SNS and
 * EventBridge = an HTTP endpoint on 127.0.0.1 that records every request and answers as AWS does.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite");

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

export interface LocalDynamo {
    readonly client: DynamoDBClient;
    createDedupTable(name: string): Promise<void>;
    stop(): Promise<void>;
}

export async function startLocalDynamo(): Promise<LocalDynamo> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", credentials });
    return {
        client,
        async createDedupTable(name) {
            // The table the Alerting component declares: partition key alertKey, on-demand.
            await client.send(
                new CreateTableCommand({
                    TableName: name,
                    AttributeDefinitions: [{ AttributeName: "alertKey", AttributeType: "S" }],
                    KeySchema: [{ AttributeName: "alertKey", KeyType: "HASH" }],
                    BillingMode: "PAY_PER_REQUEST",
                }),
            );
        },
        async stop() {
            client.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

export interface RecordedRequest {
    readonly service: "sns" | "eventbridge";
    readonly operation: string;
    /** SNS: the form fields; EventBridge: the JSON body. */
    readonly body: Record<string, unknown>;
}

export interface RecordingEndpoint {
    readonly requests: RecordedRequest[];
    readonly sns: SNSClient;
    readonly eventBridge: EventBridgeClient;
    /** The next EventBridge answer reports this entry error (as PutEvents does, with HTTP 200). */
    failNextPutEvents(errorCode: string): void;
    stop(): Promise<void>;
}

export async function startRecordingEndpoint(): Promise<RecordingEndpoint> {
    const requests: RecordedRequest[] = [];
    let putEventsFailure: string | undefined;
    let sequence = 0;
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk) => chunks.push(chunk));
        request.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const target = String(request.headers["x-amz-target"] ?? "");
            if (target.startsWith("AWSEvents.")) {
                const body = JSON.parse(text);
                requests.push({ service: "eventbridge", operation: target.slice("AWSEvents.".length), body });
                const failure = putEventsFailure;
                putEventsFailure = undefined;
                response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                response.end(
                    JSON.stringify(
                        failure
                            ? { FailedEntryCount: 1, Entries: [{ ErrorCode: failure, ErrorMessage: "recorded failure" }] }
                            : { FailedEntryCount: 0, Entries: body.Entries.map(() => ({ EventId: `event-${++sequence}` })) },
                    ),
                );
                return;
            }
            // SNS speaks the AWS query protocol: form fields in, XML out.
            const form = Object.fromEntries(new URLSearchParams(text));
            requests.push({ service: "sns", operation: String(form.Action), body: form });
            response.writeHead(200, { "content-type": "text/xml" });
            response.end(
                `<${form.Action}Response xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><${form.Action}Result><MessageId>message-${++sequence}</MessageId></${form.Action}Result><ResponseMetadata><RequestId>r-${sequence}</RequestId></ResponseMetadata></${form.Action}Response>`,
            );
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sns = new SNSClient({ endpoint, region: "eu-west-1", credentials, maxAttempts: 1 });
    const eventBridge = new EventBridgeClient({ endpoint, region: "eu-west-1", credentials, maxAttempts: 1 });
    return {
        requests,
        sns,
        eventBridge,
        failNextPutEvents(errorCode) {
            putEventsFailure = errorCode;
        },
        async stop() {
            sns.destroy();
            eventBridge.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
