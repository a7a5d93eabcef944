"""Plain functions of the normalised-to-Parquet Glue job: arguments, locations, partitions and
the schema. Nothing here needs Spark, so it is unit-tested on any machine
(`python3 -m unittest discover -s glue`); normalised_to_parquet.py keeps only what needs Spark.
"""
import json
import re

# Every argument the job script reads; the Pulumi component supplies exactly these (a test checks both ways).
JOB_ARGUMENTS = ["JOB_NAME", "lake_bucket", "account_id", "source_prefix", "target_prefix", "schema_file"]

PARTITION_COLUMNS = ["account", "region", "date"]

# Each job writes below its own account's prefix, so only these partition columns appear in its
# output path; the account one is the output path itself (see target_uri).
WRITTEN_PARTITION_COLUMNS = ["region", "date"]

# Used as the CSV separator so that each JSON line is read whole as one column: JSON text never holds
# a raw control character (JSON.stringify escapes them), so this byte never splits a line.
LINE_SEPARATOR_NEVER_IN_JSON = "\u0001"

_PARTITION_IN_PATH = re.compile(r"/account=([^/]+)/region=([^/]+)/date=([^/]+)/[^/]+$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class JobArgumentError(ValueError):
    """A job argument that is missing or malformed; the message names it."""


def validate_arguments(args):
    """Checks the resolved job arguments and returns them; raises JobArgumentError naming the bad one."""
    missing = [name for name in JOB_ARGUMENTS if not args.get(name)]
    if missing:
        raise JobArgumentError("missing job argument(s): " + ", ".join("--" + name for name in missing))
    if not re.fullmatch(r"\d{12}", args["account_id"]):
        raise JobArgumentError("--account_id must be a 12-digit account id, got %r" % args["account_id"])
    if not _BUCKET.match(args["lake_bucket"]):
        raise JobArgumentError("--lake_bucket must be a bucket name, got %r" % args["lake_bucket"])
    for name in ("source_prefix", "target_prefix"):
        if not args[name].endswith("/") or args[name].startswith("/"):
            raise JobArgumentError("--%s must be a key prefix ending with '/', got %r" % (name, args[name]))
    return args


def source_uri(args):
    """The account's normalised files: s3://<lake>/normalised/account=<id>/."""
    return "s3://%s/%saccount=%s/" % (args["lake_bucket"], args["source_prefix"], args["account_id"])


def writable_prefix(args):
    """The only Parquet key prefix the job's role may write: parquet/account=<id>/ (components/iam/servicePolicies.ts)."""
    return "%saccount=%s/" % (args["target_prefix"], args["account_id"])


def target_uri(args):
    """Where the job writes: its own account's part of the table, s3://<lake>/parquet/account=<id>/.

    Not the table root: with dynamic partition overwrite, Spark (HadoopMapReduceCommitProtocol)
    stages every file under <output path>/.spark-staging-<job id>/ and then moves it into place, so
    the output path must lie inside what the role may write, or every run fails with AccessDenied
    before job.commit() and the bookmark never advances.
    """
    return "s3://%s/%s" % (args["lake_bucket"], writable_prefix(args))


def spark_staging_uri(args, spark_job_id):
    """Where Spark stages a dynamic-partition-overwrite write of the given Spark job id."""
    return "%s.spark-staging-%s/" % (target_uri(args), spark_job_id)


class SourceFileNameMissing(RuntimeError):
    """input_file_name() gave no name for some new records: the run cannot tell which partitions to rebuild."""


def source_file_names(names):
    """The distinct source file names of the new records, checked: None or "" fails the run.

    Spark's input_file_name() returns "" when the reader does not record the file it read; silently
    skipping such records would convert nothing and still commit the bookmark, losing them for good.
    """
    names = list(names)
    blank = [name for name in names if not name]
    if blank:
        raise SourceFileNameMissing(
            "input_file_name() is empty for %d of %d distinct source name(s) of the new records; "
            "refusing to commit the bookmark, since the partitions to rebuild are unknown" % (len(blank), len(names)))
    return sorted(set(names))


def partition_from_path(path):
    """(account, region, date) of a normalised object, from its key."""
    match = _PARTITION_IN_PATH.search(path)
    if not match:
        raise ValueError("not a normalised object key (…/account=…/region=…/date=…/file): %r" % path)
    return match.groups()


def touched_partitions(paths, account_id):
    """The (region, date) partitions of the given objects, sorted; all must belong to the job's account."""
    partitions = set()
    for path in paths:
        account, region, date = partition_from_path(path)
        if account != account_id:
            raise ValueError("object %r belongs to account %s, not to this job's %s" % (path, account, account_id))
        partitions.add((region, date))
    return sorted(partitions)


def partition_uris(args, partitions):
    """Normalised prefixes of the given (region, date) partitions: each is rebuilt whole."""
    return [
        "s3://%s/%saccount=%s/region=%s/date=%s/" % (args["lake_bucket"], args["source_prefix"], args["account_id"], region, date)
        for region, date in partitions
    ]


def load_schema(text):
    """Parses the schema the TypeScript side generated (contract/schema.ts → glue/schema.json) and checks its shape."""
    schema = json.loads(text)
    if schema.get("type") != "struct" or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise ValueError("schema must be a Spark struct with fields")
    names = [field.get("name") for field in schema["fields"]]
    if len(set(names)) != len(names):
        raise ValueError("schema has duplicate columns")
    clash = sorted(set(names) & set(PARTITION_COLUMNS))
    if clash:
        raise ValueError("schema must not hold the partition columns %s: they come from the path" % clash)
    return schema
