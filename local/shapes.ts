/**
 * The shapes CloudTrail events come in outside the archive, unwrapped to the events themselves:
 * S3 log files (`{"Records":[…]}`), bare arrays, one event per line, `aws cloudtrail
 * lookup-events` output (the event as a JSON string in `CloudTrailEvent`), EventBridge
 * envelopes (`detail`), CloudWatch Logs subscription payloads (`logEvents[].message`), and test
 * fixtures that wrap one of those in `data`, and Splunk exports (`_raw`, `result`). Digest files are recognised and counted, not read.
 *
 * Files are streamed ({@link streamEvents}): a top-level array, or the `Records`, `Events` or
 * `logEvents` array of a top-level object, is read one element at a time, so an export of any
 * size is read in bounded memory (one record at most MAX_RECORD_BYTES of lambda/normaliser/splitter.ts; the decompressed
 * size is capped by the caller, lambda/normaliser/core.ts `decompressed`).
 */
import type { EventBatch } from "../lambda/normaliser/core";
import type { Evidence } from "../lambda/normaliser/hostile";
import { parseRecord } from "../lambda/normaliser/render";
import { RecordsSplitter, RecordText } from "../lambda/normaliser/splitter";

export interface Unwrapped {
    /** CloudTrail events, in file order. */
    readonly events: Record<string, unknown>[];
    /** Digest files (log file validation) met: not events. */
    digests: number;
    /** Values that are neither events nor a known envelope. */
    others: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** An object carrying the fields every CloudTrail event (management, data, Insights) has some of. */
export function isCloudTrailEvent(value: Record<string, unknown>): boolean {
    return (
        "eventName" in value ||
        "eventSource" in value ||
        "insightDetails" in value ||
        ("eventVersion" in value && ("userIdentity" in value || "eventID" in value))
    );
}

function unwrapInto(value: unknown, out: Unwrapped): void {
    if (Array.isArray(value)) {
        for (const item of value) unwrapInto(item, out);
        return;
    }
    if (typeof value === "string") {
        const text = value.trim();
        if (text.startsWith("{")) {
            try {
                unwrapInto(JSON.parse(text), out);
                return;
            } catch {
                // not JSON: counted below
            }
        }
        out.others++;
        return;
    }
    if (!isObject(value)) {
        out.others++;
        return;
    }
    if (Array.isArray(value.Records)) return unwrapInto(value.Records, out);
    if ("digestStartTime" in value) {
        out.digests++;
        return;
    }
    const eventBridge = "detail" in value && ("detail-type" in value || "source" in value);
    if (isCloudTrailEvent(value) && !eventBridge) {
        out.events.push(value);
        return;
    }
    if ("CloudTrailEvent" in value) return unwrapInto(value.CloudTrailEvent, out);
    if (Array.isArray(value.Events)) return unwrapInto(value.Events, out);
    if (eventBridge) return unwrapInto(value.detail, out);
    if (Array.isArray(value.logEvents))
        return unwrapInto(
            value.logEvents.map((logEvent) => (logEvent as { message?: unknown })?.message),
            out,
        );
    if ("data" in value && ("log" in value || "description" in value)) return unwrapInto(value.data, out);
    if ("_raw" in value) return unwrapInto(value._raw, out); // Splunk export
    if (isObject(value.result)) return unwrapInto(value.result, out); // Splunk/search API result rows
    out.others++;
}

/** Unwraps every event from parsed JSON values (one per file, or one per line). */
export function unwrapEvents(values: readonly unknown[]): Unwrapped {
    const out: Unwrapped = { events: [], digests: 0, others: 0 };
    for (const value of values) unwrapInto(value, out);
    return out;
}

/**
 * Parses a whole text as one JSON value, else as one JSON value per non-blank line. Throws with
 * the line number of the first line that is neither.
 */
export function parseJsonText(text: string): unknown[] {
    const body = text.replace(/^\uFEFF/, "");
    if (body.trim() === "") throw new Error("empty file");
    try {
        return [JSON.parse(body)];
    } catch (wholeError) {
        const values: unknown[] = [];
        const lines = body.split(/\r?\n/);
        for (let i = 0; i < lines.length; i++) {
            const line = lines[i].trim();
            if (!line) continue;
            try {
                values.push(JSON.parse(line));
            } catch (lineError) {
                if (values.length === 0 && i === 0) throw new Error(`invalid JSON: ${(wholeError as Error).message}`);
                throw new Error(`line ${i + 1}: invalid JSON: ${(lineError as Error).message}`);
            }
        }
        return values;
    }
}

/** Counts of a streamed file, complete once the stream is read. */
export interface StreamCounts {
    events: number;
    digests: number;
    others: number;
}

function unwrapRecords(records: readonly RecordText[], firstIndex: number, counts: StreamCounts): { events: unknown[]; evidence: (Evidence | undefined)[] } {
    const out: Unwrapped = { events: [], digests: 0, others: 0 };
    const evidence: (Evidence | undefined)[] = [];
    records.forEach((record, i) => {
        const [value, lost] = parseRecord(record, `record ${firstIndex + i} (line ${record.line})`);
        const before = out.events.length;
        unwrapInto(record.container === "logEvents" ? (value as { message?: unknown } | null)?.message : value, out);
        // What JSON.parse lost belongs to the record's text: kept when the record is the event itself.
        for (let e = before; e < out.events.length; e++) evidence.push(out.events[e] === value ? lost : undefined);
    });
    counts.events += out.events.length;
    counts.digests += out.digests;
    counts.others += out.others;
    return { events: out.events, evidence };
}

/**
 * Streams the events of a (decompressed) file of any shape above, in batches, in file order;
 * `counts` is complete when the generator ends. Throws with the record (and byte, line) that is
 * not JSON, is too large or too deep.
 */
export async function* streamEvents(chunks: AsyncIterable<Buffer>, counts: StreamCounts): AsyncGenerator<EventBatch> {
    const splitter = new RecordsSplitter({ mode: "values" });
    for await (const chunk of chunks) {
        const first = splitter.recordCount;
        const records = splitter.push(chunk);
        if (records.length > 0) yield unwrapRecords(records, first, counts);
    }
    const first = splitter.recordCount;
    const last = splitter.end();
    if (last.length > 0) yield unwrapRecords(last, first, counts);
}
