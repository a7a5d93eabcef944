/**
 * The local lake: Parquet under `<out>/parquet/account=…/region=…/date=…/` built from the
 * normalised files with the schema module's types (what the Glue job does in AWS), and the
 * `cloudtrail` view the detections query.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAKE_PREFIXES } from "../contract/prefixes";
import { PARTITION_COLUMNS } from "../contract/schema";
import { duckdbColumns, Engine, literal, pathLiteral } from "../lambda/shared/engine";

/** `account=…/region=…/date=…` of a normalised object key. */
export function partitionDirectory(key: string): string {
    const match = /account=[^/]+\/region=[^/]+\/date=[^/]+/.exec(key);
    if (!match) throw new Error(`not a normalised key: ${key}`);
    return match[0];
}

/**
 * Rebuilds the Parquet of the given partitions from all of their normalised files, like the
 * Glue job: each partition is replaced whole, so running twice on the same input gives the same
 * rows, never twice as many.
 */
export async function rebuildParquet(
    engine: Engine,
    outDir: string,
    partitions: readonly string[],
    /** @default {@link SINGLE_COPY_BYTES} (tests lower it to take both paths on small fixtures) */
    singleCopyBytes: number = SINGLE_COPY_BYTES,
): Promise<void> {
    if (partitions.length === 0) return;
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    for (const partition of partitions) fs.rmSync(path.join(parquetRoot, partition), { recursive: true, force: true });
    const large = partitions.filter((partition) => normalisedBytes(outDir, partition) >= singleCopyBytes);
    for (const partition of large) await copyPartition(engine, outDir, partition);
    // A batch of partitions per COPY: DuckDB keeps a writer open per partition, so memory grows with their number.
    const small = partitions.filter((partition) => !large.includes(partition));
    for (let start = 0; start < small.length; start += PARTITIONS_PER_COPY) {
        await copyPartitions(engine, outDir, small.slice(start, start + PARTITIONS_PER_COPY));
    }
}

const PARTITIONS_PER_COPY = 16;

/**
 * Compressed normalised bytes from which a partition gets a COPY of its own, to one file, instead of
 * sharing a PARTITION_BY COPY: DuckDB's partitioned writer took 1.5x-1.9x as long for the same rows
 * (400 MB of JSON in one partition, docs/performance.md), and a COPY per partition costs a few
 * milliseconds, which only the many small partitions of a large organisation's month would add up.
 */
const SINGLE_COPY_BYTES = 4 << 20;

/**
 * Rows per Parquet row group, where DuckDB's default is 122,880. DuckDB's writer copies a whole row
 * group's values into a buffer before it encodes them; at the default, that buffer (hundreds of MB
 * of CloudTrail's text columns) was allocated and faulted in anew for every row group, and the copy
 * and the page faults were most of the conversion's CPU. At 16,384 rows the same partition converted
 * in two thirds of the CPU time, for files 9% larger, and the detections read them as fast
 * (docs/performance.md). Row groups of this size are also the unit the detections' scans are split
 * into, so even one partition's file keeps both cores busy.
 */
export const PARQUET_ROW_GROUP_ROWS = 16_384;

const PARQUET_OPTIONS = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP_ROWS}`;

const readNormalised = (sources: readonly string[]) =>
    `read_json([${sources.map(literal).join(", ")}], format = 'newline_delimited', compression = 'gzip', columns = ${duckdbColumns()}, hive_partitioning = true, hive_types_autocast = false)`;

function normalisedBytes(outDir: string, partition: string): number {
    const dir = path.join(outDir, LAKE_PREFIXES.normalised, partition);
    if (!fs.existsSync(dir)) return 0;
    return fs.readdirSync(dir).reduce((sum, name) => sum + (name.endsWith(".json.gz") ? fs.statSync(path.join(dir, name)).size : 0), 0);
}

/** One partition to `<partition>/part-0.parquet`, the file a PARTITION_BY COPY names (the path holds the partition columns, not the file). */
async function copyPartition(engine: Engine, outDir: string, partition: string): Promise<void> {
    const target = path.join(outDir, LAKE_PREFIXES.parquet, partition);
    fs.mkdirSync(target, { recursive: true });
    await engine.run(`COPY (
        SELECT * EXCLUDE (${PARTITION_COLUMNS.join(", ")}) FROM ${readNormalised([path.join(outDir, LAKE_PREFIXES.normalised, partition, "*.json.gz")])}
    ) TO ${literal(path.join(target, "part-0.parquet"))} (${PARQUET_OPTIONS})`);
}

async function copyPartitions(engine: Engine, outDir: string, partitions: readonly string[]): Promise<void> {
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    const sources = partitions.map((partition) => path.join(outDir, LAKE_PREFIXES.normalised, partition, "*.json.gz"));
    await engine.run(`COPY (
        SELECT * FROM ${readNormalised(sources)}
    ) TO ${literal(parquetRoot)} (${PARQUET_OPTIONS}, PARTITION_BY (${PARTITION_COLUMNS.join(", ")}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}')`);
}

/** Creates the `cloudtrail` view over the local Parquet; false when there is none yet. */
export async function createCloudTrailView(engine: Engine, outDir: string): Promise<boolean> {
    const source = await parquetFilesSource(engine, path.join(outDir, LAKE_PREFIXES.parquet));
    if (!source) return false;
    await engine.run(`CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM ${source}`);
    return true;
}

/**
 * Events up to which {@link holdLakeInMemory} copies the lake into memory: about 1.2 KB each in DuckDB
 * (475 MB for the 338,600 events of `npm run bench:stages`), so at most ~240 MB, a quarter of the
 * engine's 1 GB limit, leaving the rest to the detections' sorts and joins.
 */
export const IN_MEMORY_LAKE_MAX_EVENTS = 200_000;

/**
 * Points the `cloudtrail` view at a copy of the lake in DuckDB's memory when it holds at most
 * `maxEvents` events; returns whether it did. Every query over the Parquet opens each of its files
 * (one per account, region and day) and decodes the columns it reads again; a run queries the view a
 * few hundred times. On samples/ (325 events in 114 files) the 87 detections took 3.2 s over the
 * Parquet and 1.3 s over the copy, made in 0.2 s; on 42,800 events in 220 files, 5.0 s against
 * 2.3 + 0.8 s; the same rows each time (docs/performance.md). Beyond `maxEvents` the Parquet is read
 * as before: memory stays bounded whatever the input.
 */
export async function holdLakeInMemory(engine: Engine, maxEvents: number = IN_MEMORY_LAKE_MAX_EVENTS): Promise<boolean> {
    const [row] = await engine.all("SELECT count(*) AS events FROM cloudtrail");
    if (Number(row?.events ?? 0) > maxEvents) return false;
    await engine.run("CREATE OR REPLACE TEMP TABLE cloudtrail_in_memory AS SELECT * FROM cloudtrail");
    await engine.run("CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM cloudtrail_in_memory");
    return true;
}

/**
 * `read_parquet(…)` of every Parquet file under `root` (hive partitions from their folders), for a
 * view the queries read; undefined when there is none.
 *
 * The files are named one by one rather than by a `**` glob, and their columns are unified by name
 * only when their schemas differ (a lake appended to by an earlier version): DuckDB binds a view
 * again for every query that names it, and with a glob and `union_by_name` it listed the folders and
 * compared every file's schema each time. On a lake of 114 partitions (samples/) that was 31 ms of
 * a trivial query's 39; a run names the view a few hundred times, and a month of an organisation's
 * logs is thousands of partitions (docs/performance.md).
 */
export async function parquetFilesSource(engine: Engine, root: string): Promise<string | undefined> {
    if (!fs.existsSync(root)) return undefined;
    const files = (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
        .filter((name) => name.endsWith(".parquet"))
        .map((name) => path.join(root, name))
        .sort();
    if (files.length === 0) return undefined;
    const list = `[${files.map(pathLiteral).join(", ")}]`;
    const [schemas] = await engine.all(`SELECT count(DISTINCT layout) AS layouts FROM (
        SELECT string_agg(concat_ws(' ', name, duckdb_type, repetition_type, num_children), ',' ORDER BY column_id) AS layout
        FROM parquet_schema(${list}) GROUP BY file_name)`);
    const unifyByName = Number(schemas?.layouts ?? 2) > 1;
    return `read_parquet(${list}, hive_partitioning = true, hive_types_autocast = false, union_by_name = ${unifyByName})`;
}

/**
 * Event times the default window believes. CloudTrail started in November 2013 and AWS in 2006:
 * anything before 2005 is a placeholder or a parse accident; CloudTrail delivers events minutes
 * after they happen, so anything more than a day after the run is a forged or broken clock. One
 * such event (9999-12-31) must not stretch the window to ten thousand years, which no detection
 * can search (their SQL bounds partitions by date).
 */
export const PLAUSIBLE_FROM = "2005-01-01T00:00:00Z";
export const PLAUSIBLE_AHEAD_MS = 86_400_000;

export interface EventSpan {
    /** [first second, last second + 1 s) of the plausible event times; absent when there is none. */
    readonly since?: string;
    readonly until?: string;
    /** Events with a time outside [PLAUSIBLE_FROM, now + 1 day): left out of the span. */
    readonly implausible: number;
    /** Events without a readable time: in no window, so no detection sees them. */
    readonly untimed: number;
    /** Up to three of their times, for the warning. */
    readonly examples: string[];
}

const seconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The span of event times in the local lake, compared as timestamps (not text, where
 * `10:00:00.123Z` sorts before `10:00:00Z`), leaving out implausible times (see above).
 */
export async function eventSpan(engine: Engine, now: Date = new Date()): Promise<EventSpan> {
    const latest = seconds(new Date(now.getTime() + PLAUSIBLE_AHEAD_MS));
    const time = "TRY_CAST(eventtime AS TIMESTAMPTZ)";
    const plausible = `(${time} >= TIMESTAMPTZ ${literal(PLAUSIBLE_FROM)} AND ${time} < TIMESTAMPTZ ${literal(latest)})`;
    const [row] = await engine.all(`SELECT
            strftime(min(${time}) FILTER (WHERE ${plausible}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS first,
            strftime(max(${time}) FILTER (WHERE ${plausible}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS last,
            count(*) FILTER (WHERE NOT ${plausible})::BIGINT AS implausible,
            count(*) FILTER (WHERE ${time} IS NULL)::BIGINT AS untimed,
            list_slice(list(eventtime ORDER BY eventtime) FILTER (WHERE NOT ${plausible}), 1, 3) AS examples
        FROM cloudtrail`);
    const implausible = Number(row?.implausible ?? 0);
    const untimed = Number(row?.untimed ?? 0);
    const examples = ((row?.examples as string[] | null) ?? []).map(String);
    if (!row?.first || !row?.last) return { implausible, untimed, examples };
    const until = seconds(new Date(Date.parse(String(row.last)) + 1000));
    return { since: String(row.first), until, implausible, untimed, examples };
}

/**
 * DuckDB reads every path it is given as a glob (`o[1]` is a character class, `out*` a
 * wildcard) and parses `key=value` folders as Hive partitions, whatever the parent folders.
 * So the lake is always reached through a link with a plain name in a fresh temporary folder:
 * the user's --out is then used literally, whatever it is called.
 */
export function duckdbSafeAlias(outDir: string, workspace: string): string {
    const alias = path.join(workspace, "lake");
    if (/[*?[\]{}=\\]/.test(alias)) throw new Error(`the temporary folder ${workspace} has characters DuckDB reads as a pattern; set TMPDIR to a plain path`);
    fs.symlinkSync(fs.realpathSync(outDir), alias, "dir");
    return alias;
}
