/**
 * Alert replay: the alert functions' code on local logs, to see what would have been sent and to
 * tune suppressions before enabling a destination. Same detections, same DuckDB evaluation of
 * kind=event detections file by file (as the event evaluator does per normalised file, in the
 * order the files would have arrived), the windowed ones over every scheduled run whose window
 * holds events (as the scheduled evaluator does on Athena, all runs of one detection in one
 * query), same suppressions, same grouping and the same dedup semantics with an in-memory store
 * whose clock is event time. The output folder is a lake of this run's input only (unless
 * `append`), written under the same lock and rules as `npm start` (local/run.ts). docs/alerts-replay.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../config/stackFile";
import { CONFIG_NAMESPACE, LakeConfig, parseLakeConfig } from "../config/stackConfig";
import { Suppressions } from "../contract/suppressions";
import { AlertContext, AlertOutcome, alertKey, Destination, DetectionRow, raiseAlerts } from "../lambda/alerts/alert";
import { AlertDetection, AlertingSettings, loadAlertDetections } from "../contract/alerting";
import { isoSeconds, Window } from "../lambda/alerts/catalogue";
import { MemoryDedupStore } from "../lambda/alerts/dedup";
import { DetectionRun, loadNormalisedFiles, runDetections } from "../lambda/alerts/evaluate";
import { alertingSettings, unknownDetectionProblems } from "../config/alertingSettings";
import { loadDetections, lookbackOfSource, queryForWindowExpressions } from "../contract/detections";
import { LAKE_PREFIXES } from "../contract/prefixes";
import { Engine, literal, pathLiteral } from "../lambda/shared/engine";
import { PassedOverEntry } from "./files";
import { FileResult, ingestFiles, LOCAL_GZIP_LEVEL } from "./ingest";
import { EventIdSet } from "./dedup";
import { createCloudTrailView, partitionDirectory, rebuildTouchedParquet } from "./lake";
import { allPartitions, idsInLake, inRunFolder } from "./run";

export { alertingSettings };

/**
 * Reads a Pulumi stack file (`Pulumi.prod.yaml`) and validates its `cloudtrail-lake:*` keys as `pulumi up`
 * does, and its suppressions against the detection catalogue as the alerting does
 * (config/alertingSettings.ts): every local command that takes `--stack-file` refuses what the deploy refuses.
 */
export function readStackConfig(file: string, detections: readonly { id: string }[] = loadDetections()): LakeConfig {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(readStackFile(file))) {
        if (key.startsWith(`${CONFIG_NAMESPACE}:`)) values[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
    }
    let config: LakeConfig;
    try {
        config = parseLakeConfig(values);
    } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
    }
    const problems = unknownDetectionProblems(config, detections);
    if (problems.length > 0) throw new Error(`${file}: invalid stack config:\n  - ${problems.join("\n  - ")}`);
    return config;
}

export interface ReplayOptions {
    readonly files: readonly string[];
    readonly outDir: string;
    readonly settings: AlertingSettings;
    readonly since?: string;
    readonly until?: string;
    /** Add this input to the lake already in `outDir` and replay the whole lake (`--append`); default: a fresh lake, as `npm start`. */
    readonly append?: boolean;
    /** Files and folders the caller passed over (local/files.ts), reported with the others. */
    readonly passedOver?: readonly PassedOverEntry[];
    /** Files normalised at once (local/workerPool.ts); the result is the same for any number. Default 1. */
    readonly jobs?: number;
    /** Progress for the command line: files normalised, files evaluated by the event detections, windowed detections evaluated. */
    readonly onProgress?: (stage: ReplayStage, done: number, total: number) => void;
}

export type ReplayStage = "normalise" | "event detections" | "windowed detections";

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
    /** `events`: distinct events read (by eventID); `duplicates`: events dropped because their eventID was read before (this run, or the lake with append). */
    readonly inputs: { readonly read: number; readonly skipped: number; readonly failed: number; readonly events: number; readonly duplicates: number };
    readonly files: FileResult[];
    /** Normalised files the event detections ran on, and scheduled runs (windows) the windowed detections ran on. */
    readonly evaluated: { readonly files: number; readonly windows: number };
    /** Things the user should know that are not errors (a stale lock removed). */
    readonly warnings: string[];
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

/** Every normalised object of the lake (relative keys), for a replay of the whole lake (`--append`). */
function lakeObjects(lake: string): string[] {
    const root = path.join(lake, LAKE_PREFIXES.normalised);
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true }) as string[])
        .filter((name) => name.endsWith(".json.gz"))
        .map((name) => path.join(LAKE_PREFIXES.normalised, name).split(path.sep).join("/"))
        .sort();
}

/**
 * The normalised objects in the order the event evaluator would have met them: by their last event
 * (a file reaches S3 minutes after its last event), so that the dedup clock runs forward as it does
 * deployed, whatever the files' names. Objects without a readable time come last, by name.
 */
async function inArrivalOrder(engine: Engine, lake: string, objects: readonly string[]): Promise<string[]> {
    if (objects.length === 0) return [];
    const rows =
        await engine.all(`SELECT filename, max(substr(eventtime, 1, 19)) AS last FROM read_json([${objects.map((object) => pathLiteral(path.join(lake, object))).join(", ")}],
        format = 'newline_delimited', compression = 'gzip', columns = {eventtime: 'VARCHAR'}, filename = true) GROUP BY filename`);
    const last = new Map(rows.map((row) => [String(row.filename), row.last === null ? "~" : String(row.last)]));
    return [...objects].sort((a, b) => {
        const [ta, tb] = [last.get(path.join(lake, a)) ?? "~", last.get(path.join(lake, b)) ?? "~"];
        return ta < tb ? -1 : ta > tb ? 1 : a.localeCompare(b);
    });
}

export async function replayAlerts(options: ReplayOptions): Promise<ReplayResult> {
    return inRunFolder(options.outDir, options.append ?? false, ({ engine, lake, warnings, tempRoot }) => replayIn(engine, lake, options, warnings, tempRoot));
}

async function replayIn(engine: Engine, lake: string, options: ReplayOptions, warnings: string[], tempRoot: string): Promise<ReplayResult> {
    const { settings } = options;
    const seenEventIds = options.append ? await idsInLake(engine, lake) : new EventIdSet();
    let normalised = 0;
    options.onProgress?.("normalise", 0, options.files.length);
    const ingested = await ingestFiles(options.files, lake, {
        shapes: "any",
        seenEventIds,
        keepExisting: options.append,
        jobs: options.jobs,
        gzipLevel: LOCAL_GZIP_LEVEL,
        tempRoot,
        onFileDone: () => options.onProgress?.("normalise", ++normalised, options.files.length),
    });
    const files: FileResult[] = [
        ...(options.passedOver ?? []).map(({ file, reason, status }) => ({ file, status, reason, events: 0, objects: [] })),
        ...ingested,
    ];
    const objects = await inArrivalOrder(engine, lake, options.append ? lakeObjects(lake) : files.flatMap((file) => file.objects));
    const context = (clock: { now: number }): AlertContext => ({
        suppressions: new Suppressions(settings.suppressions),
        accountNames: settings.accountNames,
        dedup,
        dedupWindowMs: settings.dedupMinutes * 60_000,
        destinations: dryRunDestinations(settings),
        table: settings.recentTable,
        now: () => clock.now,
    });
    const dedup = new MemoryDedupStore();
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

    // Event detections: one normalised file at a time, as the event evaluator sees them, clock = the file's last event.
    // Each kind of evaluator has its own clock: their alerts never share a dedup key (the key starts with the
    // detection), and the scheduled runs below must not inherit the last file's time.
    const eventClock = { now: 0 };
    let evaluatedFiles = 0;
    for (const [index, object] of objects.entries()) {
        options.onProgress?.("event detections", index, objects.length);
        const span = await loadNormalisedFiles(engine, [path.join(lake, object)]);
        const window = span && clip(span, options.since, options.until);
        if (!window) continue;
        evaluatedFiles++;
        eventClock.now = Math.max(eventClock.now, Date.parse(window.until));
        const runs = await runDetections(engine, eventDetections, window);
        for (const run of runs) if (run.error) errors.set(run.detection.id, run.error);
        const result = await raiseAlerts(runs, context(eventClock));
        collect(result.outcomes, result);
    }
    options.onProgress?.("event detections", objects.length, objects.length);
    await engine.run("DROP TABLE IF EXISTS cloudtrail");

    // Windowed detections: the scheduled runs that would have seen these events, on the local Parquet lake.
    let evaluatedWindows = 0;
    if (windowedDetections.length > 0 && objects.length > 0) {
        const partitions = options.append ? allPartitions(lake) : [...new Set(objects.map(partitionDirectory))].sort();
        await rebuildTouchedParquet(engine, lake, partitions, seenEventIds.allCanonicalUuids());
        await createCloudTrailView(engine, lake);
        const windows: ScheduledRun[] = [];
        for (const end of await scheduledRunEnds(engine, settings)) {
            const since = isoSeconds(new Date(end - (settings.scheduleMinutes + settings.lookbackMinutes) * 60_000));
            const window = clip({ since, until: isoSeconds(new Date(end)) }, options.since, options.until);
            if (window) windows.push({ ...window, end });
        }
        evaluatedWindows = windows.length;
        const { byWindow: runsByWindow } = await runWindowedDetections(
            engine,
            windowedDetections,
            windows,
            (done) => options.onProgress?.("windowed detections", done, windowedDetections.length),
            settings.firstSeenLookbackDays === undefined ? undefined : settings.firstSeenLookbackDays * 86_400_000,
        );
        const scheduleClock = { now: 0 };
        for (const [index, window] of windows.entries()) {
            scheduleClock.now = Math.max(scheduleClock.now, window.end);
            const runs = runsByWindow[index];
            for (const run of runs) if (run.error) errors.set(run.detection.id, run.error);
            const result = await raiseAlerts(runs as { detection: AlertDetection; rows: DetectionRow[] }[], context(scheduleClock));
            collect(result.outcomes, result);
        }
    }
    allAlerts.push(...sent.values());
    const count = (status: FileResult["status"]) => files.filter((file) => file.status === status).length;
    const sum = (pick: (file: FileResult) => number) => files.reduce((total, file) => total + pick(file), 0);
    return {
        alerts: allAlerts.sort(
            (a, b) =>
                a.firstSeen.localeCompare(b.firstSeen) ||
                a.detection.localeCompare(b.detection) ||
                a.principal.localeCompare(b.principal) ||
                a.account.localeCompare(b.account),
        ),
        suppressed: [...suppressed.values()].sort((a, b) => a.index - b.index).map((entry) => ({ ...entry, detections: [...entry.detections].sort() })),
        errors: [...errors].map(([detection, error]) => ({ detection, error })),
        inputs: {
            read: count("normalised"),
            skipped: count("skipped"),
            failed: count("failed"),
            events: sum((file) => file.events),
            duplicates: sum((file) => file.duplicates ?? 0),
        },
        files,
        evaluated: { files: evaluatedFiles, windows: evaluatedWindows },
        warnings,
    };
}

/** One scheduled run of the windowed detections: its window (clipped to --since/--until) and the instant it runs. */
export interface ScheduledRun extends Window {
    /** When the run happens (ms): the end of its unclipped window, the dedup clock of its alerts. */
    readonly end: number;
}

/**
 * End instants (ms) of the scheduled runs whose window [end - schedule - lookback, end) holds at
 * least one event: runs over empty time find nothing and are skipped.
 */
export async function scheduledRunEnds(engine: Engine, settings: Pick<AlertingSettings, "scheduleMinutes" | "lookbackMinutes">): Promise<number[]> {
    const period = settings.scheduleMinutes * 60_000;
    const rows = await engine.all(
        `SELECT DISTINCT floor(epoch_ms(from_iso8601_timestamp(eventtime)) / ${period}) AS slot FROM cloudtrail WHERE eventtime IS NOT NULL`,
    );
    const reach = Math.ceil(((settings.scheduleMinutes + settings.lookbackMinutes) * 60_000) / period);
    const ends = new Set<number>();
    for (const row of rows) for (let k = 1; k <= reach; k++) ends.add((Number(row.slot) + k) * period);
    return [...ends].sort((a, b) => a - b);
}

/** Rows of one detection run in one fixed order, whatever order the engine returned them in. */
function canonicalOrder(rows: DetectionRow[]): DetectionRow[] {
    const keyed = rows.map((row) => ({ row, key: JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }));
    const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));
    return keyed
        .sort(
            (a, b) =>
                text(a.row.eventtime).localeCompare(text(b.row.eventtime)) ||
                text(a.row.eventid).localeCompare(text(b.row.eventid)) ||
                (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
        )
        .map(({ row }) => row);
}

const WINDOW_COLUMN = "replay_window_index__";

/**
 * The windowed detections over every scheduled run, as if each run had queried its own window
 * (`runDetections` per window, as the scheduled evaluator does on Athena), but in one query per
 * detection: the windows are a table and the detection a LATERAL subquery over it, its `${window}`
 * read from the window's columns. A week of logs is then 18 queries, not 18 per scheduled run
 * (672 runs × 18 took six minutes). A detection DuckDB cannot evaluate that way (a placeholder only
 * a literal can fill, or a query it cannot decorrelate) runs window by window. Rows are returned per
 * window in one canonical order, so both ways give the same input to the alerting.
 */
export async function runWindowedDetections(
    engine: Engine,
    detections: readonly AlertDetection[],
    windows: readonly Window[],
    onDetectionDone?: (done: number) => void,
    /** The first-seen detections' lookback (`alerts.firstSeenLookbackDays`) instead of each one's header. */
    lookbackMs?: number,
): Promise<{ readonly byWindow: DetectionRun[][]; readonly windowByWindow: string[] }> {
    const byWindow: DetectionRun[][] = windows.map(() => []);
    const windowByWindow: string[] = [];
    if (windows.length === 0) return { byWindow, windowByWindow };
    /** The windows as a table, each with the start of the history before it for a lookback of `historyMs`. */
    const windowsTable = (historyMs: number) =>
        engine.run(
            `CREATE OR REPLACE TEMP TABLE replay_windows AS SELECT * FROM (VALUES ${windows
                .map(
                    (window, index) =>
                        `(${index}, ${literal(window.since)}, ${literal(window.until)}, ${literal(isoSeconds(new Date(Math.floor((Date.parse(window.since) - historyMs) / 1000) * 1000)))})`,
                )
                .join(", ")}) AS w(window_index, since, until, history_since)`,
        );
    for (const [done, detection] of detections.entries()) {
        onDetectionDone?.(done);
        const historyMs = /\$\{(history|lookback)\}/.test(detection.sql) ? (lookbackMs ?? lookbackOfSource({ name: detection.id, source: detection.sql })) : 0;
        await windowsTable(historyMs);
        const query = queryForWindowExpressions(
            { source: detection.sql },
            "replay_window.since",
            "replay_window.until",
            historyMs > 0 ? { since: "replay_window.history_since", lookbackMs: historyMs } : undefined,
        )
            ?.replace(/^(--[^\n]*\n)*/, "")
            .trim();
        let rows: DetectionRow[] | undefined;
        if (query !== undefined) {
            try {
                rows = await engine.all(
                    `SELECT replay_window.window_index AS ${WINDOW_COLUMN}, hits.* FROM replay_windows AS replay_window, LATERAL (\n${query}\n) AS hits`,
                );
            } catch {
                // Not every query can be joined laterally (DuckDB cannot flatten a FULL OUTER JOIN in a correlated
                // subquery): that detection runs window by window, with the same rows.
                rows = undefined;
            }
        }
        if (rows) {
            const grouped: DetectionRow[][] = windows.map(() => []);
            for (const { [WINDOW_COLUMN]: index, ...row } of rows) grouped[Number(index)].push(row);
            grouped.forEach((windowRows, index) => byWindow[index].push({ detection, rows: canonicalOrder(windowRows) }));
        } else {
            windowByWindow.push(detection.id);
            for (const [index, window] of windows.entries()) {
                const [run] = await runDetections(engine, [detection], window, lookbackMs);
                byWindow[index].push({ ...run, rows: canonicalOrder(run.rows) });
            }
        }
    }
    onDetectionDone?.(detections.length);
    await engine.run("DROP TABLE replay_windows");
    return { byWindow, windowByWindow };
}

export { loadAlertDetections };
