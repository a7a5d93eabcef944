/**
 * From detection rows to alerts: suppress, group by (detection, account, principal), deduplicate,
 * send to the destinations whose severity threshold the alert meets. The same function serves the
 * event evaluator, the scheduled evaluator and the replay (`npm run alerts`).
 */
import { Suppressions } from "../../contract/suppressions";
import { AlertDetection, AlertSeverity, SEVERITY_RANK } from "../../contract/alerting";
import { isoSeconds, sqlForWindow } from "./catalogue";
import { DedupStore } from "./dedup";
import { accountName, sourceNetwork } from "../../contract/enrichment";

/** One output row of a detection (DETECTIONS-FORMAT.md: ten columns, as text). */
export type DetectionRow = Record<string, unknown>;

/** Event ids listed in a message at most; the count is always the full distinct count. */
export const MAX_EVENT_IDS_IN_MESSAGE = 100;

export interface Alert {
    readonly alertId: string;
    readonly detection: string;
    readonly title: string;
    readonly severity: AlertSeverity;
    readonly kind: AlertDetection["kind"];
    readonly tactics: string[];
    readonly techniques: string[];
    readonly account: string;
    /** The account's name from stack config (`accounts[].name`), or null for an account not listed. */
    readonly accountName: string | null;
    readonly region: string | null;
    readonly regions: string[];
    readonly principal: string;
    readonly sourceIp: string | null;
    /** Where {@link sourceIp} is: an AWS range (service, region, prefix) or outside AWS (contract/enrichment.ts). */
    readonly sourceNetwork: string | null;
    readonly sourceIps: string[];
    /** The same for every address of {@link sourceIps}. */
    readonly sourceNetworks: Record<string, string>;
    readonly userAgent: string | null;
    readonly firstSeen: string;
    readonly lastSeen: string;
    /** Distinct events in this alert (before dedup: this evaluation; after: the whole dedup window so far). */
    readonly count: number;
    readonly eventIds: string[];
    readonly eventIdsTruncated: boolean;
    readonly eventNames: string[];
    readonly details: string[];
    readonly description: string;
    readonly runbook: string;
    /** Athena SQL (table {@link AlertContext.table}) that shows this alert's events. */
    readonly query: string;
}

export interface Destination {
    readonly name: string;
    readonly minSeverity: AlertSeverity;
    send(alert: Alert): Promise<void>;
}

export interface AlertContext {
    readonly suppressions: Suppressions;
    /** Account id → name, from stack config. */
    readonly accountNames: Readonly<Record<string, string>>;
    readonly dedup: DedupStore;
    readonly dedupWindowMs: number;
    readonly destinations: readonly Destination[];
    /** Athena table the alert's query reads (the normalised JSON table sees events at once). */
    readonly table: string;
    /** Milliseconds "now" for the dedup window; the replay passes event time. */
    readonly now: (alert: Alert) => number;
}

export interface AlertOutcome {
    readonly alert: Alert;
    /** sent: opened a dedup window and went to `destinations`; updated: a repeat within the window. */
    readonly status: "sent" | "updated";
    readonly destinations: string[];
    /** Distinct events in the dedup window so far. */
    readonly windowCount: number;
}

export interface EvaluationResult {
    readonly outcomes: AlertOutcome[];
    readonly suppressed: { readonly detection: string; readonly eventid: string; readonly reason: string; readonly index: number }[];
}

const str = (value: unknown): string | null => (value === null || value === undefined || value === "" ? null : String(value));
const distinct = (values: (string | null)[]) => [...new Set(values.filter((value): value is string => value !== null))];
const sqlLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** What groups rows into one alert. Rows without a principal ARN (AWS services, some root events) group by "-". */
export function alertKey(detection: string, account: string, principal: string): string {
    return `${detection}|${account}|${principal}`;
}

function mostFrequent(values: (string | null)[]): string | null {
    const counts = new Map<string, number>();
    for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/** Groups a detection's (already suppressed) rows into alerts. */
export function buildAlerts(detection: AlertDetection, rows: readonly DetectionRow[], context: Pick<AlertContext, "accountNames" | "table">): Alert[] {
    const groups = new Map<string, DetectionRow[]>();
    for (const row of rows) {
        const key = alertKey(detection.id, str(row.account) ?? "-", str(row.principal) ?? "-");
        groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const alerts: Alert[] = [];
    for (const [key, group] of groups) {
        const [, account, principal] = key.split("|");
        const times = group
            .map((row) => str(row.eventtime))
            .filter((time): time is string => time !== null)
            .sort();
        const firstSeen = times[0] ?? "";
        const lastSeen = times.at(-1) ?? "";
        const eventIds = distinct(group.map((row) => str(row.eventid))).sort();
        const window = { since: `${firstSeen.slice(0, 19)}Z`, until: isoSeconds(new Date(Date.parse(`${lastSeen.slice(0, 19)}Z`) + 1000)) };
        const sourceIp = mostFrequent(group.map((row) => str(row.sourceipaddress)));
        const sourceIps = distinct(group.map((row) => str(row.sourceipaddress)))
            .sort()
            .slice(0, 20);
        const query =
            `SELECT * FROM (\n${sqlForWindow(detection, window, context.table)}\n) AS hits\nWHERE account = ${sqlLiteral(account)}` +
            (principal === "-" ? " AND principal IS NULL" : ` AND principal = ${sqlLiteral(principal)}`) +
            "\nORDER BY eventtime";
        alerts.push({
            alertId: `${detection.id}:${account}:${principal}:${firstSeen}`,
            detection: detection.id,
            title: detection.title,
            severity: detection.severity,
            kind: detection.kind,
            tactics: detection.tactics,
            techniques: detection.techniques,
            account,
            accountName: accountName(account, context.accountNames),
            region: mostFrequent(group.map((row) => str(row.region))),
            regions: distinct(group.map((row) => str(row.region))).sort(),
            principal,
            sourceIp,
            sourceNetwork: sourceNetwork(sourceIp),
            sourceIps,
            sourceNetworks: Object.fromEntries(
                sourceIps.map((address) => [address, sourceNetwork(address)]).filter((entry): entry is [string, string] => entry[1] !== null),
            ),
            userAgent: mostFrequent(group.map((row) => str(row.useragent))),
            firstSeen,
            lastSeen,
            // Distinct events; a row without an event id (seen in hand-made samples) counts on its own.
            count: eventIds.length + group.filter((row) => str(row.eventid) === null).length,
            eventIds: eventIds.slice(0, MAX_EVENT_IDS_IN_MESSAGE),
            eventIdsTruncated: eventIds.length > MAX_EVENT_IDS_IN_MESSAGE,
            eventNames: distinct(group.map((row) => str(row.eventname))).sort(),
            details: distinct(group.map((row) => str(row.detail))).slice(0, 10),
            description: detection.description,
            runbook: detection.runbook,
            query,
        });
        // All ids go to the dedup store, not only those listed in the message.
        allEventIds.set(alerts.at(-1)!, eventIds);
    }
    return alerts;
}

/** Every event id of an alert built by {@link buildAlerts} (the alert lists at most {@link MAX_EVENT_IDS_IN_MESSAGE}). */
const allEventIds = new WeakMap<Alert, string[]>();

/**
 * Suppress, group, deduplicate, send. A destination that fails releases the dedup claim and
 * rethrows, so the delivery is retried (SQS redelivers the file; the next schedule re-runs the window).
 */
export async function raiseAlerts(
    results: readonly { detection: AlertDetection; rows: readonly DetectionRow[] }[],
    context: AlertContext,
): Promise<EvaluationResult> {
    const outcomes: AlertOutcome[] = [];
    const suppressed: EvaluationResult["suppressed"][number][] = [];
    for (const { detection, rows } of results) {
        const { kept, suppressed: dropped } = context.suppressions.partition(detection.id, rows);
        for (const entry of dropped)
            suppressed.push({ detection: detection.id, eventid: str(entry.row.eventid) ?? "", reason: entry.by.reason, index: entry.index });
        for (const alert of buildAlerts(detection, kept, context)) {
            const ids = allEventIds.get(alert) ?? alert.eventIds;
            const key = alertKey(alert.detection, alert.account, alert.principal);
            const now = context.now(alert);
            const claim = await context.dedup.record(key, ids, now, context.dedupWindowMs);
            if (!claim.opened) {
                outcomes.push({ alert, status: "updated", destinations: [], windowCount: claim.count });
                continue;
            }
            const destinations = context.destinations.filter((destination) => SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[destination.minSeverity]);
            try {
                for (const destination of destinations) await destination.send(alert);
            } catch (error) {
                await context.dedup.release(key, claim.token);
                throw error;
            }
            await context.dedup.markSent(key, claim.token);
            outcomes.push({ alert, status: "sent", destinations: destinations.map((destination) => destination.name), windowCount: claim.count });
        }
    }
    return { outcomes, suppressed };
}
