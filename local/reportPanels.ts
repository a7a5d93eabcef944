/**
 * The panel catalogue (panels/, contract/panels.ts) rendered for the local report: each panel's SQL
 * runs on DuckDB over the same flattened views the QuickSight data sets read, is counted or summed
 * the way its chart says, and is drawn as inline SVG, so the report needs no network to be read.
 */
import { accountNameExpression, activityViewSql, flowTrafficViewSql, flowWindow, Panel } from "../contract/panels";
import { windowPredicate } from "../contract/detections";
import { Engine, literal } from "../lambda/shared/engine";

/** One bar segment or line point: `value` (rows counted, or the measure summed) at `x` for series `colour`. */
export interface PanelPoint {
    readonly x: string;
    readonly colour: string;
    readonly value: number;
}

export interface PanelResult {
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly source: Panel["source"];
    readonly chart: Panel["chart"];
    /** What a value is: `rows` (counted), else the summed column (`bytes`). */
    readonly unit: string;
    /** `cannot-run-locally` when DuckDB refused the SQL; `error` says why. */
    readonly status: "ok" | "cannot-run-locally";
    readonly error?: string;
    readonly points: PanelPoint[];
}

/** A detection's hits, as the run found them (after suppressions). */
export interface DetectionHitIds {
    readonly detection: string;
    readonly title: string;
    readonly severity: string;
    readonly eventIds: readonly string[];
}

/** Series drawn per panel; the rest are summed as "other" so that a legend stays readable. */
const MAX_SERIES = 8;
const INSERT_BATCH = 500;

/** The table of every hit's event id with its detection, which `detection_hits` joins to the events. */
const HIT_IDS_TABLE = "detection_hit_ids";

/**
 * Each detection's title and severity, once: `detection_hits` joins them to the hits by name. Copied
 * into every hit's row, these two texts were most of the cost of adding a detection's hits (0.5 s of
 * a run with 250,000 hits, docs/performance.md).
 */
const HIT_TITLES_TABLE = "detection_hit_titles";

/** The columns every detection returns (docs/detections.md) that `detection_hits` keeps beside the detection's name. */
const HIT_COLUMNS = ["eventtime", "account", "region", "principal"] as const;

/** Creates the empty {@link HIT_IDS_TABLE}; {@link addHitIds} fills it detection by detection. */
export async function createHitIdsTable(engine: Engine): Promise<void> {
    await engine.run(
        `CREATE OR REPLACE TEMP TABLE ${HIT_IDS_TABLE} (eventid VARCHAR, detection VARCHAR, ${HIT_COLUMNS.map((column) => `${column} VARCHAR`).join(", ")})`,
    );
    await engine.run(`CREATE OR REPLACE TEMP TABLE ${HIT_TITLES_TABLE} (detection VARCHAR, title VARCHAR, severity VARCHAR)`);
}

/**
 * Adds a detection's hits from a table of its rows inside DuckDB: the ids never cross into JavaScript
 * and back as SQL text, which took seconds for a few hundred thousand hits (docs/performance.md). An
 * id is the text the finding's `eventIds` hold (NULL as ''). Each hit keeps its own time, account,
 * region and principal, as the Athena view reads them from the detection's rows (contract/panels.ts
 * detectionHitsSql): a flow-log detection's hit, whose id is no CloudTrail event's, is drawn too.
 */
export async function addHitIds(
    engine: Engine,
    fromTable: string,
    hit: Omit<DetectionHitIds, "eventIds">,
    /** The table's columns (the caller has read its rows). */
    columns: readonly string[],
): Promise<void> {
    const present = new Set(columns);
    const own = HIT_COLUMNS.map((column) => (present.has(column) ? `CAST(${column} AS VARCHAR)` : "NULL"));
    await engine.run(
        `INSERT INTO ${HIT_IDS_TABLE} SELECT ${present.has("eventid") ? "coalesce(CAST(eventid AS VARCHAR), '')" : "''"}, ${literal(hit.detection)}, ${own.join(", ")} FROM ${fromTable}`,
    );
    await addHitTitle(engine, hit);
}

/** The detection's title and severity in {@link HIT_TITLES_TABLE}, unless there already. */
async function addHitTitle(engine: Engine, hit: Omit<DetectionHitIds, "eventIds">): Promise<void> {
    await engine.run(
        `INSERT INTO ${HIT_TITLES_TABLE} SELECT ${[hit.detection, hit.title, hit.severity].map(literal).join(", ")} WHERE NOT EXISTS (SELECT 1 FROM ${HIT_TITLES_TABLE} WHERE detection = ${literal(hit.detection)})`,
    );
}

/**
 * Creates `cloudtrail_activity` (over the `cloudtrail` view, in `window`), `detection_hits` (the run's
 * hits) and, with `flows`, `flow_traffic` (over the `flow_logs` view), then runs every panel whose
 * source there is: without flow logs the flow panels are left out, not drawn empty. A panel DuckDB
 * cannot run is reported, never dropped.
 */
export async function runPanels(
    engine: Engine,
    args: {
        readonly panels: readonly Panel[];
        readonly window: { readonly since: string; readonly until: string };
        readonly accountNames?: Readonly<Record<string, string>>;
        /**
         * The run's hits, by event id only (each drawn at its event).
         * @default the hits the caller added with {@link createHitIdsTable} and {@link addHitIds}
         */
        readonly hits?: readonly DetectionHitIds[];
        /** Whether the run read flow logs (a `flow_logs` view exists). @default false */
        readonly flows?: boolean;
    },
): Promise<PanelResult[]> {
    const accountNames = args.accountNames ?? {};
    await engine.run(`CREATE OR REPLACE TEMP VIEW cloudtrail_activity AS ${activityViewSql({ accountNames, window: windowPredicate(args.window) })}`);
    if (args.flows) {
        await engine.run(`CREATE OR REPLACE TEMP VIEW flow_traffic AS ${flowTrafficViewSql({ accountNames, window: flowWindow(args.window) })}`);
    }
    if (args.hits) {
        await createHitIdsTable(engine);
        const rows = args.hits.flatMap((hit) => hit.eventIds.map((id) => `(${[id, hit.detection].map(literal).join(", ")}, NULL, NULL, NULL, NULL)`));
        for (let start = 0; start < rows.length; start += INSERT_BATCH) {
            await engine.run(`INSERT INTO ${HIT_IDS_TABLE} VALUES ${rows.slice(start, start + INSERT_BATCH).join(", ")}`);
        }
        for (const hit of args.hits) await addHitTitle(engine, hit);
    }
    // The columns of the Athena view (contract/panels.ts detectionHitsSql), from the hit's own row; a hit known by its id only takes its event's.
    // Two parts, not one LEFT JOIN whose condition also tests the hit's own time: DuckDB could not hash-join on that condition and paired
    // every hit with every event (40 s for the 207k hits of 400 MB of logs, docs/performance.md).
    const account = "coalesce(h.account, a.account)";
    await engine.run(`CREATE OR REPLACE TEMP VIEW detection_hits AS
        SELECT TRY_CAST(h.eventtime AS TIMESTAMPTZ) AS eventtime, h.account, ${accountNameExpression(accountNames, "h.account")} AS account_name, h.region,
               coalesce(h.principal, 'unknown') AS principal, h.detection, t.title, t.severity, h.eventid
        FROM ${HIT_IDS_TABLE} h JOIN ${HIT_TITLES_TABLE} t ON t.detection = h.detection WHERE h.eventtime IS NOT NULL
        UNION ALL
        SELECT a.eventtime, ${account} AS account, ${accountNameExpression(accountNames, account)} AS account_name, coalesce(h.region, a.region) AS region,
               coalesce(h.principal, a.principal, 'unknown') AS principal, h.detection, t.title, t.severity, h.eventid
        FROM ${HIT_IDS_TABLE} h JOIN ${HIT_TITLES_TABLE} t ON t.detection = h.detection LEFT JOIN cloudtrail_activity a ON a.eventid = h.eventid
        WHERE h.eventtime IS NULL`);
    const results: PanelResult[] = [];
    for (const panel of args.panels) {
        if (panel.source === "flow_traffic" && !args.flows) continue;
        const base = {
            id: panel.id,
            title: panel.title,
            description: panel.description,
            source: panel.source,
            chart: panel.chart,
            unit: panel.measure.aggregate === "sum" ? panel.measure.column : "rows",
        };
        try {
            const points = (await engine.all(aggregateSql(panel))).map((row) => ({ x: String(row.x), colour: String(row.colour), value: Number(row.n) }));
            results.push({ ...base, status: "ok", points });
        } catch (error) {
            results.push({ ...base, status: "cannot-run-locally", error: (error as Error).message.split("\n")[0], points: [] });
        }
    }
    return results;
}

/** The time buckets' SQL: DuckDB's date_trunc unit and the label format. */
const BUCKETS = { day: { unit: "day", format: "%Y-%m-%d" }, hour: { unit: "hour", format: "%Y-%m-%d %H:00" } } as const;

/** What the chart measures, as SQL over the panel's rows: per time bucket (time charts) or per category of the largest `limit` (top-bars). */
export function aggregateSql(panel: Panel): string {
    const colour = panel.colour ? `coalesce(CAST(${panel.colour} AS VARCHAR), '(none)')` : "'all'";
    const measure = (prefix: string) =>
        panel.measure.aggregate === "sum" ? `CAST(coalesce(sum(${prefix}${panel.measure.column}), 0) AS BIGINT)` : `count(${prefix}${panel.measure.column})`;
    if (panel.chart === "top-bars") {
        // Only the three values the chart reads: panel_rows is read twice, so DuckDB materialises it, and with every column of every
        // event in the window it was most of the panels' time.
        const measured = (prefix: string) =>
            panel.measure.aggregate === "sum" ? `CAST(coalesce(sum(${prefix}measured), 0) AS BIGINT)` : `count(${prefix}measured)`;
        return `WITH panel_rows AS (
                SELECT coalesce(CAST(${panel.x} AS VARCHAR), '(none)') AS x, ${colour} AS colour, ${panel.measure.column} AS measured FROM (${panel.sql}) source_rows
            ),
            top_categories AS (
                SELECT x, ${measured("")} AS total FROM panel_rows GROUP BY 1 ORDER BY total DESC, x LIMIT ${panel.limit}
            )
            SELECT t.x, r.colour, ${measured("r.")} AS n, t.total
            FROM panel_rows r JOIN top_categories t ON r.x = t.x
            GROUP BY t.x, r.colour, t.total HAVING ${measured("r.")} > 0 ORDER BY t.total DESC, t.x, colour`;
    }
    const bucket = BUCKETS[panel.granularity];
    return `WITH panel_rows AS (${panel.sql})
        SELECT strftime(date_trunc('${bucket.unit}', ${panel.x} AT TIME ZONE 'UTC'), '${bucket.format}') AS x, ${colour} AS colour, ${measure("")} AS n
        FROM panel_rows WHERE ${panel.x} IS NOT NULL GROUP BY 1, 2 HAVING ${measure("")} > 0 ORDER BY 1, 2`;
}

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

const PALETTE = ["#3b6ea5", "#e07b39", "#5aa36b", "#c9473d", "#8a6bbd", "#8c6d5a", "#d17fb5", "#7f7f7f", "#b8b13a", "#3bb0c0"];

/** The series of a panel, largest first, the ones past {@link MAX_SERIES} folded into "other". */
function seriesOf(points: readonly PanelPoint[]): { names: string[]; of: (colour: string) => string } {
    const totals = new Map<string, number>();
    for (const point of points) totals.set(point.colour, (totals.get(point.colour) ?? 0) + point.value);
    const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
    const kept = new Set(ranked.slice(0, MAX_SERIES));
    const names = ranked.length > MAX_SERIES ? [...kept, "other"] : ranked;
    return { names, of: (colour) => (kept.has(colour) ? colour : "other") };
}

/** x values in order, and per x the value of each series. */
function table(points: readonly PanelPoint[], of: (colour: string) => string): { xs: string[]; counts: Map<string, Map<string, number>> } {
    const counts = new Map<string, Map<string, number>>();
    for (const point of points) {
        const row = counts.get(point.x) ?? new Map<string, number>();
        row.set(of(point.colour), (row.get(of(point.colour)) ?? 0) + point.value);
        counts.set(point.x, row);
    }
    return { xs: [...counts.keys()], counts };
}

const sumOf = (row: Map<string, number> | undefined) => [...(row?.values() ?? [])].reduce((a, b) => a + b, 0);

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** A value as the report shows it: bytes in binary units (4.1 KiB), anything else as a whole number with separators. */
export function formatValue(value: number, unit: string): string {
    if (unit !== "bytes") return value.toLocaleString("en-US");
    let scaled = value;
    let index = 0;
    while (scaled >= 1024 && index < BYTE_UNITS.length - 1) {
        scaled /= 1024;
        index += 1;
    }
    return index === 0 ? `${value} B` : `${scaled.toFixed(scaled < 10 ? 1 : 0)} ${BYTE_UNITS[index]}`;
}

/** A mark's tooltip: where, which series, how much (bytes also exactly). */
function tip(result: PanelResult, x: string, name: string, value: number): string {
    const exact = result.unit === "bytes" ? ` (${value.toLocaleString("en-US")} bytes)` : "";
    return `<title>${escape(x)} · ${escape(name)}: ${escape(formatValue(value, result.unit))}${exact}</title>`;
}

function legend(names: readonly string[]): string {
    return `<p class="legend">${names.map((name, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escape(name)}</span>`).join(" ")}</p>`;
}

/** Horizontal stacked bars, one per category, largest first. */
function topBars(result: PanelResult): string {
    const { names, of } = seriesOf(result.points);
    const { xs, counts } = table(result.points, of);
    const label = 260,
        width = 900,
        row = 18,
        height = xs.length * row;
    const max = Math.max(...xs.map((x) => sumOf(counts.get(x))));
    const bars = xs.map((x, i) => {
        let offset = label;
        const segments = names.map((name, s) => {
            const count = counts.get(x)?.get(name) ?? 0;
            if (count === 0) return "";
            const w = Math.max(1, ((width - label - 60) * count) / max);
            const rect = `<rect x="${offset.toFixed(1)}" y="${i * row + 2}" width="${w.toFixed(1)}" height="${row - 4}" fill="${PALETTE[s % PALETTE.length]}">${tip(result, x, name, count)}</rect>`;
            offset += w;
            return rect;
        });
        const shown = x.length > 40 ? `${x.slice(0, 39)}…` : x;
        return `<text x="${label - 6}" y="${i * row + row - 5}" text-anchor="end">${escape(shown)}</text>${segments.join("")}<text x="${(offset + 4).toFixed(1)}" y="${i * row + row - 5}">${escape(formatValue(sumOf(counts.get(x)), result.unit))}</text>`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="${escape(result.title)}">${bars.join("")}</svg>${legend(names)}`;
}

/** Per time bucket: stacked bars (time-bars) or one line per series (time-lines). */
function overTime(result: PanelResult): string {
    const { names, of } = seriesOf(result.points);
    const { xs, counts } = table(result.points, of);
    const width = 900,
        height = 180,
        top = 10,
        bottom = 20;
    const step = width / xs.length;
    const plot = height - top - bottom;
    const axis = `<text x="0" y="${height - 4}">${escape(xs[0])}</text><text x="${width}" y="${height - 4}" text-anchor="end">${escape(xs[xs.length - 1])}</text>`;
    if (result.chart === "time-bars") {
        const max = Math.max(...xs.map((x) => sumOf(counts.get(x))));
        const bars = xs.flatMap((x, i) => {
            let y = top + plot;
            return names.map((name, s) => {
                const count = counts.get(x)?.get(name) ?? 0;
                if (count === 0) return "";
                const h = Math.max(1, (plot * count) / max);
                y -= h;
                return `<rect x="${(i * step).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}">${tip(result, x, name, count)}</rect>`;
            });
        });
        return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="${escape(result.title)}">${bars.join("")}${axis}</svg>${legend(names)}`;
    }
    const max = Math.max(1, ...names.flatMap((name) => xs.map((x) => counts.get(x)?.get(name) ?? 0)));
    const lines = names.map((name, s) => {
        const coordinates = xs.map((x, i) => `${(i * step + step / 2).toFixed(1)},${(top + plot - (plot * (counts.get(x)?.get(name) ?? 0)) / max).toFixed(1)}`);
        const dots = xs
            .map((x, i) => {
                const count = counts.get(x)?.get(name) ?? 0;
                return count === 0
                    ? ""
                    : `<circle cx="${(i * step + step / 2).toFixed(1)}" cy="${(top + plot - (plot * count) / max).toFixed(1)}" r="2.5" fill="${PALETTE[s % PALETTE.length]}">${tip(result, x, name, count)}</circle>`;
            })
            .join("");
        return `<polyline fill="none" stroke="${PALETTE[s % PALETTE.length]}" stroke-width="1.5" points="${coordinates.join(" ")}"/>${dots}`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="${escape(result.title)}">${lines.join("")}${axis}</svg>${legend(names)}`;
}

/** One panel as an HTML section; `data-points` says how many measured cells it drew, `data-source` which view it reads. */
export function panelSection(result: PanelResult): string {
    const body =
        result.status !== "ok"
            ? `<p>Cannot run locally: ${escape(result.error)}</p>`
            : result.points.length === 0
              ? "<p>No rows in this window.</p>"
              : result.chart === "top-bars"
                ? topBars(result)
                : overTime(result);
    return `<section class="panel" id="panel-${escape(result.id)}" data-panel="${escape(result.id)}" data-source="${escape(result.source)}" data-points="${result.points.length}"><h3>${escape(result.title)}</h3>
<p class="axis">${escape(result.description)}</p>${body}</section>`;
}

/** Style of the panels, for the report's <style>. */
export const PANEL_STYLE =
    ".panel{border-left-color:#3b6ea5}.panel svg text{font-size:11px;fill:#333}.legend span{margin-right:1em;font-size:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}";
