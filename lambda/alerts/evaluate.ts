/**
 * Evaluation of the single-event (kind: event) detections over normalised files with embedded
 * DuckDB: the files are loaded once into a `cloudtrail` table with the schema module's types and
 * the partition columns from their keys, then every event detection runs over the files' own
 * event range. The same function runs in the alert evaluator Lambda and in the replay.
 *
 * The DuckDB engine and its Trino compatibility macros are lambda/shared/engine.ts, the one engine of every path.
 */
import { duckdbColumns, Engine, pathLiteral } from "../shared/engine";
import { AlertDetection } from "../../contract/alerting";
import { isoSeconds, sqlForWindow, Window } from "./catalogue";
import { DetectionRow } from "./alert";

export interface DetectionRun {
    readonly detection: AlertDetection;
    readonly rows: DetectionRow[];
    /** Set when the engine refused the query; the other detections still run. */
    readonly error?: string;
}

/**
 * Loads normalised files (gzip JSON lines at `…/account=…/region=…/date=…/<file>.json.gz`) as the
 * `cloudtrail` table; returns the event range [first second, last second + 1 s), or undefined when empty.
 */
export async function loadNormalisedFiles(engine: Engine, files: readonly string[]): Promise<Window | undefined> {
    await engine.run(`CREATE OR REPLACE TEMP TABLE cloudtrail AS
        SELECT * FROM read_json([${files.map(pathLiteral).join(", ")}], format = 'newline_delimited', compression = 'gzip',
                                columns = ${duckdbColumns()}, hive_partitioning = true, hive_types_autocast = false)`);
    const [span] = await engine.all("SELECT min(eventtime) AS first, max(eventtime) AS last FROM cloudtrail");
    if (!span?.first || !span?.last) return undefined;
    const second = (text: unknown) => Date.parse(`${String(text).slice(0, 19)}Z`);
    return { since: isoSeconds(new Date(second(span.first))), until: isoSeconds(new Date(second(span.last) + 1000)) };
}

/** Runs detections over the loaded `cloudtrail` table in the window; `lookbackMs` overrides the first-seen detections' own lookback. */
export async function runDetections(engine: Engine, detections: readonly AlertDetection[], window: Window, lookbackMs?: number): Promise<DetectionRun[]> {
    const runs: DetectionRun[] = [];
    for (const detection of detections) {
        try {
            runs.push({ detection, rows: await engine.all(sqlForWindow(detection, window, "cloudtrail", lookbackMs)) });
        } catch (error) {
            runs.push({ detection, rows: [], error: (error as Error).message.split("\n")[0] });
        }
    }
    return runs;
}

/** The kind=event detections over the given normalised files, window = their event range. */
export async function evaluateEventDetections(engine: Engine, files: readonly string[], detections: readonly AlertDetection[]): Promise<DetectionRun[]> {
    const window = await loadNormalisedFiles(engine, files);
    if (!window) return [];
    return runDetections(
        engine,
        detections.filter((detection) => detection.kind === "event"),
        window,
    );
}
