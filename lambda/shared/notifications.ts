/**
 * What an SQS message that should announce a new S3 object holds, for both Lambdas (the normaliser
 * and the event evaluator). Three envelopes carry the same news:
 *
 * - an S3 event notification, `{"Records": [{"eventSource": "aws:s3", "s3": {…}}]}`, keys URL-encoded
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html);
 * - the same notification published to an SNS topic and delivered to the queue without raw message
 *   delivery: an SNS envelope `{"Type": "Notification", "MessageId", "TopicArn", "Message": "<the
 *   notification as a string>"}` (https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html,
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html) — the usual
 *   fan-out when several consumers share one log archive's notifications;
 * - an "Amazon S3 events in EventBridge" event, `{"source": "aws.s3", "detail-type": "Object Created",
 *   "detail": {"bucket": {"name"}, "object": {"key", "version-id"}}}`
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), directly or through SNS.
 *
 * Anything else is not news this code understands: {@link NotAnObjectNotification} is thrown, the
 * handler logs it with the message id and reports the message as a batch item failure, so that after
 * the queue's retries it lands in the dead-letter queue where someone looks, instead of being consumed
 * in silence. S3's `s3:TestEvent` (sent once when a notification configuration is saved, with no
 * records) is AWS's own harmless message: it is logged and consumed.
 *
 * Pure: no logging, no AWS calls; the handlers log what {@link objectsOfMessage} returns.
 */
import { decodeS3EventKey } from "../../contract/keys";

/** One S3 object a message announces. */
export interface AnnouncedObject {
    readonly bucket: string;
    /** The key as stored (URL-decoded for S3 notifications). */
    readonly key: string;
    /** Absent when the bucket is not versioned. */
    readonly versionId?: string;
}

/** What one SQS message announces. */
export interface MessageContent {
    /** Objects created. */
    readonly objects: AnnouncedObject[];
    /** Records of S3 events that are not creations (deletions, restores…): recognised, left alone, to be logged. */
    readonly ignored: { readonly bucket?: string; readonly key?: string; readonly event: string }[];
    /** The message is S3's `s3:TestEvent`. */
    readonly testEvent: boolean;
    /** How the news came: `s3` (a notification), `sns` (one wrapped in SNS), `eventbridge` (possibly through SNS). */
    readonly envelope: "s3" | "sns" | "eventbridge" | "sns+eventbridge";
}

/** The message is not an S3 notification in any envelope this code knows; its text says what it looked like. */
export class NotAnObjectNotification extends Error {
    constructor(
        readonly messageId: string,
        reason: string,
    ) {
        super(`SQS message ${messageId}: ${reason}`);
        this.name = "NotAnObjectNotification";
    }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A few words on what a body that is not understood looked like: its top-level keys, never its values (they may be anything). */
function shapeOf(value: unknown): string {
    if (Array.isArray(value)) return `a JSON array of ${value.length}`;
    if (!isObject(value)) return `a JSON ${value === null ? "null" : typeof value}`;
    const keys = Object.keys(value);
    return keys.length === 0 ? "an empty JSON object" : `a JSON object with keys ${keys.slice(0, 8).join(", ")}${keys.length > 8 ? ", …" : ""}`;
}

function fromS3Notification(messageId: string, body: Record<string, unknown>): Pick<MessageContent, "objects" | "ignored"> {
    const records = body.Records;
    if (!Array.isArray(records) || records.length === 0)
        throw new NotAnObjectNotification(messageId, `"Records" is ${Array.isArray(records) ? "empty" : "not a list"}, not an S3 event notification`);
    const objects: AnnouncedObject[] = [];
    const ignored: MessageContent["ignored"] = [];
    records.forEach((record: unknown, index) => {
        const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
        const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
        const object = s3 && isObject(s3.object) ? s3.object : undefined;
        if (!isObject(record) || record.eventSource !== "aws:s3" || typeof bucket !== "string" || typeof object?.key !== "string") {
            throw new NotAnObjectNotification(
                messageId,
                `Records[${index}] is not an S3 event record (eventSource ${JSON.stringify(isObject(record) ? (record.eventSource ?? null) : null)}, ` +
                    "no s3.bucket.name or s3.object.key)",
            );
        }
        let key: string;
        try {
            key = decodeS3EventKey(object.key);
        } catch {
            throw new NotAnObjectNotification(messageId, `Records[${index}].s3.object.key ${JSON.stringify(object.key)} is not URL-encoded as S3 writes keys`);
        }
        const event = String(record.eventName ?? "");
        if (!event.startsWith("ObjectCreated:")) {
            ignored.push({ bucket, key, event });
            return;
        }
        const versionId = typeof object.versionId === "string" && object.versionId !== "" ? object.versionId : undefined;
        objects.push({ bucket, key, ...(versionId ? { versionId } : {}) });
    });
    return { objects, ignored };
}

function fromEventBridge(messageId: string, body: Record<string, unknown>): Pick<MessageContent, "objects" | "ignored"> {
    const detail = isObject(body.detail) ? body.detail : {};
    const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
    const object = isObject(detail.object) ? detail.object : {};
    const key = object.key;
    const detailType = String(body["detail-type"]);
    if (detailType !== "Object Created")
        return {
            objects: [],
            ignored: [{ event: detailType, ...(typeof bucket === "string" ? { bucket } : {}), ...(typeof key === "string" ? { key } : {}) }],
        };
    if (typeof bucket !== "string" || typeof key !== "string" || key === "")
        throw new NotAnObjectNotification(messageId, "an EventBridge Object Created event without detail.bucket.name or detail.object.key");
    const versionId = typeof object["version-id"] === "string" && object["version-id"] !== "" ? object["version-id"] : undefined;
    // EventBridge sends the key as stored, not URL-encoded as S3 notifications do (the normaliser has always read it so).
    return { objects: [{ bucket, key, ...(versionId ? { versionId } : {}) }], ignored: [] };
}

/**
 * The objects an SQS message announces, whatever envelope it came in; throws
 * {@link NotAnObjectNotification} (naming the message id and what the body looked like) for anything else.
 */
export function objectsOfMessage(messageId: string, bodyText: string): MessageContent {
    let body: unknown;
    try {
        body = JSON.parse(bodyText);
    } catch {
        throw new NotAnObjectNotification(messageId, `the body is not JSON (starts ${JSON.stringify(bodyText.slice(0, 40))}), not an S3 notification`);
    }
    let wrapped = false;
    // SNS without raw message delivery: the publisher's message is a string inside the envelope.
    if (isObject(body) && body.Type === "Notification" && typeof body.Message === "string" && typeof body.TopicArn === "string") {
        wrapped = true;
        const topic = body.TopicArn;
        try {
            body = JSON.parse(body.Message);
        } catch {
            throw new NotAnObjectNotification(messageId, `an SNS notification from ${topic} whose Message is not JSON, not an S3 notification`);
        }
    }
    const envelope = (inner: "s3" | "eventbridge"): MessageContent["envelope"] => (wrapped ? (inner === "s3" ? "sns" : "sns+eventbridge") : inner);
    if (isObject(body) && body.Event === "s3:TestEvent" && body.Service === "Amazon S3")
        return { objects: [], ignored: [], testEvent: true, envelope: envelope("s3") };
    if (isObject(body) && body.source === "aws.s3" && typeof body["detail-type"] === "string")
        return { ...fromEventBridge(messageId, body), testEvent: false, envelope: envelope("eventbridge") };
    if (isObject(body) && "Records" in body) return { ...fromS3Notification(messageId, body), testEvent: false, envelope: envelope("s3") };
    throw new NotAnObjectNotification(
        messageId,
        `${wrapped ? "an SNS notification whose Message is " : "the body is "}${shapeOf(body)}: not an S3 event notification, an SNS-wrapped one, or an S3 EventBridge event`,
    );
}
