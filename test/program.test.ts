import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as path from "node:path";
import { ConfigError } from "../config/stackConfig";
import { archiveBucketPolicy } from "../components/archive/archivePolicies";
import {
    declareMockStack,
    DeclaredResource,
    findResource,
    installMocks,
    MOCK_CENTRAL_ACCOUNT_ID,
    readStackFile,
    recordDeclarations,
    setStackConfig,
} from "../testing/mockProgram";
import { declareStackFromPulumiConfig, StackOutputs } from "../program";

const prodConfig = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
const prodAccounts = (prodConfig["cloudtrail-lake:accounts"] as { id: string }[]).map((account) => account.id);

const ofType = (resources: DeclaredResource[], type: string) => resources.filter((resource) => resource.type === type);
const named = findResource;
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
const declareWith = declareMockStack;

describe("the program with Pulumi.prod.yaml", () => {
    let resources: DeclaredResource[];
    let outputs: Record<string, unknown>;

    before(async () => {
        await installMocks();
        setStackConfig(prodConfig);
        let declared: StackOutputs | undefined;
        resources = await recordDeclarations((opts) => (declared = declareStackFromPulumiConfig(opts).outputs));
        outputs = {};
        for (const [key, output] of Object.entries(declared!)) outputs[key] = output && (await new Promise((resolve) => output.apply(resolve)));
    });

    it("locks the archive: Object Lock on, COMPLIANCE for 365 days, versioning on, kept when the stack is destroyed", () => {
        const bucket = named(resources, "aws:s3/bucket:Bucket", "archive");
        expect(bucket.inputs.objectLockEnabled).to.equal(true);
        expect(bucket.inputs.forceDestroy).to.equal(false);
        expect(bucket.retainOnDelete).to.equal(true);
        const lock = named(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "archive-object-lock");
        expect(lock.inputs.rule).to.deep.equal({ defaultRetention: { mode: "COMPLIANCE", days: 365 } });
        expect(lock.retainOnDelete).to.equal(true);
        expect(named(resources, "aws:s3/bucketVersioning:BucketVersioning", "archive-versioning").inputs.versioningConfiguration).to.deep.equal({
            status: "Enabled",
        });
        expect(named(resources, "aws:kms/key:Key", "archive-key").retainOnDelete).to.equal(true);
    });

    it("has exactly the archive, lake and access-log buckets, each with all four public-access blocks and ACLs disabled", () => {
        expect(
            ofType(resources, "aws:s3/bucket:Bucket")
                .map((bucket) => bucket.name)
                .sort(),
        ).to.deep.equal(["archive", "archive-access-logs", "lake"]);
        for (const name of ["archive", "archive-access-logs", "lake"]) {
            expect(named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-public-access`).inputs).to.include({
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            expect(named(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${name}-ownership`).inputs.rule).to.deep.equal({
                objectOwnership: "BucketOwnerEnforced",
            });
            const policy = json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`).inputs.policy);
            expect(policy.Statement).to.deep.include({
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${name}-0123456789abcdef`, `arn:aws:s3:::${name}-0123456789abcdef/*`],
                Condition: { Bool: { "aws:SecureTransport": false } },
            });
        }
    });

    it("encrypts archive and lake with the rotating customer-managed key, access logs with SSE-S3 (S3 logging requires it)", () => {
        const key = named(resources, "aws:kms/key:Key", "archive-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        const keyArn = `arn:aws:kms:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:key/archive-key-key-id`;
        const encryption = (name: string) =>
            named(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-encryption`).inputs.rules[0];
        expect(encryption("archive").applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn });
        expect(encryption("lake").applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn });
        expect(encryption("archive-access-logs").applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "AES256" });
        expect(outputs.kmsKeyArn).to.equal(keyArn);
    });

    it("sends server access logs of both buckets to the access-log bucket", () => {
        for (const [name, prefix] of [
            ["archive", "archive/"],
            ["lake", "lake/"],
        ]) {
            expect(named(resources, "aws:s3/bucketLogging:BucketLogging", `${name}-server-access-logging`).inputs).to.deep.include({
                targetBucket: "archive-access-logs-0123456789abcdef",
                targetPrefix: prefix,
            });
        }
    });

    it("moves logs to colder storage after 90 days and never expires them by default", () => {
        const rules = named(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "archive-lifecycle").inputs.rules;
        expect(rules.map((rule: { id: string }) => rule.id)).to.deep.equal(["logs-to-cold-storage", "abort-incomplete-multipart-uploads"]);
        expect(rules[0].transitions).to.deep.equal([{ days: 90, storageClass: "GLACIER_IR" }]);
    });

    it("applies the pinned archive bucket policy for exactly the configured accounts", () => {
        const policy = json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy").inputs.policy);
        expect(policy).to.deep.equal(
            archiveBucketPolicy({
                partition: "aws",
                region: "ap-northeast-1",
                accountIds: prodAccounts,
                trailName: "cloudtrail-lake",
                bucketName: "archive-0123456789abcdef",
                deployPrincipalArn: `arn:aws:iam::${MOCK_CENTRAL_ACCOUNT_ID}:user/offline`,
            }),
        );
        const key = json(named(resources, "aws:kms/key:Key", "archive-key").inputs.policy);
        expect(key.Statement[1].Condition.StringEquals["aws:SourceAccount"]).to.deep.equal([...prodAccounts].sort());
    });

    it("creates one provider per account assuming the configured role, locked to that account", () => {
        const providers = ofType(resources, "pulumi:providers:aws");
        expect(providers.map((provider) => provider.name).sort()).to.deep.equal(prodAccounts.map((id) => `trail-${id}-provider`).sort());
        const role = (id: string) => json(named(resources, "pulumi:providers:aws", `trail-${id}-provider`).inputs.assumeRoles)[0].roleArn;
        expect(role("111122223333")).to.equal("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole");
        expect(role("777788889999")).to.equal("arn:aws:iam::777788889999:role/PlatformTrailDeployer");
        expect(json(named(resources, "pulumi:providers:aws", "trail-444455556666-provider").inputs.allowedAccountIds)).to.deep.equal(["444455556666"]);
    });

    it("creates one multi-region, validated, encrypted trail per account through its provider, after both policies", () => {
        const trails = ofType(resources, "aws:cloudtrail/trail:Trail");
        expect(trails).to.have.length(prodAccounts.length);
        const bucketPolicy = named(resources, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy");
        const key = named(resources, "aws:kms/key:Key", "archive-key");
        for (const id of prodAccounts) {
            const trail = named(resources, "aws:cloudtrail/trail:Trail", `trail-${id}`);
            const provider = named(resources, "pulumi:providers:aws", `trail-${id}-provider`);
            expect(trail.inputs).to.deep.include({
                name: "cloudtrail-lake",
                s3BucketName: "archive-0123456789abcdef",
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: `arn:aws:kms:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:key/archive-key-key-id`,
            });
            expect(trail.provider.startsWith(`${provider.urn}::`), "trail uses its account's provider").to.equal(true);
            expect(trail.dependencies).to.include.members([bucketPolicy.urn, key.urn]);
        }
    });

    it("uploads AWS's IP ranges to the lake and declares the aws_ip_ranges table over them, as the detections join it", () => {
        const object = named(resources, "aws:s3/bucketObjectv2:BucketObjectv2", "catalog-aws-ip-ranges");
        expect(object.inputs).to.include({ bucket: "lake-0123456789abcdef", key: "reference/aws_ip_ranges/aws-ip-ranges.csv", contentType: "text/csv" });
        const table = named(resources, "aws:glue/catalogTable:CatalogTable", "catalog-aws-ip-ranges");
        expect(table.inputs.name).to.equal("aws_ip_ranges");
        expect(table.inputs.storageDescriptor.location).to.equal("s3://lake-0123456789abcdef/reference/aws_ip_ranges/");
        expect(table.inputs.storageDescriptor.columns.map((column: { name: string }) => column.name)).to.deep.equal([
            "bucket",
            "first_key",
            "last_key",
            "prefix",
            "region",
            "network_border_group",
            "services",
        ]);
        expect(table.inputs.storageDescriptor.serDeInfo.parameters).to.deep.equal({ "field.delim": ",", "serialization.format": "," });
        expect(table.inputs.parameters).to.include({ "skip.header.line.count": "1" });
    });

    it("exports the bucket names, the key ARN and a trail ARN per account", () => {
        expect(outputs).to.include({ archiveBucketName: "archive-0123456789abcdef", lakeBucketName: "lake-0123456789abcdef" });
        expect(outputs.trailArns).to.deep.equal(
            Object.fromEntries(prodAccounts.map((id) => [id, `arn:aws:cloudtrail:ap-northeast-1:${id}:trail/cloudtrail-lake`])),
        );
    });

    it("keeps every protection of the retained archive and access-log buckets, and the key alias, when the stack is destroyed", () => {
        for (const bucket of ["archive", "archive-access-logs"]) {
            const protections = resources.filter((resource) => resource.custom && resource.parent.endsWith(`::${bucket}`));
            expect(protections.map((resource) => resource.type.split(":")[2]).sort(), bucket).to.include.members([
                "Bucket",
                "BucketOwnershipControls",
                "BucketPolicy",
                "BucketPublicAccessBlock",
                "BucketServerSideEncryptionConfiguration",
                "BucketVersioning",
            ]);
            for (const resource of protections) expect(resource.retainOnDelete, `${resource.type} ${resource.name}`).to.equal(true);
        }
        // The lake is derived data: it goes with the stack.
        expect(named(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "lake-public-access").retainOnDelete).to.equal(false);
        const alias = named(resources, "aws:kms/alias:Alias", "archive-key-alias");
        expect(alias.retainOnDelete).to.equal(true);
    });

    it("names the key alias after the stack, so two stacks can share an account and region", () => {
        expect(named(resources, "aws:kms/alias:Alias", "archive-key-alias").inputs.name).to.equal("alias/cloudtrail-lake-prod-archive");
    });

    it("alarms on any attempt on the archive key or the archive bucket's protections, through a topic only its rules may publish to", () => {
        const keyRule = named(resources, "aws:cloudwatch/eventRule:EventRule", "tamper-alarm-key");
        expect(json(keyRule.inputs.eventPattern)).to.deep.equal({
            "source": ["aws.kms"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                eventSource: ["kms.amazonaws.com"],
                eventName: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"],
                requestParameters: { keyId: ["archive-key-key-id", `arn:aws:kms:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:key/archive-key-key-id`] },
            },
        });
        const bucketRule = named(resources, "aws:cloudwatch/eventRule:EventRule", "tamper-alarm-bucket");
        expect(json(bucketRule.inputs.eventPattern).detail.requestParameters).to.deep.equal({ bucketName: ["archive-0123456789abcdef"] });
        const topic = named(resources, "aws:sns/topic:Topic", "tamper-alarm-topic");
        for (const target of ["tamper-alarm-key-target", "tamper-alarm-bucket-target"]) {
            expect(named(resources, "aws:cloudwatch/eventTarget:EventTarget", target).inputs.arn).to.equal(topic.outputs.arn);
        }
        const topicPolicy = json(named(resources, "aws:sns/topicPolicy:TopicPolicy", "tamper-alarm-topic-policy").inputs.policy);
        expect(topicPolicy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).to.have.length(2);
    });

    it("trusts Lambda and Glue only on behalf of the central account, with no Resource in any trust policy", () => {
        const roles = ofType(resources, "aws:iam/role:Role");
        // The normaliser, one Glue job per account, and the two alert functions (Pulumi.prod.yaml enables alerts).
        expect(roles).to.have.length(1 + prodAccounts.length + 2);
        for (const role of roles) {
            const trust = json(role.inputs.assumeRolePolicy);
            expect(trust.Statement[0]).to.not.have.property("Resource");
            expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": MOCK_CENTRAL_ACCOUNT_ID } });
        }
    });

    it("lets the normaliser read every version of a log (to tell a first delivery from a rewrite) and use the key only through S3", () => {
        const policy = json(named(resources, "aws:iam/rolePolicy:RolePolicy", "normaliser-role-policy").inputs.policy);
        const bySid = Object.fromEntries(policy.Statement.map((statement: { Sid: string }) => [statement.Sid, statement]));
        expect(bySid.ReadArchiveLogs.Action).to.include("s3:GetObjectVersion");
        expect(bySid.ListArchiveLogVersions).to.deep.include({
            Action: "s3:ListBucketVersions",
            Resource: "arn:aws:s3:::archive-0123456789abcdef",
            Condition: { StringLike: { "s3:prefix": "AWSLogs/*" } },
        });
        expect(bySid.UseArchiveKey.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "s3.ap-northeast-1.amazonaws.com" } });
    });

    it("lets only the deployer (the mock's caller) and no one else change the archive key's policy", () => {
        const key = json(named(resources, "aws:kms/key:Key", "archive-key").inputs.policy);
        const putKeyPolicy = key.Statement.find((statement: { Sid: string }) => statement.Sid === "DenyKeyPolicyChangeExceptDeployerAndBreakGlass");
        expect(putKeyPolicy.Condition).to.deep.equal({ ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${MOCK_CENTRAL_ACCOUNT_ID}:user/offline` } });
    });

    it("puts every resource under a component of this program", () => {
        for (const resource of resources) {
            if (resource.type === "cloudtrail-lake:index:CloudTrailLake") continue;
            expect(resource.parent, `${resource.type} ${resource.name}`).to.match(/cloudtrail-lake:/);
        }
    });
});

describe("accounts in config", () => {
    const account = (id: string, name: string) => ({ id, name });
    const perAccount = (resources: DeclaredResource[], id: string) =>
        resources
            .filter((resource) => resource.urn.includes(id) && !resource.type.includes("bucketPolicy"))
            .map((resource) => ({ urn: resource.urn, inputs: resource.inputs, provider: resource.provider.replace(/::[^:]*$/, "") }));

    it("are keyed by id: adding, removing and reordering accounts leaves the others' resources untouched", async () => {
        const before = await declareWith({
            "cloudtrail-lake:accounts": [account("111122223333", "a"), account("444455556666", "b"), account("777788889999", "c")],
        });
        const after = await declareWith({
            "cloudtrail-lake:accounts": [account("777788889999", "c"), account("123456789012", "new"), account("111122223333", "a")],
        });
        for (const id of ["111122223333", "777788889999"]) {
            // trail component, provider, trail; Glue job component, role, role policy, job
            expect(perAccount(after, id)).to.have.length(7);
            expect(perAccount(after, id)).to.deep.equal(perAccount(before, id));
        }
        expect(perAccount(after, "444455556666")).to.have.length(0);
    });

    it("exempt the configured break-glass and deploy roles, and only them, from the archive's tamper denies", async () => {
        const breakGlass = "arn:aws:iam::999999999999:role/security/BreakGlass";
        const deployer = "arn:aws:iam::999999999999:role/PulumiDeployer";
        const resources = await declareWith({
            "cloudtrail-lake:accounts": [account("111122223333", "a")],
            "cloudtrail-lake:breakGlassRoleArn": breakGlass,
            "cloudtrail-lake:deployRoleArn": deployer,
        });
        const key = json(named(resources, "aws:kms/key:Key", "archive-key").inputs.policy);
        const conditionOf = (document: { Statement: { Sid: string; Condition?: unknown }[] }, sid: string) =>
            document.Statement.find((statement) => statement.Sid === sid)!.Condition;
        expect(conditionOf(key, "DenyKeyDestructionExceptBreakGlass")).to.deep.equal({ ArnNotEquals: { "aws:PrincipalArn": breakGlass } });
        expect(conditionOf(key, "DenyKeyPolicyChangeExceptDeployerAndBreakGlass")).to.deep.equal({
            ArnNotEquals: { "aws:PrincipalArn": [deployer, breakGlass].sort() },
        });
        const bucket = json(named(resources, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy").inputs.policy);
        expect(conditionOf(bucket, "DenyGovernanceBypassExceptBreakGlass")).to.deep.equal({ ArnNotEquals: { "aws:PrincipalArn": breakGlass } });
        expect(conditionOf(bucket, "DenyBucketPolicyChangeExceptDeployerAndBreakGlass")).to.deep.equal({
            ArnNotEquals: { "aws:PrincipalArn": [deployer, breakGlass].sort() },
        });
    });

    it("a config error stops the program before it declares any resource", async () => {
        setStackConfig({ ...prodConfig, "cloudtrail-lake:accounts": [{ id: 111122223333, name: "a" }], "cloudtrail-lake:archive": { mode: "COMPLIANCE" } });
        let caught: unknown;
        const resources = await recordDeclarations((opts) => {
            try {
                declareStackFromPulumiConfig(opts);
            } catch (error) {
                caught = error;
            }
        });
        expect(caught).to.be.instanceOf(ConfigError);
        expect((caught as ConfigError).problems).to.have.length(2);
        expect(resources).to.have.length(0);
    });

    it("a refusal thrown inside an apply fails the declaration with its message instead of hanging", async () => {
        // As `pulumi up` would: an input computed by an apply that throws fails the resource.
        class RefusingComponent extends pulumi.ComponentResource {
            constructor(name: string, opts: pulumi.ComponentResourceOptions) {
                super("test:RefusingComponent", name, {}, opts);
                const refused = pulumi.output("queue").apply((): string => {
                    throw new Error("refused inside an apply");
                });
                new aws.sqs.Queue("refused-queue", { name: refused }, { parent: this });
                this.registerOutputs({});
            }
        }
        let caught: unknown;
        await recordDeclarations((opts) => new RefusingComponent("refusing", opts)).catch((error: unknown) => (caught = error));
        expect(String(caught)).to.contain("refused inside an apply");
    });
});
