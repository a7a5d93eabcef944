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
 * How the local Parquet stores `eventid`. `uuid`: as Parquet's UUID type (16 bytes), when every id
 * is a UUID in the form DuckDB writes back (CloudTrail's always are); `text`: as the text, like the
 * Glue job. Every detection returns `eventid`, and decoding 36 random characters a row from zstd
 * was the costliest column of their scans; 16 random bytes zstd stores as they are. The
 * `cloudtrail` view gives the text either way ({@link createCloudTrailView}).
 */
export type EventIdColumn = "uuid" | "text";

/**
 * Rebuilds the Parquet of the given partitions from all of their normalised files, like the
 * Glue job: each partition is replaced whole, so running twice on the same input gives the same
 * rows, never twice as many. With `eventIds: "uuid"`, an id that is not a canonical UUID after all
 * makes the whole rebuild start again with `text`, so that the partitions of one run never mix the
 * two; returns the form written.
 */
export async function rebuildParquet(
    engine: Engine,
    outDir: string,
    partitions: readonly string[],
    options: {
        /** @default "text" */
        readonly eventIds?: EventIdColumn;
        /** @default {@link SINGLE_COPY_BYTES} (tests lower it to take both paths on small fixtures) */
        readonly singleCopyBytes?: number;
    } = {},
): Promise<EventIdColumn> {
    const eventIds = options.eventIds ?? "text";
    const singleCopyBytes = options.singleCopyBytes ?? SINGLE_COPY_BYTES;
    try {
        await writeParquet(engine, outDir, partitions, eventIds, singleCopyBytes);
        return eventIds;
    } catch (error) {
        if (eventIds === "text" || !(error instanceof Error) || !error.message.includes(NOT_A_CANONICAL_UUID)) throw error;
        await writeParquet(engine, outDir, partitions, "text", singleCopyBytes);
        return "text";
    }
}

async function writeParquet(engine: Engine, outDir: string, partitions: readonly string[], eventIds: EventIdColumn, singleCopyBytes: number): Promise<void> {
    if (partitions.length === 0) return;
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    for (const partition of partitions) fs.rmSync(path.join(parquetRoot, partition), { recursive: true, force: true });
    const large = partitions.filter((partition) => normalisedBytes(outDir, partition) >= singleCopyBytes);
    for (const partition of large) await copyPartition(engine, outDir, partition, eventIds);
    // A batch of partitions per COPY: DuckDB keeps a writer open per partition, so memory grows with their number.
    const small = partitions.filter((partition) => !large.includes(partition));
    for (let start = 0; start < small.length; start += PARTITIONS_PER_COPY) {
        await copyPartitions(engine, outDir, small.slice(start, start + PARTITIONS_PER_COPY), eventIds);
    }
}

/**
 * What to rebuild after a run touched `touched`, and with which form of `eventid`: `uuid` when every
 * id the lake will hold is a canonical UUID (`allIdsCanonical`, from the run's deduplication, which
 * has seen them all, the lake's own too with `--append`) and no Parquet file the rebuild keeps stores
 * them as text; else `text`, and the kept partitions that store UUIDs are rebuilt too. So one lake
 * never mixes the two, and its files read alike with any Parquet reader.
 */
export async function planParquetRebuild(
    engine: Engine,
    outDir: string,
    touched: readonly string[],
    allIdsCanonical: boolean,
): Promise<{ partitions: string[]; eventIds: EventIdColumn }> {
    const root = path.join(outDir, LAKE_PREFIXES.parquet);
    const partitionOf = (file: string) => path.relative(root, path.dirname(file)).split(path.sep).join("/");
    const rebuilt = new Set(touched);
    const kept = parquetFiles(root).filter((file) => !rebuilt.has(partitionOf(file)));
    const rows =
        kept.length === 0
            ? []
            : await engine.all(`SELECT file_name, duckdb_type FROM parquet_schema([${kept.map(pathLiteral).join(", ")}]) WHERE name = 'eventid'`);
    const keptUuid = rows.filter((row) => row.duckdb_type === "UUID").map((row) => partitionOf(String(row.file_name)));
    if (allIdsCanonical && keptUuid.length === rows.length) return { partitions: [...touched], eventIds: "uuid" };
    return { partitions: [...new Set([...touched, ...keptUuid])].sort(), eventIds: "text" };
}

/**
 * Rebuilds the Parquet after a run touched `touched`, in the form {@link planParquetRebuild} decides
 * (`allIdsCanonical`: from the run's deduplication, which has seen every id the lake will hold).
 */
export async function rebuildTouchedParquet(engine: Engine, outDir: string, touched: readonly string[], allIdsCanonical: boolean): Promise<void> {
    const plan = await planParquetRebuild(engine, outDir, touched, allIdsCanonical);
    await rebuildParquet(engine, outDir, plan.partitions, { eventIds: plan.eventIds });
}

/** The message of the error a `uuid` COPY stops with at an id that is not a canonical UUID. */
const NOT_A_CANONICAL_UUID = "eventid is not a canonical UUID";

/** The select list of a COPY: every column, `eventid` in the form asked for (a `uuid` COPY stops at an id that is not one). */
function copyColumns(eventIds: EventIdColumn, exclude: readonly string[]): string {
    const star = exclude.length > 0 ? `* EXCLUDE (${exclude.join(", ")})` : "*";
    if (eventIds === "text") return star;
    const uuid = "TRY_CAST(eventid AS UUID)";
    return `${star} REPLACE (CASE WHEN eventid IS NULL OR CAST(${uuid} AS VARCHAR) = eventid THEN ${uuid} ELSE error(${literal(NOT_A_CANONICAL_UUID)} || ': ' || eventid) END AS eventid)`;
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

/**
 * zstd level of the local Parquet, where DuckDB's default is zstd's own (3). At 1 the conversion of
 * `bench:stages`' two lakes took 10% (bursty) and 2% (default) less CPU, for files 1.4% smaller and
 * 0.3% larger; the detections read them as fast, as zstd decompresses every level at about the same
 * speed (docs/performance.md).
 */
const PARQUET_ZSTD_LEVEL = 1;

const PARQUET_OPTIONS = `FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${PARQUET_ZSTD_LEVEL}, ROW_GROUP_SIZE ${PARQUET_ROW_GROUP_ROWS}`;

const readNormalised = (sources: readonly string[]) =>
    `read_json([${sources.map(literal).join(", ")}], format = 'newline_delimited', compression = 'gzip', columns = ${duckdbColumns()}, hive_partitioning = true, hive_types_autocast = false)`;

function normalisedBytes(outDir: string, partition: string): number {
    const dir = path.join(outDir, LAKE_PREFIXES.normalised, partition);
    if (!fs.existsSync(dir)) return 0;
    return fs.readdirSync(dir).reduce((sum, name) => sum + (name.endsWith(".json.gz") ? fs.statSync(path.join(dir, name)).size : 0), 0);
}

/** One partition to `<partition>/part-0.parquet`, the file a PARTITION_BY COPY names (the path holds the partition columns, not the file). */
async function copyPartition(engine: Engine, outDir: string, partition: string, eventIds: EventIdColumn): Promise<void> {
    const target = path.join(outDir, LAKE_PREFIXES.parquet, partition);
    fs.mkdirSync(target, { recursive: true });
    await engine.run(`COPY (
        SELECT ${copyColumns(eventIds, PARTITION_COLUMNS)} FROM ${readNormalised([path.join(outDir, LAKE_PREFIXES.normalised, partition, "*.json.gz")])}
    ) TO ${literal(path.join(target, "part-0.parquet"))} (${PARQUET_OPTIONS})`);
}

async function copyPartitions(engine: Engine, outDir: string, partitions: readonly string[], eventIds: EventIdColumn): Promise<void> {
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    const sources = partitions.map((partition) => path.join(outDir, LAKE_PREFIXES.normalised, partition, "*.json.gz"));
    await engine.run(`COPY (
        SELECT ${copyColumns(eventIds, [])} FROM ${readNormalised(sources)}
    ) TO ${literal(parquetRoot)} (${PARQUET_OPTIONS}, PARTITION_BY (${PARTITION_COLUMNS.join(", ")}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}')`);
}

/** Creates the `cloudtrail` view over the local Parquet, `eventid` as text whatever the files store ({@link EventIdColumn}); false when there is none yet. */
export async function createCloudTrailView(engine: Engine, outDir: string): Promise<boolean> {
    const source = await parquetFilesSource(engine, path.join(outDir, LAKE_PREFIXES.parquet), { uuidAsText: "eventid" });
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

/** Every Parquet file under `root`, sorted; none when it does not exist. */
function parquetFiles(root: string): string[] {
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
        .filter((name) => name.endsWith(".parquet"))
        .map((name) => path.join(root, name))
        .sort();
}

/**
 * A source of every Parquet file under `root` (hive partitions from their folders), for a view the
 * queries read; undefined when there is none. `uuidAsText`: a column read as text from the files
 * that store it as a UUID ({@link EventIdColumn}); files of either form are then read apart and
 * joined by name (DuckDB casts every file to the first one's type, and text to UUID fails).
 *
 * The files are named one by one rather than by a `**` glob, and their columns are unified by name
 * only when their schemas differ (a lake appended to by an earlier version): DuckDB binds a view
 * again for every query that names it, and with a glob and `union_by_name` it listed the folders and
 * compared every file's schema each time. On a lake of 114 partitions (samples/) that was 31 ms of
 * a trivial query's 39; a run names the view a few hundred times, and a month of an organisation's
 * logs is thousands of partitions (docs/performance.md).
 */
export async function parquetFilesSource(engine: Engine, root: string, options: { readonly uuidAsText?: string } = {}): Promise<string | undefined> {
    const files = parquetFiles(root);
    if (files.length === 0) return undefined;
    const uuidColumn = options.uuidAsText;
    const rows = await engine.all(`SELECT file_name,
            string_agg(concat_ws(' ', name, duckdb_type, repetition_type, num_children), ',' ORDER BY column_id) AS layout,
            ${uuidColumn ? `bool_or(name = ${literal(uuidColumn)} AND duckdb_type = 'UUID')` : "false"} AS uuid
        FROM parquet_schema([${files.map(pathLiteral).join(", ")}]) GROUP BY file_name`);
    const byFile = new Map(rows.map((row) => [String(row.file_name), row]));
    // Files of each form, in the order of their first file.
    const groups = new Map<boolean, { files: string[]; layouts: Set<string> }>();
    for (const file of files) {
        const row = byFile.get(file);
        const uuid = row?.uuid === true;
        const group = groups.get(uuid) ?? { files: [], layouts: new Set<string>() };
        group.files.push(file);
        // A file parquet_schema did not name (it could not read it): unified by name, so that its error is DuckDB's own.
        group.layouts.add(row ? String(row.layout) : file);
        groups.set(uuid, group);
    }
    const read = ({ files, layouts }: { files: string[]; layouts: Set<string> }) =>
        `read_parquet([${files.map(pathLiteral).join(", ")}], hive_partitioning = true, hive_types_autocast = false, union_by_name = ${layouts.size > 1})`;
    const [only] = groups;
    if (groups.size === 1 && !only[0]) return read(only[1]);
    const selects = [...groups].map(([uuid, group]) =>
        uuid ? `SELECT * REPLACE (CAST(${uuidColumn} AS VARCHAR) AS ${uuidColumn}) FROM ${read(group)}` : `SELECT * FROM ${read(group)}`,
    );
    return `(${selects.join(" UNION ALL BY NAME ")})`;
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
