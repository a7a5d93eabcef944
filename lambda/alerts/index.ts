/**
 * Entry points of the alert functions (bundled by components/alerts/bundle.ts): `index.events` for the
 * event evaluator, `index.schedule` for the scheduled one. Configuration: `alerting.json` beside
 * this file, resource names in environment variables.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { AthenaClient } from "@aws-sdk/client-athena";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import type { SQSEvent } from "aws-lambda";
import { Destination } from "./alert";
import { DynamoDedupStore } from "./dedup";
import { eventBridgeDestination, snsDestination } from "./destinations";
import { createEventEvaluator, createScheduledEvaluator } from "./handlers";
import { AlertingSettings, SETTINGS_FILE } from "../../contract/alerting";
import { s3Client } from "../shared/s3";

const settings = JSON.parse(fs.readFileSync(path.join(__dirname, SETTINGS_FILE), "utf8")) as AlertingSettings;
const powertools = new Logger({ serviceName: "cloudtrail-lake-alerts" });
const logger = {
    info: (message: string, details: Record<string, unknown> = {}) => powertools.info(message, details),
    error: (message: string, details: Record<string, unknown> = {}) => powertools.error(message, details),
};

function destinations(): Destination[] {
    const list: Destination[] = [];
    if (settings.sns && process.env.ALERT_TOPIC_ARN) list.push(snsDestination(new SNSClient({}), process.env.ALERT_TOPIC_ARN, settings.sns.minSeverity));
    if (settings.eventBridge) list.push(eventBridgeDestination(new EventBridgeClient({}), settings.eventBridge.busName, settings.eventBridge.minSeverity));
    return list;
}

const common = () => ({
    settings,
    // A claim older than two function timeouts belongs to an invocation that died mid-send.
    dedup: new DynamoDedupStore(new DynamoDBClient({}), process.env.DEDUP_TABLE ?? "", 2 * Number(process.env.FUNCTION_TIMEOUT_SECONDS ?? 300) * 1000),
    destinations: destinations(),
    logger,
});

let eventEvaluator: ((event: SQSEvent) => Promise<unknown>) | undefined;
export const events = (event: SQSEvent) => (eventEvaluator ??= createEventEvaluator({ ...common(), s3: s3Client() }))(event);

let scheduledEvaluator: (() => Promise<unknown>) | undefined;
export const schedule = () =>
    (scheduledEvaluator ??= createScheduledEvaluator({
        ...common(),
        athena: new AthenaClient({}),
        workgroup: process.env.ATHENA_WORKGROUP ?? "",
        database: process.env.GLUE_DATABASE ?? "",
    }))();
