/**
 * Key layouts of the normaliser: where CloudTrail puts a log file in the archive, and where its
 * normalised records go in the lake. Pure functions, shared by the Lambda, the local command and
 * the tests.
 */
import { LAKE_PREFIXES } from "./prefixes";

/** What a CloudTrail key says about its file. */
export interface LogLocation {
    readonly kind: "log" | "digest" | "insight" | "other";
    readonly account?: string;
    readonly region?: string;
    /** Delivery date, `YYYY-MM-DD`. */
    readonly date?: string;
    readonly fileName: string;
}

// AWSLogs/[o-orgid/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/<region>/YYYY/MM/DD/<file>
const CLOUDTRAIL_KEY =
    /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/;

/** Classifies an archive key (already URL-decoded) or a local path laid out the same way. */
export function parseLogKey(key: string): LogLocation {
    const fileName = key.slice(key.lastIndexOf("/") + 1);
    const match = CLOUDTRAIL_KEY.exec(key.replace(/\\/g, "/"));
    if (!match) return { kind: "other", fileName };
    const [, account, folder, region, year, month, day] = match;
    const kind = folder === "CloudTrail" ? "log" : folder === "CloudTrail-Digest" ? "digest" : "insight";
    return { kind, account, region, date: `${year}-${month}-${day}`, fileName };
}

/** Whether the normaliser should process this key: CloudTrail log files, gzip, never digests or Insights. */
export function isNormalisable(location: LogLocation): boolean {
    return location.kind === "log" && location.fileName.endsWith(".json.gz");
}

/** S3 event notification keys are URL-encoded with `+` for spaces. */
export function decodeS3EventKey(key: string): string {
    return decodeURIComponent(key.replace(/\+/g, " "));
}

/** Output file name for a source file: its own name, always ending `.json.gz`. */
export function outputFileName(sourceName: string): string {
    if (sourceName.endsWith(".json.gz")) return sourceName;
    if (sourceName.endsWith(".json")) return `${sourceName}.gz`;
    return `${sourceName}.json.gz`;
}

/** Values partition names may hold: anything else is replaced so a key can never escape its prefix. */
function partitionValue(value: string): string {
    return value.replace(/[^A-Za-z0-9._-]/g, "_") || "unknown";
}

/** `normalised/account=<id>/region=<region>/date=<yyyy-mm-dd>/<file>`. */
export function normalisedKey(
    partition: { account: string; region: string; date: string },
    fileName: string,
    prefix: string = LAKE_PREFIXES.normalised,
): string {
    return `${prefix}account=${partitionValue(partition.account)}/region=${partitionValue(partition.region)}/date=${partitionValue(partition.date)}/${fileName}`;
}
