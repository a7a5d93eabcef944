import { expect } from "chai";
import { NORMALISER_EPHEMERAL_STORAGE_MB } from "../components/normaliser/normaliserFunction";
import { METRICS_NAMESPACE, SERVICE_NAME, SUSPICIOUS_METRIC } from "../contract/suspicious";
import { declareMockStack, findResource } from "../testing/mockProgram";

describe("Normaliser component: sizing and the suspicious-file alarm", () => {
    const topic = "arn:aws:sns:ap-northeast-1:999999999999:security-alerts";
    let get: (type: string, name: string) => Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    before(async () => {
        const resources = await declareMockStack({
            "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }],
            "cloudtrail-lake:normaliser": { alarmTopicArn: topic },
        });
        get = (type, name) => findResource(resources, type, name).inputs;
    });

    it("gives the Lambda the archive key to check files against, 2 GB of memory and /tmp, and batches of 5", () => {
        const fn = get("aws:lambda/function:Function", "normaliser-function");
        expect(fn.memorySize).to.equal(2048);
        expect(fn.ephemeralStorage).to.deep.equal({ size: NORMALISER_EPHEMERAL_STORAGE_MB });
        expect(fn.environment.variables.ARCHIVE_KEY_ARN).to.match(/^arn:aws/);
        expect(fn.environment.variables.POWERTOOLS_SERVICE_NAME).to.equal(SERVICE_NAME);
        expect(get("aws:lambda/eventSourceMapping:EventSourceMapping", "normaliser-trigger").batchSize).to.equal(5);
    });

    it("alarms to the topic on the first suspicious archive file the handler counts", () => {
        expect(get("aws:cloudwatch/metricAlarm:MetricAlarm", "normaliser-suspicious-file")).to.deep.include({
            namespace: METRICS_NAMESPACE,
            metricName: SUSPICIOUS_METRIC,
            dimensions: { service: SERVICE_NAME },
            statistic: "Sum",
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
        });
    });
});
