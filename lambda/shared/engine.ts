/**
 * The local query engine: DuckDB (embedded, no server), with a small compatibility layer so that
 * the detections, written once in Athena's dialect (Trino), run unchanged.
 *
 * Compatibility layer (DuckDB macros; each mirrors the Trino function's behaviour on our data):
 * | Athena / Trino                      | DuckDB                                                        |
 * |-------------------------------------|---------------------------------------------------------------|
 * | json_extract_scalar(json, path)     | json_extract_string, NULL when the value is an object/array   |
 * | json_extract(json, path)            | built in (same name and semantics)                            |
 * | json_array_length(json)             | built in                                                      |
 * | from_iso8601_timestamp(text)        | CAST(text AS TIMESTAMPTZ)                                     |
 * | to_iso8601(timestamp)               | strftime in ISO-8601 UTC                                      |
 * | regexp_like(text, pattern)          | regexp_matches                                                |
 * | date_diff(unit, a, b)               | built in (same argument order)                                |
 * | json_format(json)                   | CAST(json AS VARCHAR) (the JSON text of an object or array)   |
 * | regexp_extract(text, pattern)       | built in (first match, like Trino)                            |
 * | date_trunc(unit, timestamp)         | built in                                                      |
 * | to_unixtime(timestamp)              | epoch (seconds, a double like Trino's)                        |
 * | from_unixtime(seconds)              | to_timestamp (a TIMESTAMPTZ)                                  |
 * Everything else the detections use (substr, coalesce, upper, LIKE, IN, window functions, struct
 * field access, "quoted" identifiers) is the same in both. A detection that still fails is
 * reported as "cannot run locally" with DuckDB's error, never skipped silently.
 *
 * Reference tables of the contract (`aws_ip_ranges`, contract/awsIpRanges.ts) are created the first
 * time a query names them, from the copy bundled with the code: on Athena the same table is a Glue
 * table over a CSV the stack uploads (components/catalog).
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { COLUMNS, duckdbType, EXTRA_FIELDS_COLUMN } from "../../contract/schema";
import { AWS_IP_RANGES_TABLE, AWS_IP_RANGES_TABLE_COLUMNS, referenceRows } from "../../contract/awsIpRanges";

export const COMPATIBILITY_MACROS = [
    `CREATE OR REPLACE MACRO json_extract_scalar(doc, path) AS
        CASE WHEN json_type(json_extract(doc, path)) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(doc, path) END`,
    "CREATE OR REPLACE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)",
    "CREATE OR REPLACE MACRO regexp_like(text, pattern) AS regexp_matches(text, pattern)",
    "CREATE OR REPLACE MACRO json_format(doc) AS CAST(doc AS VARCHAR)",
    "CREATE OR REPLACE MACRO to_iso8601(ts) AS strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')",
    // Unix seconds (flow logs' start and end) to and from timestamps, as Trino's functions of the same names.
    "CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts)",
    "CREATE OR REPLACE MACRO from_unixtime(seconds) AS to_timestamp(seconds)",
];

export type Row = Record<string, unknown>;

/** One embedded DuckDB database with the compatibility macros installed. */
export class Engine {
    private referenceTablesCreated = false;

    private constructor(
        private readonly instance: DuckDBInstance,
        private readonly connection: DuckDBConnection,
    ) {}

    static async open(
        options: {
            readonly memoryLimit?: string;
            readonly tempDirectory?: string;
            /**
             * Memory DuckDB's block allocator keeps once it has used it (DuckDB's `block_allocator_memory`), instead of
             * returning it to the system after each query and faulting it in again for the next.
             * @default none kept (DuckDB's default)
             */
            readonly keptMemory?: string;
            /**
             * Keep each Parquet file's metadata (its footer: schema, row groups, statistics) once read, for the queries after
             * (DuckDB's `parquet_metadata_cache`): right where the files do not change while the engine is open.
             * @default false
             */
            readonly cacheParquetMetadata?: boolean;
            /**
             * Read each row group's column chunks with one read ahead of decoding, as DuckDB does for remote files
             * (`prefetch_all_parquet_files`), instead of a read per page: for a run that queries the same local Parquet
             * a hundred times, a third less kernel time and 5-10% less wall time for the detections (docs/performance.md).
             * @default false
             */
            readonly prefetchParquet?: boolean;
        } = {},
    ): Promise<Engine> {
        const instance = await DuckDBInstance.create(":memory:", {
            // A fixed ceiling, spilling to disk beyond it: memory stays bounded however large the input.
            memory_limit: options.memoryLimit ?? "1GB",
            // Row order inside a partition's Parquet does not matter (detections sort); keeping it costs memory.
            preserve_insertion_order: "false",
            ...(options.tempDirectory ? { temp_directory: options.tempDirectory } : {}),
            ...(options.keptMemory ? { block_allocator_memory: options.keptMemory } : {}),
        });
        const engine = new Engine(instance, await instance.connect());
        await engine.run("SET TimeZone = 'UTC'");
        // A setting of the Parquet reader: known once that reader is loaded, so set here rather than when the instance is created.
        if (options.cacheParquetMetadata) await engine.run("SET parquet_metadata_cache = true");
        if (options.prefetchParquet) await engine.run("SET prefetch_all_parquet_files = true");
        for (const macro of COMPATIBILITY_MACROS) await engine.run(macro);
        return engine;
    }

    async run(sql: string): Promise<void> {
        await this.referenceTablesFor(sql);
        await this.connection.run(sql);
    }

    /** Rows as plain JSON values (strings, numbers, booleans, null, objects). */
    async all(sql: string): Promise<Row[]> {
        await this.referenceTablesFor(sql);
        const reader = await this.connection.runAndReadAll(sql);
        return reader.getRowObjectsJson() as Row[];
    }

    /** Creates `aws_ip_ranges` (11,000 rows, ~30 ms through the appender) when a query first names it. */
    private async referenceTablesFor(sql: string): Promise<void> {
        if (this.referenceTablesCreated || !new RegExp(`\\b${AWS_IP_RANGES_TABLE}\\b`, "i").test(sql)) return;
        this.referenceTablesCreated = true;
        await this.connection.run(
            `CREATE OR REPLACE TABLE ${AWS_IP_RANGES_TABLE} (${AWS_IP_RANGES_TABLE_COLUMNS.map((column) => `${column} VARCHAR`).join(", ")})`,
        );
        const appender = await this.connection.createAppender(AWS_IP_RANGES_TABLE);
        for (const row of referenceRows()) {
            for (const value of row) appender.appendVarchar(value);
            appender.endRow();
        }
        appender.closeSync();
    }

    close(): void {
        this.connection.closeSync();
        this.instance.closeSync();
    }
}

/** A SQL string literal. */
export function literal(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A SQL string literal of one file's path for DuckDB's readers, which read every path as a glob:
 * `flows[1].parquet` would be `flows1.parquet`, `*` any name. Each of `[`, `*` and `?` becomes a
 * one-character class (`[[]`, `[*]`, `[?]`) that matches only itself; a backslash is literal in
 * DuckDB's globs already.
 */
export function pathLiteral(file: string): string {
    return literal(file.replace(/[[*?]/g, (character) => `[${character}]`));
}

/** DuckDB `columns={…}` of read_json: the explicit schema, never inferred. */
export function duckdbColumns(): string {
    const entries = [...COLUMNS.map((column) => [column.name, duckdbType(column.type)]), [EXTRA_FIELDS_COLUMN, "VARCHAR"]];
    return `{${entries.map(([name, type]) => `${literal(name)}: ${literal(type)}`).join(", ")}}`;
}
