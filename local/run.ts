/**
 * The whole pipeline on a laptop: input files → normalised JSON lines (the Lambda's core) →
 * Parquet partitions (the Glue job's role, DuckDB here) → every detection in queries/ (DuckDB
 * with the compatibility layer) over the input's whole time span unless narrowed.
 *
 * The output folder holds exactly this run's input (or, with `append`, the lake it already held
 * plus this input), under a lock (local/outFolder.ts). The run builds its lake in a staging folder
 * inside the output folder and switches it in only when everything succeeded (local/lakeCommit.ts):
 * on failure, and by {@link abortRuns} on SIGINT, the staging folder is removed and the output
 * folder keeps the lake it had.
 */
import { Suppressions } from "../contract/suppressions";
import { enrichRow } from "../contract/enrichment";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LAKE_PREFIXES } from "../contract/prefixes";
import { COLUMNS, duckdbType, EXTRA_FIELDS_COLUMN, PARTITION_COLUMNS } from "../contract/schema";
import { Detection, isoSeconds, loadDetections, queryForWindow, Role, Severity } from "../contract/detections";
import { Engine, literal, Row } from "../lambda/shared/engine";
import { FileResult, ingestFiles, LOCAL_GZIP_LEVEL } from "./ingest";
import { EventIdSet } from "./dedup";
import {
    createCloudTrailView,
    duckdbSafeAlias,
    eventSpan,
    holdLakeInMemory,
    partitionDirectory,
    PLAUSIBLE_AHEAD_MS,
    PLAUSIBLE_FROM,
    rebuildTouchedParquet,
} from "./lake";
import { abandonStaging, commitStaging, createStaging, recoverCommit, Staging } from "./lakeCommit";
import { diskFailureOf, lockOutFolder, OutFolderError, prepareOutFolder, unwritable } from "./outFolder";
import { stopAllWorkers } from "./workerPool";
import { createFlowLogView, FlowFileResult, flowSpan, ingestFlowLogs, trafficSummary, TrafficSummary } from "./flowLogs";
import { loadCatalogue } from "../contract/sources/catalogue";
import { SEVERITY_RANK } from "../contract/alerting";
import { loadPanels, Panel } from "../contract/panels";
import { addHitIds, createHitIdsTable, PanelResult, runPanels } from "./reportPanels";

export interface LocalRunOptions {
    readonly files: readonly string[];
    readonly outDir: string;
    /** Files and folders the caller passed over (local/files.ts), reported with the others. */
    readonly passedOver?: readonly { readonly file: string; readonly reason: string; readonly status: "skipped" | "failed" }[];
    /** Narrow the window (ISO-8601 instants; `since` is rounded down to the second, `until` up); default: the whole plausible span of the lake. */
    /** Stack config suppressions (contract/suppressions.ts), applied to every detection's rows as the alerts do. */
    readonly suppressions?: Suppressions;
    /**
     * Account id → name (stack config `accounts`), shown beside each hit's account and by the report's panels.
     * @default {} (no names: hits say `accountname: null`, panels show ids)
     */
    readonly accountNames?: Readonly<Record<string, string>>;
    readonly since?: string;
    readonly until?: string;
    /** Add to the lake already in `outDir` instead of replacing it (`--append`). */
    readonly append?: boolean;
    /** The run's clock, for the plausibility of event times (tests). */
    readonly now?: Date;
    readonly detections?: readonly Detection[];
    /** Progress callbacks for the command line. */
    readonly onStage?: (stage: "normalise" | "parquet" | "queries") => void;
    readonly onFileDone?: (bytes: number, events: number) => void;
    /**
     * After each detection, in the order they run: the most severe first, so that the findings a responder
     * acts on first are known first on a long run (the result's order does not depend on it).
     */
    readonly onDetectionDone?: (finding: Finding, progress: { readonly done: number; readonly total: number }) => void;
    /** The lookback of the first-seen detections (`--lookback`), instead of each one's header (default 14 days). */
    readonly lookbackMs?: number;
    /** Files normalised at once by a pool of workers (local/workerPool.ts); the result is the same for any number. Default 1. */
    readonly jobs?: number;
    /** The panel catalogue the report draws (contract/panels.ts); default: every file in panels/. */
    readonly panels?: readonly Panel[];
    /**
     * Events up to which the detections read the lake from a copy in DuckDB's memory rather than from its Parquet
     * (local/lake.ts holdLakeInMemory); the findings are the same either way.
     * @default 200,000 (local/lake.ts IN_MEMORY_LAKE_MAX_EVENTS)
     */
    readonly inMemoryLakeMaxEvents?: number;
}

export interface Finding {
    readonly query: string;
    readonly title: string;
    readonly severity: Severity;
    /** `context`: a catch-all, shown beside the specific findings and not counted as coverage. */
    readonly role: Role;
    /**
     * For first-seen detections: how much history the input held against the lookback, when it held
     * less (the local mode judges "new" against whatever history its input has).
     */
    readonly note?: string;
    readonly mitre: string;
    /** ATT&CK tactic and technique ids of the detection (contract/detections.ts). */
    readonly tactics: readonly string[];
    readonly techniques: readonly string[];
    /** What to do when it fires, from the detection's header. */
    readonly runbook: string;
    /** `cannot-run-locally` when DuckDB could not run it; then `error` says why. */
    readonly status: "ok" | "cannot-run-locally";
    readonly error?: string;
    readonly count: number;
    /** Rows removed by stack config suppressions. */
    readonly suppressed?: number;
    readonly eventIds: string[];
    /**
     * The first {@link HITS_KEPT} hits, in order of time: the detection's columns, then `sourcenetwork`
     * (AWS range or outside AWS) and `accountname` (contract/enrichment.ts).
     */
    readonly hits: Row[];
}

export interface LocalRunResult {
    readonly findings: Finding[];
    /** `events`: distinct events read (by eventID); `duplicates`: events dropped because their eventID was read before. */
    readonly inputs: {
        readonly read: number;
        readonly skipped: number;
        readonly failed: number;
        readonly events: number;
        readonly duplicates: number;
        /** Flow-log records read (every record, NODATA and SKIPDATA included), and those two apart. */
        readonly flowRecords: number;
        readonly flowNoData: number;
        readonly flowSkipData: number;
    };
    readonly files: FileResult[];
    readonly window?: { readonly since: string; readonly until: string };
    /** Events per day in the window, for the report's chart. */
    readonly eventsPerDay: { readonly date: string; readonly events: number }[];
    readonly timings: StageTimings;
    /** Things the user should know that are not errors: implausible event times, a stale lock removed. */
    readonly warnings: string[];
    /** VPC flow-log inputs (local/flowLogs.ts): per file, and the totals of the window (the traffic charts are panels). */
    readonly flowLogs: { readonly files: FlowFileResult[]; readonly traffic?: TrafficSummary };
    /** The panel catalogue over the window, for the report (local/reportPanels.ts); empty without events. */
    readonly panels: PanelResult[];
}

/**
 * Wall time of each stage of a run, in milliseconds, for `--json` and the one-line summary on
 * stderr (users ask why a run is slow). They vary from run to run; nothing else in the result does.
 */
export interface StageTimings {
    /** Reading and normalising the input files (flow logs included), deduplication and publishing. */
    readonly normaliseMs: number;
    /** Converting the touched partitions to Parquet. */
    readonly parquetMs: number;
    /** Opening the lake and finding the span of its event times (the window). */
    readonly lakeMs: number;
    /** Every detection, from the first to the last. */
    readonly detectionsMs: number;
    /** Each detection's own time (its query, suppressions, ids and first hits), slowest first. */
    readonly detections: readonly { readonly query: string; readonly ms: number }[];
    /** The report's panels, the events per day and the flow-log totals. */
    readonly panelsMs: number;
    /** From the lake opened to the panels done: lakeMs + detectionsMs + panelsMs. */
    readonly queriesMs: number;
}

/** The one-line summary of a run's {@link StageTimings} (and the report's time, when it was written): for stderr. */
export function timingSummary(timings: StageTimings, reportMs?: number): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const slowest = timings.detections[0];
    return [
        `normalise ${s(timings.normaliseMs)}`,
        `parquet ${s(timings.parquetMs)}`,
        `lake ${s(timings.lakeMs)}`,
        `${timings.detections.length} detections ${s(timings.detectionsMs)}${slowest ? ` (slowest: ${slowest.query} ${s(slowest.ms)})` : ""}`,
        `panels ${s(timings.panelsMs)}`,
        ...(reportMs === undefined ? [] : [`report ${s(reportMs)}`]),
    ].join(" · ");
}

/** The window asked for is empty or inverted: a usage error. */
export class WindowError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WindowError";
    }
}

/** Clean-ups of the runs in progress, for {@link abortRuns}. */
const inProgress = new Set<() => void>();

/**
 * Removes what the runs in progress left (their temporary folder, `.partial` files, the lock):
 * for a SIGINT handler, which then exits. Synchronous, so it completes before the exit.
 */
export function abortRuns(): void {
    stopAllWorkers();
    for (const cleanup of inProgress) cleanup();
    inProgress.clear();
}

/** An ISO instant as the detections take it, rounded to the second (down, or up). */
function wholeSecond(text: string, up: boolean): string {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new WindowError(`"${text}" is not an ISO-8601 instant`);
    return isoSeconds(new Date(up ? Math.ceil(ms / 1000) * 1000 : Math.floor(ms / 1000) * 1000));
}

/** Hits of each detection kept for the summary and the report; all ids are kept. */
export const HITS_KEPT = 50;

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
    const since = options.since === undefined ? undefined : wholeSecond(options.since, false);
    const until = options.until === undefined ? undefined : wholeSecond(options.until, true);
    if (since && until && since >= until) throw new WindowError(`--since (${options.since}) must be before --until (${options.until})`);
    const now = options.now ?? new Date();

    return inRunFolder(options.outDir, options.append ?? false, ({ engine, lake, warnings, tempRoot }) =>
        runIn(engine, lake, { ...options, since, until, now }, warnings, tempRoot),
    );
}

/** What {@link inRunFolder} hands the run: the engine, the lake being built, warnings so far, the run's temporary folder. */
export interface RunFolder {
    readonly engine: Engine;
    /** The staging lake (through a link DuckDB reads safely): this run's lake, or with `append` the previous lake plus this run's. */
    readonly lake: string;
    readonly warnings: string[];
    /** The run's temporary folder, on --out's disk: the normaliser's outputs before they are published, DuckDB's spill files. */
    readonly tempRoot: string;
}

/**
 * Runs `work` on the output folder as every local command that writes a lake must (npm start, npm run
 * alerts): under the folder's lock, in a staging lake inside the output folder that replaces the
 * previous lake only when `work` succeeded (local/lakeCommit.ts; with `append` it starts as a copy of
 * the previous lake). On failure, and by {@link abortRuns} on SIGINT, the staging lake is removed and
 * the output folder keeps the lake it had. A folder that cannot be written is an {@link OutFolderError} naming it.
 */
export async function inRunFolder<T>(outDir: string, append: boolean, work: (folder: RunFolder) => Promise<T>): Promise<T> {
    const held = lockOutFolder(outDir);
    let staging: Staging | undefined;
    let workspace: string | undefined;
    let aborted = false;
    const cleanup = () => {
        aborted = true;
        if (workspace) fs.rmSync(workspace, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
        // Not committed: the run's lake is abandoned and --out keeps the lake it had (local/lakeCommit.ts).
        if (staging) abandonStaging(staging);
        held.release();
    };
    inProgress.add(cleanup);
    try {
        const warnings = [...held.warnings, ...recoverCommit(outDir)];
        prepareOutFolder(outDir);
        staging = createStaging(outDir, append);
        // Only the link DuckDB reads the lake through lives outside --out (see duckdbSafeAlias); everything heavy is on --out's disk.
        workspace = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-run-"));
        const lake = duckdbSafeAlias(staging.dir, workspace);
        // Memory kept by DuckDB between statements: a run is a few hundred statements in a row, and returning the memory after each and
        // faulting it in again was a quarter of the Parquet conversion's CPU (docs/performance.md). Within the 1 GB limit, released when the run ends.
        // The Parquet's metadata is read once for the hundred queries over it: the run writes the files before the first query reads them.
        const engine = await Engine.open({
            tempDirectory: path.join(staging.temp, "duckdb"),
            keptMemory: "512MB",
            cacheParquetMetadata: true,
            prefetchParquet: true,
        });
        let result: T;
        try {
            result = await work({ engine, lake, warnings, tempRoot: staging.temp });
        } finally {
            engine.close();
        }
        // Interrupted (abortRuns) while the last step ran: its staging folder is gone, and nothing may replace the lake.
        if (aborted) throw new Error("interrupted");
        commitStaging(outDir, staging);
        staging = undefined;
        return result;
    } catch (error) {
        if (diskFailureOf(error)) throw unwritable(outDir, error);
        if (error instanceof Error && !(error instanceof OutFolderError) && !(error instanceof WindowError) && staging) {
            // Named with --out: a failure while the lake is written is the output folder's, never a temporary path's.
            throw new Error(`${error.message} (while writing the lake in --out ${outDir}; nothing of this run was kept, the lake there is unchanged)`, {
                cause: error,
            });
        }
        throw error;
    } finally {
        inProgress.delete(cleanup);
        cleanup();
    }
}

/** The event ids already in the lake (`--append`), in the form the deduplication compares. */
export async function idsInLake(engine: Engine, lake: string): Promise<EventIdSet> {
    const normalised = path.join(lake, LAKE_PREFIXES.normalised);
    if (!fs.existsSync(normalised)) return new EventIdSet();
    const rows = await engine.all(`SELECT DISTINCT eventid FROM read_json(${literal(path.join(normalised, "**", "*.json.gz"))},
        format = 'newline_delimited', compression = 'gzip', columns = {eventid: 'VARCHAR'}) WHERE eventid IS NOT NULL`);
    return EventIdSet.of(rows.map((row) => JSON.stringify(String(row.eventid))));
}

/** Every partition with normalised files (`--append` rebuilds them all: an interrupted run may have left one half-converted). */
export function allPartitions(lake: string): string[] {
    const root = path.join(lake, LAKE_PREFIXES.normalised);
    const found: string[] = [];
    const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.includes("=")) : []);
    for (const account of list(root))
        for (const region of list(path.join(root, account)))
            for (const date of list(path.join(root, account, region))) {
                found.push(`${account}/${region}/${date}`);
            }
    return found;
}

async function runIn(engine: Engine, lake: string, options: LocalRunOptions & { now: Date }, warnings: string[], tempRoot: string): Promise<LocalRunResult> {
    options.onStage?.("normalise");
    let started = Date.now();
    const seenEventIds = options.append ? await idsInLake(engine, lake) : new EventIdSet();
    // Flow logs first, recognised by content; what is not one goes on to the CloudTrail reader.
    const flow = await ingestFlowLogs(engine, options.files, lake, path.join(path.dirname(lake), "flow-staging"), { append: options.append });
    const ingested = await ingestFiles(flow.others, lake, {
        shapes: "any",
        onFileDone: options.onFileDone,
        seenEventIds,
        keepExisting: options.append,
        jobs: options.jobs,
        gzipLevel: LOCAL_GZIP_LEVEL,
        tempRoot,
    });
    for (const file of ingested) {
        if (!file.repaired) continue;
        const fields = Object.entries(file.repaired).map(([field, events]) => `${field} (${events} event(s))`);
        warnings.push(
            `${file.file}: ${fields.join(", ")} held text that is not valid Unicode (lone UTF-16 surrogates); ` +
                "kept with U+FFFD in their place in the lake, the input file is unchanged",
        );
    }
    const files: FileResult[] = [
        ...(options.passedOver ?? []).map(({ file, reason, status }) => ({ file, status, reason, events: 0, objects: [] })),
        ...ingested,
    ];
    const normaliseMs = Date.now() - started;
    for (const file of flow.results) if (file.status === "failed") warnings.push(`flow-log file not read: ${file.reason}`);

    options.onStage?.("parquet");
    started = Date.now();
    // With --append the staging lake starts as links to the old one (local/lakeCommit.ts): only the partitions this input touched change.
    const partitions = [...new Set(files.flatMap((file) => file.objects).map(partitionDirectory))].sort();
    // Every id of the lake went through the deduplication (with --append, the lake's own too): whether they are all UUIDs is known.
    await rebuildTouchedParquet(engine, lake, partitions, seenEventIds.allCanonicalUuids());
    const parquetMs = Date.now() - started;

    options.onStage?.("queries");
    started = Date.now();
    const hasCloudTrail = await createCloudTrailView(engine, lake);
    if (hasCloudTrail) await holdLakeInMemory(engine, options.inMemoryLakeMaxEvents);
    const hasFlows = await createFlowLogView(engine, lake);
    // A lake of flow logs alone still runs the CloudTrail detections (and the correlations), over no events.
    if (!hasCloudTrail && hasFlows) await createEmptyCloudTrailTable(engine);
    const hasLake = hasCloudTrail || hasFlows;
    const cloudTrailSpan = hasCloudTrail ? await eventSpan(engine, options.now) : undefined;
    const span = hasFlows ? await flowSpan(engine, cloudTrailSpan, options.now) : cloudTrailSpan;
    if (span && span.implausible > 0) {
        warnings.push(
            `${span.implausible} event(s) with an implausible time (before ${PLAUSIBLE_FROM} or more than a day after the run; e.g. ${span.examples.join(", ")}) ` +
                "are left out of the default window; --since/--until reach them",
        );
    }
    if (span && span.untimed > 0) warnings.push(`${span.untimed} event(s) without a readable eventTime: no window holds them, so no detection sees them`);
    // Without a plausible span the window is everything plausible, so that the detections still run and their errors surface.
    const latest = isoSeconds(new Date(options.now.getTime() + PLAUSIBLE_AHEAD_MS));
    const window = { since: options.since ?? span?.since ?? PLAUSIBLE_FROM, until: options.until ?? span?.until ?? latest };
    if (window.since >= window.until) {
        throw new WindowError(
            `the window ${window.since} .. ${window.until} is empty: ${options.since ? `--since is at or after the last event (${span?.until ?? "none"})` : `--until is at or before the first event (${span?.since ?? "none"})`}`,
        );
    }
    const lakeMs = Date.now() - started;
    const detectionsStarted = Date.now();
    const detectionTimes: { query: string; ms: number }[] = [];
    const findings: Finding[] = [];
    // Each detection's hit ids go to this table as it runs, for the report's panels (local/reportPanels.ts).
    if (hasLake) await createHitIdsTable(engine);
    // The flow-log detections join the catalogue when flow logs were read (a CloudTrail-only run keeps its own).
    const catalogue = options.detections ?? (hasFlows ? loadCatalogue() : loadDetections());
    // Critical first (a stable sort keeps the catalogue's order within a severity); the findings are sorted again below.
    const runOrder = [...catalogue].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    for (const detection of runOrder) {
        const lookbackMs = detection.lookbackMs === undefined ? undefined : (options.lookbackMs ?? detection.lookbackMs);
        const detectionStarted = Date.now();
        const ran = await runDetection(engine, detection, window, hasLake, options.suppressions, options.accountNames ?? {}, lookbackMs);
        detectionTimes.push({ query: detection.name, ms: Date.now() - detectionStarted });
        const finding = lookbackMs === undefined || !span?.since ? ran : { ...ran, ...historyNote(span.since, window, lookbackMs) };
        findings.push(finding);
        options.onDetectionDone?.(finding, { done: findings.length, total: runOrder.length });
    }
    const detectionsMs = Date.now() - detectionsStarted;
    const panelsStarted = Date.now();
    findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.count - a.count || a.query.localeCompare(b.query));
    // Times compared as timestamps: as text, 10:00:00.123Z sorts before 10:00:00Z.
    const eventsPerDay = hasCloudTrail
        ? (
              await engine.all(`SELECT "date" AS date, count(*) AS events FROM cloudtrail
              WHERE TRY_CAST(eventtime AS TIMESTAMPTZ) >= TIMESTAMPTZ ${literal(window.since)} AND TRY_CAST(eventtime AS TIMESTAMPTZ) < TIMESTAMPTZ ${literal(window.until)}
              GROUP BY 1 ORDER BY 1`)
          ).map((row) => ({ date: String(row.date), events: Number(row.events) }))
        : [];
    const panels = hasLake
        ? await runPanels(engine, {
              panels: options.panels ?? loadPanels(),
              window,
              accountNames: options.accountNames,
              flows: hasFlows,
          })
        : [];
    const traffic = hasFlows ? await trafficSummary(engine, window) : undefined;
    const panelsMs = Date.now() - panelsStarted;
    const count = (status: FileResult["status"]) => files.filter((file) => file.status === status).length;
    const sum = (pick: (file: FileResult) => number) => files.reduce((total, file) => total + pick(file), 0);
    return {
        findings,
        inputs: {
            read: count("normalised"),
            skipped: count("skipped"),
            failed: count("failed"),
            events: sum((file) => file.events),
            duplicates: sum((file) => file.duplicates ?? 0),
            flowRecords: flow.results.reduce((total, file) => total + file.records, 0),
            flowNoData: flow.results.reduce((total, file) => total + file.noData, 0),
            flowSkipData: flow.results.reduce((total, file) => total + file.skipData, 0),
        },
        files,
        window: hasLake ? window : undefined,
        eventsPerDay,
        timings: {
            normaliseMs,
            parquetMs,
            lakeMs,
            detectionsMs,
            detections: detectionTimes.sort((a, b) => b.ms - a.ms || a.query.localeCompare(b.query)),
            panelsMs,
            queriesMs: Date.now() - started,
        },
        warnings,
        flowLogs: { files: flow.results, traffic },
        panels,
    };
}

/** An empty `cloudtrail` table with the lake's columns (contract/schema.ts), for a run that read only flow logs. */
async function createEmptyCloudTrailTable(engine: Engine): Promise<void> {
    const columns = [
        ...COLUMNS.map((column) => `"${column.name}" ${duckdbType(column.type)}`),
        `"${EXTRA_FIELDS_COLUMN}" VARCHAR`,
        ...PARTITION_COLUMNS.map((column) => `"${column}" VARCHAR`),
    ];
    await engine.run(`CREATE OR REPLACE TEMP TABLE cloudtrail (${columns.join(", ")})`);
}

/**
 * What a first-seen detection's baseline was in this run: each event in the window is judged against
 * the lookback before it, and the input holds history only from its first event. Says so when that
 * is shorter than the lookback for the window's first event.
 */
export function historyNote(inputSince: string, window: { since: string; until: string }, lookbackMs: number): { note?: string } {
    const held = Math.max(0, Date.parse(window.since) - Date.parse(inputSince));
    if (held >= lookbackMs) return {};
    const days = (ms: number) => `${Math.round((10 * ms) / 86_400_000) / 10} d`;
    return {
        note:
            `baseline from the input's own history: ${days(held)} before the window's start, ${days(Date.parse(window.until) - Date.parse(inputSince))} in all, ` +
            `against a lookback of ${days(lookbackMs)}: events before ${isoSeconds(new Date(Date.parse(inputSince) + lookbackMs))} were judged against less history`,
    };
}

async function runDetection(
    engine: Engine,
    detection: Detection,
    window: { since: string; until: string },
    hasLake: boolean,
    suppressions: Suppressions | undefined,
    accountNames: Readonly<Record<string, string>>,
    lookbackMs?: number,
): Promise<Finding> {
    const base = {
        query: detection.name,
        title: detection.title,
        severity: detection.severity,
        role: detection.role,
        mitre: detection.mitre,
        tactics: detection.tactics,
        techniques: detection.techniques,
        runbook: detection.runbook,
    };
    if (!hasLake) return { ...base, status: "ok", count: 0, eventIds: [], hits: [] };
    try {
        // Held in DuckDB, not in JavaScript: only the ids and the first hits come out, so memory does not grow with the hits.
        await engine.run(`CREATE OR REPLACE TEMP TABLE detection_hits AS ${queryForWindow(detection, window, { lookbackMs })}`);
        const suppressed = suppressions && suppressions.size > 0 ? await suppressHits(engine, detection.name, suppressions) : 0;
        const ids = await hitIds(engine);
        // ORDER BY ALL: rows that tie on the query's own ORDER BY come back in one fixed order. Most detections find
        // nothing on most inputs: two statements fewer for each of them.
        const hits = ids.length > 0 ? await engine.all(`SELECT * FROM detection_hits ORDER BY ALL LIMIT ${HITS_KEPT}`) : [];
        // Last, so that a detection that failed above adds none (as its finding has none).
        if (ids.length > 0)
            await addHitIds(
                engine,
                "detection_hits",
                { detection: detection.name, title: detection.title, severity: detection.severity },
                Object.keys(hits[0]),
            );
        await engine.run("DROP TABLE detection_hits");
        return {
            ...base,
            status: "ok",
            count: ids.length,
            ...(suppressed > 0 ? { suppressed } : {}),
            eventIds: ids,
            hits: hits.map((hit) => enrichRow(hit, accountNames)),
        };
    } catch (error) {
        return { ...base, status: "cannot-run-locally", error: (error as Error).message.split("\n")[0], count: 0, eventIds: [], hits: [] };
    }
}

/**
 * The event ids of `detection_hits`' rows in order, NULL as ''. They come out of DuckDB as one
 * string, split here: a row object per hit cost three times as much, 0.5 s of a run on
 * `npm run bench:stages`, whose detections return up to 22,000 hits each (docs/performance.md). An
 * id holding the separator splits into more pieces than there are rows; then the ids are read row
 * by row, as before.
 */
async function hitIds(engine: Engine): Promise<string[]> {
    const [row] = await engine.all(
        "SELECT count(*) AS hits, string_agg(coalesce(CAST(eventid AS VARCHAR), ''), chr(10) ORDER BY eventid) AS ids FROM detection_hits",
    );
    const hits = Number(row?.hits ?? 0);
    if (hits === 0) return [];
    const ids = String(row.ids).split("\n");
    if (ids.length === hits) return ids;
    return (await engine.all("SELECT eventid FROM detection_hits ORDER BY ALL")).map((hit) => String(hit.eventid ?? ""));
}

/**
 * Removes the suppressed rows from `detection_hits` with the same post-filter the alerts use;
 * only the columns suppressions read leave DuckDB. Returns how many rows were removed.
 */
async function suppressHits(engine: Engine, detection: string, suppressions: Suppressions): Promise<number> {
    const present = new Set((await engine.all("DESCRIBE detection_hits")).map((row) => String(row.column_name)));
    const columns = ["account", "principal", "sourceipaddress", "useragent"].filter((column) => present.has(column));
    const rows = await engine.all(`SELECT rowid AS row_number, ${columns.join(", ") || "1 AS none"} FROM detection_hits`);
    const { suppressed } = suppressions.partition(detection, rows);
    if (suppressed.length === 0) return 0;
    await engine.run(`DELETE FROM detection_hits WHERE rowid IN (${suppressed.map((entry) => Number(entry.row.row_number)).join(", ")})`);
    return suppressed.length;
}
