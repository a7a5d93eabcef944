/**
 * Where things live in the lake bucket. The archive bucket's layout is CloudTrail's own
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…`) and is never written by this program.
 */
export const LAKE_PREFIXES = {
    /** The normaliser's output: one gzip JSON-lines object per source file and event date. */
    normalised: "normalised/",
    /** The Glue jobs' Parquet output, the `cloudtrail` table's location. */
    parquet: "parquet/",
    /** Athena query results (workgroup output location). */
    athenaResults: "athena-results/",
    /** Glue's --TempDir and Spark UI logs. */
    glueTemp: "glue-temp/",
    /** Glue job scripts. */
    glueScripts: "glue-scripts/",
    /** Reference tables the stack uploads (AWS's IP ranges, contract/awsIpRanges.ts), one folder per table. */
    reference: "reference/",
} as const;

/** Prefix of the access-log bucket under which each source bucket's server access logs go. */
export const ACCESS_LOG_PREFIXES = { archive: "archive/", lake: "lake/" } as const;

/** The prefix CloudTrail writes under in the archive bucket. */
export const ARCHIVE_LOG_PREFIX = "AWSLogs/";
