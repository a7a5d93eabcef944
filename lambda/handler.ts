/**
 * The normaliser Lambda: S3 "object created" notifications for the archive, delivered through
 * SQS (or directly), each turned into normalised objects in the lake. A file that fails fails
 * only its own SQS message (partial batch response), is logged with bucket, key and reason, and
 * is retried until the queue's redrive policy moves it to the dead-letter queue. The archive is
 * only ever read.
 */
import * as fs from "node:fs";
import { Readable } from "node:stream";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { normaliseLogFile } from "./core";
import { decodeS3EventKey, isNormalisable, outputFileName, parseLogKey } from "./layout";

export interface HandlerDependencies {
    readonly s3: S3Client;
    /** Lake bucket the normalised objects go to. */
    readonly lakeBucket: string;
    /** Structured logger; defaults to Powertools' JSON logger. Tests pass one that records. */
    readonly logger?: Pick<Logger, "info" | "error">;
}

/** What happened to one archive object. */
export interface ObjectOutcome {
    readonly bucket: string;
    readonly key: string;
    readonly status: "normalised" | "skipped";
    readonly events: number;
    readonly outputs: string[];
}

/** An S3 notification as SQS carries it: event records, or the one-off `s3:TestEvent`. */
interface S3Notification {
    readonly Service?: string;
    readonly Event?: string;
    readonly Records?: S3Event["Records"];
}

export function createHandler(dependencies: HandlerDependencies) {
    const logger = dependencies.logger ?? new Logger({ serviceName: "cloudtrail-lake-normaliser" });
    const processor = new BatchProcessor(EventType.SQS);

    async function normaliseObject(bucket: string, encodedKey: string): Promise<ObjectOutcome> {
        const key = decodeS3EventKey(encodedKey);
        const location = parseLogKey(key);
        if (!isNormalisable(location)) {
            logger.info("skipped: not a CloudTrail log file", { bucket, key, kind: location.kind });
            return { bucket, key, status: "skipped", events: 0, outputs: [] };
        }
        try {
            if (!dependencies.lakeBucket) throw new Error("the LAKE_BUCKET environment variable is not set");
            const object = await dependencies.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            const normalised = await normaliseLogFile(object.Body as Readable, {
                fileName: outputFileName(location.fileName),
                defaults: { account: location.account, region: location.region, date: location.date },
            });
            try {
                // Published only once the whole file was read: a failed file leaves no partial output behind.
                for (const output of normalised.outputs) {
                    await dependencies.s3.send(new PutObjectCommand({
                        Bucket: dependencies.lakeBucket,
                        Key: output.key,
                        Body: fs.createReadStream(output.tempPath),
                        ContentLength: output.bytes,
                        ContentType: "application/gzip",
                    }));
                }
            } finally {
                await normalised.cleanup();
            }
            const outputs = normalised.outputs.map((output) => output.key);
            logger.info("normalised", { bucket, key, events: normalised.events, outputs });
            return { bucket, key, status: "normalised", events: normalised.events, outputs };
        } catch (error) {
            logger.error("normalise failed", { bucket, key, reason: (error as Error).message });
            throw new Error(`s3://${bucket}/${key}: ${(error as Error).message}`, { cause: error });
        }
    }

    async function handleNotification(notification: S3Notification): Promise<ObjectOutcome[]> {
        if (notification.Event === "s3:TestEvent") {
            logger.info("skipped: s3:TestEvent");
            return [];
        }
        const outcomes: ObjectOutcome[] = [];
        for (const record of notification.Records ?? []) {
            if (!record.eventName?.startsWith("ObjectCreated:")) {
                logger.info("skipped: not an object creation", { eventName: record.eventName });
                continue;
            }
            outcomes.push(await normaliseObject(record.s3.bucket.name, record.s3.object.key));
        }
        return outcomes;
    }

    async function handleSqsRecord(record: SQSRecord): Promise<ObjectOutcome[]> {
        let notification: S3Notification;
        try {
            notification = JSON.parse(record.body);
        } catch {
            throw new Error(`SQS message ${record.messageId}: body is not JSON, not an S3 notification`);
        }
        return handleNotification(notification);
    }

    return async function handler(event: SQSEvent | S3Event, context: Context): Promise<SQSBatchResponse | ObjectOutcome[]> {
        const first = event.Records?.[0] as { eventSource?: string } | undefined;
        if (first?.eventSource === "aws:s3") return handleNotification(event as S3Event);
        return processPartialResponse(event as SQSEvent, handleSqsRecord, processor, { context });
    };
}

/** The deployed entry point; the lake bucket comes from the function's environment. */
export const handler = createHandler({
    s3: new S3Client({}),
    lakeBucket: process.env.LAKE_BUCKET ?? "",
});
