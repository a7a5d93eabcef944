/**
 * The two alert functions.
 *
 * - Event evaluator: S3 "object created" notifications of the lake's `normalised/` prefix, through
 *   SQS (in any envelope of lambda/shared/notifications.ts; anything else fails its message, so it
 *   reaches the dead-letter queue). Each normalised file is downloaded to /tmp and every kind=event detection runs over it
 *   (DuckDB). A file that fails fails only its own message (partial batch response) and is retried;
 *   dedup makes the retry harmless.
 * - Scheduled evaluator: every `scheduleMinutes`, the threshold and correlation detections run on
 *   Athena over the normalised JSON table, window = [now - schedule - lookback, now); the first-seen
 *   ones also read their history, the days before the window (contract/detections.ts `${history}`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { AthenaClient } from "@aws-sdk/client-athena";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { runAthenaQuery } from "../shared/athena";
import { Suppressions } from "../../contract/suppressions";
import { Engine } from "../shared/engine";
import { AnnouncedObject, NotAnObjectNotification, objectsOfMessage } from "../shared/notifications";
import { AlertContext, Destination, EvaluationResult, raiseAlerts } from "./alert";
import { isoSeconds, sqlForWindow } from "./catalogue";
import { DedupStore } from "./dedup";
import { evaluateEventDetections } from "./evaluate";
import { AlertingSettings } from "../../contract/alerting";

export interface Logger {
    info(message: string, details?: Record<string, unknown>): void;
    error(message: string, details?: Record<string, unknown>): void;
}

export interface AlertDependencies {
    readonly settings: AlertingSettings;
    readonly dedup: DedupStore;
    readonly destinations: readonly Destination[];
    readonly logger: Logger;
    readonly now?: () => number;
}

export function alertContext(dependencies: AlertDependencies): AlertContext {
    const { settings } = dependencies;
    const now = dependencies.now ?? Date.now;
    return {
        suppressions: new Suppressions(settings.suppressions),
        accountNames: settings.accountNames,
        dedup: dependencies.dedup,
        dedupWindowMs: settings.dedupMinutes * 60_000,
        destinations: dependencies.destinations,
        table: settings.recentTable,
        now: () => now(),
    };
}

function logOutcomes(logger: Logger, result: EvaluationResult, where: Record<string, unknown>): void {
    for (const outcome of result.outcomes) {
        logger.info(outcome.status === "sent" ? "alert sent" : "alert repeat within dedup window", {
            ...where,
            alertId: outcome.alert.alertId,
            detection: outcome.alert.detection,
            severity: outcome.alert.severity,
            account: outcome.alert.account,
            principal: outcome.alert.principal,
            count: outcome.alert.count,
            windowCount: outcome.windowCount,
            destinations: outcome.destinations,
        });
    }
    if (result.suppressed.length > 0)
        logger.info("rows suppressed", {
            ...where,
            suppressed: result.suppressed.length,
            reasons: [...new Set(result.suppressed.map((entry) => entry.reason))],
        });
}

export function createEventEvaluator(dependencies: AlertDependencies & { readonly s3: S3Client; readonly workDirectory?: string }) {
    const context = alertContext(dependencies);
    const { logger } = dependencies;

    async function evaluateObject(object: AnnouncedObject): Promise<EvaluationResult> {
        const { bucket, key } = object;
        // Every line about this object names it (bucket, key, and the version when the notification carries one).
        const where = { bucket, key, ...(object.versionId ? { versionId: object.versionId } : {}) };
        const partition = /account=[^/]+\/region=[^/]+\/date=[^/]+\/[^/]+$/.exec(key)?.[0];
        if (!partition || !key.endsWith(".json.gz")) {
            logger.info("skipped: not a normalised file", where);
            return { outcomes: [], suppressed: [] };
        }
        // The partition directories are kept so that DuckDB reads account, region and date from the path, as Athena does.
        const directory = fs.mkdtempSync(path.join(dependencies.workDirectory ?? os.tmpdir(), "alert-"));
        const local = path.join(directory, partition);
        let engine: Engine | undefined;
        try {
            fs.mkdirSync(path.dirname(local), { recursive: true });
            // The latest version: the normaliser writes each key once, and s3:GetObjectVersion is not granted.
            const downloaded = await dependencies.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            await pipeline(downloaded.Body as Readable, fs.createWriteStream(local));
            // The normaliser never writes an empty object (a gzip stream has a header even for no lines): an empty one was
            // truncated or written by someone else; DuckDB's own error would name only the temporary copy.
            if (fs.statSync(local).size === 0) throw new Error("the object is empty (0 bytes), not a gzip file the normaliser wrote");
            engine = await Engine.open({ memoryLimit: "512MB", tempDirectory: path.join(directory, "duckdb") });
            const runs = await evaluateEventDetections(engine, [local], dependencies.settings.detections);
            for (const run of runs.filter((candidate) => candidate.error))
                logger.error("detection failed", { ...where, detection: run.detection.id, reason: run.error });
            const result = await raiseAlerts(runs, context);
            logOutcomes(logger, result, where);
            return result;
        } catch (error) {
            const reason =
                (error as { name?: string }).name === "NoSuchKey" ? "the object does not exist (deleted, or never written)" : (error as Error).message;
            logger.error("alert evaluation of an object failed", { ...where, reason });
            throw new Error(`s3://${bucket}/${key}${object.versionId ? ` (version ${object.versionId})` : ""}: ${reason}`, { cause: error });
        } finally {
            engine?.close();
            fs.rmSync(directory, { recursive: true, force: true });
        }
    }

    return async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
        const failures: SQSBatchResponse["batchItemFailures"] = [];
        for (const record of event.Records) {
            try {
                const content = objectsOfMessage(record.messageId, record.body);
                if (content.testEvent) logger.info("skipped: s3:TestEvent", { messageId: record.messageId, envelope: content.envelope });
                for (const entry of content.ignored) logger.info("skipped: not an object creation", { messageId: record.messageId, ...entry });
                for (const object of content.objects) await evaluateObject(object);
            } catch (error) {
                logger.error(error instanceof NotAnObjectNotification ? "not an S3 object notification" : "alert evaluation failed", {
                    messageId: record.messageId,
                    reason: (error as Error).message,
                });
                failures.push({ itemIdentifier: record.messageId });
            }
        }
        return { batchItemFailures: failures };
    };
}

export interface ScheduledDependencies extends AlertDependencies {
    readonly athena: AthenaClient;
    readonly workgroup: string;
    readonly database: string;
    /**
     * Queries on Athena at once. Athena queues DML queries above the account's "Active DML queries"
     * quota (Service Quotas; 20 or more by default, varying by region) and `npm run query` users share it.
     * @default {@link SCHEDULED_QUERY_CONCURRENCY}
     */
    readonly concurrency?: number;
    /**
     * Time the run may take from its start, shorter than the function's timeout so that it reports what it
     * did not run instead of being killed mid-way. @default the FUNCTION_TIMEOUT_SECONDS environment variable less a minute, else 14 minutes
     */
    readonly budgetMs?: number;
    /** Longest one query may run. @default 4 minutes */
    readonly queryTimeoutMs?: number;
    /** A detection is started only with this much of the budget left; else it is reported as not run. @default 30 s */
    readonly minimumQueryMs?: number;
}

/** Windowed detections running at once on Athena by default: a few, well under the account's DML quota. */
export const SCHEDULED_QUERY_CONCURRENCY = 4;

/** Window of a scheduled run ending at `nowMs`: the schedule period plus the lookback, whole minutes. */
export function scheduledWindow(nowMs: number, settings: Pick<AlertingSettings, "scheduleMinutes" | "lookbackMinutes">): { since: string; until: string } {
    const until = Math.floor(nowMs / 60_000) * 60_000;
    return { since: isoSeconds(new Date(until - (settings.scheduleMinutes + settings.lookbackMinutes) * 60_000)), until: isoSeconds(new Date(until)) };
}

export function createScheduledEvaluator(dependencies: ScheduledDependencies) {
    const context = alertContext(dependencies);
    const { logger, settings } = dependencies;
    const concurrency = Math.max(1, dependencies.concurrency ?? SCHEDULED_QUERY_CONCURRENCY);
    const timeoutSeconds = Number(process.env.FUNCTION_TIMEOUT_SECONDS);
    const budgetMs = dependencies.budgetMs ?? (timeoutSeconds > 120 ? (timeoutSeconds - 60) * 1000 : 14 * 60_000);
    const queryTimeoutMs = dependencies.queryTimeoutMs ?? 4 * 60_000;
    const minimumQueryMs = dependencies.minimumQueryMs ?? 30_000;

    return async function handler(): Promise<{ alerts: number; failed: string[]; notRun: string[] }> {
        const deadline = Date.now() + budgetMs;
        const window = scheduledWindow((dependencies.now ?? Date.now)(), settings);
        const pending = settings.detections.filter((candidate) => candidate.kind !== "event");
        const failed: string[] = [];
        const notRun: string[] = [];
        let alerts = 0;

        async function run(detection: (typeof pending)[number]): Promise<void> {
            const remaining = deadline - Date.now();
            if (remaining < minimumQueryMs) {
                notRun.push(detection.id);
                return;
            }
            try {
                const result = await runAthenaQuery(dependencies.athena, {
                    sql: sqlForWindow(
                        detection,
                        window,
                        settings.recentTable,
                        settings.firstSeenLookbackDays === undefined ? undefined : settings.firstSeenLookbackDays * 86_400_000,
                    ),
                    workgroup: dependencies.workgroup,
                    database: dependencies.database,
                    timeoutMs: Math.min(queryTimeoutMs, remaining),
                });
                const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column, row[index]])));
                const evaluation = await raiseAlerts([{ detection, rows }], context);
                logOutcomes(logger, evaluation, { detection: detection.id, window, bytesScanned: result.bytesScanned });
                alerts += evaluation.outcomes.filter((outcome) => outcome.status === "sent").length;
            } catch (error) {
                // One failing detection must not hide the others; the run fails at the end so Lambda's error metric shows it.
                logger.error("scheduled detection failed", { detection: detection.id, window, reason: (error as Error).message });
                failed.push(detection.id);
            }
        }

        // A few workers take the detections in catalogue order: queries overlap, and the budget bounds the whole run.
        const queue = [...pending];
        await Promise.all(
            Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
                for (let next = queue.shift(); next; next = queue.shift()) await run(next);
            }),
        );
        if (notRun.length > 0)
            logger.error("scheduled detections not run: the run's time budget was spent", { detections: notRun, window, budgetSeconds: budgetMs / 1000 });
        if (failed.length > 0 || notRun.length > 0) {
            const parts = [
                ...(failed.length > 0 ? [`scheduled detections failed: ${failed.join(", ")}`] : []),
                ...(notRun.length > 0 ? [`not run within the ${budgetMs / 1000} s budget: ${notRun.join(", ")}`] : []),
            ];
            throw new Error(`${parts.join("; ")} (window ${window.since} to ${window.until}); see the log for reasons`);
        }
        return { alerts, failed, notRun };
    };
}
