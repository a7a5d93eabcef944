import { lintResourcePolicy, validateIdentityPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { expect } from "chai";
import * as path from "node:path";
import { archiveBucketPolicy, archiveKeyPolicy, KMS_KEY_POLICY_MAX_BYTES, S3_BUCKET_POLICY_MAX_BYTES } from "../components/archive/archivePolicies";
import { policySize } from "../components/iam/policyDocument";
import { flowLogTable } from "../components/flowlogs/flowLogTable";
import { ConfigError, parseLakeConfig } from "../config/stackConfig";
import { flowLogTargets } from "../config/flowLogs";
import { FLOW_LOG_FORMAT } from "../contract/sources/flowLogs";
import { policyDocumentProblems } from "../policy-pack/policyDocuments";
import { collectPolicyDocuments, runPolicies } from "../testing/policyHarness";
import { declareMockStack, DeclaredResource, readStackFile } from "../testing/mockProgram";
import { evaluate, Request } from "./policyEvaluator";

const region = "ap-northeast-1";
const trailName = "cloudtrail-lake";
const central = "999999999999";
const deployer = `arn:aws:iam::${central}:role/platform/PulumiDeployer`;
const admin = `arn:aws:iam::${central}:role/Administrator`;
const listed = ["111122223333", "444455556666"];
const bucketName = "archive-bucket";
const flowLogs = { accountIds: ["111122223333"], regions: [region, "eu-west-1"] };

const delivery = (account: string, sourceRegion = region) => ({
    "aws:SourceAccount": account,
    "aws:SourceArn": `arn:aws:logs:${sourceRegion}:${account}:*`,
    "s3:x-amz-acl": "bucket-owner-full-control",
});
const flowKey = (account: string) =>
    `flow-logs/AWSLogs/aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/year=2026/month=11/day=25/hour=10/${account}_vpcflowlogs_${region}_fl-0_20261125T1000Z_h.log.parquet`;
const onObject = (who: Request["principal"], key: string, context: Request["context"] = {}): Request => ({
    principal: who,
    action: "s3:PutObject",
    resource: `arn:aws:s3:::${bucketName}/${key}`,
    context: { "aws:SecureTransport": true, ...context },
});
const logDelivery = { service: "delivery.logs.amazonaws.com" };
const bucketPolicy = (organization?: { id: string; managementAccountId: string }) =>
    archiveBucketPolicy({ partition: "aws", region, deployPrincipalArn: deployer, accountIds: listed, trailName, bucketName, organization, flowLogs });

describe("flow-log delivery into the archive: bucket and key policies", () => {
    for (const mode of ["per-account", "organization"] as const) {
        const organization = mode === "organization" ? { id: "o-a1b2c3d4e5", managementAccountId: "123456789012" } : undefined;
        it(`${mode}: lets log delivery of a flow-log account write only under its own aws-account-id= prefix, with the owner's ACL`, () => {
            const policy = bucketPolicy(organization);
            expect(evaluate(policy, onObject(logDelivery, flowKey("111122223333"), delivery("111122223333")))).to.equal("Allow");
            expect(evaluate(policy, onObject(logDelivery, flowKey("111122223333"), delivery("111122223333", "eu-west-1")))).to.equal("Allow");
            // Another account's prefix, a region not configured, no ACL, CloudTrail's prefix: denied.
            expect(evaluate(policy, onObject(logDelivery, flowKey("444455556666"), delivery("111122223333")))).to.equal("Deny");
            expect(evaluate(policy, onObject(logDelivery, flowKey("111122223333"), delivery("111122223333", "us-west-2")))).to.equal("Deny");
            const withoutAcl: Request["context"] = { ...delivery("111122223333") };
            delete withoutAcl["s3:x-amz-acl"];
            expect(evaluate(policy, onObject(logDelivery, flowKey("111122223333"), withoutAcl))).to.equal("Deny");
            expect(
                evaluate(policy, onObject(logDelivery, `AWSLogs/111122223333/CloudTrail/${region}/2026/11/25/x.json.gz`, delivery("111122223333"))),
            ).to.equal("Deny");
        });

        it(`${mode}: lets nobody else write under flow-logs/: administrators, the deployer, CloudTrail`, () => {
            const policy = bucketPolicy(organization);
            for (const who of [admin, deployer, `arn:aws:iam::${central}:root`]) {
                expect(evaluate(policy, onObject({ aws: who }, flowKey("111122223333"))), who).to.equal("Deny");
            }
            const trail = {
                "aws:SourceAccount": "111122223333",
                "aws:SourceArn": `arn:aws:cloudtrail:${region}:111122223333:trail/${trailName}`,
                "s3:x-amz-acl": "bucket-owner-full-control",
            };
            expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, flowKey("111122223333"), trail))).to.equal("Deny");
        });
    }

    it("does not change CloudTrail's own grant: a member trail still writes its prefix, log delivery may not", () => {
        const policy = bucketPolicy();
        const trail = {
            "aws:SourceAccount": "444455556666",
            "aws:SourceArn": `arn:aws:cloudtrail:${region}:444455556666:trail/${trailName}`,
            "s3:x-amz-acl": "bucket-owner-full-control",
        };
        const logKey = `AWSLogs/444455556666/CloudTrail/${region}/2026/11/25/444455556666_CloudTrail_${region}_x.json.gz`;
        expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, logKey, trail))).to.equal("Allow");
        expect(evaluate(policy, onObject(logDelivery, logKey, delivery("444455556666")))).to.equal("Deny");
    });

    it("lets log delivery use the archive key for flow-log objects only", () => {
        const policy = archiveKeyPolicy({
            partition: "aws",
            region,
            accountIds: listed,
            trailName,
            centralAccountId: central,
            deployPrincipalArn: deployer,
            flowLogs,
        });
        const keyRequest = (key: string): Request => ({
            principal: logDelivery,
            action: "kms:GenerateDataKey",
            resource: `arn:aws:kms:${region}:${central}:key/k`,
            context: { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucketName}/${key}`, "aws:SourceArn": `arn:aws:logs:${region}:111122223333:*` },
        });
        expect(evaluate(policy, keyRequest(flowKey("111122223333")))).to.equal("Allow");
        expect(evaluate(policy, keyRequest("AWSLogs/111122223333/CloudTrail/x.json.gz"))).to.equal("Deny");
    });

    it("stays under S3's 20 KB and KMS's 32 KB at 1,000 accounts that all deliver flow logs from three regions", () => {
        const accounts = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i * 7919));
        const grant = { accountIds: accounts, regions: ["us-east-1", "eu-west-1", region] };
        const args = {
            partition: "aws",
            region,
            deployPrincipalArn: deployer,
            accountIds: accounts,
            trailName,
            breakGlassRoleArn: `arn:aws:iam::${central}:role/BreakGlass`,
        };
        expect(policySize(archiveBucketPolicy({ ...args, bucketName: "a".repeat(63), flowLogs: grant }))).to.be.below(S3_BUCKET_POLICY_MAX_BYTES * 0.9);
        expect(policySize(archiveKeyPolicy({ ...args, centralAccountId: central, flowLogs: grant }))).to.be.below(KMS_KEY_POLICY_MAX_BYTES * 0.9);
        // In organization mode the flow-log accounts need their own list (there is no member-trail list to join): 18.7 KB, it fits.
        const organization = { id: "o-a1b2c3d4e5", managementAccountId: "123456789012" };
        expect(policySize(archiveBucketPolicy({ ...args, bucketName: "a".repeat(63), flowLogs: grant, organization }))).to.be.below(
            S3_BUCKET_POLICY_MAX_BYTES * 0.95,
        );
    });
});

describe("flow-log stack config", () => {
    const base = { accounts: [{ id: "111122223333", name: "security" }] };
    const problemsOf = (values: Record<string, unknown>) => {
        try {
            parseLakeConfig(values);
            return [];
        } catch (error) {
            return (error as ConfigError).problems;
        }
    };

    it("accepts VPCs of listed accounts, in the stack's region or a named one, with 600 s by default", () => {
        const config = parseLakeConfig({ ...base, flowLogs: { vpcIds: { "111122223333": ["vpc-0a1b2c3d4e5f67890", "eu-west-1:vpc-1234abcd"] } } });
        expect(config.flowLogs?.aggregationIntervalSeconds).to.equal(600);
        expect(flowLogTargets(config.flowLogs!, region)).to.deep.equal([
            { accountId: "111122223333", region: region, vpcId: "vpc-0a1b2c3d4e5f67890" },
            { accountId: "111122223333", region: "eu-west-1", vpcId: "vpc-1234abcd" },
        ]);
    });

    it("names the key of every mistake: an unlisted account, a malformed VPC id, an interval EC2 refuses, VPCs in existing mode", () => {
        expect(problemsOf({ ...base, flowLogs: { vpcIds: { "444455556666": ["vpc-0a1b2c3d4e5f67890"] } } })).to.deep.equal([
            "cloudtrail-lake:flowLogs.vpcIds.444455556666: account 444455556666 is not in cloudtrail-lake:accounts; flow logs are created only in listed accounts (the archive admits only their deliveries): add the account, or remove its VPCs",
        ]);
        expect(problemsOf({ ...base, flowLogs: { vpcIds: { "111122223333": ["vpc-XYZ"] } } })[0]).to.match(
            /^cloudtrail-lake:flowLogs\.vpcIds\.111122223333\[0\] = "vpc-XYZ": must be a VPC id/,
        );
        expect(problemsOf({ ...base, flowLogs: { vpcIds: { "111122223333": ["vpc-1234abcd"] }, aggregationIntervalSeconds: 300 } })).to.deep.equal([
            "cloudtrail-lake:flowLogs.aggregationIntervalSeconds = 300: must be 60 or 600 (the only values EC2 accepts)",
        ]);
        expect(problemsOf({ ...base, flowLogs: { vpcIds: { "111122223333": ["vpc-1234abcd"] }, interval: 60 } })[0]).to.match(
            /^cloudtrail-lake:flowLogs\.interval: unknown key \(a typo\?\); allowed here: vpcIds, aggregationIntervalSeconds, existingLocation$/,
        );
        const existing = problemsOf({
            ...base,
            trailMode: "existing",
            existingArchive: { bucketName: "aws-controltower-logs-123456789012-ap-northeast-1" },
            flowLogs: { vpcIds: { "111122223333": ["vpc-1234abcd"] } },
        });
        expect(existing).to.deep.equal([
            "cloudtrail-lake:flowLogs.vpcIds is set but trailMode is existing: this stack has no archive bucket to deliver flow logs to; point flowLogs.existingLocation at the bucket your flow logs already land in",
        ]);
    });
});

describe("flow logs in the declared stack", () => {
    const prod = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
    const withFlowLogs = (overrides: Record<string, unknown> = {}) =>
        Object.fromEntries(
            Object.entries({
                ...prod,
                "cloudtrail-lake:flowLogs": { vpcIds: { "444455556666": ["vpc-0a1b2c3d4e5f67890", "eu-west-1:vpc-0fedcba9876543210"] } },
                ...overrides,
            }).filter(([key]) => key.startsWith("cloudtrail-lake:")),
        );
    let resources: DeclaredResource[];
    before(async () => {
        resources = await declareMockStack(withFlowLogs());
    });

    it("creates one flow log per VPC in its account and region: all traffic, every field, hourly Hive-compatible Parquet under flow-logs/", () => {
        const flowLogs = resources.filter((resource) => resource.type === "aws:ec2/flowLog:FlowLog");
        expect(flowLogs.map((resource) => resource.inputs.vpcId).sort()).to.deep.equal(["vpc-0a1b2c3d4e5f67890", "vpc-0fedcba9876543210"]);
        for (const flowLog of flowLogs) {
            expect(flowLog.inputs.trafficType).to.equal("ALL");
            expect(flowLog.inputs.logDestinationType).to.equal("s3");
            expect(String(flowLog.inputs.logDestination)).to.match(/^arn:aws:s3:::.+\/flow-logs\/$/);
            expect(flowLog.inputs.logFormat).to.equal(FLOW_LOG_FORMAT);
            expect(flowLog.inputs.maxAggregationInterval).to.equal(600);
            expect(flowLog.inputs.destinationOptions).to.deep.equal({ fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true });
            expect(flowLog.dependencies.length, "waits for the bucket and key policies").to.be.greaterThan(0);
        }
        const providers = resources.filter((resource) => resource.type === "pulumi:providers:aws" && resource.name.startsWith("flow-logs-"));
        expect(providers.map((provider) => [provider.inputs.region, JSON.parse(String(provider.inputs.allowedAccountIds ?? "[]"))]).sort()).to.deep.equal([
            ["ap-northeast-1", ["444455556666"]],
            ["eu-west-1", ["444455556666"]],
        ]);
    });

    it("declares the flow_logs table projected over the delivered layout, and the hunting queries", () => {
        const table = resources.find((resource) => resource.type === "aws:glue/catalogTable:CatalogTable" && resource.inputs.name === "flow_logs");
        const parameters = table!.inputs.parameters as Record<string, string>;
        expect(parameters["storage.location.template"]).to.match(
            /^s3:\/\/.+\/flow-logs\/AWSLogs\/aws-account-id=\$\{aws_account_id\}\/aws-service=vpcflowlogs\/aws-region=\$\{aws_region\}\/year=\$\{year\}\/month=\$\{month\}\/day=\$\{day\}\/hour=\$\{hour\}$/,
        );
        expect(parameters["projection.aws_account_id.values"]).to.equal("444455556666");
        expect(parameters["projection.aws_region.values"]).to.equal("ap-northeast-1,eu-west-1");
        const queries = resources.filter((resource) => resource.type === "aws:athena/namedQuery:NamedQuery").map((resource) => resource.inputs.name);
        expect(queries).to.include.members([
            "flow-top-talkers",
            "flow-rejected-by-port-and-source",
            "flow-traffic-over-time",
            "flow-bytes-out-per-external-address",
        ]);
        expect(queries).to.include.members(["flow-port-scan", "flow-security-group-opened-then-used"]);
    });

    it("every policy document of a stack with flow logs, per-account and organization mode, passes AWS's grammar, the lint and the pack's check", async () => {
        const organization = {
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": { id: "o-a1b2c3d4e5", managementAccountId: "123456789012", roleName: "TrailDeployer" },
        };
        for (const declared of [resources, await declareMockStack(withFlowLogs(organization))]) {
            const documents = collectPolicyDocuments(declared);
            for (const document of documents) {
                const check = document.kind === "identity" ? validateIdentityPolicy : document.kind === "trust" ? undefined : validateResourcePolicy;
                const errors = [
                    ...(check ? check(document.document) : []),
                    ...(document.kind === "resource" || document.kind === "key" ? lintResourcePolicy(document.document) : []),
                ];
                expect(errors, `${document.name}.${document.property}`).to.deep.equal([]);
                expect(await policyDocumentProblems(document.document, document.kind), `${document.name}.${document.property}`).to.deep.equal([]);
            }
        }
    });

    it("the policy pack finds no violation in a stack with flow logs (the archive stays pinned and tamper-proof)", async () => {
        expect(await runPolicies(resources)).to.deep.equal([]);
    });

    it("grants the scheduled alert evaluator read access to flow_logs, so flow-log detections alert like any other", () => {
        const policies = collectPolicyDocuments(resources).filter((document) => document.name.startsWith("flow-log-catalog-reader"));
        expect(policies).to.have.length(1);
        const statements = (policies[0].document as { Statement: { Sid: string; Resource: string | string[] }[] }).Statement;
        expect(statements.map((statement) => statement.Sid)).to.deep.equal(["ReadFlowLogTable", "ListFlowLogs", "LocateFlowLogBucket", "ReadFlowLogs"]);
        expect(String(statements[3].Resource)).to.match(/^arn:aws:s3:::.+\/flow-logs\/AWSLogs\/\*$/);
    });

    it("adopts flow logs that land elsewhere: the table reads them there, and no flow log or grant is created", async () => {
        const adopted = await declareMockStack(
            withFlowLogs({
                "cloudtrail-lake:flowLogs": { existingLocation: { bucketName: "aws-controltower-logs-123456789012-ap-northeast-1", prefix: "vpc/" } },
            }),
        );
        expect(adopted.filter((resource) => resource.type === "aws:ec2/flowLog:FlowLog")).to.deep.equal([]);
        const table = adopted.find((resource) => resource.type === "aws:glue/catalogTable:CatalogTable" && resource.inputs.name === "flow_logs");
        expect((table!.inputs.parameters as Record<string, string>)["storage.location.template"]).to.match(
            /^s3:\/\/aws-controltower-logs-123456789012-ap-northeast-1\/vpc\/AWSLogs\/aws-account-id=/,
        );
        const bucketPolicies = collectPolicyDocuments(adopted).filter((document) => document.type.includes("bucketPolicy"));
        expect(JSON.stringify(bucketPolicies.map((document) => document.document))).not.to.include("delivery.logs.amazonaws.com");
    });

    it("table definition: AWS's Parquet columns, partition keys named after the Hive keys", () => {
        const table = flowLogTable({ bucketName: "b", accountIds: ["1"], regions: ["r"], firstYear: 2024 });
        expect(table.columns.slice(0, 3)).to.deep.equal([
            { name: "version", type: "int" },
            { name: "account_id", type: "string" },
            { name: "interface_id", type: "string" },
        ]);
        expect(table.partitionKeys.map((key) => key.name)).to.deep.equal(["aws_account_id", "aws_region", "year", "month", "day", "hour"]);
        expect(table.parameters["projection.month.digits"]).to.equal("2");
    });
});
