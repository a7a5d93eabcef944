/**
 * The panel catalogue: `panels/<id>.sql`, one chart per file, with a header of `-- key: value`
 * lines like the detections (docs/dashboards.md, "Panel files"). Two renderers read it: the
 * QuickSight dashboard (components/dashboards/) and the local report (local/reportPanels.ts), so a
 * team in QuickSight and a responder on a laptop see the same views of the same data. Pure: no AWS,
 * no DuckDB.
 *
 * A panel's SQL selects rows (not aggregates) from one of the {@link PANEL_SOURCES}; the chart says
 * what is counted (or summed) along what. QuickSight aggregates such rows itself and applies the
 * dashboard's filters to them, so every panel keeps the filter columns of its source
 * ({@link filterColumnsOf}).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Detection, intervalLiteral, lookbackOfSource, queryForWindow, SEVERITIES } from "./detections";
import { PRIVATE_ADDRESS } from "./sources/flowLogQueries";
import { FLOW_LOG_TABLE, FLOW_LOG_WINDOW } from "./sources/flowLogs";

export const PANELS_DIR = path.join(__dirname, "..", "panels");

/**
 * time-lines: one line per colour over time; time-bars: stacked bars per day, coloured;
 * top-bars: the `limit` largest categories of `x` as horizontal bars, stacked by colour.
 */
export const CHART_KINDS = ["time-lines", "time-bars", "top-bars"] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/**
 * Column types a panel declares: QuickSight's InputColumn types STRING, DATETIME and INTEGER
 * (https://docs.aws.amazon.com/quicksight/latest/APIReference/API_InputColumn.html). An integer is a
 * BIGINT on both engines (bytes, packets, ports).
 */
export const COLUMN_TYPES = ["string", "datetime", "integer"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface PanelColumn {
    readonly name: string;
    readonly type: ColumnType;
}

/**
 * The tables panels read, each a view over a source's table that flattens what the panels need
 * (QuickSight does not read struct columns such as `useridentity`): CloudTrail's events, the
 * detections' hits, and VPC flow logs' traffic (only where the stack or the run has flow logs).
 */
export const PANEL_SOURCES = ["cloudtrail_activity", "detection_hits", "flow_traffic"] as const;
export type PanelSource = (typeof PANEL_SOURCES)[number];

/** The columns of the dashboard's filters (time range, account, region, principal), by the name each data set carries them under. */
export const FILTER_COLUMNS: readonly PanelColumn[] = [
    { name: "eventtime", type: "datetime" },
    { name: "account_name", type: "string" },
    { name: "region", type: "string" },
    { name: "principal", type: "string" },
];

/**
 * The filter columns a panel of `source` must keep. A flow has no principal (an address talks, not an
 * identity), so flow panels keep time, account and region, and the principal filter leaves them alone
 * (components/dashboards/quickSightDefinition.ts scopes it to the panels that have the column).
 */
export function filterColumnsOf(source: PanelSource): readonly PanelColumn[] {
    return source === "flow_traffic" ? FILTER_COLUMNS.filter((column) => column.name !== "principal") : FILTER_COLUMNS;
}

/** What a chart measures: rows counted by a column's non-null values, or an integer column summed (bytes). */
export interface PanelMeasure {
    readonly aggregate: "count" | "sum";
    readonly column: string;
}

/** The time buckets of a time chart. */
export const GRANULARITIES = ["day", "hour"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface Panel {
    /** File name without `.sql`; also the visual id and part of the data set id. */
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly source: PanelSource;
    readonly chart: ChartKind;
    /** The time column (time-*) or the category column (top-bars). */
    readonly x: string;
    /** The column whose values split the bars or lines; absent: one series. */
    readonly colour?: string;
    /**
     * `count: <column>`: rows counted by the column's non-null values (eventtime: every row in a window
     * has one; not every event has an id). `sum: <integer column>`: the column summed (bytes).
     */
    readonly measure: PanelMeasure;
    /** time-*: the bucket along x (`granularity: hour`, default day). */
    readonly granularity: Granularity;
    /** top-bars: how many categories are kept (the largest). */
    readonly limit: number;
    /** Where the panel sits on the dashboard and in the report, smallest first (then by id). Default 100. */
    readonly order: number;
    /** The columns the SQL returns, in order. */
    readonly columns: readonly PanelColumn[];
    /** The query as written: rows from {@link source}. */
    readonly sql: string;
    readonly file: string;
}

/** QuickSight's visual id: 1-512 of `[\w-]` (API reference, BarChartVisual.VisualId). */
export const QUICKSIGHT_ID = /^[\w-]{1,512}$/;
/** QuickSight's CustomSql.SqlQuery is at most 168,000 characters (API reference, CustomSql). */
export const QUICKSIGHT_MAX_SQL = 168_000;
/** Categories a top-bars panel keeps by default. */
const DEFAULT_LIMIT = 20;

const HEADER_FIELDS = ["id", "title", "description", "source", "chart", "x", "colour", "count", "sum", "granularity", "limit", "order", "columns"] as const;
/** Optional, or (count, sum) one of a pair checked below. */
const OPTIONAL_FIELDS: readonly string[] = ["colour", "count", "sum", "granularity", "limit", "order"];
type HeaderField = (typeof HEADER_FIELDS)[number];

/** Parses one panel file; throws naming the file and the header field that is wrong. */
export function parsePanel(file: string, text: string): Panel {
    const where = path.basename(file);
    const header: Partial<Record<HeaderField, string>> = {};
    for (const line of text.split("\n")) {
        const match = /^--\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
        if (!match) break;
        if (!(HEADER_FIELDS as readonly string[]).includes(match[1])) {
            throw new Error(`${where}: unknown header field "${match[1]}" (expected ${HEADER_FIELDS.join(", ")})`);
        }
        if (header[match[1] as HeaderField] !== undefined) throw new Error(`${where}: header field "${match[1]}" is given twice`);
        header[match[1] as HeaderField] = match[2];
    }
    for (const field of HEADER_FIELDS) {
        if (!OPTIONAL_FIELDS.includes(field) && !header[field]) throw new Error(`${where}: header line "-- ${field}: …" is missing or empty`);
    }
    const fields = header as Record<HeaderField, string>;
    if (fields.id !== path.basename(file, ".sql")) throw new Error(`${where}: id "${fields.id}" must equal the file name`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(fields.id)) throw new Error(`${where}: id "${fields.id}" must be lower-case words joined by hyphens`);
    if (!(PANEL_SOURCES as readonly string[]).includes(fields.source)) {
        throw new Error(`${where}: source "${fields.source}" must be one of ${PANEL_SOURCES.join(", ")}`);
    }
    if (!(CHART_KINDS as readonly string[]).includes(fields.chart))
        throw new Error(`${where}: chart "${fields.chart}" must be one of ${CHART_KINDS.join(", ")}`);
    const columns = fields.columns.split(",").map((entry) => {
        const [name, type = "string"] = entry.trim().split(":");
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${where}: columns: "${name}" must be a lower-case column name`);
        if (!(COLUMN_TYPES as readonly string[]).includes(type))
            throw new Error(`${where}: columns: ${name} has type "${type}"; use ${COLUMN_TYPES.join(" or ")}`);
        return { name, type: type as ColumnType };
    });
    const byName = new Map(columns.map((column) => [column.name, column]));
    for (const role of ["x", "colour", "count", "sum"] as const) {
        const name = fields[role];
        if (name !== undefined && !byName.has(name))
            throw new Error(`${where}: ${role}: "${name}" is not one of the columns (${[...byName.keys()].join(", ")})`);
    }
    const source = fields.source as PanelSource;
    for (const required of filterColumnsOf(source)) {
        if (byName.get(required.name)?.type !== required.type) {
            throw new Error(`${where}: columns must include ${required.name}:${required.type}, which the dashboard's filters apply to`);
        }
    }
    const timeChart = fields.chart !== "top-bars";
    if (timeChart !== (byName.get(fields.x)?.type === "datetime")) {
        throw new Error(`${where}: x: ${fields.chart} needs ${timeChart ? "a datetime" : "a string"} column, and ${fields.x} is not one`);
    }
    if (fields.colour !== undefined && byName.get(fields.colour)?.type !== "string")
        throw new Error(`${where}: colour: ${fields.colour} must be a string column (its values name the series)`);
    if ((fields.count === undefined) === (fields.sum === undefined))
        throw new Error(`${where}: give exactly one of "-- count: <column>" (rows counted) and "-- sum: <integer column>" (a column summed)`);
    if (fields.sum !== undefined && byName.get(fields.sum)?.type !== "integer")
        throw new Error(`${where}: sum: ${fields.sum} must be an integer column (declare it as ${fields.sum}:integer)`);
    const measure: PanelMeasure = fields.sum !== undefined ? { aggregate: "sum", column: fields.sum } : { aggregate: "count", column: fields.count };
    const granularity = (fields.granularity ?? "day") as Granularity;
    if (!(GRANULARITIES as readonly string[]).includes(granularity))
        throw new Error(`${where}: granularity: "${fields.granularity}" must be one of ${GRANULARITIES.join(", ")}`);
    if (!timeChart && fields.granularity !== undefined) throw new Error(`${where}: granularity: only a time chart has time buckets`);
    const limit = fields.limit === undefined ? DEFAULT_LIMIT : Number(fields.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error(`${where}: limit: "${fields.limit}" must be a whole number from 1 to 100`);
    const order = fields.order === undefined ? 100 : Number(fields.order);
    if (!Number.isInteger(order) || order < 0) throw new Error(`${where}: order: "${fields.order}" must be a whole number (0 or more)`);
    const sql = text
        .split("\n")
        .filter((line) => !/^--\s*[a-z]+:/.test(line))
        .join("\n")
        .trim();
    if (!new RegExp(`\\bFROM\\s+${fields.source}\\b`, "i").test(sql)) throw new Error(`${where}: the query must read FROM ${fields.source}, its source`);
    return {
        id: fields.id,
        title: fields.title,
        description: fields.description,
        source,
        chart: fields.chart as ChartKind,
        x: fields.x,
        colour: fields.colour,
        measure,
        granularity,
        limit,
        order,
        columns,
        sql,
        file,
    };
}

/** Every panel in `dir`, in dashboard order (`order`, then id). */
export function loadPanels(dir: string = PANELS_DIR): Panel[] {
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".sql"))
        .map((name) => parsePanel(path.join(dir, name), fs.readFileSync(path.join(dir, name), "utf8")))
        .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** `CASE account WHEN '…' THEN 'name' … ELSE account END`: account names from the stack config, the id where none is configured. */
export function accountNameExpression(accountNames: Readonly<Record<string, string>>, column: string): string {
    const entries = Object.entries(accountNames).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) return column;
    return `CASE ${column} ${entries.map(([id, name]) => `WHEN ${quote(id)} THEN ${quote(name)}`).join(" ")} ELSE ${column} END`;
}

/** Error codes that mean "not allowed", as access-denied-across-services reads them. */
const ACCESS_DENIED =
    "(errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess', 'AuthorizationError', 'Forbidden')" +
    " OR errorcode LIKE '%UnauthorizedOperation' OR errorcode LIKE '%AccessDenied%')";

/**
 * `cloudtrail_activity`: one row per event of `cloudtrail` where `window` holds (a predicate over its
 * `"date"` partition and `eventtime`), flat: the identity's type, principal and session issuer out of
 * `useridentity`, the account's configured name, what became of the call, and a console sign-in's outcome.
 * Trino text that DuckDB runs too (lambda/shared/engine.ts's compatibility macros).
 */
export function activityViewSql(args: {
    readonly accountNames: Readonly<Record<string, string>>;
    readonly window: string;
    /** The Parquet table, qualified where the query runs without a default database (QuickSight's custom SQL). */
    readonly table?: string;
}): string {
    return `SELECT from_iso8601_timestamp(eventtime) AS eventtime,
       account,
       ${accountNameExpression(args.accountNames, "account")} AS account_name,
       region,
       eventsource,
       eventname,
       coalesce(useridentity.type, 'unknown') AS identity_type,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, 'unknown') AS principal,
       coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn, 'none') AS session_issuer,
       coalesce(sourceipaddress, 'unknown') AS sourceipaddress,
       errorcode,
       CASE WHEN errorcode IS NULL THEN 'success' WHEN ${ACCESS_DENIED} THEN 'access denied' ELSE 'error' END AS outcome,
       CASE
           WHEN eventname <> 'ConsoleLogin' THEN NULL
           WHEN json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure' OR errorcode IS NOT NULL THEN 'failure'
           WHEN json_extract_scalar(additionaleventdata, '$.SamlProviderArn') IS NOT NULL
                OR coalesce(useridentity.type, '') NOT IN ('IAMUser', 'Root') THEN 'success, federated'
           WHEN upper(coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'NO')) = 'YES' THEN 'success with MFA'
           ELSE 'success without MFA'
       END AS signin_outcome,
       eventid
FROM ${args.table ?? "cloudtrail"}
WHERE ${args.window}`;
}

/** Columns of {@link activityViewSql}, as the panels may select them. */
export const ACTIVITY_COLUMNS: readonly PanelColumn[] = [
    { name: "eventtime", type: "datetime" },
    ...[
        "account",
        "account_name",
        "region",
        "eventsource",
        "eventname",
        "identity_type",
        "principal",
        "session_issuer",
        "sourceipaddress",
        "errorcode",
        "outcome",
        "signin_outcome",
        "eventid",
    ].map((name) => ({ name, type: "string" as const })),
];

/** Columns of `detection_hits`: one row per hit of a detection. */
export const DETECTION_HIT_COLUMNS: readonly PanelColumn[] = [
    { name: "eventtime", type: "datetime" },
    ...["account", "account_name", "region", "principal", "detection", "title", "severity", "eventid"].map((name) => ({ name, type: "string" as const })),
];

/** IANA protocol numbers (https://www.iana.org/assignments/protocol-numbers/) shown by name; any other as its number. */
const PROTOCOL_NAME = "CASE protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMPv6' ELSE CAST(protocol AS varchar) END";

/**
 * `flow_traffic`: one row per flow-log record that carries traffic (`log-status` OK: NODATA and
 * SKIPDATA records have no addresses, action or bytes; the local report counts them apart) of
 * `flow_logs` where `window` holds, flat and named for the dashboard's filters: `eventtime` is the
 * start of the record's capture window, `account` and `region` the delivery's partition (the
 * account and region the flow log belongs to, docs/flow-logs.md), `account_name` from the stack
 * config as in {@link activityViewSql}. Addresses are classed private or public as the flow-log
 * queries class them (contract/sources/flowLogQueries.ts). Trino text that DuckDB runs too.
 */
export function flowTrafficViewSql(args: {
    readonly accountNames: Readonly<Record<string, string>>;
    readonly window: string;
    /** The flow-log table, qualified where the query runs without a default database. */
    readonly table?: string;
}): string {
    return `SELECT from_unixtime("start") AS eventtime,
       aws_account_id AS account,
       ${accountNameExpression(args.accountNames, "aws_account_id")} AS account_name,
       aws_region AS region,
       coalesce(action, 'unknown') AS action,
       coalesce(srcaddr, 'unknown') AS srcaddr,
       coalesce(dstaddr, 'unknown') AS dstaddr,
       CAST(dstport AS bigint) AS dstport,
       ${PROTOCOL_NAME} AS protocol,
       CAST(coalesce(bytes, 0) AS bigint) AS bytes,
       CAST(coalesce(packets, 0) AS bigint) AS packets,
       coalesce(flow_direction, 'unknown') AS flow_direction,
       CASE WHEN regexp_like(srcaddr, ${PRIVATE_ADDRESS}) THEN 'private' ELSE 'public' END AS src_scope,
       CASE WHEN regexp_like(dstaddr, ${PRIVATE_ADDRESS}) THEN 'private' ELSE 'public' END AS dst_scope,
       coalesce(pkt_dst_aws_service, 'none') AS dst_aws_service,
       coalesce(interface_id, 'unknown') AS interface_id,
       coalesce(instance_id, 'none') AS instance_id
FROM ${args.table ?? FLOW_LOG_TABLE}
WHERE ${args.window} AND log_status = 'OK'`;
}

/** Columns of {@link flowTrafficViewSql}, as the panels may select them. */
export const FLOW_TRAFFIC_COLUMNS: readonly PanelColumn[] = [
    { name: "eventtime", type: "datetime" },
    ...["account", "account_name", "region", "action", "srcaddr", "dstaddr"].map((name) => ({ name, type: "string" as const })),
    { name: "dstport", type: "integer" },
    { name: "protocol", type: "string" },
    { name: "bytes", type: "integer" },
    { name: "packets", type: "integer" },
    ...["flow_direction", "src_scope", "dst_scope", "dst_aws_service", "interface_id", "instance_id"].map((name) => ({ name, type: "string" as const })),
];

/** The columns each source's view offers (derived columns of a panel's own SQL aside). */
export const SOURCE_COLUMNS: Readonly<Record<PanelSource, readonly PanelColumn[]>> = {
    cloudtrail_activity: ACTIVITY_COLUMNS,
    detection_hits: DETECTION_HIT_COLUMNS,
    flow_traffic: FLOW_TRAFFIC_COLUMNS,
};

/** The window of the flow view over a run's instants: the flow-log detections' own (the days' partitions, then the record's start). */
export function flowWindow(window: { readonly since: string; readonly until: string }): string {
    return queryForWindow({ name: "flow_traffic window", source: FLOW_LOG_WINDOW }, window);
}

/** The rolling window of the Athena flow view: the last `days` days' partitions, then the records that started in them. */
export function flowRollingWindow(days: number): string {
    return (
        `concat(year, '-', month, '-', day) >= date_format(current_date - INTERVAL '${days}' DAY, '%Y-%m-%d')` +
        ` AND "start" >= to_unixtime(current_timestamp - INTERVAL '${days}' DAY)`
    );
}

/** The rolling window of the Athena views: the last `days` days' partitions. */
export function rollingWindow(days: number): string {
    return `"date" >= date_format(current_date - INTERVAL '${days}' DAY, '%Y-%m-%d')`;
}

/**
 * SQL without its `--` comments and with each run of whitespace outside string literals and quoted
 * identifiers cut to one character (a newline where the run held one), so that the detection-hits
 * view, which inlines every detection, fits QuickSight's CustomSql limit ({@link QUICKSIGHT_MAX_SQL}).
 * Literals ('…', with '' inside) and "identifiers" are kept byte for byte.
 */
export function compactSql(sql: string): string {
    let out = "";
    let i = 0;
    while (i < sql.length) {
        const c = sql[i];
        if (c === "'" || c === '"') {
            let j = i + 1;
            while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
            out += sql.slice(i, j + 1);
            i = j + 1;
        } else if (c === "-" && sql[i + 1] === "-") {
            while (i < sql.length && sql[i] !== "\n") i += 1;
        } else if (/\s/.test(c)) {
            let j = i;
            while (j < sql.length && (/\s/.test(sql[j]) || (sql[j] === "-" && sql[j + 1] === "-"))) {
                if (sql[j] === "-") while (j < sql.length && sql[j] !== "\n") j += 1;
                else j += 1;
            }
            const run = sql.slice(i, j);
            out += run.includes("\n") ? "\n" : " ";
            i = j;
        } else {
            out += c;
            i += 1;
        }
    }
    return out.trim();
}

/** `${history}` and `${lookback}` of a query over the rolling window `days` back from now: [now - days - lookback, now - days). */
function withRollingHistory(body: string, days: string, lookback: string): string {
    const history =
        `"date" >= date_format(current_date - ${days} - ${lookback}, '%Y-%m-%d')` +
        ` AND from_iso8601_timestamp(eventtime) >= current_timestamp - ${days} - ${lookback}` +
        ` AND from_iso8601_timestamp(eventtime) < current_timestamp - ${days}`;
    return body.replaceAll("${history}", history).replaceAll("${lookback}", lookback);
}

/**
 * `detection_hits` for Athena: every detection of the catalogue over the last `lookbackDays` days,
 * one UNION ALL branch each, reduced to the columns every detection returns. `${window}` becomes a
 * rolling partition filter, `'${since}'`/`'${until}'` the instants it spans. It runs each
 * detection, so the data set over it is imported into SPICE on a schedule, never queried per view
 * (docs/dashboards.md, "Detection hits").
 */
export function detectionHitsSql(args: {
    readonly detections: readonly Pick<Detection, "id" | "title" | "severity" | "source">[];
    readonly accountNames: Readonly<Record<string, string>>;
    readonly lookbackDays: number;
    /** The Parquet table, qualified where the query runs without a default database. */
    readonly table?: string;
    /** The flow-log table, qualified likewise, for the flow-log detections (present only where the stack has flow logs). */
    readonly flowTable?: string;
}): string {
    const days = `INTERVAL '${args.lookbackDays}' DAY`;
    const window = `"date" >= date_format(current_date - ${days}, '%Y-%m-%d')` + ` AND from_iso8601_timestamp(eventtime) >= current_timestamp - ${days}`;
    const branches = args.detections.map((detection) => {
        if (!(SEVERITIES as readonly string[]).includes(detection.severity)) throw new Error(`${detection.id}: unknown severity ${detection.severity}`);
        const body = detection.source
            .split("\n")
            .filter((line) => !/^--\s*[a-z]+:/.test(line))
            .join("\n")
            .replaceAll("${window}", window)
            .replaceAll("'${since}'", `to_iso8601(current_timestamp - ${days})`)
            .replaceAll("'${until}'", "to_iso8601(current_timestamp)")
            .replace(/\b(FROM|JOIN)(\s+)cloudtrail\b/gi, `$1$2${args.table ?? "cloudtrail"}`)
            .replace(new RegExp(`\\b(FROM|JOIN)(\\s+)${FLOW_LOG_TABLE}\\b`, "gi"), `$1$2${args.flowTable ?? FLOW_LOG_TABLE}`);
        // A first-seen detection's baseline: the lookback before the rolling window, as queryForWindow gives it a fixed one.
        const rollingBody = /\$\{(history|lookback)\}/.test(body)
            ? withRollingHistory(body, days, intervalLiteral(lookbackOfSource({ name: detection.id, source: detection.source })))
            : body;
        if (rollingBody.includes("${")) throw new Error(`${detection.id}: a placeholder outside quotes cannot be given a rolling value`);
        // Compact: the view inlines the whole catalogue and must stay under QuickSight's CustomSql limit.
        return `SELECT h.eventtime, h.account, h.region, h.principal, ${quote(detection.id)} AS detection, ${quote(detection.title)} AS title, ${quote(detection.severity)} AS severity, h.eventid
FROM (
${compactSql(rollingBody)}
) AS h`;
    });
    // Account names, the time's type and the missing principal once, outside the branches: the CASE grows with the accounts, the branches with the detections.
    return `SELECT from_iso8601_timestamp(eventtime) AS eventtime, account, ${accountNameExpression(args.accountNames, "account")} AS account_name, region,
       coalesce(principal, 'unknown') AS principal, detection, title, severity, eventid
FROM (
${branches.join("\nUNION ALL\n")}
) AS hits`;
}

/** The query a data set runs: the panel's SQL with its source defined before it. */
export function panelQuery(panel: Pick<Panel, "sql" | "source">, sourceSql: string): string {
    return `WITH ${panel.source} AS (\n${sourceSql}\n)\n${panel.sql}`;
}
