/**
 * The normaliser Lambda: S3 "object created" notifications for the archive, delivered through
 * SQS (as S3 sends them, wrapped in SNS, or as EventBridge events: lambda/shared/notifications.ts)
 * or directly, each turned into normalised objects in the lake. A message that announces no object
 * in any of these forms is logged with its message id and failed, so it reaches the dead-letter queue. A file that fails fails
 * only its own SQS message (partial batch response), is logged with bucket, key and reason, and
 * is retried until the queue's redrive policy moves it to the dead-letter queue. The archive is
 * only ever read.
 */
import * as fs from "node:fs";
import { Readable } from "node:stream";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Context, S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { normaliseLogFile } from "./core";
import { decodeS3EventKey, isNormalisable, outputFileName, parseLogKey } from "../../contract/keys";
import { firstVersionOf } from "./versions";
import { NotAnObjectNotification, objectsOfMessage } from "../shared/notifications";
import { s3Client } from "../shared/s3";

import { ACCOUNTS_FILE, METRICS_NAMESPACE, SERVICE_NAME, SUSPICIOUS_METRIC, SuspiciousReason } from "../../contract/suspicious";

export { METRICS_NAMESPACE, SERVICE_NAME, SUSPICIOUS_METRIC } from "../../contract/suspicious";
export type { SuspiciousReason } from "../../contract/suspicious";

export interface HandlerDependencies {
    /** Writes the lake (the stack's bucket, in the function's region). */
    readonly s3: S3Client;
    /** Reads the archive, which may be in another region (trailMode existing). @default s3 */
    readonly archiveS3?: S3Client;
    /** Lake bucket the normalised objects go to. */
    readonly lakeBucket: string;
    /** ARN of the archive's KMS key: a file encrypted otherwise is reported as suspicious. Unset: not checked. */
    readonly archiveKeyArn?: string;
    /** Structured logger; defaults to Powertools' JSON logger. Tests pass one that records. */
    readonly logger?: Pick<Logger, "info" | "warn" | "error">;
    /**
     * The configured accounts (`cloudtrail-lake:accounts`): logs of any other account are left alone and
     * counted in one log line per invocation. Unset: every account is normalised (local tests).
     */
    readonly accountIds?: ReadonlySet<string>;
    /**
     * Whether to check that a notified version is the key's first (needs s3:ListBucketVersions). False in
     * existing mode: the bucket is another team's, the role reads objects only.
     */
    readonly verifyFirstVersion?: boolean;
    /** CloudWatch metrics (embedded metric format); defaults to Powertools' Metrics. */
    readonly metrics?: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
}

/** What happened to one archive object. */
export interface ObjectOutcome {
    readonly bucket: string;
    readonly key: string;
    readonly status: "normalised" | "skipped";
    /** Set when the file was skipped because its account is not configured. */
    readonly unlistedAccount?: string;
    readonly events: number;
    readonly outputs: string[];
    /** Set when the file is suspicious (logged and counted in {@link SUSPICIOUS_METRIC}). */
    readonly suspicious?: SuspiciousReason[];
}

/** An S3 notification invoking the function directly (no queue): event records, or the one-off `s3:TestEvent`. */
interface S3Notification {
    readonly Service?: string;
    readonly Event?: string;
    readonly Records?: S3Event["Records"];
}

export function createHandler(dependencies: HandlerDependencies) {
    const logger = dependencies.logger ?? new Logger({ serviceName: SERVICE_NAME });
    const metrics = dependencies.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const processor = new BatchProcessor(EventType.SQS);
    const archiveS3 = dependencies.archiveS3 ?? dependencies.s3;

    /** A named reason in a structured log line, and one count of the metric the alarm watches. */
    function reportSuspicious(reason: SuspiciousReason, details: Record<string, unknown>): void {
        logger.warn("suspicious archive file", { reason, ...details });
        metrics.addMetric(SUSPICIOUS_METRIC, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
    }

    async function normaliseObject(bucket: string, key: string, versionId: string | undefined): Promise<ObjectOutcome> {
        const location = parseLogKey(key);
        if (!isNormalisable(location)) {
            logger.info("skipped: not a CloudTrail log file", { bucket, key, kind: location.kind });
            return { bucket, key, status: "skipped", events: 0, outputs: [] };
        }
        // An organization trail (or another team's archive) holds every account of the organization; only
        // the configured ones are normalised, converted and projected.
        if (dependencies.accountIds && location.account !== undefined && !dependencies.accountIds.has(location.account)) {
            return { bucket, key, status: "skipped", events: 0, outputs: [], unlistedAccount: location.account };
        }
        try {
            if (!dependencies.lakeBucket) throw new Error("the LAKE_BUCKET environment variable is not set");
            const suspicious: SuspiciousReason[] = [];
            // The archive is versioned (Object Lock requires it), so notifications carry the version:
            // only a key's first version is what CloudTrail delivered.
            if (versionId !== undefined && dependencies.verifyFirstVersion !== false) {
                const first = await firstVersionOf(archiveS3, bucket, key);
                if (first !== versionId) {
                    reportSuspicious("overwritten-log-version", { bucket, key, versionId, firstVersionId: first ?? null });
                    return { bucket, key, status: "skipped", events: 0, outputs: [], suspicious: ["overwritten-log-version"] };
                }
            }
            const object = await archiveS3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
            if (dependencies.archiveKeyArn && (object.ServerSideEncryption !== "aws:kms" || object.SSEKMSKeyId !== dependencies.archiveKeyArn)) {
                suspicious.push("not-encrypted-under-archive-key");
                reportSuspicious("not-encrypted-under-archive-key", {
                    bucket,
                    key,
                    versionId: versionId ?? null,
                    serverSideEncryption: object.ServerSideEncryption ?? null,
                    kmsKeyId: object.SSEKMSKeyId ?? null,
                    archiveKeyArn: dependencies.archiveKeyArn,
                });
            }
            const normalised = await normaliseLogFile(object.Body as Readable, {
                fileName: outputFileName(location.fileName),
                defaults: { account: location.account, region: location.region, date: location.date },
            });
            try {
                // Published only once the whole file was read: a failed file leaves no partial output behind.
                for (const output of normalised.outputs) {
                    await dependencies.s3.send(
                        new PutObjectCommand({
                            Bucket: dependencies.lakeBucket,
                            Key: output.key,
                            Body: fs.createReadStream(output.tempPath),
                            ContentLength: output.bytes,
                            ContentType: "application/gzip",
                        }),
                    );
                }
            } finally {
                await normalised.cleanup();
            }
            const outputs = normalised.outputs.map((output) => output.key);
            if (normalised.repaired) {
                // The archived object keeps the original text; the lake holds U+FFFD in its place (./wellFormed.ts).
                logger.warn("values repaired: lone UTF-16 surrogates replaced by U+FFFD", { bucket, key, eventsByField: normalised.repaired });
            }
            logger.info("normalised", { bucket, key, events: normalised.events, outputs });
            return { bucket, key, status: "normalised", events: normalised.events, outputs, ...(suspicious.length > 0 ? { suspicious } : {}) };
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
            outcomes.push(await normaliseObject(record.s3.bucket.name, decodeS3EventKey(record.s3.object.key), record.s3.object.versionId ?? undefined));
        }
        return outcomes;
    }

    /** One log line per invocation counting what was left alone, so an organization's other accounts are visible, not silent. */
    function reportUnlisted(outcomes: readonly ObjectOutcome[]): void {
        const byAccount: Record<string, number> = {};
        for (const outcome of outcomes) if (outcome.unlistedAccount) byAccount[outcome.unlistedAccount] = (byAccount[outcome.unlistedAccount] ?? 0) + 1;
        const files = Object.values(byAccount).reduce((sum, count) => sum + count, 0);
        if (files > 0) logger.info("skipped: logs of accounts not listed in cloudtrail-lake:accounts", { files, byAccount });
    }

    async function handleSqsRecord(record: SQSRecord): Promise<ObjectOutcome[]> {
        let content;
        try {
            content = objectsOfMessage(record.messageId, record.body);
        } catch (error) {
            // Not news of an object: logged by message id and failed, so that the queue's redrive moves it to the dead-letter queue.
            if (error instanceof NotAnObjectNotification) logger.error("not an S3 object notification", { messageId: record.messageId, reason: error.message });
            throw error;
        }
        if (content.testEvent) logger.info("skipped: s3:TestEvent", { messageId: record.messageId, envelope: content.envelope });
        for (const entry of content.ignored)
            logger.info(content.envelope.endsWith("eventbridge") ? "skipped: not an S3 Object Created event" : "skipped: not an object creation", {
                messageId: record.messageId,
                ...entry,
            });
        const outcomes: ObjectOutcome[] = [];
        for (const object of content.objects) outcomes.push(await normaliseObject(object.bucket, object.key, object.versionId));
        invocationOutcomes.push(...outcomes);
        return outcomes;
    }

    let invocationOutcomes: ObjectOutcome[] = [];

    return async function handler(event: SQSEvent | S3Event, context: Context): Promise<SQSBatchResponse | ObjectOutcome[]> {
        const first = event.Records?.[0] as { eventSource?: string } | undefined;
        if (first?.eventSource === "aws:s3") {
            const outcomes = await handleNotification(event as S3Event);
            reportUnlisted(outcomes);
            return outcomes;
        }
        invocationOutcomes = [];
        try {
            // One file at a time (Powertools would run the batch's records all at once): memory, /tmp and
            // CPU are sized for one of the largest files CloudTrail writes (docs/architecture.md, "The normaliser").
            return await processPartialResponse(event as SQSEvent, handleSqsRecord, processor, { context, processInParallel: false });
        } finally {
            reportUnlisted(invocationOutcomes);
        }
    };
}

/**
 * The configured accounts, shipped beside the code as `accounts.json` (components/normaliser): Lambda's
 * 4 KB of environment variables would not hold 1,000 ids. Absent (a local bundle): no filter.
 */
export function readAccountIds(file: string): ReadonlySet<string> | undefined {
    if (!fs.existsSync(file)) return undefined;
    const ids: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) throw new Error(`${file}: expected a JSON list of account ids`);
    return new Set(ids);
}

/** The deployed entry point; the lake bucket comes from the function's environment. */
export const handler = createHandler({
    s3: s3Client(),
    // ARCHIVE_REGION: the existing archive's region when the stack knows it (components/normaliser).
    archiveS3: s3Client({ region: process.env.ARCHIVE_REGION || undefined }),
    lakeBucket: process.env.LAKE_BUCKET ?? "",
    archiveKeyArn: process.env.ARCHIVE_KEY_ARN || undefined,
    accountIds: readAccountIds(`${__dirname}/${ACCOUNTS_FILE}`),
    verifyFirstVersion: process.env.VERIFY_FIRST_VERSION !== "false",
});
