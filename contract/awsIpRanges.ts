/**
 * AWS's published IP address ranges (https://ip-ranges.amazonaws.com/ip-ranges.json, documented at
 * https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html) as a reference table of the
 * contract: a versioned copy in data/aws-ip-ranges.json (with AWS's syncToken and createDate), read
 * offline, never fetched at run time; `npm run update:ip-ranges` refreshes it.
 *
 * Three readers, one definition:
 * - {@link awsRangeOf} answers "which AWS range holds this address?" in TypeScript (enrichment of
 *   findings, alerts and the report);
 * - {@link referenceRows} is the SQL table `aws_ip_ranges` both engines load (DuckDB from these rows,
 *   Athena from {@link awsIpRangesCsv} uploaded beside the lake), one row per range with the keys
 *   that let plain SQL match an address: `bucket` (equality join) and `first_key`..`last_key`
 *   (text range). {@link SQL_ADDRESS_KEY} says how a query computes the same key from
 *   `sourceipaddress`; the test runs that SQL against {@link addressKey}.
 *
 * Keys: IPv4 as 12 decimal digits (each octet zero-padded to 3), IPv6 as 32 lower-case hex digits
 * (each of the 8 groups padded to 4). Fixed width, so text order is address order. The bucket is
 * the first octet (3 digits) or the first 32 bits (8 hex digits): AWS publishes no IPv4 range wider
 * than /8 and no IPv6 range wider than /32 ({@link compactIpRanges} refuses one), so a range never
 * spans two buckets.
 */

/** The copy shipped in data/: AWS's metadata and one row per range. */
export interface CompactIpRanges {
    readonly source: string;
    /** AWS's `syncToken` (publication time in Unix seconds). */
    readonly syncToken: string;
    /** AWS's `createDate`, `YYYY-MM-DD-hh-mm-ss` (UTC). */
    readonly createDate: string;
    readonly columns: readonly string[];
    /** `[prefix, region, networkBorderGroup, services]`, services space-separated, AMAZON last. */
    readonly ranges: readonly (readonly string[])[];
}

/** One range as the enrichment reports it. */
export interface AwsRange {
    readonly prefix: string;
    readonly region: string;
    readonly networkBorderGroup: string;
    /** AWS's service names for the range (`EC2`, `S3`, …; `AMAZON` = any Amazon address). */
    readonly services: readonly string[];
}

export const RANGE_COLUMNS = ["prefix", "region", "networkBorderGroup", "services"] as const;
export const IP_RANGES_SOURCE = "https://ip-ranges.amazonaws.com/ip-ranges.json";

/** Name of the reference table on both engines. */
export const AWS_IP_RANGES_TABLE = "aws_ip_ranges";
/** Its columns, all text (Athena reads them from a CSV). */
export const AWS_IP_RANGES_TABLE_COLUMNS = ["bucket", "first_key", "last_key", "prefix", "region", "network_border_group", "services"] as const;

interface PublishedPrefix {
    readonly ip_prefix?: string;
    readonly ipv6_prefix?: string;
    readonly region?: string;
    readonly network_border_group?: string;
    readonly service?: string;
}

/**
 * AWS's ip-ranges.json → the compact copy: one row per (prefix, region, border group) with its
 * services merged (AWS lists a prefix once under AMAZON and once more per service), rows in address
 * order. Throws naming the entry when the document is not what AWS publishes.
 */
export function compactIpRanges(document: unknown): CompactIpRanges {
    const doc = document as { syncToken?: unknown; createDate?: unknown; prefixes?: unknown; ipv6_prefixes?: unknown };
    if (typeof doc?.syncToken !== "string" || !/^\d+$/.test(doc.syncToken)) throw new Error("ip-ranges.json: syncToken is missing or not digits");
    if (typeof doc.createDate !== "string" || !/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/.test(doc.createDate))
        throw new Error("ip-ranges.json: createDate is missing or not YYYY-MM-DD-hh-mm-ss");
    if (!Array.isArray(doc.prefixes) || !Array.isArray(doc.ipv6_prefixes)) throw new Error("ip-ranges.json: prefixes or ipv6_prefixes is not a list");
    const merged = new Map<string, { prefix: string; region: string; group: string; services: Set<string> }>();
    const entries = [
        ...(doc.prefixes as PublishedPrefix[]).map((entry, index) => ({ entry, prefix: entry?.ip_prefix, where: `prefixes[${index}]` })),
        ...(doc.ipv6_prefixes as PublishedPrefix[]).map((entry, index) => ({ entry, prefix: entry?.ipv6_prefix, where: `ipv6_prefixes[${index}]` })),
    ];
    for (const { entry, prefix, where } of entries) {
        if (typeof prefix !== "string" || typeof entry.region !== "string" || typeof entry.service !== "string")
            throw new Error(`ip-ranges.json: ${where} needs a prefix, region and service`);
        const network = parseCidr(prefix, where);
        const widest = network.family === 4 ? 8 : 32;
        if (network.length < widest)
            throw new Error(`ip-ranges.json: ${where} ${prefix} is wider than /${widest}: the table's buckets assume none is; widen the bucket key`);
        const group = entry.network_border_group ?? entry.region;
        const key = `${prefix}|${entry.region}|${group}`;
        const row = merged.get(key) ?? { prefix, region: entry.region, group, services: new Set<string>() };
        row.services.add(entry.service);
        merged.set(key, row);
    }
    const rows = [...merged.values()].map((row) => {
        const services = [...row.services].sort((a, b) => Number(a === "AMAZON") - Number(b === "AMAZON") || a.localeCompare(b));
        return [row.prefix, row.region, row.group, services.join(" ")];
    });
    rows.sort((a, b) => compareKeys(rangeKeys(a[0]).first, rangeKeys(b[0]).first) || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    return { source: IP_RANGES_SOURCE, syncToken: doc.syncToken, createDate: doc.createDate, columns: [...RANGE_COLUMNS], ranges: rows };
}

function compareKeys(a: string, b: string): number {
    return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The compact copy as written to data/: one range per line, so a refresh reads as a diff of ranges. */
export function formatCompactIpRanges(ranges: CompactIpRanges): string {
    const head = JSON.stringify({ source: ranges.source, syncToken: ranges.syncToken, createDate: ranges.createDate, columns: ranges.columns });
    return `${head.slice(0, -1)},\n "ranges": [\n${ranges.ranges.map((row) => `  ${JSON.stringify(row)}`).join(",\n")}\n ]\n}\n`;
}

interface Network {
    readonly family: 4 | 6;
    readonly address: bigint;
    readonly length: number;
}

/** Address text → number, or undefined when it is not a literal IPv4/IPv6 address. IPv4-mapped IPv6 reads as IPv4. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
    const address = text.trim().toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    if (mapped) return parseAddress(mapped[1]);
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
        const octets = address.split(".").map(Number);
        if (octets.some((octet) => octet > 255)) return undefined;
        return { family: 4, value: octets.reduce((sum, octet) => (sum << 8n) | BigInt(octet), 0n) };
    }
    if (!/^[0-9a-f:]+$/.test(address) || !address.includes(":")) return undefined;
    const halves = address.split("::");
    if (halves.length > 2) return undefined;
    const groups = (part: string) => (part === "" ? [] : part.split(":"));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 1 ? head.length !== 8 : missing < 1) return undefined;
    const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (all.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
    return { family: 6, value: all.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function parseCidr(prefix: string, where: string): Network {
    const [text, lengthText] = prefix.split("/");
    const address = parseAddress(text ?? "");
    const length = Number(lengthText);
    if (!address || !Number.isInteger(length) || length < 0 || length > (address.family === 4 ? 32 : 128))
        throw new Error(`ip-ranges.json: ${where}: "${prefix}" is not a CIDR prefix`);
    return { family: address.family, address: address.value, length };
}

/** The fixed-width text key of an address number (see the module comment). */
function keyOf(family: 4 | 6, value: bigint): string {
    if (family === 4) {
        return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n).padStart(3, "0")).join("");
    }
    return value.toString(16).padStart(32, "0");
}

/** {@link keyOf} of an IPv4 address held in a number. */
function ipv4Key(value: number): string {
    return [16_777_216, 65_536, 256, 1].map((unit) => String(Math.floor(value / unit) % 256).padStart(3, "0")).join("");
}

/** The key of a literal address, as {@link SQL_ADDRESS_KEY}'s SQL computes it; undefined for anything else. */
export function addressKey(text: string): string | undefined {
    const address = parseAddress(text);
    return address && keyOf(address.family, address.value);
}

/** An IPv4 CIDR prefix as AWS writes them, for {@link rangeKeys}' fast path. */
const IPV4_PREFIX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** First and last key of a CIDR prefix, and its bucket. */
export function rangeKeys(prefix: string): { bucket: string; first: string; last: string } {
    // IPv4 (7,900 of the 11,000 ranges) in plain numbers: the BigInt path below made the table 110 ms
    // of the run's main thread (cold), while DuckDB waited for it (docs/performance.md). Anything
    // unusual (an octet over 255, a length over 32) takes the path below, which names the error.
    const v4 = IPV4_PREFIX.exec(prefix);
    if (v4) {
        const octets = [Number(v4[1]), Number(v4[2]), Number(v4[3]), Number(v4[4])];
        const length = Number(v4[5]);
        if (length <= 32 && octets.every((octet) => octet <= 255)) {
            const size = 2 ** (32 - length);
            const first = Math.floor((octets[0] * 16_777_216 + octets[1] * 65_536 + octets[2] * 256 + octets[3]) / size) * size;
            const firstKey = ipv4Key(first);
            return { bucket: firstKey.slice(0, 3), first: firstKey, last: ipv4Key(first + size - 1) };
        }
    }
    const network = parseCidr(prefix, prefix);
    const bits = network.family === 4 ? 32n : 128n;
    const hostBits = bits - BigInt(network.length);
    const first = (network.address >> hostBits) << hostBits;
    const last = first | ((1n << hostBits) - 1n);
    const firstKey = keyOf(network.family, first);
    return { bucket: firstKey.slice(0, network.family === 4 ? 3 : 8), first: firstKey, last: keyOf(network.family, last) };
}

/** The shipped copy, read when first asked for: 0.7 MB of JSON (~25 ms) that a run's start need not wait for. */
export function shippedIpRanges(): CompactIpRanges {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (shipped ??= require("../data/aws-ip-ranges.json") as CompactIpRanges);
}

let shipped: CompactIpRanges | undefined;

/** Rows of the `aws_ip_ranges` table, columns {@link AWS_IP_RANGES_TABLE_COLUMNS}. */
export function referenceRows(ranges: CompactIpRanges = shippedIpRanges()): string[][] {
    return ranges.ranges.map(([prefix, region, group, services]) => {
        const keys = rangeKeys(prefix);
        return [keys.bucket, keys.first, keys.last, prefix, region, group, services];
    });
}

/**
 * The table as CSV for Athena (header line, no quoting needed: no value holds a comma, a quote or a
 * line break, which this checks). The Glue table skips the header.
 */
export function awsIpRangesCsv(ranges: CompactIpRanges = shippedIpRanges()): string {
    const rows = referenceRows(ranges);
    for (const row of rows) {
        const bad = row.find((value) => /[,"\n\r]/.test(value));
        if (bad !== undefined) throw new Error(`aws_ip_ranges: value "${bad}" would need CSV quoting`);
    }
    return `${[AWS_IP_RANGES_TABLE_COLUMNS.join(","), ...rows.map((row) => row.join(","))].join("\n")}\n`;
}

/** The date of the copy, `2026-08-22`, for findings and documents. */
export function ipRangesDate(ranges: CompactIpRanges = shippedIpRanges()): string {
    return ranges.createDate.slice(0, 10);
}

interface RangeIndex {
    readonly byBucket: Map<string, { first: string; last: string; length: number; range: AwsRange }[]>;
}

const indexes = new WeakMap<CompactIpRanges, RangeIndex>();

function indexOf(ranges: CompactIpRanges): RangeIndex {
    let index = indexes.get(ranges);
    if (!index) {
        const byBucket = new Map<string, { first: string; last: string; length: number; range: AwsRange }[]>();
        for (const [prefix, region, networkBorderGroup, services] of ranges.ranges) {
            const keys = rangeKeys(prefix);
            const list = byBucket.get(keys.bucket) ?? [];
            list.push({
                first: keys.first,
                last: keys.last,
                length: Number(prefix.split("/")[1]),
                range: { prefix, region, networkBorderGroup, services: services.split(" ") },
            });
            byBucket.set(keys.bucket, list);
        }
        index = { byBucket };
        indexes.set(ranges, index);
    }
    return index;
}

/**
 * The most specific published range holding the address (AWS lists 52.94.0.0/16 and, inside it,
 * smaller ranges of single services), or null when no range holds it; undefined when the text is
 * not a literal address (`AWS Internal`, a service name, two addresses joined by a comma).
 */
export function awsRangeOf(text: string, ranges: CompactIpRanges = shippedIpRanges()): AwsRange | null | undefined {
    const key = addressKey(text);
    if (key === undefined) return undefined;
    const bucket = key.slice(0, key.length === 12 ? 3 : 8);
    let best: { length: number; range: AwsRange } | null = null;
    for (const candidate of indexOf(ranges).byBucket.get(bucket) ?? []) {
        if (key >= candidate.first && key <= candidate.last && (!best || candidate.length > best.length)) best = candidate;
    }
    return best ? best.range : null;
}

/**
 * How a query computes an address's key from `sourceipaddress` with functions both engines share
 * (Trino/Athena and DuckDB: lower, substr, concat, replace, length, strpos, split_part, lpad), one
 * expression per column of successive CTEs (`address`, `address_padded`, `address_expanded`,
 * `address_key`). The detections that match addresses carry these expressions verbatim (a test
 * checks it), and a test runs them on DuckDB against {@link addressKey}.
 */
export const SQL_ADDRESS_KEY = {
    /** Lower-case; `::ffff:a.b.c.d` read as IPv4. */
    address: "CASE WHEN lower(sourceipaddress) LIKE '::ffff:%.%' THEN substr(sourceipaddress, 8) ELSE lower(sourceipaddress) END",
    /** A leading or trailing `::` given a 0 group, so that only the one `::` stands for missing groups. */
    address_padded: "concat(CASE WHEN address LIKE ':%' THEN '0' ELSE '' END, address, CASE WHEN address LIKE '%:' THEN '0' ELSE '' END)",
    /** `::` replaced by the missing 0 groups: 8 groups minus the colons already there. */
    address_expanded:
        "replace(address_padded, '::', concat(':', substr('0:0:0:0:0:0:0:0:', 1, 2 * (8 - (length(address_padded) - length(replace(address_padded, ':', '')))))))",
    /** 12 decimal digits (IPv4) or 32 hex digits (IPv6). */
    address_key:
        "CASE WHEN strpos(address, ':') > 0 THEN concat(" +
        [1, 2, 3, 4, 5, 6, 7, 8].map((part) => `lpad(split_part(address_expanded, ':', ${part}), 4, '0')`).join(", ") +
        ") ELSE concat(" +
        [1, 2, 3, 4].map((part) => `lpad(split_part(address, '.', ${part}), 3, '0')`).join(", ") +
        ") END",
} as const;
