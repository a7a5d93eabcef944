/**
 * The detection queries in `queries/*.sql`: one Athena (Trino) query per file, with a header of
 * `-- key: value` lines naming it. Pure: the catalog component deploys them as named queries,
 * the query runner and the local mode run them.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const QUERIES_DIR = path.join(__dirname, "..", "queries");
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Detection {
    /** File name without `.sql`; also the `name` header. */
    readonly name: string;
    readonly title: string;
    readonly severity: Severity;
    /** MITRE ATT&CK technique id and name, e.g. `T1136.003 Create Account: Cloud Account`. */
    readonly mitre: string;
    readonly description: string;
    /** The SQL, header included, with `${since}` and `${until}` placeholders. */
    readonly sql: string;
    readonly file: string;
}

const REQUIRED = ["name", "title", "severity", "mitre", "description"] as const;

/** Parses one query file; throws naming the file and the header field that is wrong. */
export function parseDetection(file: string, sql: string): Detection {
    const header: Record<string, string> = {};
    for (const line of sql.split("\n")) {
        const match = /^--\s*([a-z]+):\s*(.+?)\s*$/.exec(line);
        if (!match) break;
        header[match[1]] = match[2];
    }
    const where = path.basename(file);
    for (const field of REQUIRED) {
        if (!header[field]) throw new Error(`${where}: header line "-- ${field}: …" is missing`);
    }
    if (header.name !== path.basename(file, ".sql")) throw new Error(`${where}: name "${header.name}" must equal the file name`);
    if (!(SEVERITIES as readonly string[]).includes(header.severity)) {
        throw new Error(`${where}: severity "${header.severity}" must be one of ${SEVERITIES.join(", ")}`);
    }
    if (!/^T\d{4}(\.\d{3})? \S/.test(header.mitre)) throw new Error(`${where}: mitre "${header.mitre}" must be a technique id and name, e.g. T1136.003 Create Account: Cloud Account`);
    for (const placeholder of ["${since}", "${until}"]) {
        if (!sql.includes(placeholder)) throw new Error(`${where}: the query must read a bounded window through ${placeholder}`);
    }
    return { name: header.name, title: header.title, severity: header.severity as Severity, mitre: header.mitre, description: header.description, sql, file };
}

/** Every detection in `dir`, sorted by name. */
export function loadDetections(dir: string = QUERIES_DIR): Detection[] {
    // Transitional (branch detections-more): files in the new `-- id:` format are run by
    // test/detectionsMore.test.ts until the core branch's loader, which reads both, is merged.
    return fs.readdirSync(dir).filter((name) => name.endsWith(".sql")).sort()
        .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name), "utf8") }))
        .filter(({ sql }) => !sql.startsWith("-- id:"))
        .map(({ name, sql }) => parseDetection(path.join(dir, name), sql));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `2026-11-25T10:00:00Z` form of a Date, as eventtime is stored. */
export function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The query for the window [since, until). Only ISO-8601 UTC instants are accepted, so nothing
 * but a timestamp ever reaches the SQL text.
 */
export function queryForWindow(detection: Pick<Detection, "sql" | "name">, window: { readonly since: string; readonly until: string }): string {
    for (const [key, value] of Object.entries(window)) {
        if (!ISO_INSTANT.test(value)) throw new Error(`${detection.name}: ${key} must be an ISO-8601 UTC instant like 2026-11-25T00:00:00Z, got "${value}"`);
    }
    if (window.since >= window.until) throw new Error(`${detection.name}: since (${window.since}) must be before until (${window.until})`);
    return detection.sql.replaceAll("${since}", window.since).replaceAll("${until}", window.until);
}

/** `24h`, `7d`, `30m` → milliseconds. */
export function parseDuration(text: string): number {
    const match = /^(\d+)\s*([mhd])$/.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a duration: use minutes, hours or days, e.g. 30m, 24h, 7d`);
    return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
}
