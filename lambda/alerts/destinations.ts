/**
 * Where alerts go: an SNS topic (people: e-mail, AWS Chatbot, webhooks) and an EventBridge bus
 * (machines: SOAR, routing rules). The SNS message is per protocol (MessageStructure json): e-mail
 * and SMS subscribers get readable text, every other protocol the alert as JSON.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AlertSeverity } from "../../contract/alerting";
import { Alert, Destination } from "./alert";

export const EVENT_SOURCE = "cloudtrail-lake";
export const EVENT_DETAIL_TYPE = "CloudTrail Lake Alert";

/** SNS allows a subject of at most 100 printable ASCII characters, without line breaks. */
export function alertSubject(alert: Alert): string {
    const subject = `[${alert.severity.toUpperCase()}] ${alert.title} - ${alert.accountName ?? alert.account}`.replace(/[^\x20-\x7e]/g, "?");
    return subject.length > 100 ? `${subject.slice(0, 97)}...` : subject;
}

/** The e-mail body: what an on-call engineer reads first, then where to look. */
export function alertText(alert: Alert): string {
    const attack = [...alert.tactics, ...alert.techniques].join(", ") || "-";
    return [
        `${alert.severity.toUpperCase()}: ${alert.title} (${alert.detection})`,
        "",
        `Account:    ${alert.account}${alert.accountName ? ` (${alert.accountName})` : ""}`,
        `Region:     ${alert.regions.join(", ") || "-"}`,
        `Principal:  ${alert.principal}`,
        `Source IP:  ${alert.sourceIps.join(", ") || "-"}`,
        `User agent: ${alert.userAgent ?? "-"}`,
        `Events:     ${alert.count} (${alert.eventNames.join(", ")}) from ${alert.firstSeen} to ${alert.lastSeen}`,
        `ATT&CK:     ${attack}`,
        ...(alert.details.length > 0 ? [`Detail:     ${alert.details.join("; ")}`] : []),
        "",
        alert.description,
        "",
        `Runbook: ${alert.runbook || "-"}`,
        "",
        `Event ids${alert.eventIdsTruncated ? ` (first ${alert.eventIds.length} of ${alert.count})` : ""}: ${alert.eventIds.join(", ")}`,
        "",
        "Athena query showing the events:",
        alert.query,
        "",
        "Repeats of this detection for this principal and account within the dedup window update its count and are not sent again.",
    ].join("\n");
}

export function snsDestination(client: SNSClient, topicArn: string, minSeverity: AlertSeverity): Destination {
    return {
        name: "sns",
        minSeverity,
        async send(alert) {
            const json = JSON.stringify(alert);
            const text = alertText(alert);
            await client.send(
                new PublishCommand({
                    TopicArn: topicArn,
                    Subject: alertSubject(alert),
                    MessageStructure: "json",
                    Message: JSON.stringify({ "default": json, "email": text, "email-json": json, "sms": alertSubject(alert) }),
                    // Subscribers filter on these (subscription filter policies), e.g. only critical to a pager.
                    MessageAttributes: {
                        severity: { DataType: "String", StringValue: alert.severity },
                        detection: { DataType: "String", StringValue: alert.detection },
                        account: { DataType: "String", StringValue: alert.account },
                    },
                }),
            );
        },
    };
}

export function eventBridgeDestination(client: EventBridgeClient, busName: string | undefined, minSeverity: AlertSeverity): Destination {
    return {
        name: "eventbridge",
        minSeverity,
        async send(alert) {
            const result = await client.send(
                new PutEventsCommand({
                    Entries: [
                        {
                            Source: EVENT_SOURCE,
                            DetailType: EVENT_DETAIL_TYPE,
                            Detail: JSON.stringify(alert),
                            ...(busName ? { EventBusName: busName } : {}),
                            Time: new Date(alert.lastSeen),
                        },
                    ],
                }),
            );
            // PutEvents reports per-entry failures with HTTP 200: they must fail the send, or the alert is lost.
            if ((result.FailedEntryCount ?? 0) > 0) {
                const entry = result.Entries?.find((candidate) => candidate.ErrorCode);
                throw new Error(`EventBridge refused the alert ${alert.alertId}: ${entry?.ErrorCode ?? "unknown"} ${entry?.ErrorMessage ?? ""}`.trim());
            }
        },
    };
}
