/**
 * The local lake: Parquet under `<out>/parquet/account=…/region=…/date=…/` built from the
 * normalised files with the schema module's types (what the Glue job does in AWS), and the
 * `cloudtrail` view the detections query.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAKE_PREFIXES } from "../components/layout";
import { COLUMNS, duckdbType, EXTRA_FIELDS_COLUMN, PARTITION_COLUMNS } from "../lambda/schema";
import { Engine, literal } from "./engine";

/** DuckDB `columns={…}` of read_json: the explicit schema, never inferred. */
export function duckdbColumns(): string {
    const entries = [...COLUMNS.map((column) => [column.name, duckdbType(column.type)]), [EXTRA_FIELDS_COLUMN, "VARCHAR"]];
    return `{${entries.map(([name, type]) => `${literal(name)}: ${literal(type)}`).join(", ")}}`;
}

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
export async function rebuildParquet(engine: Engine, outDir: string, partitions: readonly string[]): Promise<void> {
    if (partitions.length === 0) return;
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    for (const partition of partitions) fs.rmSync(path.join(parquetRoot, partition), { recursive: true, force: true });
    // A batch of partitions per COPY: DuckDB keeps a writer open per partition, so memory grows with their number.
    for (let start = 0; start < partitions.length; start += PARTITIONS_PER_COPY) {
        await copyPartitions(engine, outDir, partitions.slice(start, start + PARTITIONS_PER_COPY));
    }
}

const PARTITIONS_PER_COPY = 16;

async function copyPartitions(engine: Engine, outDir: string, partitions: readonly string[]): Promise<void> {
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    const sources = partitions.map((partition) => literal(path.join(outDir, LAKE_PREFIXES.normalised, partition, "*.json.gz")));
    await engine.run(`COPY (
        SELECT * FROM read_json([${sources.join(", ")}], format = 'newline_delimited', compression = 'gzip',
                               columns = ${duckdbColumns()}, hive_partitioning = true, hive_types_autocast = false)
    ) TO ${literal(parquetRoot)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${PARTITION_COLUMNS.join(", ")}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}')`);
}

/** Creates the `cloudtrail` view over the local Parquet; false when there is none yet. */
export async function createCloudTrailView(engine: Engine, outDir: string): Promise<boolean> {
    const parquetRoot = path.join(outDir, LAKE_PREFIXES.parquet);
    if (!fs.existsSync(parquetRoot)) return false;
    await engine.run(`CREATE OR REPLACE VIEW cloudtrail AS
        SELECT * FROM read_parquet(${literal(path.join(parquetRoot, "**", "*.parquet"))}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`);
    return true;
}

/** The span of event times in the local lake: [first second, last second + 1s). */
export async function eventSpan(engine: Engine): Promise<{ since: string; until: string } | undefined> {
    const [row] = await engine.all("SELECT min(eventtime) AS first, max(eventtime) AS last FROM cloudtrail");
    if (!row?.first || !row?.last) return undefined;
    const second = (text: string) => `${String(text).slice(0, 19)}Z`;
    const until = new Date(Date.parse(second(String(row.last))) + 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { since: second(String(row.first)), until };
}
