/**
 * Rendering: events (or their JSON text) → normalised JSON lines, grouped by partition. Pure
 * and synchronous.
 */
import { normaliseEvent, NormalisedRecord } from "./normalise";
import { MAY_HOLD_LONE_SURROGATE, withoutLoneSurrogates } from "./wellFormed";
import { countPairs, Evidence, lostInParsing } from "./hostile";
import { NotCloudTrailError, RecordText } from "./splitter";

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
 * with each line's eventID as it appears in the line (its JSON text, quotes included; null when
 * the line has none): what the local mode's deduplication compares (local/dedup.ts), known here
 * for the price of one `JSON.stringify` of a short string instead of a second read of the output.
 * Empty when not asked for (the Lambda does not deduplicate).
 */
export interface RenderedBatch {
    readonly count: number;
    /** Values repaired in this batch (./wellFormed.ts), by field path: how many. Empty almost always. */
    readonly repaired?: Readonly<Record<string, number>>;
    readonly groups: { readonly partition: Partition; readonly lines: string; readonly count: number; readonly eventIds: (string | null)[] }[];
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

class BatchBuilder {
    private readonly groups = new Map<string, { partition: Partition; lines: string; count: number; eventIds: (string | null)[] }>();
    private count = 0;
    private repaired: Record<string, number> | undefined;

    constructor(
        private readonly defaults: PartitionDefaults,
        private readonly collectEventIds: boolean,
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
        const partition = lakePartitionOf(record, this.defaults);
        const id = `${partition.account}\u0000${partition.region}\u0000${partition.date}`;
        let group = this.groups.get(id);
        if (group === undefined) {
            group = { partition, lines: "", count: 0, eventIds: [] };
            this.groups.set(id, group);
        }
        group.lines += `${line}\n`;
        // The schema's eventid is a string or absent (anything else goes to extrafields), and JSON.stringify writes a
        // string the same way alone as inside the record: this is the member's text in the line.
        if (this.collectEventIds) group.eventIds.push(typeof record.eventid === "string" ? JSON.stringify(record.eventid) : null);
        group.count++;
        this.count++;
    }

    build(): RenderedBatch {
        return { count: this.count, groups: [...this.groups.values()], ...(this.repaired ? { repaired: this.repaired } : {}) };
    }
}

/** Parses and renders record texts; `firstIndex` numbers them in the file, for error messages. */
export function renderTexts(texts: readonly RecordText[], firstIndex: number, defaults: PartitionDefaults, collectEventIds = false): RenderedBatch {
    const builder = new BatchBuilder(defaults, collectEventIds);
    for (let i = 0; i < texts.length; i++) {
        const [event, evidence] = parseRecord(texts[i], `Records[${firstIndex + i}]`);
        builder.add(event, firstIndex + i, evidence);
    }
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
