import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { DeclaredResource, findResource, recordDeclarations } from "../testing/mockProgram";

const TOPIC = "arn:aws:sns:ap-northeast-1:999999999999:ops";

/** Declares one QueueFedFunction alone; the module is imported once the mocks are installed. */
async function declare(name: string, extra: Record<string, unknown> = {}, formerParent = false): Promise<DeclaredResource[]> {
    const { QueueFedFunction } = await import("../components/queueFedFunction");
    return recordDeclarations((opts) => {
        const owner = new pulumi.ComponentResource("test:index:Owner", `${name}-owner`, {}, opts);
        return new QueueFedFunction(
            name,
            {
                centralAccountId: "999999999999",
                description: "test function",
                runtime: "nodejs22.x",
                architecture: "arm64",
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});") }),
                memoryMb: 256,
                timeoutSeconds: 30,
                maxReceiveCount: 3,
                batchSize: 7,
                rolePolicy: ({ queueArn, logGroupArn }) => pulumi.all([queueArn, logGroupArn]).apply(([queue, logs]) => JSON.stringify({ queue, logs })),
                deadLetterAlarmDescription: "test: messages wait in the dead-letter queue",
                alarmTopicArn: TOPIC,
                ...(formerParent ? { formerParent: owner } : {}),
                ...extra,
            },
            { parent: owner },
        );
    });
}

describe("QueueFedFunction", () => {
    let resources: DeclaredResource[];
    const get = (type: string, name: string) => findResource(resources, type, name);

    before(async () => {
        resources = await declare("worker", { logRetentionDays: 30 });
    });

    it("redrives a message to its dead-letter queue after maxReceiveCount receives, and hides it six function timeouts meanwhile", () => {
        const queue = get("aws:sqs/queue:Queue", "worker-queue").inputs;
        const deadLetters = get("aws:sqs/queue:Queue", "worker-dlq").outputs;
        expect(JSON.parse(queue.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 3 });
        expect(queue.visibilityTimeoutSeconds).to.equal(180);
        expect(queue.sqsManagedSseEnabled).to.equal(true);
        expect(deadLetters.sqsManagedSseEnabled).to.equal(true);
    });

    it("alarms the topic while the dead-letter queue holds a message", () => {
        const alarm = get("aws:cloudwatch/metricAlarm:MetricAlarm", "worker-dlq-not-empty").inputs;
        expect(alarm).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", alarmActions: [TOPIC] });
        expect(alarm.dimensions).to.deep.equal({ QueueName: "worker-dlq" });
    });

    it("feeds the function in batches, reporting partial batch failures, once its role may read the queue", () => {
        const trigger = get("aws:lambda/eventSourceMapping:EventSourceMapping", "worker-trigger");
        const fn = get("aws:lambda/function:Function", "worker-function");
        expect(trigger.inputs).to.deep.include({ batchSize: 7, functionResponseTypes: ["ReportBatchItemFailures"], functionName: fn.outputs.arn });
        const rolePolicy = get("aws:iam/rolePolicy:RolePolicy", "worker-role-policy");
        expect(trigger.dependencies).to.include(rolePolicy.urn);
        expect(fn.dependencies).to.include(rolePolicy.urn);
    });

    it("gives the role's policy its own queue and log group, and keeps its logs the days asked", () => {
        const policy = JSON.parse(get("aws:iam/rolePolicy:RolePolicy", "worker-role-policy").inputs.policy);
        expect(policy).to.deep.equal({
            queue: get("aws:sqs/queue:Queue", "worker-queue").outputs.arn,
            logs: get("aws:cloudwatch/logGroup:LogGroup", "worker-logs").outputs.arn,
        });
        expect(get("aws:cloudwatch/logGroup:LogGroup", "worker-logs").inputs.retentionInDays).to.equal(30);
        expect(get("aws:lambda/function:Function", "worker-function").inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: "worker-logs" });
    });

    it("is the parent of every child, which carries no alias unless it had another parent before", () => {
        const component = get("cloudtrail-lake:index:QueueFedFunction", "worker");
        const children = resources.filter((resource) => resource.parent === component.urn);
        expect(children.map((child) => child.name).sort()).to.deep.equal(
            [
                "worker-dlq",
                "worker-dlq-not-empty",
                "worker-function",
                "worker-logs",
                "worker-queue",
                "worker-role",
                "worker-role-policy",
                "worker-trigger",
            ].sort(),
        );
        for (const child of children) expect(child.aliases, child.name).to.deep.equal([]);
    });

    it("aliases every child to its former parent, under the names it had there", async () => {
        const moved = await declare("moved", { childNames: { function: "moved-events", queue: "legacy-queue" } }, true);
        const owner = findResource(moved, "test:index:Owner", "moved-owner");
        const component = findResource(moved, "cloudtrail-lake:index:QueueFedFunction", "moved");
        const children = moved.filter((resource) => resource.parent === component.urn);
        expect(children.map((child) => child.name)).to.include.members(["moved-events", "legacy-queue", "moved-dlq"]);
        for (const child of children) expect(child.aliases, child.name).to.deep.equal([{ parent: owner.urn }]);
    });

    it("writes into a shared log group instead of its own, and refuses a retention it could not apply", async () => {
        const shared = await declare("shared", { logGroup: { name: "alerts-logs", arn: "arn:aws:logs:ap-northeast-1:999999999999:log-group:alerts-logs" } });
        expect(shared.filter((resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup")).to.deep.equal([]);
        expect(findResource(shared, "aws:lambda/function:Function", "shared-function").inputs.loggingConfig.logGroup).to.equal("alerts-logs");
        let refusal: unknown;
        try {
            await declare("both", {
                logGroup: { name: "alerts-logs", arn: "arn:aws:logs:ap-northeast-1:999999999999:log-group:alerts-logs" },
                logRetentionDays: 7,
            });
        } catch (error) {
            refusal = error;
        }
        expect(String(refusal)).to.match(/both: logRetentionDays applies to the function's own log group/);
    });
});
