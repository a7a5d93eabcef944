/**
 * The whole pipeline on a laptop: input files → normalised JSON lines (the Lambda's core) →
 * Parquet partitions (the Glue job's role, DuckDB here) → every detection in queries/ (DuckDB
 * with the compatibility layer) over the input's whole time span unless narrowed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Detection, isoSeconds, loadDetections, queryForWindow, Severity } from "../components/detections";
import { Suppressions } from "../contract/suppressions";
import { Engine, Row } from "./engine";
import { FileResult, ingestFiles } from "./ingest";
import { createCloudTrailView, eventSpan, partitionDirectory, rebuildParquet } from "./lake";

export interface LocalRunOptions {
    readonly files: readonly string[];
    readonly outDir: string;
    /** Narrow the window (ISO-8601 UTC instants); default: the whole span of the lake. */
    readonly since?: string;
    readonly until?: string;
    readonly detections?: readonly Detection[];
    /** Stack config suppressions (contract/suppressions.ts), applied to every detection's rows as the alerts do. */
    readonly suppressions?: Suppressions;
    /** Progress callbacks for the command line. */
    readonly onStage?: (stage: "normalise" | "parquet" | "queries") => void;
    readonly onFileDone?: (bytes: number) => void;
}

export interface Finding {
    readonly query: string;
    readonly title: string;
    readonly severity: Severity;
    readonly mitre: string;
    /** `cannot-run-locally` when DuckDB could not run it; then `error` says why. */
    readonly status: "ok" | "cannot-run-locally";
    readonly error?: string;
    readonly count: number;
    /** Rows removed by stack config suppressions. */
    readonly suppressed?: number;
    readonly eventIds: string[];
    /** The first {@link HITS_KEPT} hits, in order of time. */
    readonly hits: Row[];
}

export interface LocalRunResult {
    readonly findings: Finding[];
    readonly inputs: { readonly read: number; readonly skipped: number; readonly failed: number; readonly events: number };
    readonly files: FileResult[];
    readonly window?: { readonly since: string; readonly until: string };
    /** Events per day in the window, for the report's chart. */
    readonly eventsPerDay: { readonly date: string; readonly events: number }[];
    readonly timings: { readonly normaliseMs: number; readonly parquetMs: number; readonly queriesMs: number };
}

/** Hits of each detection kept for the summary and the report; all ids are kept. */
export const HITS_KEPT = 50;

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
    fs.mkdirSync(options.outDir, { recursive: true });
    options.onStage?.("normalise");
    let started = Date.now();
    const files = await ingestFiles(options.files, options.outDir, { shapes: "any", onFileDone: options.onFileDone });
    const normaliseMs = Date.now() - started;

    const engine = await Engine.open({ tempDirectory: path.join(os.tmpdir(), "cloudtrail-lake-duckdb") });
    try {
        options.onStage?.("parquet");
        started = Date.now();
        const partitions = [...new Set(files.flatMap((file) => file.objects).map(partitionDirectory))].sort();
        await rebuildParquet(engine, options.outDir, partitions);
        const parquetMs = Date.now() - started;

        options.onStage?.("queries");
        started = Date.now();
        const hasLake = await createCloudTrailView(engine, options.outDir);
        const span = hasLake ? await eventSpan(engine) : undefined;
        // Without dated events there is no span; the detections still run (over all time) so that errors surface.
        const window = { since: options.since ?? span?.since ?? "1970-01-01T00:00:00Z", until: options.until ?? span?.until ?? isoSeconds(new Date(Date.now() + 86_400_000)) };
        const findings: Finding[] = [];
        for (const detection of options.detections ?? loadDetections()) {
            findings.push(await runDetection(engine, detection, window, hasLake, options.suppressions));
        }
        findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.count - a.count || a.query.localeCompare(b.query));
        const eventsPerDay = hasLake
            ? (await engine.all(`SELECT "date" AS date, count(*) AS events FROM cloudtrail
                  WHERE eventtime >= '${window.since}' AND eventtime < '${window.until}' GROUP BY 1 ORDER BY 1`))
                .map((row) => ({ date: String(row.date), events: Number(row.events) }))
            : [];
        const count = (status: FileResult["status"]) => files.filter((file) => file.status === status).length;
        return {
            findings,
            inputs: { read: count("normalised"), skipped: count("skipped"), failed: count("failed"), events: files.reduce((sum, file) => sum + file.events, 0) },
            files,
            window: hasLake ? window : undefined,
            eventsPerDay,
            timings: { normaliseMs, parquetMs, queriesMs: Date.now() - started },
        };
    } finally {
        engine.close();
    }
}

async function runDetection(engine: Engine, detection: Detection, window: { since: string; until: string }, hasLake: boolean, suppressions?: Suppressions): Promise<Finding> {
    const base = { query: detection.name, title: detection.title, severity: detection.severity, mitre: detection.mitre };
    if (!hasLake) return { ...base, status: "ok", count: 0, eventIds: [], hits: [] };
    try {
        // Held in DuckDB, not in JavaScript: only the ids and the first hits come out, so memory does not grow with the hits.
        await engine.run(`CREATE OR REPLACE TEMP TABLE detection_hits AS ${queryForWindow(detection, window)}`);
        const suppressed = suppressions && suppressions.size > 0 ? await suppressHits(engine, detection.name, suppressions) : 0;
        const ids = await engine.all("SELECT eventid FROM detection_hits ORDER BY ALL");
        // ORDER BY ALL: rows that tie on the query's own ORDER BY come back in one fixed order.
        const hits = await engine.all(`SELECT * FROM detection_hits ORDER BY ALL LIMIT ${HITS_KEPT}`);
        await engine.run("DROP TABLE detection_hits");
        return { ...base, status: "ok", count: ids.length, ...(suppressed > 0 ? { suppressed } : {}), eventIds: ids.map((row) => String(row.eventid ?? "")), hits };
    } catch (error) {
        return { ...base, status: "cannot-run-locally", error: (error as Error).message.split("\n")[0], count: 0, eventIds: [], hits: [] };
    }
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
