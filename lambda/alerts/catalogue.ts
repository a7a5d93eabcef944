/**
 * The detection catalogue as alerting needs it: the header fields of DETECTIONS-FORMAT.md (id,
 * kind, tactics, techniques, runbook) and the window expansion (`${window}`, `${since}`, `${until}`).
 *
 * ADAPTER: contract/detections.ts (the loader) does not yet return kind, tactics, techniques
 * and runbook, so this module reads the `-- key: value` header of each SQL file itself, accepting
 * the current header too (`name`, `mitre`, no kind). When the loader has these fields, replace
 * {@link parseAlertDetection} by a mapping from its Detection; nothing else changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;
export type AlertSeverity = keyof typeof SEVERITY_RANK;
export type DetectionKind = "event" | "threshold" | "correlation";

export interface AlertDetection {
    readonly id: string;
    readonly title: string;
    readonly severity: AlertSeverity;
    readonly kind: DetectionKind;
    readonly tactics: string[];
    readonly techniques: string[];
    readonly description: string;
    readonly runbook: string;
    /** The SQL with its placeholders. */
    readonly sql: string;
}

const list = (value: string | undefined) =>
    (value ?? "")
        .split(/[,\s]+/)
        .map((item) => item.trim())
        .filter(Boolean);

/** Reads the header of one detection file; throws naming the file and field. */
export function parseAlertDetection(file: string, sql: string): AlertDetection {
    const header: Record<string, string> = {};
    for (const line of sql.split("\n")) {
        const match = /^--\s*([a-z]+):\s*(.+?)\s*$/.exec(line);
        if (!match) break;
        header[match[1]] = match[2];
    }
    const where = path.basename(file);
    const id = header.id ?? header.name;
    if (!id) throw new Error(`${where}: header line "-- id: …" is missing`);
    const severity = header.severity as AlertSeverity;
    if (!(severity in SEVERITY_RANK)) throw new Error(`${where}: severity "${header.severity}" must be one of ${Object.keys(SEVERITY_RANK).join(", ")}`);
    // Current header (before the format change): no kind; a query with a window function or GROUP BY counts over the window.
    const kind = (header.kind ?? (/\bOVER\s*\(|\bGROUP\s+BY\b/i.test(sql) ? "threshold" : "event")) as DetectionKind;
    if (!["event", "threshold", "correlation"].includes(kind)) throw new Error(`${where}: kind "${kind}" must be event, threshold or correlation`);
    const mitreTechnique = /^(T\d{4}(?:\.\d{3})?)/.exec(header.mitre ?? "")?.[1];
    return {
        id,
        title: header.title ?? id,
        severity,
        kind,
        tactics: list(header.tactics),
        techniques: header.techniques ? list(header.techniques) : mitreTechnique ? [mitreTechnique] : [],
        description: header.description ?? "",
        runbook: header.runbook ?? "",
        sql,
    };
}

export const QUERIES_DIR = path.join(__dirname, "..", "..", "queries");

export function loadAlertDetections(dir: string = QUERIES_DIR): AlertDetection[] {
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".sql"))
        .sort()
        .map((name) => parseAlertDetection(path.join(dir, name), fs.readFileSync(path.join(dir, name), "utf8")));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface Window {
    readonly since: string;
    readonly until: string;
}

/**
 * The detection's SQL over [since, until): `${window}` becomes the partition filter plus a time
 * comparison (DETECTIONS-FORMAT.md), `${since}`/`${until}` the instants. Only ISO-8601 UTC
 * instants reach the SQL text. `table` replaces the table the query reads (`cloudtrail`), e.g.
 * `cloudtrail_recent` for the scheduled runs over the normalised JSON.
 */
export function sqlForWindow(detection: Pick<AlertDetection, "id" | "sql">, window: Window, table = "cloudtrail"): string {
    for (const [key, value] of Object.entries(window)) {
        if (!ISO_INSTANT.test(value)) throw new Error(`${detection.id}: ${key} must be an ISO-8601 UTC instant like 2026-11-25T00:00:00Z, got "${value}"`);
    }
    if (window.since >= window.until) throw new Error(`${detection.id}: since (${window.since}) must be before until (${window.until})`);
    const windowFilter = `"date" BETWEEN '${window.since.slice(0, 10)}' AND '${window.until.slice(0, 10)}' AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('${window.since}') AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('${window.until}')`;
    let sql = stripHeader(detection.sql).replaceAll("${window}", windowFilter).replaceAll("${since}", window.since).replaceAll("${until}", window.until);
    if (table !== "cloudtrail") sql = sql.replace(/\b(FROM|JOIN)(\s+)cloudtrail\b/gi, `$1$2${table}`);
    return sql;
}

/** The SQL without its `-- key: value` header (the header is metadata, not part of the query). */
function stripHeader(sql: string): string {
    const lines = sql.split("\n");
    let index = 0;
    while (index < lines.length && /^--\s*[a-z]+:/.test(lines[index])) index++;
    return lines.slice(index).join("\n").trim();
}

/** `2026-11-25T10:00:00Z` form of a Date. */
export function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
