/**
 * Alert replay: the alert functions' code on local logs, to see what would have been sent and to
 * tune suppressions before enabling a destination. Same detections, same DuckDB evaluation of
 * kind=event detections file by file (as the event evaluator does per normalised file), the
 * windowed ones over the schedule's windows (as the scheduled evaluator does on Athena), same
 * suppressions, same grouping and the same dedup semantics with an in-memory store whose clock
 * is event time (so a day of logs replays in seconds with the windows it would have had).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, LakeConfig, parseLakeConfig } from "../config/stackConfig";
import { Suppressions } from "../contract/suppressions";
import { AlertContext, AlertOutcome, alertKey, Destination, DetectionRow, raiseAlerts } from "../lambda/alerts/alert";
import { AlertDetection, AlertingSettings, loadAlertDetections } from "../contract/alerting";
import { isoSeconds, Window } from "../lambda/alerts/catalogue";
import { MemoryDedupStore } from "../lambda/alerts/dedup";
import { loadNormalisedFiles, runDetections } from "../lambda/alerts/evaluate";
import { alertingSettings } from "../config/alertingSettings";

export { alertingSettings };
import { Engine } from "../lambda/shared/engine";
import { FileResult, ingestFiles } from "./ingest";
import { createCloudTrailView, partitionDirectory, rebuildParquet } from "./lake";

/** Reads a Pulumi stack file (`Pulumi.prod.yaml`) and validates its `cloudtrail-lake:*` keys as `pulumi up` does. */
export function readStackConfig(file: string): LakeConfig {
    const document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((document.config ?? {}) as Record<string, unknown>)) {
        if (key.startsWith(`${CONFIG_NAMESPACE}:`)) values[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
    }
    try {
        return parseLakeConfig(values);
    } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
    }
}

export interface ReplayOptions {
    readonly files: readonly string[];
    readonly outDir: string;
    readonly settings: AlertingSettings;
    readonly since?: string;
    readonly until?: string;
}

export interface ReplayedAlert {
    readonly detection: string;
    readonly title: string;
    readonly severity: string;
    readonly kind: string;
    readonly account: string;
    readonly accountName: string | null;
    readonly region: string | null;
    readonly principal: string;
    readonly sourceIp: string | null;
    readonly userAgent: string | null;
    readonly firstSeen: string;
    readonly lastSeen: string;
    /** Distinct events in the alert as sent. */
    readonly count: number;
    readonly eventIds: string[];
    /** Distinct events of its dedup window by the end of the replay (repeats counted, not sent). */
    readonly windowCount: number;
    /** Where it would go under the stack's destinations; empty when none is configured for its severity. */
    readonly destinations: string[];
    readonly tactics: string[];
    readonly techniques: string[];
    readonly runbook: string;
}

export interface ReplayResult {
    readonly alerts: ReplayedAlert[];
    readonly suppressed: { readonly index: number; readonly reason: string; readonly rows: number; readonly detections: string[] }[];
    readonly errors: { readonly detection: string; readonly error: string }[];
    readonly inputs: { readonly read: number; readonly skipped: number; readonly failed: number; readonly events: number };
    readonly files: FileResult[];
}

/** Destinations as the stack config has them, recording instead of sending. */
function dryRunDestinations(settings: AlertingSettings): Destination[] {
    const list: Destination[] = [];
    if (settings.sns) list.push({ name: "sns", minSeverity: settings.sns.minSeverity, send: async () => {} });
    if (settings.eventBridge) list.push({ name: "eventbridge", minSeverity: settings.eventBridge.minSeverity, send: async () => {} });
    return list;
}

/** Intersection of a window with --since/--until; undefined when empty. */
function clip(window: Window, since?: string, until?: string): Window | undefined {
    const clipped = { since: since && since > window.since ? since : window.since, until: until && until < window.until ? until : window.until };
    return clipped.since < clipped.until ? clipped : undefined;
}

export async function replayAlerts(options: ReplayOptions): Promise<ReplayResult> {
    const { settings } = options;
    fs.mkdirSync(options.outDir, { recursive: true });
    const files = await ingestFiles(options.files, options.outDir, { shapes: "any" });
    const objects = files.flatMap((file) => file.objects).sort();
    const dedup = new MemoryDedupStore();
    const clock = { now: 0 };
    const context: AlertContext = {
        suppressions: new Suppressions(settings.suppressions),
        accountNames: settings.accountNames,
        dedup,
        dedupWindowMs: settings.dedupMinutes * 60_000,
        destinations: dryRunDestinations(settings),
        table: settings.recentTable,
        now: () => clock.now,
    };
    const sent = new Map<string, ReplayedAlert>();
    const suppressed = new Map<number, { index: number; reason: string; rows: number; detections: Set<string> }>();
    const errors = new Map<string, string>();
    const collect = (outcomes: AlertOutcome[], result: Awaited<ReturnType<typeof raiseAlerts>>) => {
        for (const outcome of outcomes) {
            const key = alertKey(outcome.alert.detection, outcome.alert.account, outcome.alert.principal);
            if (outcome.status === "updated") {
                const entry = sent.get(key);
                if (entry) sent.set(key, { ...entry, windowCount: outcome.windowCount });
                continue;
            }
            const { alert } = outcome;
            const replayed: ReplayedAlert = {
                detection: alert.detection,
                title: alert.title,
                severity: alert.severity,
                kind: alert.kind,
                account: alert.account,
                accountName: alert.accountName,
                region: alert.region,
                principal: alert.principal,
                sourceIp: alert.sourceIp,
                userAgent: alert.userAgent,
                firstSeen: alert.firstSeen,
                lastSeen: alert.lastSeen,
                count: alert.count,
                eventIds: alert.eventIds,
                windowCount: outcome.windowCount,
                destinations: outcome.destinations,
                tactics: alert.tactics,
                techniques: alert.techniques,
                runbook: alert.runbook,
            };
            // A new dedup window for the same key: the earlier alert stays in the list (several windows, several alerts).
            const previous = sent.get(key);
            if (previous) allAlerts.push(previous);
            sent.set(key, replayed);
        }
        for (const row of result.suppressed) {
            const entry = suppressed.get(row.index) ?? { index: row.index, reason: row.reason, rows: 0, detections: new Set<string>() };
            entry.rows++;
            entry.detections.add(row.detection);
            suppressed.set(row.index, entry);
        }
    };
    const allAlerts: ReplayedAlert[] = [];
    const eventDetections = settings.detections.filter((detection) => detection.kind === "event");
    const windowedDetections = settings.detections.filter((detection) => detection.kind !== "event");

    const engine = await Engine.open({ tempDirectory: path.join(os.tmpdir(), "cloudtrail-lake-duckdb") });
    try {
        // Event detections: one normalised file at a time, as the event evaluator sees them, clock = the file's last event.
        for (const object of objects) {
            const span = await loadNormalisedFiles(engine, [path.join(options.outDir, object)]);
            const window = span && clip(span, options.since, options.until);
            if (!window) continue;
            // Wall time never runs backwards, even when files hold older events than the previous one.
            clock.now = Math.max(clock.now, Date.parse(window.until));
            const runs = await runDetections(engine, eventDetections, window);
            for (const run of runs) if (run.error) errors.set(run.detection.id, run.error);
            const result = await raiseAlerts(runs, context);
            collect(result.outcomes, result);
        }
        await engine.run("DROP TABLE IF EXISTS cloudtrail");

        // Windowed detections: the scheduled runs that would have seen these events, on the local Parquet lake.
        if (windowedDetections.length > 0 && objects.length > 0) {
            await rebuildParquet(engine, options.outDir, [...new Set(objects.map(partitionDirectory))].sort());
            await createCloudTrailView(engine, options.outDir);
            for (const end of await scheduledRunEnds(engine, settings)) {
                const window = clip(
                    { since: isoSeconds(new Date(end - (settings.scheduleMinutes + settings.lookbackMinutes) * 60_000)), until: isoSeconds(new Date(end)) },
                    options.since,
                    options.until,
                );
                if (!window) continue;
                clock.now = Math.max(clock.now, end);
                const runs = await runDetections(
                    engine,
                    windowedDetections,
                    window,
                    settings.firstSeenLookbackDays === undefined ? undefined : settings.firstSeenLookbackDays * 86_400_000,
                );
                for (const run of runs) if (run.error) errors.set(run.detection.id, run.error);
                const result = await raiseAlerts(runs as { detection: AlertDetection; rows: DetectionRow[] }[], context);
                collect(result.outcomes, result);
            }
        }
    } finally {
        engine.close();
    }
    allAlerts.push(...sent.values());
    const count = (status: FileResult["status"]) => files.filter((file) => file.status === status).length;
    return {
        alerts: allAlerts.sort(
            (a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.detection.localeCompare(b.detection) || a.principal.localeCompare(b.principal),
        ),
        suppressed: [...suppressed.values()].sort((a, b) => a.index - b.index).map((entry) => ({ ...entry, detections: [...entry.detections].sort() })),
        errors: [...errors].map(([detection, error]) => ({ detection, error })),
        inputs: { read: count("normalised"), skipped: count("skipped"), failed: count("failed"), events: files.reduce((sum, file) => sum + file.events, 0) },
        files,
    };
}

/**
 * End instants (ms) of the scheduled runs whose window [end - schedule - lookback, end) holds at
 * least one event: runs over empty time find nothing and are skipped.
 */
async function scheduledRunEnds(engine: Engine, settings: Pick<AlertingSettings, "scheduleMinutes" | "lookbackMinutes">): Promise<number[]> {
    const period = settings.scheduleMinutes * 60_000;
    const rows = await engine.all(
        `SELECT DISTINCT floor(epoch_ms(from_iso8601_timestamp(eventtime)) / ${period}) AS slot FROM cloudtrail WHERE eventtime IS NOT NULL`,
    );
    const reach = Math.ceil(((settings.scheduleMinutes + settings.lookbackMinutes) * 60_000) / period);
    const ends = new Set<number>();
    for (const row of rows) for (let k = 1; k <= reach; k++) ends.add((Number(row.slot) + k) * period);
    return [...ends].sort((a, b) => a - b);
}

export { loadAlertDetections };
