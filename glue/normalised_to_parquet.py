"""Normalised CloudTrail (JSON lines) → Parquet, for one account. AWS Glue 5.0 (Spark 3.5, Python 3.11).

Reads s3://<lake>/normalised/account=<id>/ with the explicit schema that contract/schema.ts defines
(glue/schema.json; never inferred, never relationalize), and writes zstd Parquet partitioned by
region/date under s3://<lake>/parquet/account=<id>/ (the account's own prefix: Spark stages
dynamic-overwrite output under <output path>/.spark-staging-<id>/, which must be writable too).

Why no run ever duplicates a row:
  * The job bookmark (transformation_ctx below, job.commit() at the end) only says WHICH
    partitions received new or re-written normalised files since the last successful run.
  * Each such partition is then rebuilt whole from all of its normalised files and written with
    Spark's dynamic partition overwrite, which replaces exactly those partitions.
  * A re-delivered CloudTrail file makes the normaliser rewrite the same normalised object (same
    key, same bytes), so the partition is rebuilt to the same rows. A run that fails before
    job.commit() leaves the bookmark where it was; the next run rebuilds the same partitions again.
Everything that does not need Spark lives in lake_job.py and is unit-tested.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

import lake_job

args = lake_job.validate_arguments(getResolvedOptions(sys.argv, lake_job.JOB_ARGUMENTS))
glue = GlueContext(SparkContext.getOrCreate())
spark = glue.spark_session
spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
job = Job(glue)
job.init(args["JOB_NAME"], args)

with open(args["schema_file"], encoding="utf-8") as schema_file:
    schema = StructType.fromJson(lake_job.load_schema(schema_file.read()))

# Files new since the last committed run, each line one unparsed JSON record (bookmarks track this source).
new_records = glue.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [lake_job.source_uri(args)], "recurse": True},
    format="csv",
    format_options={"separator": lake_job.LINE_SEPARATOR_NEVER_IN_JSON, "quoteChar": -1, "withHeader": False},
    transformation_ctx="normalised_source",
).toDF()

# Which files the new records came from, by Spark's documented input_file_name(); an empty name fails the run.
names = [row.source_file for row in new_records.select(F.input_file_name().alias("source_file")).distinct().collect()]
partitions = lake_job.touched_partitions(lake_job.source_file_names(names), args["account_id"])
if partitions:
    records = (
        spark.read.text(lake_job.partition_uris(args, partitions))
        .select(F.from_json("value", schema, {"mode": "FAILFAST"}).alias("record"), F.input_file_name().alias("source_file"))
        .select("record.*", "source_file")
        .withColumn("region", F.regexp_extract("source_file", r"/region=([^/]+)/", 1))
        .withColumn("date", F.regexp_extract("source_file", r"/date=([^/]+)/", 1))
        .drop("source_file")
    )
    (
        records.repartition("region", "date")
        .write.mode("overwrite")
        .partitionBy(*lake_job.WRITTEN_PARTITION_COLUMNS)
        .option("compression", "zstd")
        .parquet(lake_job.target_uri(args))
    )

job.commit()
