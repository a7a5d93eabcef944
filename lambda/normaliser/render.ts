/**
 * Rendering: events (or their JSON text) → normalised JSON lines, grouped by partition. Pure
 * and synchronous. Record texts are rendered from their bytes (./rawRender.ts) when that gives
 * the exact path's bytes, and parsed and normalised (./normalise.ts) otherwise.
 */
import { normaliseEvent, NormalisedRecord } from "./normalise";
import { ByteWriter, RawRenderer } from "./rawRender";
import { MAY_HOLD_LONE_SURROGATE, withoutLoneSurrogates } from "./wellFormed";
import { countPairs, Evidence, lostInParsing } from "./hostile";
import { NotCloudTrailError, RecordsSplitter, RecordText } from "./splitter";

const NEWLINE = 0x0a;

/** Fallbacks for partition values a record does not carry itself. */
export interface PartitionDefaults {
    /** From the archive key (`AWSLogs/<account>/…`); wins over the record's own account fields. */
    readonly account?: string;
    /** From the archive key (`…/CloudTrail/<region>/…`); wins over the record's `awsRegion`. */
    readonly region?: string;
    /** Delivery date from the key, used only for records without a readable `eventTime`. */
    readonly date?: string;
}

export interface Partition {
    readonly account: string;
    readonly region: string;
    readonly date: string;
}

/**
 * The JSON lines of a batch, per partition, in input order; when asked for (`collectEventIds`),
 * with each line's eventID as it appears in the line ({@link EventIdLines}): what the local mode's
 * deduplication compares (local/dedup.ts), copied here from the rendered line instead of a second
 * read of the output. Empty when not asked for (the Lambda does not deduplicate).
 */
export interface RenderedBatch {
    readonly count: number;
    /** Values repaired in this batch (./wellFormed.ts), by field path: how many. Empty almost always. */
    readonly repaired?: Readonly<Record<string, number>>;
    /** `lines`: UTF-8 JSON lines, each ending with a newline. */
    readonly groups: { readonly partition: Partition; readonly lines: Buffer; readonly count: number; readonly eventIds: EventIdLines }[];
}

/**
 * The eventIDs of lines, in line order, as UTF-8 bytes: each line's eventID as its JSON text (quotes
 * included, as it appears in the line), then a newline; an empty line for a line without one. A JSON
 * string holds no raw newline, so the newline only ever ends an id.
 *
 * Bytes rather than an array of strings: the local mode's workers hand them to the main thread, and
 * 338,600 strings cost a second of CPU a run between making them, copying them across threads and
 * hashing them (docs/performance.md); a byte array is copied whole.
 */
export type EventIdLines = Uint8Array;

/** {@link EventIdLines} as strings (null: the line has none), for tests and messages. */
export function eventIdTexts(ids: EventIdLines): (string | null)[] {
    const texts: (string | null)[] = [];
    const decoder = new TextDecoder();
    for (let start = 0; start < ids.length;) {
        const end = ids.indexOf(NEWLINE, start);
        texts.push(end === start ? null : decoder.decode(ids.subarray(start, end)));
        start = end + 1;
    }
    return texts;
}

/** One array of the parts, in order, sized exactly: a view on a larger buffer would carry all of it across threads. */
export function joinEventIds(parts: readonly EventIdLines[]): EventIdLines {
    let length = 0;
    for (const part of parts) length += part.length;
    const joined = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
        joined.set(part, at);
        at += part.length;
    }
    return joined;
}

/** Partition of one record. */
export function lakePartitionOf(record: NormalisedRecord, defaults: PartitionDefaults): Partition {
    const identity = record.useridentity as { accountid?: string } | undefined;
    return {
        account: defaults.account ?? (record.recipientaccountid as string | undefined) ?? identity?.accountid ?? "unknown",
        region: defaults.region ?? (record.awsregion as string | undefined) ?? "unknown",
        date: (record.eventtime as string | undefined)?.slice(0, 10) ?? defaults.date ?? "undated",
    };
}

interface GroupBuilder {
    readonly partition: Partition;
    readonly lines: ByteWriter;
    count: number;
    /** Only when the ids are collected. */
    readonly eventIds?: ByteWriter;
}

class BatchBuilder {
    private readonly groups = new Map<string, GroupBuilder>();
    private count = 0;
    private repaired: Record<string, number> | undefined;
    /** The group of the last record: the next one most likely belongs to it too, and is rendered straight into it. */
    private last: GroupBuilder | undefined;
    /** Where a record is rendered when there is no group yet. */
    private scratch: ByteWriter | undefined;

    constructor(
        private readonly defaults: PartitionDefaults,
        private readonly collectEventIds: boolean,
        /** Bytes the lines of the batch will about take: the first group's buffer, so that it is not grown and copied. */
        private readonly capacityHint = 1 << 16,
    ) {}

    add(event: unknown, index: number, evidence?: Evidence): void {
        if (typeof event !== "object" || event === null || Array.isArray(event)) {
            throw new NotCloudTrailError(`Records[${index}] is not an event object`);
        }
        let record = normaliseEvent(event as Record<string, unknown>, evidence);
        let line = JSON.stringify(record);
        // The cheap test on every line; the walk only for the lines that may need it (./wellFormed.ts).
        if (line.includes(MAY_HOLD_LONE_SURROGATE)) {
            const repair = withoutLoneSurrogates(event);
            if (repair.fields.length > 0) {
                record = normaliseEvent(repair.value as Record<string, unknown>, evidence);
                line = JSON.stringify(record);
                this.repaired ??= Object.create(null) as Record<string, number>;
                for (const field of repair.fields) this.repaired[field] = (this.repaired[field] ?? 0) + 1;
            }
        }
        const group = this.group(lakePartitionOf(record, this.defaults));
        group.lines.utf8(line);
        group.lines.byte(NEWLINE);
        // The schema's eventid is a string or absent (anything else goes to extrafields), and JSON.stringify writes a
        // string the same way alone as inside the record: this is the member's text in the line.
        if (group.eventIds) {
            if (typeof record.eventid === "string") group.eventIds.utf8(JSON.stringify(record.eventid));
            group.eventIds.byte(NEWLINE);
        }
        group.count++;
        this.count++;
    }

    /**
     * Renders a record from its bytes (./rawRender.ts) into its group; false when it must take
     * the exact path ({@link add}), and then nothing was added.
     */
    addRaw(text: RecordText): boolean {
        return this.addRawAt(text.source, text.start, text.end) === text.end;
    }

    /** {@link addRaw} for the record that starts at `buf[start]` and ends before `limit` (RawRenderer.renderAt): its end, or -1. */
    addRawAt(buf: Buffer, start: number, limit: number): number {
        const into = this.last?.lines ?? (this.scratch ??= new ByteWriter(this.capacityHint));
        const lineStart = into.length;
        const end = renderer.renderAt(buf, start, limit, into);
        if (end < 0) return end;
        const captured = renderer.captured;
        const defaults = this.defaults;
        const account =
            defaults.account ?? renderer.capturedText(captured.recipientAccountId) ?? renderer.capturedText(captured.userIdentityAccountId) ?? "unknown";
        const region = defaults.region ?? renderer.capturedText(captured.awsRegion) ?? "unknown";
        const date = renderer.eventDate ?? defaults.date ?? "undated";
        let group = this.last;
        if (group === undefined || group.partition.account !== account || group.partition.region !== region || group.partition.date !== date) {
            group = this.group({ account, region, date });
        }
        if (group.eventIds) {
            // Copied before the line moves to its group (the bytes stay in `into` until the next record either way).
            if (captured.eventId[0] >= 0) group.eventIds.copy(into.buffer, captured.eventId[0], captured.eventId[1]);
            group.eventIds.byte(NEWLINE);
        }
        if (group.lines !== into) {
            group.lines.copy(into.buffer, lineStart, into.length);
            into.length = lineStart;
        }
        group.lines.byte(NEWLINE);
        group.count++;
        this.count++;
        return end;
    }

    private group(partition: Partition): GroupBuilder {
        const id = `${partition.account}\u0000${partition.region}\u0000${partition.date}`;
        let group = this.groups.get(id);
        if (group === undefined) {
            // The first group takes the scratch buffer (empty again by now), sized for the batch.
            const lines =
                this.groups.size === 0 && this.scratch !== undefined ? this.scratch : new ByteWriter(this.groups.size === 0 ? this.capacityHint : 1 << 16);
            group = { partition, lines, count: 0, ...(this.collectEventIds ? { eventIds: new ByteWriter(1 << 12) } : {}) };
            this.groups.set(id, group);
        }
        this.last = group;
        return group;
    }

    build(): RenderedBatch {
        return {
            count: this.count,
            groups: [...this.groups.values()].map((group) => ({
                partition: group.partition,
                lines: group.lines.buffer.subarray(0, group.lines.length),
                count: group.count,
                // A copy of the bytes used, not a view: the output keeps every batch's ids to the end of the file, and a
                // view would keep its writer's whole buffer (4 KB or more) for each partition of each batch.
                eventIds: group.eventIds ? new Uint8Array(group.eventIds.buffer.subarray(0, group.eventIds.length)) : NO_EVENT_IDS,
            })),
            ...(this.repaired ? { repaired: this.repaired } : {}),
        };
    }
}

const NO_EVENT_IDS: EventIdLines = new Uint8Array(0);

/** One renderer per thread, reused record after record. */
const renderer = new RawRenderer();

/** Parses and renders record texts; `firstIndex` numbers them in the file, for error messages. */
export function renderTexts(texts: readonly RecordText[], firstIndex: number, defaults: PartitionDefaults, collectEventIds = false): RenderedBatch {
    let bytes = 0;
    for (let i = 0; i < texts.length; i++) bytes += texts[i].end - texts[i].start;
    // Normalised lines are about as long as the records (names shorter, some values escaped): a tenth more.
    const builder = new BatchBuilder(defaults, collectEventIds, Math.ceil(bytes * 1.1) + 1024);
    for (let i = 0; i < texts.length; i++) {
        const text = texts[i];
        // A number JSON.parse may change needs the lossless re-reader (./hostile.ts): the exact path.
        if (!text.oddNumbers && builder.addRaw(text)) continue;
        const [event, evidence] = parseRecord(text, `Records[${firstIndex + i}]`);
        builder.add(event, firstIndex + i, evidence);
    }
    return builder.build();
}

/**
 * Splits a chunk of a CloudTrail log file into its records and renders them (a record read whole
 * from its bytes is read once: RecordsSplitter.pushInto), in file order.
 */
export function renderChunk(splitter: RecordsSplitter, chunk: Buffer, defaults: PartitionDefaults, collectEventIds = false): RenderedBatch {
    // Normalised lines are about as long as the records (names shorter, some values escaped): a tenth more.
    const builder = new BatchBuilder(defaults, collectEventIds, Math.ceil(chunk.length * 1.1) + 1024);
    splitter.pushInto(chunk, {
        tryRecord: (buf, start, limit) => builder.addRawAt(buf, start, limit),
        record: (text, index) => {
            // A number JSON.parse may change needs the lossless re-reader (./hostile.ts): the exact path.
            if (!text.oddNumbers && builder.addRaw(text)) return;
            const [event, evidence] = parseRecord(text, `Records[${index}]`);
            builder.add(event, index, evidence);
        },
    });
    return builder.build();
}

/**
 * JSON.parse, plus what it lost (duplicate keys, numbers a double cannot hold) when the scan saw a
 * sign of it: the slow path runs only for those records.
 */
export function parseRecord(record: RecordText, where: string): [unknown, Evidence | undefined] {
    let event: unknown;
    try {
        event = JSON.parse(record.text);
    } catch (error) {
        throw new NotCloudTrailError(`${where} is not valid JSON: ${(error as Error).message}`);
    }
    const suspicious = record.oddNumbers || (typeof event === "object" && event !== null ? countPairs(event) : 0) !== record.pairs;
    if (!suspicious) return [event, undefined];
    const evidence = lostInParsing(record.text, where);
    for (const _ in evidence) return [event, evidence];
    return [event, undefined];
}

/** Renders parsed events. */
export function renderEvents(
    events: readonly unknown[],
    firstIndex: number,
    defaults: PartitionDefaults,
    evidence?: readonly (Evidence | undefined)[],
    collectEventIds = false,
): RenderedBatch {
    const builder = new BatchBuilder(defaults, collectEventIds);
    events.forEach((event, i) => builder.add(event, firstIndex + i, evidence?.[i]));
    return builder.build();
}
