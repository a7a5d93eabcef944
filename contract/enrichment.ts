/**
 * What a finding says beyond the event: for a source address, the AWS range that holds it (service
 * and region, from AWS's published ranges, contract/awsIpRanges.ts) or "outside AWS"; for an account
 * id, its name from the stack config. One pure module for the three places a person reads findings:
 * the local report and `--json` (local/run.ts, local/report.ts) and the alert payloads
 * (lambda/alerts/alert.ts), so they never disagree.
 */
import { awsRangeOf, ipRangesDate } from "./awsIpRanges";

/**
 * `AWS EC2 us-east-1 (54.210.0.0/15)`, `AWS (GLOBAL, 52.46.0.0/18)`, `outside AWS (ranges of 2026-08-22)`;
 * `AWS service ec2.amazonaws.com` and `AWS internal` for what AWS logs instead of an address; null
 * when there is no address or it cannot be read (two addresses joined by a proxy).
 */
export function sourceNetwork(sourceIpAddress: unknown): string | null {
    if (typeof sourceIpAddress !== "string" || sourceIpAddress.trim() === "") return null;
    const text = sourceIpAddress.trim();
    if (text === "AWS Internal") return "AWS internal";
    if (/^[a-z0-9.-]+\.amazonaws\.com$/i.test(text)) return `AWS service ${text.toLowerCase()}`;
    const range = awsRangeOf(text);
    if (range === undefined) return null;
    if (range === null) return `outside AWS (ranges of ${ipRangesDate()})`;
    // The most specific service AWS names (services are listed with AMAZON, the catch-all, last).
    const service = range.services.find((name) => name !== "AMAZON");
    return `AWS${service ? ` ${service}` : ""} ${range.region} (${range.prefix})`;
}

/** The account's name in the stack config, or null for an account not listed (or no config). */
export function accountName(accountId: unknown, accountNames: Readonly<Record<string, string>>): string | null {
    return typeof accountId === "string" ? (accountNames[accountId] ?? null) : null;
}

/** Columns a detection row gains: `sourcenetwork` and `accountname`, after the detection's own ten. */
export function enrichRow<T extends Record<string, unknown>>(
    row: T,
    accountNames: Readonly<Record<string, string>>,
): T & { sourcenetwork: string | null; accountname: string | null } {
    return { ...row, sourcenetwork: sourceNetwork(row.sourceipaddress), accountname: accountName(row.account, accountNames) };
}
