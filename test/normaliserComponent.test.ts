import { expect } from "chai";
import { pathToFileURL } from "node:url";
import { normaliserRolePolicy, notificationQueuePolicy } from "../components/iam/servicePolicies";
import { declareMockStack, DeclaredResource, findResource, MOCK_CENTRAL_ACCOUNT_ID } from "../testing/mockProgram";

const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

describe("Normaliser component", () => {
    let resources: DeclaredResource[];
    const get = (type: string, name: string) => findResource(resources, type, name).inputs;

    before(async () => {
        resources = await declareMockStack({
            "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }],
            "cloudtrail-lake:normaliser": {
                memoryMb: 2048,
                timeoutSeconds: 120,
                maxReceiveCount: 4,
                alarmTopicArn: "arn:aws:sns:ap-northeast-1:999999999999:security-alerts",
            },
        });
    });

    it("runs the bundled handler on Node.js 22 on arm64 with the configured memory and timeout", () => {
        const fn = get("aws:lambda/function:Function", "normaliser-function");
        expect(fn).to.deep.include({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", memorySize: 2048, timeout: 120 });
        expect(fn.environment.variables.LAKE_BUCKET).to.equal("lake-0123456789abcdef");
        expect(fn.code.path ?? fn.code).to.not.equal(undefined);
    });

    it("is notified of new .json.gz objects under AWSLogs/ of the archive, through the queue", () => {
        const notification = get("aws:s3/bucketNotification:BucketNotification", "normaliser-archive-notification");
        expect(notification.bucket).to.equal("archive-0123456789abcdef");
        expect(notification.queues).to.have.length(1);
        expect(notification.queues[0]).to.deep.include({ events: ["s3:ObjectCreated:*"], filterPrefix: "AWSLogs/", filterSuffix: ".json.gz" });
        const policy = findResource(resources, "aws:sqs/queuePolicy:QueuePolicy", "normaliser-queue-policy");
        expect(findResource(resources, "aws:s3/bucketNotification:BucketNotification", "normaliser-archive-notification").dependencies).to.include(policy.urn);
    });

    it("lets only the archive bucket of the central account send to the queue", () => {
        const queueArn = "arn:aws:mock:ap-northeast-1:999999999999:aws:sqs/queue:Queue/normaliser-queue";
        expect(json(get("aws:sqs/queuePolicy:QueuePolicy", "normaliser-queue-policy").policy)).to.deep.equal(
            notificationQueuePolicy({
                queueArn,
                archiveBucketArn: "arn:aws:s3:::archive-0123456789abcdef",
                centralAccountId: MOCK_CENTRAL_ACCOUNT_ID,
            }),
        );
    });

    it("moves a message to the encrypted dead-letter queue after the configured receives, and waits six timeouts before redelivery", () => {
        const queue = get("aws:sqs/queue:Queue", "normaliser-queue");
        expect(queue.sqsManagedSseEnabled).to.equal(true);
        expect(queue.visibilityTimeoutSeconds).to.equal(720);
        expect(json(queue.redrivePolicy)).to.deep.equal({
            deadLetterTargetArn: "arn:aws:mock:ap-northeast-1:999999999999:aws:sqs/queue:Queue/normaliser-dlq",
            maxReceiveCount: 4,
        });
        expect(get("aws:sqs/queue:Queue", "normaliser-dlq").sqsManagedSseEnabled).to.equal(true);
    });

    it("reports partial batch failures, so one bad file does not retry its batch-mates", () => {
        expect(get("aws:lambda/eventSourceMapping:EventSourceMapping", "normaliser-trigger").functionResponseTypes).to.deep.equal(["ReportBatchItemFailures"]);
    });

    it("has a least-privilege role: read AWSLogs/, write normalised/, the key, its queue, its logs", () => {
        const policy = json(get("aws:iam/rolePolicy:RolePolicy", "normaliser-role-policy").policy);
        expect(policy).to.deep.equal(
            normaliserRolePolicy({
                region: "ap-northeast-1",
                archiveBucketArn: "arn:aws:s3:::archive-0123456789abcdef",
                lakeBucketArn: "arn:aws:s3:::lake-0123456789abcdef",
                keyArn: "arn:aws:kms:ap-northeast-1:999999999999:key/archive-key-key-id",
                queueArn: "arn:aws:mock:ap-northeast-1:999999999999:aws:sqs/queue:Queue/normaliser-queue",
                logGroupArn: "arn:aws:mock:ap-northeast-1:999999999999:aws:cloudwatch/logGroup:LogGroup/normaliser-logs",
            }),
        );
        const actions = policy.Statement.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
        expect(actions).to.not.include.members(["s3:DeleteObject", "s3:PutObject*", "s3:*", "*"]);
        expect(policy.Statement.find((statement: { Sid: string }) => statement.Sid === "WriteNormalised").Resource).to.equal(
            "arn:aws:s3:::lake-0123456789abcdef/normalised/*",
        );
    });

    it("keeps its logs for the configured days and alarms the topic while the dead-letter queue is not empty", () => {
        expect(get("aws:cloudwatch/logGroup:LogGroup", "normaliser-logs").retentionInDays).to.equal(90);
        expect(get("aws:cloudwatch/metricAlarm:MetricAlarm", "normaliser-dlq-not-empty")).to.deep.include({
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            alarmActions: ["arn:aws:sns:ap-northeast-1:999999999999:security-alerts"],
        });
    });

    it("bundles a handler that loads and exports `handler`", async () => {
        const { bundleNormaliser } = await import("../components/normaliser/bundle");
        // The bundle is CommonJS, as Lambda loads it (tsx compiles this import() to a require(): `bundled` is its module.exports).
        const bundled = await import(pathToFileURL(`${bundleNormaliser()}/index.js`).href);
        expect(bundled.handler).to.be.a("function");
    });
});
