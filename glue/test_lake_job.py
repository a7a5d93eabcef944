"""Unit tests of lake_job.py and of the job script's shape. No Spark needed: run with
`python3 -m unittest discover -s glue` (part of `npm test`)."""
import ast
import json
import os
import unittest

import lake_job

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = {
    "JOB_NAME": "cloudtrail-lake-111122223333",
    "lake_bucket": "lake-0123456789abcdef",
    "account_id": "111122223333",
    "source_prefix": "normalised/",
    "target_prefix": "parquet/",
    "schema_file": "schema.json",
}


class Arguments(unittest.TestCase):
    def test_accepts_what_the_component_passes(self):
        self.assertEqual(lake_job.validate_arguments(dict(ARGS)), ARGS)

    def test_names_the_missing_or_malformed_argument(self):
        with self.assertRaisesRegex(lake_job.JobArgumentError, "--account_id"):
            lake_job.validate_arguments({**ARGS, "account_id": "12345"})
        with self.assertRaisesRegex(lake_job.JobArgumentError, "missing job argument.*--schema_file"):
            lake_job.validate_arguments({k: v for k, v in ARGS.items() if k != "schema_file"})
        with self.assertRaisesRegex(lake_job.JobArgumentError, "--target_prefix"):
            lake_job.validate_arguments({**ARGS, "target_prefix": "parquet"})


class Locations(unittest.TestCase):
    def test_reads_only_its_account_and_writes_the_table_root(self):
        self.assertEqual(lake_job.source_uri(ARGS), "s3://lake-0123456789abcdef/normalised/account=111122223333/")
        self.assertEqual(lake_job.target_uri(ARGS), "s3://lake-0123456789abcdef/parquet/account=111122223333/")

    def test_spark_stages_the_overwrite_inside_what_the_role_may_write(self):
        # Dynamic partition overwrite stages under <output path>/.spark-staging-<job id>/ (Spark's
        # HadoopMapReduceCommitProtocol); the role may write only parquet/account=<id>/ (iamPolicies.ts).
        staging = lake_job.spark_staging_uri(ARGS, "4f2c")
        self.assertEqual(staging, "s3://lake-0123456789abcdef/parquet/account=111122223333/.spark-staging-4f2c/")
        self.assertTrue(staging.startswith("s3://lake-0123456789abcdef/" + lake_job.writable_prefix(ARGS)))
        self.assertEqual(lake_job.writable_prefix(ARGS), "parquet/account=111122223333/")
        self.assertEqual(lake_job.WRITTEN_PARTITION_COLUMNS, lake_job.PARTITION_COLUMNS[1:])

    def test_finds_the_partitions_a_run_must_rebuild(self):
        paths = [
            "s3://lake/normalised/account=111122223333/region=us-east-1/date=2026-11-24/a.json.gz",
            "s3://lake/normalised/account=111122223333/region=us-east-1/date=2026-11-25/a.json.gz",
            "s3://lake/normalised/account=111122223333/region=us-east-1/date=2026-11-24/b.json.gz",
        ]
        partitions = lake_job.touched_partitions(paths, "111122223333")
        self.assertEqual(partitions, [("us-east-1", "2026-11-24"), ("us-east-1", "2026-11-25")])
        self.assertEqual(lake_job.partition_uris(ARGS, partitions), [
            "s3://lake-0123456789abcdef/normalised/account=111122223333/region=us-east-1/date=2026-11-24/",
            "s3://lake-0123456789abcdef/normalised/account=111122223333/region=us-east-1/date=2026-11-25/",
        ])

    def test_refuses_another_accounts_object(self):
        with self.assertRaisesRegex(ValueError, "belongs to account 444455556666"):
            lake_job.touched_partitions(["s3://l/normalised/account=444455556666/region=r/date=d/f.json.gz"], "111122223333")
        with self.assertRaisesRegex(ValueError, "not a normalised object key"):
            lake_job.partition_from_path("s3://l/elsewhere/f.json.gz")


class SourceFileNames(unittest.TestCase):
    def test_keeps_the_distinct_names(self):
        self.assertEqual(lake_job.source_file_names(["s3://l/b", "s3://l/a", "s3://l/b"]), ["s3://l/a", "s3://l/b"])
        self.assertEqual(lake_job.source_file_names([]), [])

    def test_fails_the_run_when_a_name_is_missing_or_empty(self):
        for blank in ("", None):
            with self.assertRaisesRegex(lake_job.SourceFileNameMissing, r"input_file_name\(\) is empty for 1 of 2 .*refusing to commit"):
                lake_job.source_file_names(["s3://l/normalised/account=1/region=r/date=d/a.json.gz", blank])


class Schema(unittest.TestCase):
    def test_the_generated_schema_loads_without_partition_columns(self):
        with open(os.path.join(HERE, "schema.json"), encoding="utf-8") as file:
            schema = lake_job.load_schema(file.read())
        names = [field["name"] for field in schema["fields"]]
        self.assertIn("eventtime", names)
        self.assertEqual(names[-1], "extrafields")
        user_identity = next(field for field in schema["fields"] if field["name"] == "useridentity")
        self.assertEqual(user_identity["type"]["type"], "struct")

    def test_rejects_a_schema_holding_partition_columns(self):
        with self.assertRaisesRegex(ValueError, "partition columns"):
            lake_job.load_schema(json.dumps({"type": "struct", "fields": [{"name": "date", "type": "string"}]}))


class Script(unittest.TestCase):
    """The Spark script cannot run here; its shape can be checked."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(HERE, "normalised_to_parquet.py"), encoding="utf-8") as file:
            cls.source = file.read()
        cls.tree = ast.parse(cls.source)

    def calls(self, name):
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == name]

    def test_reads_exactly_the_declared_job_arguments(self):
        (resolved,) = self.calls("getResolvedOptions")
        self.assertEqual(ast.unparse(resolved.args[1]), "lake_job.JOB_ARGUMENTS")
        used = {node.slice.value for node in ast.walk(self.tree)
                if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "args"
                and isinstance(node.slice, ast.Constant)}
        self.assertLessEqual(used, set(lake_job.JOB_ARGUMENTS))

    def test_bookmarks_its_source_and_commits_last(self):
        (source,) = self.calls("from_options")
        self.assertIn("transformation_ctx", [keyword.arg for keyword in source.keywords])
        last = self.tree.body[-1]
        self.assertEqual(ast.unparse(last), "job.commit()")

    def test_never_infers_a_schema_nor_relationalizes(self):
        self.assertEqual(self.calls("relationalize"), [])
        self.assertIn("from_json", self.source)
        self.assertNotIn("inferSchema", self.source)

    def test_overwrites_partitions_dynamically(self):
        self.assertIn('"spark.sql.sources.partitionOverwriteMode", "dynamic"', self.source)
        self.assertIn('.write.mode("overwrite")', self.source)

    def test_writes_to_its_accounts_prefix_partitioned_by_region_and_date(self):
        (parquet,) = self.calls("parquet")
        self.assertEqual(ast.unparse(parquet.args[0]), "lake_job.target_uri(args)")
        (partition_by,) = self.calls("partitionBy")
        self.assertEqual(ast.unparse(partition_by.args[0]), "*lake_job.WRITTEN_PARTITION_COLUMNS")

    def test_names_source_files_with_input_file_name_and_checks_them(self):
        self.assertNotIn("attachFilename", self.source)
        (from_options,) = self.calls("from_options")
        format_options = next(keyword.value for keyword in from_options.keywords if keyword.arg == "format_options")
        self.assertEqual(sorted(key.value for key in format_options.keys), ["quoteChar", "separator", "withHeader"])
        self.assertEqual(len(self.calls("input_file_name")), 2)
        (checked,) = self.calls("source_file_names")
        self.assertEqual(ast.unparse(checked.args[0]), "names")
        (touched,) = self.calls("touched_partitions")
        self.assertEqual(ast.unparse(touched.args[0]), "lake_job.source_file_names(names)")


if __name__ == "__main__":
    unittest.main()
