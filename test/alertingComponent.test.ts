import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { declareMockStack, DeclaredResource, findResource, MOCK_CENTRAL_ACCOUNT_ID } from "../testing/mockProgram";
import { alertKeyPolicy } from "../components/alerts/alertPolicies";
import { alertingSettings } from "../config/alertingSettings";
import { parseLakeConfig } from "../config/stackConfig";
import { bundleAlerts } from "../components/alerts/bundle";
import { loadAlertDetections } from "../contract/alerting";

/** A statement of a policy document as JSON. */
interface PolicyStatementJson {
    Sid?: string;
    Effect?: string;
    Principal?: unknown;
    Resource?: unknown;
}
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
const mockArn = (type: string, name: string) => `arn:aws:mock:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:${type}/${name}`;
const STACK_ALERTS = { scheduleMinutes: 10, dedupMinutes: 120, snsTopic: { enabled: true }, eventBridge: { busName: "security", minSeverity: "medium" } };
const DEPLOY_ROLE = { principalArn: "arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*", reason: "the stack's own deploy role" };

describe("Alerting component", () => {
    let resources: DeclaredResource[];
    const get = (type: string, name: string) => findResource(resources, type, name).inputs;

    before(async () => {
        resources = await declareMockStack({
            "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }],
            "cloudtrail-lake:alerts": STACK_ALERTS,
            "cloudtrail-lake:suppressions": [DEPLOY_ROLE],
        });
    });

    it("is not deployed unless cloudtrail-lake:alerts is set", async () => {
        const without = await declareMockStack({ "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }] });
        expect(without.filter((resource) => resource.type.startsWith("cloudtrail-lake:alerts"))).to.deep.equal([]);
        expect(resources.filter((resource) => resource.type === "cloudtrail-lake:alerts:Alerting")).to.have.length(1);
    });

    it("encrypts the topic with its own rotating key, which only the deployer may re-policy and nobody may disable or delete", () => {
        const topic = get("aws:sns/topic:Topic", "alerts-topic");
        expect(topic.kmsMasterKeyId).to.equal(`arn:aws:kms:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:key/alerts-topic-key-key-id`);
        const key = get("aws:kms/key:Key", "alerts-topic-key");
        expect(key.enableKeyRotation).to.equal(true);
        const policy = json(key.policy);
        expect(policy).to.deep.equal(
            alertKeyPolicy({
                partition: "aws",
                centralAccountId: MOCK_CENTRAL_ACCOUNT_ID,
                deployPrincipalArn: `arn:aws:iam::${MOCK_CENTRAL_ACCOUNT_ID}:user/offline`,
            }),
        );
        // The topic policy denies every publisher but the two roles: the key admits no service principal either.
        expect(policy.Statement.filter((statement: PolicyStatementJson) => (statement.Principal as { Service?: string } | undefined)?.Service)).to.deep.equal(
            [],
        );
        expect(policy.Statement.find((statement: PolicyStatementJson) => statement.Sid === "DenyKeyDestructionExceptBreakGlass")).to.deep.include({
            Effect: "Deny",
            Principal: "*",
            Action: ["kms:DisableKey", "kms:ScheduleKeyDeletion"],
        });
    });

    it("lets only the two alert functions' roles publish, and never a public principal", () => {
        const policy = json(get("aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy").policy);
        const roles = [mockArn("aws:iam/role:Role", "alerts-events-role"), mockArn("aws:iam/role:Role", "alerts-schedule-role")];
        const publish = policy.Statement.find((statement: PolicyStatementJson) => statement.Sid === "AlertFunctionsPublish");
        expect(publish.Principal).to.deep.equal({ AWS: roles });
        const deny = policy.Statement.find((statement: PolicyStatementJson) => statement.Sid === "NobodyElsePublishes");
        expect(deny).to.deep.include({ Effect: "Deny", Condition: { ArnNotEquals: { "aws:PrincipalArn": roles } } });
        for (const statement of policy.Statement.filter((candidate: PolicyStatementJson) => candidate.Effect === "Allow"))
            expect(statement.Principal).to.not.equal("*");
    });

    it("has a delivery dead-letter queue only the topic can send to, with an alarm", () => {
        const queuePolicy = json(get("aws:sqs/queuePolicy:QueuePolicy", "alerts-delivery-dlq-policy").policy);
        expect(queuePolicy.Statement[0]).to.deep.include({
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Condition: { ArnEquals: { "aws:SourceArn": mockArn("aws:sns/topic:Topic", "alerts-topic") } },
        });
        expect(get("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-delivery-dlq-not-empty")).to.deep.include({
            metricName: "ApproximateNumberOfMessagesVisible",
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
        });
        expect(get("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-dlq-not-empty").dimensions).to.deep.equal({ QueueName: "alerts-dlq" });
        expect(get("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-schedule-errors")).to.deep.include({
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: "alerts-schedule" },
            period: 600,
        });
    });

    it("is notified of new normalised files of the lake through its queue, after the queue policy exists", () => {
        const notification = get("aws:s3/bucketNotification:BucketNotification", "alerts-lake-notification");
        expect(notification.bucket).to.equal("lake-0123456789abcdef");
        expect(notification.queues[0]).to.deep.include({ events: ["s3:ObjectCreated:*"], filterPrefix: "normalised/", filterSuffix: ".json.gz" });
        expect(findResource(resources, "aws:s3/bucketNotification:BucketNotification", "alerts-lake-notification").dependencies).to.include(
            findResource(resources, "aws:sqs/queuePolicy:QueuePolicy", "alerts-queue-policy").urn,
        );
    });

    it("runs the event evaluator on x86_64 with DuckDB in its asset, and the scheduled one every scheduleMinutes", () => {
        const events = get("aws:lambda/function:Function", "alerts-events");
        expect(events).to.deep.include({ runtime: "nodejs22.x", architectures: ["x86_64"], handler: "index.events", memorySize: 1024, timeout: 300 });
        expect(events.environment.variables).to.deep.include({ HOME: "/tmp", ALERT_TOPIC_ARN: mockArn("aws:sns/topic:Topic", "alerts-topic") });
        expect(get("aws:lambda/function:Function", "alerts-schedule")).to.deep.include({ handler: "index.schedule", architectures: ["x86_64"] });
        expect(get("aws:cloudwatch/eventRule:EventRule", "alerts-schedule-rule").scheduleExpression).to.equal("rate(10 minutes)");
        expect(get("aws:dynamodb/table:Table", "alerts-dedup")).to.deep.include({
            hashKey: "alertKey",
            billingMode: "PAY_PER_REQUEST",
            ttl: { attributeName: "expiresAt", enabled: true },
        });
    });

    it("ships the stack's settings and a DuckDB binding that loads", () => {
        // The same settings give the same directory: the one the functions' code archive points at.
        const config = parseLakeConfig({ accounts: [{ id: "111122223333", name: "security" }], alerts: STACK_ALERTS, suppressions: [DEPLOY_ROLE] });
        const directory = bundleAlerts(alertingSettings(config, loadAlertDetections()));
        const settings = JSON.parse(fs.readFileSync(path.join(directory, "alerting.json"), "utf8"));
        expect(settings).to.deep.include({
            dedupMinutes: 120,
            scheduleMinutes: 10,
            sns: { minSeverity: "high" },
            eventBridge: { busName: "security", minSeverity: "medium" },
            recentTable: "cloudtrail_recent",
        });
        expect(settings.suppressions).to.deep.equal([{ detection: "*", ...DEPLOY_ROLE }]);
        expect(settings.accountNames).to.deep.equal({ "111122223333": "security" });
        expect(settings.detections.length).to.be.above(0);
        // The asset's own node_modules, not the repository's: what Lambda will load.
        const output = execFileSync(
            process.execPath,
            [
                "-e",
                `
            const { DuckDBInstance } = require("@duckdb/node-api");
            DuckDBInstance.create(":memory:").then((db) => db.connect()).then((c) => c.runAndReadAll("SELECT 42 AS answer")).then((r) => console.log(JSON.stringify(r.getRowObjectsJson())));
        `,
            ],
            { cwd: directory, env: { ...process.env, NODE_PATH: "" } },
        ).toString();
        expect(JSON.parse(output)).to.deep.equal([{ answer: 42 }]);
        expect(fs.readFileSync(path.join(directory, "index.js"), "utf8")).to.contain("@duckdb/node-api");
        // The bundle itself loads (settings, SDK clients, DuckDB from its node_modules) and answers S3's test event.
        const answer = execFileSync(
            process.execPath,
            [
                "-e",
                `
            require("./index.js").events({ Records: [{ messageId: "m-1", body: JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" }) }] })
                .then((result) => console.log(JSON.stringify(result)));
        `,
            ],
            { cwd: directory, env: { PATH: process.env.PATH, HOME: "/tmp", AWS_REGION: "ap-northeast-1", DEDUP_TABLE: "t" } },
        ).toString();
        // The test event is logged (one JSON line) and consumed; the answer is the last line.
        const lines = answer.trim().split("\n");
        expect(JSON.parse(lines.at(-1)!)).to.deep.equal({ batchItemFailures: [] });
        expect(lines.slice(0, -1).join("\n")).to.contain("skipped: s3:TestEvent");
    });

    it("the scheduled evaluator may query only its workgroup and read only normalised files and results; no wildcard actions", () => {
        const policy = json(get("aws:iam/rolePolicy:RolePolicy", "alerts-schedule-role-policy").policy);
        const byId = Object.fromEntries(policy.Statement.map((statement: PolicyStatementJson) => [statement.Sid, statement]));
        expect(byId.RunQueries.Resource).to.equal(`arn:aws:athena:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:workgroup/cloudtrail-lake-prod`);
        expect(byId.ReadNormalised.Resource).to.equal("arn:aws:s3:::lake-0123456789abcdef/normalised/*");
        // The reference table some correlations join (AWS's IP ranges), and nothing else of the lake.
        expect(byId.ReadReferenceTables.Resource).to.equal("arn:aws:s3:::lake-0123456789abcdef/reference/*");
        expect(byId.PublishToAlertTopic.Resource).to.equal(mockArn("aws:sns/topic:Topic", "alerts-topic"));
        expect(byId.PutAlertEvents.Resource).to.equal(`arn:aws:events:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:event-bus/security`);
        const events = json(get("aws:iam/rolePolicy:RolePolicy", "alerts-events-role-policy").policy);
        expect(events.Statement.map((statement: PolicyStatementJson) => statement.Sid)).to.deep.equal([
            "ReadNormalised",
            "DecryptLake",
            "ConsumeQueue",
            "Dedup",
            "PublishToAlertTopic",
            "UseAlertTopicKey",
            "PutAlertEvents",
            "WriteOwnLogs",
        ]);
        for (const statement of [...policy.Statement, ...events.Statement]) {
            for (const action of [statement.Action].flat()) expect(action, statement.Sid).to.not.match(/\*$/);
        }
    });

    it("declares cloudtrail_recent over normalised/ with the JSON SerDe, the Parquet table's columns and projection", () => {
        const recent = get("aws:glue/catalogTable:CatalogTable", "alerts-recent-table");
        const parquet = get("aws:glue/catalogTable:CatalogTable", "catalog-cloudtrail");
        expect(recent.name).to.equal("cloudtrail_recent");
        expect(recent.storageDescriptor.location).to.equal("s3://lake-0123456789abcdef/normalised/");
        expect(recent.storageDescriptor.serDeInfo.serializationLibrary).to.equal("org.openx.data.jsonserde.JsonSerDe");
        expect(recent.storageDescriptor.columns).to.deep.equal(parquet.storageDescriptor.columns);
        expect(recent.partitionKeys).to.deep.equal(parquet.partitionKeys);
        expect(recent.parameters["storage.location.template"]).to.equal(
            "s3://lake-0123456789abcdef/normalised/account=${account}/region=${region}/date=${date}/",
        );
        for (const key of ["projection.account.values", "projection.region.values", "projection.date.range"])
            expect(recent.parameters[key], key).to.equal(parquet.parameters[key]);
    });

    it("refuses a suppression naming a detection that does not exist", async () => {
        const error = await declareMockStack({
            "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }],
            "cloudtrail-lake:alerts": {},
            "cloudtrail-lake:suppressions": [{ detection: "no-such-detection", account: "111122223333", reason: "typo test" }],
        }).catch((caught) => caught);
        expect(String(error?.message)).to.contain('cloudtrail-lake:suppressions[0].detection = "no-such-detection": no such detection in queries/ (a typo?)');
    });
});
