import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { jobScriptArguments } from "../components/glue/accountJob";
import { parseLakeConfig } from "../config/stackConfig";
import { glueJobRolePolicy } from "../components/iam/servicePolicies";
import { cronProblems, MAX_ACTIONS_PER_TRIGGER, planTriggers } from "../config/schedule";
import { hiveColumns } from "../contract/schema";
import { loadDetections } from "../contract/detections";
import { declareMockStack, DeclaredResource, findResource } from "../testing/mockProgram";
import { GLUE_SCHEMA_FILE, glueSchemaText } from "../scripts/generate-glue-schema";

const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
const accountsOf = (count: number) => Array.from({ length: count }, (_, i) => ({ id: String(300000000000 + i * 7), name: `account-${i}` }));
const ofType = (resources: DeclaredResource[], type: string) => resources.filter((resource) => resource.type === type);

describe("Glue: one job per account", () => {
    let resources: DeclaredResource[];
    const accounts = accountsOf(3);

    before(async () => {
        resources = await declareMockStack({ "cloudtrail-lake:accounts": accounts, "cloudtrail-lake:glue": { workerType: "G.2X", numberOfWorkers: 4 } });
    });

    it("declares one Glue 5.0 job and one role per account, bookmarks on, one run at a time", () => {
        expect(ofType(resources, "aws:glue/job:Job")).to.have.length(3);
        for (const { id } of accounts) {
            const job = findResource(resources, "aws:glue/job:Job", `parquet-${id}`).inputs;
            expect(job).to.deep.include({ glueVersion: "5.0", workerType: "G.2X", numberOfWorkers: 4, executionProperty: { maxConcurrentRuns: 1 } });
            expect(job.command).to.deep.include({ name: "glueetl", scriptLocation: "s3://lake-0123456789abcdef/glue-scripts/normalised_to_parquet.py" });
            expect(job.defaultArguments).to.deep.include({
                "--job-bookmark-option": "job-bookmark-enable",
                "--enable-metrics": "true",
                "--account_id": id,
                "--TempDir": `s3://lake-0123456789abcdef/glue-temp/${id}/`,
            });
            // Arguments that do nothing on Glue 5.0 (real-time logging is always on; python is the default language).
            expect(job.defaultArguments).to.not.have.any.keys("--enable-continuous-cloudwatch-log", "--job-language");
            expect(job.securityConfiguration).to.equal("cloudtrail-lake-prod");
            findResource(resources, "aws:iam/role:Role", `parquet-${id}-role`);
        }
    });

    it("lets each job's role read only its account's normalised prefix and write only its Parquet prefix", () => {
        const [id, other] = [accounts[0].id, accounts[1].id];
        const policy = json(findResource(resources, "aws:iam/rolePolicy:RolePolicy", `parquet-${id}-role-policy`).inputs.policy);
        expect(policy).to.deep.equal(
            glueJobRolePolicy({
                partition: "aws",
                region: "ap-northeast-1",
                centralAccountId: "999999999999",
                accountId: id,
                lakeBucketArn: "arn:aws:s3:::lake-0123456789abcdef",
                lakeKeyArn: "arn:aws:kms:ap-northeast-1:999999999999:key/archive-key-key-id",
                glueKeyArn: "arn:aws:kms:ap-northeast-1:999999999999:key/parquet-key-key-id",
            }),
        );
        const text = JSON.stringify(policy);
        expect(text).to.contain(`normalised/account=${id}/*`).and.contain(`parquet/account=${id}/*`);
        expect(text).to.not.contain(other);
        const writes = policy.Statement.filter((statement: { Action: string[] | string }) => [statement.Action].flat().includes("s3:PutObject"));
        expect(writes.flatMap((statement: { Resource: string[] }) => statement.Resource)).to.deep.equal([
            `arn:aws:s3:::lake-0123456789abcdef/parquet/account=${id}/*`,
            `arn:aws:s3:::lake-0123456789abcdef/glue-temp/${id}/*`,
        ]);
    });

    it("lets each job's role write where Spark stages its partition overwrite (<output path>/.spark-staging-<id>/)", () => {
        const id = accounts[0].id;
        const script = `import json, lake_job
args = {"lake_bucket": "lake-0123456789abcdef", "account_id": "${id}", "source_prefix": "normalised/", "target_prefix": "parquet/"}
print(json.dumps(lake_job.spark_staging_uri(args, "0a1b2c")))`;
        const staging = JSON.parse(execFileSync("python3", ["-c", script], { cwd: path.join(__dirname, "..", "glue"), encoding: "utf8" }));
        const stagedObject = `${staging.replace(/^s3:\/\//, "arn:aws:s3:::")}part-00000.zstd.parquet`;
        const policy = json(findResource(resources, "aws:iam/rolePolicy:RolePolicy", `parquet-${id}-role-policy`).inputs.policy);
        const allows = (action: string) =>
            policy.Statement.some(
                (statement: { Action: string[] | string; Resource: string[] | string }) =>
                    [statement.Action].flat().includes(action) &&
                    [statement.Resource]
                        .flat()
                        .some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(stagedObject)),
            );
        for (const action of ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]) expect(allows(action), action).to.equal(true);
    });

    it("encrypts the jobs' S3 output, logs and bookmarks", () => {
        const configuration = ofType(resources, "aws:glue/securityConfiguration:SecurityConfiguration")[0].inputs.encryptionConfiguration;
        expect(configuration.s3Encryption.s3EncryptionMode).to.equal("SSE-KMS");
        expect(configuration.cloudwatchEncryption.cloudwatchEncryptionMode).to.equal("SSE-KMS");
        expect(configuration.jobBookmarksEncryption.jobBookmarksEncryptionMode).to.equal("CSE-KMS");
    });

    it("passes exactly the arguments the script reads, and the script reads no other", () => {
        const declared = JSON.parse(
            execFileSync("python3", ["-c", "import json, lake_job; print(json.dumps(lake_job.JOB_ARGUMENTS))"], {
                cwd: path.join(__dirname, "..", "glue"),
                encoding: "utf8",
            }),
        );
        const passed = Object.keys(jobScriptArguments("111122223333", "bucket")).map((key) => key.replace(/^--/, ""));
        // JOB_NAME is passed by Glue itself on every run.
        expect([...passed, "JOB_NAME"].sort()).to.deep.equal([...declared].sort());
        const job = findResource(resources, "aws:glue/job:Job", `parquet-${accounts[0].id}`).inputs;
        for (const key of Object.keys(jobScriptArguments(accounts[0].id, "lake-0123456789abcdef"))) expect(job.defaultArguments).to.have.property(key);
    });

    it("uploads the script, its helper and the schema from glue/", () => {
        // The Glue component's objects (the catalog uploads its reference table beside them, under reference/).
        const keys = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2")
            .filter((object) => object.name.startsWith("parquet-"))
            .map((object) => object.inputs.key)
            .sort();
        expect(keys).to.deep.equal(["glue-scripts/lake_job.py", "glue-scripts/normalised_to_parquet.py", "glue-scripts/schema.json"]);
    });

    it("keeps glue/schema.json generated from the schema module (npm run generate:glue-schema)", () => {
        expect(fs.readFileSync(GLUE_SCHEMA_FILE, "utf8")).to.equal(glueSchemaText());
    });
});

describe("Glue schedule", () => {
    const covered = (resources: DeclaredResource[]) =>
        ofType(resources, "aws:glue/trigger:Trigger").flatMap((trigger) => trigger.inputs.actions.map((action: { jobName: string }) => action.jobName));

    for (const count of [3, 120]) {
        it(`starts each of ${count} jobs from exactly one scheduled trigger of at most 50 actions`, async () => {
            const resources = await declareMockStack({ "cloudtrail-lake:accounts": accountsOf(count) });
            const triggers = ofType(resources, "aws:glue/trigger:Trigger");
            expect(triggers).to.have.length(Math.ceil(count / MAX_ACTIONS_PER_TRIGGER));
            for (const trigger of triggers) {
                expect(trigger.inputs).to.deep.include({ type: "SCHEDULED", schedule: "cron(0 */6 * * ? *)", startOnCreation: true });
                expect(trigger.inputs.actions.length).to.be.at.most(MAX_ACTIONS_PER_TRIGGER);
            }
            const jobs = ofType(resources, "aws:glue/job:Job").map((job) => job.inputs.name);
            expect(covered(resources).sort()).to.deep.equal(jobs.sort());
        });
    }

    it("staggers 1,000 jobs in waves that stay within the concurrent-runs quota", () => {
        const ids = accountsOf(1000).map((account) => account.id);
        const plan = planTriggers(ids, { schedule: "cron(0 */6 * * ? *)", concurrentRunsQuota: 200, staggerMinutes: 10 });
        expect(plan.flatMap((trigger) => trigger.jobs).sort()).to.deep.equal([...ids].sort());
        const perSchedule = new Map<string, number>();
        for (const trigger of plan) {
            expect(trigger.jobs.length).to.be.at.most(50);
            perSchedule.set(trigger.schedule, (perSchedule.get(trigger.schedule) ?? 0) + trigger.jobs.length);
        }
        expect([...perSchedule.keys()]).to.deep.equal([
            "cron(0 */6 * * ? *)",
            "cron(10 */6 * * ? *)",
            "cron(20 */6 * * ? *)",
            "cron(30 */6 * * ? *)",
            "cron(40 */6 * * ? *)",
        ]);
        expect(Math.max(...perSchedule.values())).to.equal(200);
    });

    it("honours a small quota: never more jobs at once than the quota allows", () => {
        const plan = planTriggers(
            accountsOf(100).map((account) => account.id),
            { schedule: "cron(5 1 * * ? *)", concurrentRunsQuota: 30, staggerMinutes: 5 },
        );
        const waves = new Map<number, number>();
        for (const trigger of plan) waves.set(trigger.wave, (waves.get(trigger.wave) ?? 0) + trigger.jobs.length);
        expect(Math.max(...waves.values())).to.equal(30);
        expect(plan[plan.length - 1].schedule).to.equal("cron(20 1 * * ? *)");
    });

    it("rejects schedules that are not AWS cron, with what is allowed", () => {
        expect(cronProblems("cron(0 */6 * * ? *)")).to.deep.equal([]);
        expect(cronProblems("cron(0 12 * * * *)")[0]).to.match(/exactly one of day-of-month .* must be \?/);
        expect(cronProblems("cron(*/2 * * * ? *)")[0]).to.match(/more often than every 5 minutes/);
        expect(cronProblems("0 12 * * *")[0]).to.match(/must be an AWS cron expression/);
        expect(() => parseLakeConfig({ accounts: accountsOf(2), schedule: "cron(0 25 * * ? *)" })).to.throw(
            /cloudtrail-lake:schedule = "cron\(0 25 \* \* \? \*\)": field 2 \(hours\)/,
        );
        expect(() => parseLakeConfig({ accounts: accountsOf(450), schedule: "cron(55 */6 * * ? *)" })).to.throw(
            /450 accounts need several waves .* past the hour/,
        );
    });
});

describe("catalog and Athena", () => {
    let resources: DeclaredResource[];
    const accounts = accountsOf(3);

    before(async () => {
        resources = await declareMockStack({
            "cloudtrail-lake:accounts": accounts,
            "cloudtrail-lake:catalog": { regions: ["us-east-1", "eu-west-1"], firstDate: "2024-01-01" },
            "cloudtrail-lake:athena": { bytesScannedCutoffMb: 2048 },
        });
    });
    const table = (name: string) => ofType(resources, "aws:glue/catalogTable:CatalogTable").find((t) => t.inputs.name === name)!.inputs;

    it("projects the cloudtrail table over exactly the configured accounts, regions and dates", () => {
        const parameters = table("cloudtrail").parameters;
        expect(parameters).to.deep.include({
            "projection.enabled": "true",
            "projection.account.type": "enum",
            "projection.account.values": accounts
                .map((account) => account.id)
                .sort()
                .join(","),
            "projection.region.values": "us-east-1,eu-west-1",
            "projection.date.range": "2024-01-01,NOW",
            "storage.location.template": "s3://lake-0123456789abcdef/parquet/account=${account}/region=${region}/date=${date}/",
        });
        expect(table("cloudtrail").partitionKeys.map((key: { name: string }) => key.name)).to.deep.equal(["account", "region", "date"]);
    });

    it("declares the schema module's columns, no more, no fewer", () => {
        expect(table("cloudtrail").storageDescriptor.columns).to.deep.equal(hiveColumns());
        expect(table("cloudtrail").storageDescriptor.serDeInfo.serializationLibrary).to.equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
    });

    it("reads the raw archive with AWS's CloudTrail format, projected over AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD", () => {
        const raw = table("cloudtrail_raw");
        expect(raw.storageDescriptor).to.deep.include({
            inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
            location: "s3://archive-0123456789abcdef/AWSLogs/",
        });
        expect(raw.parameters).to.deep.include({
            "projection.date.format": "yyyy/MM/dd",
            "projection.date.range": "2024/01/01,NOW",
            "storage.location.template": "s3://archive-0123456789abcdef/AWSLogs/${account}/CloudTrail/${region}/${date}",
        });
        expect(raw.storageDescriptor.columns.find((column: { name: string }) => column.name === "readonly").type).to.equal("string");
    });

    it("has no crawler and nothing that adds partitions", () => {
        expect(resources.filter((resource) => /crawler|partition/i.test(resource.type))).to.deep.equal([]);
    });

    it("enforces an encrypted, size-capped Athena workgroup with metrics", () => {
        const configuration = ofType(resources, "aws:athena/workgroup:Workgroup")[0].inputs.configuration;
        expect(configuration).to.deep.include({
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: 2048 * 1024 * 1024,
        });
        expect(configuration.resultConfiguration).to.deep.equal({
            outputLocation: "s3://lake-0123456789abcdef/athena-results/",
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: "arn:aws:kms:ap-northeast-1:999999999999:key/archive-key-key-id" },
        });
    });

    it("deploys every file of queries/ as one named query, and nothing else", () => {
        const named = ofType(resources, "aws:athena/namedQuery:NamedQuery");
        const detections = loadDetections();
        expect(named.map((query) => query.inputs.name).sort()).to.deep.equal(detections.map((detection) => detection.name).sort());
        for (const detection of detections) {
            expect(named.find((query) => query.inputs.name === detection.name)!.inputs.query).to.equal(detection.sql);
        }
    });
});
