/**
 * The detection catalogue: `queries/<id>.sql`, one Athena (Trino) query per file with a header of
 * `-- key: value` lines (format: docs/detections.md). This folder is the only list of detections:
 * the catalog component deploys them as named queries, the query runner and the local mode run
 * them, the coverage table and the tests read them. Pure: no AWS, no DuckDB.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { hasRealDateTime } from "./instants";

export const QUERIES_DIR = path.join(__dirname, "..", "queries");
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** event: each matching event is a finding; threshold: counts over the window; correlation: a sequence. */
export const KINDS = ["event", "threshold", "correlation"] as const;
export type Kind = (typeof KINDS)[number];
/**
 * specific: the detection names one behaviour, and counts as ATT&CK coverage. context: a catch-all
 * (a tool's user agent, a generic burst) that fires on most techniques; its findings add context
 * to the specific ones and it is left out of the coverage table (docs/detections.md).
 */
export const ROLES = ["specific", "context"] as const;
export type Role = (typeof ROLES)[number];
/** The lookback of a first-seen detection when its header names none is not a default: the header must say (docs/detections.md). */
export const DEFAULT_LOOKBACK = "14d";

/**
 * The tactics of ATT&CK's Enterprise cloud matrices (IaaS, SaaS, Office Suite, Identity Provider),
 * https://attack.mitre.org/matrices/enterprise/cloud/ (v16): the only tactic ids a detection may name.
 */
export const CLOUD_TACTICS: Readonly<Record<string, string>> = {
    TA0001: "Initial Access",
    TA0002: "Execution",
    TA0003: "Persistence",
    TA0004: "Privilege Escalation",
    TA0005: "Defense Evasion",
    TA0006: "Credential Access",
    TA0007: "Discovery",
    TA0008: "Lateral Movement",
    TA0009: "Collection",
    TA0010: "Exfiltration",
    TA0040: "Impact",
};

/**
 * Where a detection is in its life: stable (relied on), experimental (new, or not yet run on production
 * logs; may be noisy), deprecated (kept for old reports, to be removed).
 */
export const STATUSES = ["stable", "experimental", "deprecated"] as const;
export type Status = (typeof STATUSES)[number];

export interface Detection {
    /** File name without `.sql`; also the `id` header. */
    readonly id: string;
    /** Same as {@link id}: the name the local mode, the query runner and the named queries use. */
    readonly name: string;
    readonly title: string;
    readonly severity: Severity;
    readonly kind: Kind;
    /** `context` for catch-alls that are not counted as coverage (header `role`, default `specific`). */
    readonly role: Role;
    /**
     * How far back the baseline of a first-seen detection reaches (header `lookback`, e.g. `14d`), in
     * milliseconds; undefined for detections without a baseline. `${history}` is [since - lookback, since).
     */
    readonly lookbackMs?: number;
    /** ATT&CK tactic ids, e.g. `TA0005`. */
    readonly tactics: readonly string[];
    /** ATT&CK technique ids, e.g. `T1562.008`. */
    readonly techniques: readonly string[];
    readonly description: string;
    readonly falsePositives: string;
    readonly runbook: string;
    /** Lifecycle status; undefined while a query lacks the header (npm run add-detection-metadata fills it in). */
    readonly status?: Status;
    /** URLs of what the detection rests on (AWS documentation of the calls it reads, ATT&CK pages); may be empty. */
    readonly references: readonly string[];
    /** YYYY-MM-DD the detection was added. */
    readonly created?: string;
    /** YYYY-MM-DD of the last change to what it detects. */
    readonly modified?: string;
    /** Display text for reports: `Defense Evasion (TA0005) · T1562.008`. */
    readonly mitre: string;
    /** The file as written, with `${window}` (and possibly `${since}`, `${until}`). */
    readonly source: string;
    /**
     * The query for Athena's console (the named query): `${window}` expanded with `${since}` and
     * `${until}` left as the two values to fill in.
     */
    readonly sql: string;
    readonly file: string;
}

const HEADER_FIELDS = ["id", "title", "severity", "kind", "tactics", "techniques", "description", "falsepositives", "runbook"] as const;
/** Header fields that may be left out: `role` (default specific) and `lookback` (only with `${history}`). */
const OPTIONAL_FIELDS = ["role", "lookback"] as const;
/** Lifecycle fields: checked when present (test/detections.test.ts requires status, created and modified of every query in queries/). */
export const LIFECYCLE_FIELDS = ["status", "references", "created", "modified"] as const;
type HeaderField = (typeof HEADER_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number] | (typeof LIFECYCLE_FIELDS)[number];
const KNOWN_FIELDS: readonly string[] = [...HEADER_FIELDS, ...OPTIONAL_FIELDS, ...LIFECYCLE_FIELDS];
const PLACEHOLDERS = ["window", "since", "until", "history", "lookback"];

/** A real calendar day written YYYY-MM-DD. */
function isCalendarDay(text: string): boolean {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The lifecycle fields' problems, each naming the file and the field. */
function lifecycleProblems(where: string, header: Partial<Record<HeaderField, string>>): string[] {
    const problems: string[] = [];
    if (header.status !== undefined && !(STATUSES as readonly string[]).includes(header.status)) {
        problems.push(`${where}: status "${header.status}" must be one of ${STATUSES.join(", ")}`);
    }
    for (const reference of splitList(header.references ?? "")) {
        let url: URL | undefined;
        try {
            url = new URL(reference);
        } catch {
            url = undefined;
        }
        if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) problems.push(`${where}: references: "${reference}" is not an http(s) URL`);
    }
    for (const field of ["created", "modified"] as const) {
        const value = header[field];
        if (value !== undefined && !isCalendarDay(value)) problems.push(`${where}: ${field} "${value}" must be a date YYYY-MM-DD`);
    }
    if (header.created && header.modified && isCalendarDay(header.created) && isCalendarDay(header.modified) && header.modified < header.created) {
        problems.push(`${where}: modified ${header.modified} is before created ${header.created}`);
    }
    return problems;
}

const splitList = (text: string) =>
    text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");

/**
 * How a first-seen detection reads its baseline and its window together. [since - lookback, since)
 * and [since, until) meet at since, so their union is [since - lookback, until): expanded as that one
 * range, each row's time is parsed and compared twice, not four times in two ranges ORed
 * (docs/performance.md). The rows are the same: the normaliser writes every eventTime in UTC and
 * files each event under the day of its eventTime, so no row is inside one range's time and the
 * other's days.
 */
const HISTORY_OR_WINDOW = "(${history} OR ${window})";

/**
 * `text` with `(${history} OR ${window})` and then `${history}` expanded (in that order: the first
 * holds the second), `historyTo(end)` being the predicate from the history's start to `since` or `until`.
 */
function expandHistory(text: string, historyTo: (end: "since" | "until") => string): string {
    return text.replaceAll(HISTORY_OR_WINDOW, `(${historyTo("until")})`).replaceAll("${history}", historyTo("since"));
}

/** `${window}` with the instants (quoted SQL text) still to fill in: the partition filter, then a time (not text) comparison. */
function windowFilter(sinceDate: string, untilDate: string, since: string, until: string): string {
    return (
        `"date" BETWEEN ${sinceDate} AND ${untilDate}` +
        ` AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp(${since})` +
        ` AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp(${until})`
    );
}

/** A lookback as a SQL interval literal both engines read: whole days, hours, minutes or seconds. */
export function intervalLiteral(ms: number): string {
    for (const [unit, size] of [
        ["DAY", 86_400_000],
        ["HOUR", 3_600_000],
        ["MINUTE", 60_000],
    ] as const) {
        if (ms % size === 0) return `INTERVAL '${ms / size}' ${unit}`;
    }
    return `INTERVAL '${Math.ceil(ms / 1000)}' SECOND`;
}

/**
 * The query for Athena's console: `${window}` and `${history}` expanded with `${since}` and `${until}`
 * left as the two values to fill in; the history's start is computed by Athena from `${since}`.
 */
function namedQuerySql(text: string, lookbackMs: number | undefined): string {
    let sql = text;
    if (lookbackMs !== undefined) {
        const interval = intervalLiteral(lookbackMs);
        const start = `from_iso8601_timestamp('\${since}') - ${interval}`;
        const historyTo = (end: "since" | "until") =>
            `"date" BETWEEN date_format(${start}, '%Y-%m-%d') AND substr('\${${end}}', 1, 10)` +
            ` AND from_iso8601_timestamp(eventtime) >= ${start}` +
            ` AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('\${${end}}')`;
        sql = expandHistory(sql, historyTo).replaceAll("${lookback}", interval);
    }
    return sql.replaceAll("${window}", windowFilter("substr('${since}', 1, 10)", "substr('${until}', 1, 10)", "'${since}'", "'${until}'"));
}

/** Parses one query file; throws naming the file and the header field that is wrong. */
export function parseDetection(file: string, text: string): Detection {
    const where = path.basename(file);
    const header: Partial<Record<HeaderField, string>> = {};
    for (const line of text.split("\n")) {
        const match = /^--\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
        if (!match) break;
        if (!KNOWN_FIELDS.includes(match[1])) {
            throw new Error(
                `${where}: unknown header field "${match[1]}" (expected ${HEADER_FIELDS.join(", ")}; optional ${[...OPTIONAL_FIELDS, ...LIFECYCLE_FIELDS].join(", ")})`,
            );
        }
        if (header[match[1] as HeaderField] !== undefined) throw new Error(`${where}: header field "${match[1]}" is given twice`);
        header[match[1] as HeaderField] = match[2];
    }
    for (const field of HEADER_FIELDS) {
        if (!header[field]) throw new Error(`${where}: header line "-- ${field}: …" is missing or empty`);
    }
    const lifecycle = lifecycleProblems(where, header);
    if (lifecycle.length > 0) throw new Error(lifecycle[0]);
    const fields = header as Record<(typeof HEADER_FIELDS)[number], string> & Partial<Record<(typeof OPTIONAL_FIELDS)[number], string>>;
    if (fields.id !== path.basename(file, ".sql")) throw new Error(`${where}: id "${fields.id}" must equal the file name`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(fields.id)) throw new Error(`${where}: id "${fields.id}" must be lower-case words joined by hyphens`);
    if (!(SEVERITIES as readonly string[]).includes(fields.severity)) {
        throw new Error(`${where}: severity "${fields.severity}" must be one of ${SEVERITIES.join(", ")}`);
    }
    if (!(KINDS as readonly string[]).includes(fields.kind)) throw new Error(`${where}: kind "${fields.kind}" must be one of ${KINDS.join(", ")}`);
    const list = (field: (typeof HEADER_FIELDS)[number]) => splitList(fields[field]);
    const tactics = list("tactics");
    for (const tactic of tactics) {
        if (!/^TA\d{4}$/.test(tactic)) throw new Error(`${where}: tactics: "${tactic}" is not an ATT&CK tactic id like TA0005`);
        if (!CLOUD_TACTICS[tactic])
            throw new Error(`${where}: tactics: ${tactic} is not a tactic of the ATT&CK cloud matrix (${Object.keys(CLOUD_TACTICS).join(", ")})`);
    }
    const techniques = list("techniques");
    for (const technique of techniques) {
        if (!/^T\d{4}(\.\d{3})?$/.test(technique))
            throw new Error(`${where}: techniques: "${technique}" is not an ATT&CK technique id like T1562 or T1562.008`);
    }
    if (tactics.length === 0) throw new Error(`${where}: tactics: at least one tactic id is needed`);
    if (techniques.length === 0) throw new Error(`${where}: techniques: at least one technique id is needed`);
    if (!text.includes("${window}")) throw new Error(`${where}: the query must read a bounded window through \${window}`);
    const unknown = [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]).filter((name) => !PLACEHOLDERS.includes(name));
    if (unknown.length > 0) throw new Error(`${where}: unknown placeholder \${${unknown[0]}} (only ${PLACEHOLDERS.map((name) => `\${${name}}`).join(", ")})`);
    const role = (fields.role ?? "specific") as Role;
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`${where}: role "${fields.role}" must be one of ${ROLES.join(", ")}`);
    const usesHistory = /\$\{(history|lookback)\}/.test(text);
    let lookbackMs: number | undefined;
    if (fields.lookback !== undefined) {
        try {
            lookbackMs = parseDuration(fields.lookback);
        } catch (error) {
            throw new Error(`${where}: lookback: ${(error as Error).message}`);
        }
        if (lookbackMs <= 0) throw new Error(`${where}: lookback must be longer than zero`);
        if (!usesHistory) throw new Error(`${where}: lookback is given but the query reads no \${history}`);
        // The event evaluator runs kind=event detections on one delivered file, which holds no history.
        if (fields.kind === "event") throw new Error(`${where}: a detection with a lookback cannot be kind event (the per-file evaluator has no history)`);
    } else if (usesHistory) {
        throw new Error(`${where}: the query reads \${history} or \${lookback}: give its baseline with a header line "-- lookback: ${DEFAULT_LOOKBACK}"`);
    }
    const mitre = `${tactics.map((tactic) => `${CLOUD_TACTICS[tactic]} (${tactic})`).join(", ")} · ${techniques.join(", ")}`;
    return {
        id: fields.id,
        name: fields.id,
        title: fields.title,
        severity: fields.severity as Severity,
        kind: fields.kind as Kind,
        role,
        ...(lookbackMs === undefined ? {} : { lookbackMs }),
        tactics,
        techniques,
        description: fields.description,
        falsePositives: fields.falsepositives,
        runbook: fields.runbook,
        status: header.status as Status | undefined,
        references: splitList(header.references ?? ""),
        created: header.created,
        modified: header.modified,
        mitre,
        source: text,
        sql: namedQuerySql(text, lookbackMs),
        file,
    };
}

/** Every detection in `dir`, sorted by id. */
export function loadDetections(dir: string = QUERIES_DIR): Detection[] {
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".sql"))
        .sort()
        .map((name) => parseDetection(path.join(dir, name), fs.readFileSync(path.join(dir, name), "utf8")));
}

/** An ISO-8601 UTC instant, with or without milliseconds (CloudTrail writes none; exports may; Athena's from_iso8601_timestamp reads up to milliseconds). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** `2026-11-25T10:00:00Z` form of a Date, as eventtime is stored. */
export function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The query for the window [since, until): `${window}` becomes the partition filter and a time
 * comparison, `${since}` and `${until}` the instants. Only ISO-8601 UTC instants are accepted, so
 * nothing but a timestamp ever reaches the SQL text.
 */
export function queryForWindow(
    detection: Pick<Detection, "source" | "name"> & { readonly lookbackMs?: number },
    window: { readonly since: string; readonly until: string },
    options: { readonly lookbackMs?: number } = {},
): string {
    for (const [key, value] of [
        ["since", window.since],
        ["until", window.until],
    ] as const) {
        if (!ISO_INSTANT.test(value) || !hasRealDateTime(value) || Number.isNaN(Date.parse(value))) {
            throw new Error(`${detection.name}: ${key} must be an ISO-8601 UTC instant like 2026-11-25T00:00:00Z or 2026-11-25T00:00:00.123Z, got "${value}"`);
        }
    }
    if (Date.parse(window.since) >= Date.parse(window.until))
        throw new Error(`${detection.name}: since (${window.since}) must be before until (${window.until})`);
    let sql = detection.source;
    if (/\$\{(history|lookback)\}/.test(sql)) {
        const lookbackMs = options.lookbackMs ?? detection.lookbackMs ?? lookbackOfSource(detection);
        if (!Number.isInteger(lookbackMs) || lookbackMs <= 0)
            throw new Error(`${detection.name}: the lookback must be a positive number of milliseconds, got ${lookbackMs}`);
        const start = isoSeconds(new Date(Math.floor((Date.parse(window.since) - lookbackMs) / 1000) * 1000));
        sql = expandHistory(sql, (end) =>
            windowFilter(`'${start.slice(0, 10)}'`, `'${window[end].slice(0, 10)}'`, `'${start}'`, `'${window[end]}'`),
        ).replaceAll("${lookback}", intervalLiteral(lookbackMs));
    }
    sql = sql.replaceAll(
        "${window}",
        windowFilter(`'${window.since.slice(0, 10)}'`, `'${window.until.slice(0, 10)}'`, `'${window.since}'`, `'${window.until}'`),
    );
    return sql.replaceAll("${since}", window.since).replaceAll("${until}", window.until);
}

/** The `-- lookback:` header of a query file's text (the alert functions carry the text, not the parsed detection). */
export function lookbackOfSource(detection: Pick<Detection, "source" | "name">): number {
    const header = /^--\s*lookback:\s*(.*?)\s*$/m.exec(detection.source);
    if (!header) throw new Error(`${detection.name}: the query reads \${history} but has no "-- lookback:" header`);
    return parseDuration(header[1]);
}

/**
 * The query with its window read from two SQL expressions (columns of a table of windows it is
 * joined with) instead of literals: `${window}` becomes {@link queryForWindow}'s predicate, a quoted
 * `'${since}'` or `'${until}'` the expression, and for a first-seen detection `${history}` the
 * predicate of [`history.since`, since) (another expression) and `${lookback}` the interval.
 * Undefined when the query uses a placeholder in another way, which only literals can fill, or
 * reads `${history}` without `history`.
 */
export function queryForWindowExpressions(
    detection: Pick<Detection, "source">,
    since: string,
    until: string,
    history?: { readonly since: string; readonly lookbackMs: number },
): string | undefined {
    let text = detection.source;
    if (/\$\{(history|lookback)\}/.test(text)) {
        if (!history) return undefined;
        const ends = { since, until };
        text = expandHistory(text, (end) =>
            windowFilter(`substr(${history.since}, 1, 10)`, `substr(${ends[end]}, 1, 10)`, history.since, `'\${${end}}'`),
        ).replaceAll("${lookback}", intervalLiteral(history.lookbackMs));
    }
    text = text.replaceAll("${window}", windowFilter(`substr(${since}, 1, 10)`, `substr(${until}, 1, 10)`, "'${since}'", "'${until}'"));
    text = text.replaceAll("'${since}'", since).replaceAll("'${until}'", until);
    return text.includes("${since}") || text.includes("${until}") ? undefined : text;
}

/** The `${window}` predicate on its own, for queries built in code (investigate): partition filter and time comparison. */
export function windowPredicate(window: { readonly since: string; readonly until: string }): string {
    return queryForWindow({ name: "window", source: "${window}" }, window);
}

/** `24h`, `7d`, `30m` → milliseconds. */
export function parseDuration(text: string): number {
    const match = /^(\d+)\s*([mhd])$/.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a duration: use minutes, hours or days, e.g. 30m, 24h, 7d`);
    return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
}
