/**
 * The panel catalogue (panels/, contract/panels.ts) rendered for the local report: each panel's SQL
 * runs on DuckDB over the same flattened views the QuickSight data sets read, is counted the way
 * its chart says, and is drawn as inline SVG, so the report needs no network to be read.
 */
import { activityViewSql, Panel } from "../contract/panels";
import { windowPredicate } from "../contract/detections";
import { Engine, literal } from "../lambda/shared/engine";

/** One bar segment or line point: `count` rows at `x` for series `colour`. */
export interface PanelPoint {
    readonly x: string;
    readonly colour: string;
    readonly count: number;
}

export interface PanelResult {
    readonly id: string;
    readonly title: string;
    readonly description: string;
    readonly chart: Panel["chart"];
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

/** Creates the empty {@link HIT_IDS_TABLE}; {@link addHitIds} fills it detection by detection. */
export async function createHitIdsTable(engine: Engine): Promise<void> {
    await engine.run(`CREATE OR REPLACE TEMP TABLE ${HIT_IDS_TABLE} (eventid VARCHAR, detection VARCHAR, title VARCHAR, severity VARCHAR)`);
}

/**
 * Adds a detection's hits from a table of its rows (with an `eventid` column) inside DuckDB: the
 * ids never cross into JavaScript and back as SQL text, which took seconds for a few hundred
 * thousand hits (docs/performance.md). An id is the text the finding's `eventIds` hold (NULL as '').
 */
export async function addHitIds(engine: Engine, fromTable: string, hit: Omit<DetectionHitIds, "eventIds">): Promise<void> {
    await engine.run(
        `INSERT INTO ${HIT_IDS_TABLE} SELECT coalesce(CAST(eventid AS VARCHAR), ''), ${[hit.detection, hit.title, hit.severity].map(literal).join(", ")} FROM ${fromTable}`,
    );
}

/**
 * Creates `cloudtrail_activity` (over the `cloudtrail` view, in `window`) and `detection_hits` (the
 * run's hits joined to their events), then runs every panel. A panel DuckDB cannot run is reported, never dropped.
 */
export async function runPanels(
    engine: Engine,
    args: {
        readonly panels: readonly Panel[];
        readonly window: { readonly since: string; readonly until: string };
        readonly accountNames?: Readonly<Record<string, string>>;
        /**
         * The run's hits.
         * @default the hits the caller added with {@link createHitIdsTable} and {@link addHitIds}
         */
        readonly hits?: readonly DetectionHitIds[];
    },
): Promise<PanelResult[]> {
    await engine.run(
        `CREATE OR REPLACE TEMP VIEW cloudtrail_activity AS ${activityViewSql({ accountNames: args.accountNames ?? {}, window: windowPredicate(args.window) })}`,
    );
    if (args.hits) {
        await createHitIdsTable(engine);
        const rows = args.hits.flatMap((hit) => hit.eventIds.map((id) => `(${[id, hit.detection, hit.title, hit.severity].map(literal).join(", ")})`));
        for (let start = 0; start < rows.length; start += INSERT_BATCH) {
            await engine.run(`INSERT INTO ${HIT_IDS_TABLE} VALUES ${rows.slice(start, start + INSERT_BATCH).join(", ")}`);
        }
    }
    // The same columns as the Athena view (contract/panels.ts detectionHitsSql), taken from the hit's event.
    await engine.run(`CREATE OR REPLACE TEMP VIEW detection_hits AS
        SELECT a.eventtime, a.account, a.account_name, a.region, a.principal, h.detection, h.title, h.severity, a.eventid
        FROM ${HIT_IDS_TABLE} h JOIN cloudtrail_activity a ON a.eventid = h.eventid`);
    const results: PanelResult[] = [];
    for (const panel of args.panels) {
        const base = { id: panel.id, title: panel.title, description: panel.description, chart: panel.chart };
        try {
            const points = (await engine.all(aggregateSql(panel))).map((row) => ({ x: String(row.x), colour: String(row.colour), count: Number(row.n) }));
            results.push({ ...base, status: "ok", points });
        } catch (error) {
            results.push({ ...base, status: "cannot-run-locally", error: (error as Error).message.split("\n")[0], points: [] });
        }
    }
    return results;
}

/** What the chart counts, as SQL over the panel's rows: per day (time charts) or per category of the largest `limit` (top-bars). */
export function aggregateSql(panel: Panel): string {
    const colour = panel.colour ? `coalesce(CAST(${panel.colour} AS VARCHAR), '(none)')` : "'all'";
    if (panel.chart === "top-bars") {
        // Only the three values the chart reads: panel_rows is read twice, so DuckDB materialises it, and with every column of every
        // event in the window it was most of the panels' time.
        return `WITH panel_rows AS (
                SELECT coalesce(CAST(${panel.x} AS VARCHAR), '(none)') AS x, ${colour} AS colour, ${panel.count} AS counted FROM (${panel.sql}) source_rows
            ),
            top_categories AS (
                SELECT x, count(counted) AS total FROM panel_rows GROUP BY 1 ORDER BY total DESC, x LIMIT ${panel.limit}
            )
            SELECT t.x, r.colour, count(r.counted) AS n, t.total
            FROM panel_rows r JOIN top_categories t ON r.x = t.x
            GROUP BY t.x, r.colour, t.total ORDER BY t.total DESC, t.x, colour`;
    }
    return `WITH panel_rows AS (${panel.sql})
        SELECT strftime(date_trunc('day', ${panel.x}) AT TIME ZONE 'UTC', '%Y-%m-%d') AS x, ${colour} AS colour, count(${panel.count}) AS n
        FROM panel_rows WHERE ${panel.x} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`;
}

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

const PALETTE = ["#3b6ea5", "#e07b39", "#5aa36b", "#c9473d", "#8a6bbd", "#8c6d5a", "#d17fb5", "#7f7f7f", "#b8b13a", "#3bb0c0"];

/** The series of a panel, largest first, the ones past {@link MAX_SERIES} folded into "other". */
function seriesOf(points: readonly PanelPoint[]): { names: string[]; of: (colour: string) => string } {
    const totals = new Map<string, number>();
    for (const point of points) totals.set(point.colour, (totals.get(point.colour) ?? 0) + point.count);
    const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
    const kept = new Set(ranked.slice(0, MAX_SERIES));
    const names = ranked.length > MAX_SERIES ? [...kept, "other"] : ranked;
    return { names, of: (colour) => (kept.has(colour) ? colour : "other") };
}

/** x values in order, and per x the count of each series. */
function table(points: readonly PanelPoint[], of: (colour: string) => string): { xs: string[]; counts: Map<string, Map<string, number>> } {
    const counts = new Map<string, Map<string, number>>();
    for (const point of points) {
        const row = counts.get(point.x) ?? new Map<string, number>();
        row.set(of(point.colour), (row.get(of(point.colour)) ?? 0) + point.count);
        counts.set(point.x, row);
    }
    return { xs: [...counts.keys()], counts };
}

const sumOf = (row: Map<string, number> | undefined) => [...(row?.values() ?? [])].reduce((a, b) => a + b, 0);

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
            const rect = `<rect x="${offset.toFixed(1)}" y="${i * row + 2}" width="${w.toFixed(1)}" height="${row - 4}" fill="${PALETTE[s % PALETTE.length]}"><title>${escape(x)} · ${escape(name)}: ${count}</title></rect>`;
            offset += w;
            return rect;
        });
        const shown = x.length > 40 ? `${x.slice(0, 39)}…` : x;
        return `<text x="${label - 6}" y="${i * row + row - 5}" text-anchor="end">${escape(shown)}</text>${segments.join("")}<text x="${(offset + 4).toFixed(1)}" y="${i * row + row - 5}">${sumOf(counts.get(x))}</text>`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="${escape(result.title)}">${bars.join("")}</svg>${legend(names)}`;
}

/** Per day: stacked bars (time-bars) or one line per series (time-lines). */
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
                return `<rect x="${(i * step).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}"><title>${escape(x)} · ${escape(name)}: ${count}</title></rect>`;
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
                    : `<circle cx="${(i * step + step / 2).toFixed(1)}" cy="${(top + plot - (plot * count) / max).toFixed(1)}" r="2.5" fill="${PALETTE[s % PALETTE.length]}"><title>${escape(x)} · ${escape(name)}: ${count}</title></circle>`;
            })
            .join("");
        return `<polyline fill="none" stroke="${PALETTE[s % PALETTE.length]}" stroke-width="1.5" points="${coordinates.join(" ")}"/>${dots}`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="${escape(result.title)}">${lines.join("")}${axis}</svg>${legend(names)}`;
}

/** One panel as an HTML section; `data-points` says how many counted cells it drew. */
export function panelSection(result: PanelResult): string {
    const body =
        result.status !== "ok"
            ? `<p>Cannot run locally: ${escape(result.error)}</p>`
            : result.points.length === 0
              ? "<p>No rows in this window.</p>"
              : result.chart === "top-bars"
                ? topBars(result)
                : overTime(result);
    return `<section class="panel" id="panel-${escape(result.id)}" data-panel="${escape(result.id)}" data-points="${result.points.length}"><h3>${escape(result.title)}</h3>
<p class="axis">${escape(result.description)}</p>${body}</section>`;
}

/** Style of the panels, for the report's <style>. */
export const PANEL_STYLE =
    ".panel{border-left-color:#3b6ea5}.panel svg text{font-size:11px;fill:#333}.legend span{margin-right:1em;font-size:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}";
