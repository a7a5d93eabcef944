/**
 * The detection catalogue of every source. A source brings its own folder of queries and the
 * meaning of `${window}` over its table; the catalogue hands out plain {@link Detection}s whose
 * `${window}` is already written in `${since}`/`${until}`, so the named queries, the local runner
 * and the alert evaluators run them exactly as they run CloudTrail's (contract/detections.ts).
 *
 * CloudTrail: `queries/*.sql` (its `${window}` is expanded by contract/detections.ts).
 * VPC Flow Logs: `queries/flowlogs/*.sql` over `flow_logs` (contract/sources/flowLogs.ts).
 * The next source adds one folder and one entry of {@link SOURCES}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Detection, loadDetections, parseDetection } from "../detections";
import { FLOW_LOG_QUERIES_DIR, FLOW_LOG_TABLE, FLOW_LOG_WINDOW } from "./flowLogs";

export interface DetectionSource {
    /** Short name: `cloudtrail`, `flowlogs`. */
    readonly name: string;
    /** The table its detections read. */
    readonly table: string;
    /** Its folder of `<id>.sql` files. */
    readonly dir: string;
    /** `${window}` over its table, in `${since}`/`${until}`; absent: contract/detections.ts's own (CloudTrail). */
    readonly window?: string;
}

export const SOURCES: readonly DetectionSource[] = [
    { name: "cloudtrail", table: "cloudtrail", dir: path.join(FLOW_LOG_QUERIES_DIR, "..") },
    { name: "flowlogs", table: FLOW_LOG_TABLE, dir: FLOW_LOG_QUERIES_DIR, window: FLOW_LOG_WINDOW },
];

/** One source's detections: the header checked as for any detection, `${window}` pre-expanded. */
export function loadSourceDetections(source: DetectionSource): Detection[] {
    if (!source.window) return loadDetections(source.dir);
    if (!fs.existsSync(source.dir)) return [];
    return fs
        .readdirSync(source.dir)
        .filter((name) => name.endsWith(".sql"))
        .sort()
        .map((name) => {
            const file = path.join(source.dir, name);
            const parsed = parseDetection(file, fs.readFileSync(file, "utf8"));
            const expanded = parsed.source.replaceAll("${window}", source.window!);
            return { ...parsed, source: expanded, sql: expanded };
        });
}

/** Which source a detection reads (by its file's folder). */
export function sourceOf(detection: Pick<Detection, "file">): DetectionSource {
    const dir = path.dirname(detection.file);
    return SOURCES.find((source) => path.resolve(source.dir) === path.resolve(dir)) ?? SOURCES[0];
}

/** Every detection of every source, ids unique across them (the named queries and alerts key on the id). */
export function loadCatalogue(): Detection[] {
    const all = SOURCES.flatMap(loadSourceDetections);
    const seen = new Map<string, string>();
    for (const detection of all) {
        const first = seen.get(detection.id);
        if (first) throw new Error(`${detection.file}: id "${detection.id}" is also the id of ${first}; detection ids are unique across sources`);
        seen.set(detection.id, detection.file);
    }
    return all;
}
