/**
 * The three trail modes (docs/deploy.md) under Pulumi's mocks: which resources exist, and their policies
 * as whole documents.
 */
import { expect } from "chai";
import { declareMockStack, DeclaredResource, findResource, MOCK_CENTRAL_ACCOUNT_ID } from "../testing/mockProgram";
import { archiveBucketPolicy, archiveKeyPolicy, lakeOnlyKeyPolicy } from "../components/archive/archivePolicies";
import { archiveEventPattern, existingArchiveReadStatements } from "../components/normaliser/existingArchivePolicies";

const accounts = [
    { id: "111122223333", name: "security" },
    { id: "444455556666", name: "workload-a" },
];
const organization = { id: "o-a1b2c3d4e5", managementAccountId: "123456789012", roleName: "CloudTrailLakeOrganizationTrail" };
const region = "ap-northeast-1";
const existingBucket = "aws-controltower-logs-123456789012-ap-northeast-1";
const existingKey = "arn:aws:kms:ap-northeast-1:123456789012:key/0000aaaa-11bb-22cc-33dd-444444eeeeee";
const deployer = `arn:aws:iam::${MOCK_CENTRAL_ACCOUNT_ID}:user/offline`;

const ofType = (resources: DeclaredResource[], type: string) => resources.filter((resource) => resource.type === type);
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
const policyOf = (resources: DeclaredResource[], type: string, name: string) => json(findResource(resources, type, name).inputs.policy);

describe("trail modes", () => {
    it("organization: with organization.profile, creates the trail with the management account's own credentials, locked to that account", async () => {
        const resources = await declareMockStack({
            "cloudtrail-lake:accounts": accounts,
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": { id: organization.id, managementAccountId: organization.managementAccountId, profile: "management-admin" },
        });
        const provider = findResource(resources, "pulumi:providers:aws", "organization-trail-provider");
        expect(provider.inputs.profile).to.equal("management-admin");
        expect(provider.inputs.assumeRoles).to.equal(undefined);
        expect(json(provider.inputs.allowedAccountIds)).to.deep.equal([organization.managementAccountId]);
        expect(ofType(resources, "aws:cloudtrail/trail:Trail")[0].outputs.arn).to.equal(
            `arn:aws:cloudtrail:${region}:${organization.managementAccountId}:trail/cloudtrail-lake`,
        );
    });

    describe("organization", () => {
        let resources: DeclaredResource[];
        before(async () => {
            resources = await declareMockStack({
                "cloudtrail-lake:accounts": accounts,
                "cloudtrail-lake:trailMode": "organization",
                "cloudtrail-lake:organization": { ...organization, roleName: "AWSControlTowerExecution" },
            });
        });

        it("creates exactly one organization trail, in the management account through its role, and no member trail", () => {
            const trails = ofType(resources, "aws:cloudtrail/trail:Trail");
            expect(trails).to.have.length(1);
            expect(trails[0].inputs).to.include({
                isOrganizationTrail: true,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                name: "cloudtrail-lake",
            });
            const key = findResource(resources, "aws:kms/key:Key", "archive-key");
            expect(trails[0].inputs.kmsKeyId).to.equal(key.outputs.arn);
            expect(trails[0].outputs.arn).to.equal(`arn:aws:cloudtrail:${region}:${organization.managementAccountId}:trail/cloudtrail-lake`);
            const provider = findResource(resources, "pulumi:providers:aws", "organization-trail-provider");
            expect(json(provider.inputs.allowedAccountIds)).to.deep.equal([organization.managementAccountId]);
            expect(json(provider.inputs.assumeRoles)[0].roleArn).to.equal(`arn:aws:iam::${organization.managementAccountId}:role/AWSControlTowerExecution`);
            expect(ofType(resources, "cloudtrail-lake:trails:MemberTrail")).to.have.length(0);
            // CloudTrail checks the policies on create: the trail waits for them.
            const bucketPolicy = findResource(resources, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy");
            expect(trails[0].dependencies).to.include(bucketPolicy.urn);
        });

        it("admits exactly that trail in the bucket and key policies (whole documents)", () => {
            const bucketName = findResource(resources, "aws:s3/bucket:Bucket", "archive").outputs.bucket;
            const grant = {
                partition: "aws",
                region,
                accountIds: accounts.map((a) => a.id),
                trailName: "cloudtrail-lake",
                deployPrincipalArn: deployer,
                organization,
            };
            expect(policyOf(resources, "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")).to.deep.equal(archiveBucketPolicy({ ...grant, bucketName }));
            expect(policyOf(resources, "aws:kms/key:Key", "archive-key")).to.deep.equal(
                archiveKeyPolicy({ ...grant, centralAccountId: MOCK_CENTRAL_ACCOUNT_ID }),
            );
        });

        it("projects the raw table over AWSLogs/<org id>/<account>/ and the parquet table by the listed accounts only", () => {
            const raw = findResource(resources, "aws:glue/catalogTable:CatalogTable", "catalog-cloudtrail-raw");
            expect(raw.inputs.parameters["storage.location.template"]).to.match(new RegExp(`/AWSLogs/${organization.id}/\\$\\{account\\}/CloudTrail/`));
            expect(raw.inputs.parameters["projection.account.values"]).to.equal("111122223333,444455556666");
        });
    });

    describe("existing", () => {
        let resources: DeclaredResource[];
        before(async () => {
            resources = await declareMockStack({
                "cloudtrail-lake:accounts": accounts,
                "cloudtrail-lake:trailMode": "existing",
                "cloudtrail-lake:existingArchive": { bucketName: existingBucket, kmsKeyArn: existingKey, organizationId: organization.id },
            });
        });

        it("creates no archive bucket, no trail, no tamper alarm, and nothing on the existing bucket", () => {
            const buckets = ofType(resources, "aws:s3/bucket:Bucket").map((bucket) => bucket.name);
            expect(buckets).to.not.include("archive");
            expect(buckets).to.include.members(["archive-access-logs", "lake"]);
            expect(ofType(resources, "aws:cloudtrail/trail:Trail")).to.have.length(0);
            expect(ofType(resources, "cloudtrail-lake:archive:TamperAlarm")).to.have.length(0);
            expect(ofType(resources, "aws:s3/bucketNotification:BucketNotification")).to.have.length(0);
            // Nothing of any type names the existing bucket as its `bucket`: no policy, lock, encryption, notification, versioning.
            const touching = resources.filter((resource) => resource.inputs.bucket === existingBucket);
            expect(touching.map((resource) => resource.type)).to.deep.equal([]);
        });

        it("subscribes the normaliser through an EventBridge rule on the bucket's Object Created events, into its queue", () => {
            const rule = findResource(resources, "aws:cloudwatch/eventRule:EventRule", "normaliser-archive-events");
            expect(json(rule.inputs.eventPattern)).to.deep.equal(archiveEventPattern(existingBucket));
            const target = findResource(resources, "aws:cloudwatch/eventTarget:EventTarget", "normaliser-archive-events-to-queue");
            const queue = findResource(resources, "aws:sqs/queue:Queue", "normaliser-queue");
            expect(target.inputs.arn).to.equal(queue.outputs.arn);
            // A delivery the queue refuses is kept and alarmed on, not dropped.
            const deadLetters = findResource(resources, "aws:sqs/queue:Queue", "normaliser-archive-events-watch-dlq");
            expect(target.inputs.deadLetterConfig).to.deep.equal({ arn: deadLetters.outputs.arn });
            expect(
                findResource(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "normaliser-archive-events-watch-failed-invocations-0").inputs,
            ).to.deep.include({
                namespace: "AWS/Events",
                metricName: "FailedInvocations",
                dimensions: { RuleName: rule.outputs.name },
            });
            expect(policyOf(resources, "aws:sqs/queuePolicy:QueuePolicy", "normaliser-queue-policy").Statement[0]).to.deep.equal({
                Sid: "ArchiveObjectCreatedEvents",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queue.outputs.arn,
                Condition: { ArnEquals: { "aws:SourceArn": rule.outputs.arn } },
            });
        });

        it("reads the existing archive with s3:GetObject and s3:GetObjectVersion on AWSLogs/ and kms:Decrypt on its key only, in its region, and no version listing", () => {
            const policy = policyOf(resources, "aws:iam/rolePolicy:RolePolicy", "normaliser-role-policy");
            const onExisting = policy.Statement.filter((statement: { Resource: string | string[] }) =>
                JSON.stringify(statement.Resource).includes(existingBucket),
            );
            const onExistingKey = policy.Statement.filter((statement: { Resource: string | string[] }) =>
                JSON.stringify(statement.Resource).includes(existingKey),
            );
            expect([...onExisting, ...onExistingKey]).to.deep.equal(
                existingArchiveReadStatements({ partition: "aws", bucketName: existingBucket, kmsKeyArn: existingKey }),
            );
            expect(JSON.stringify(policy)).to.not.include("s3:ListBucketVersions");
            // The events carry the object's version-id, and S3 authorises a GetObject with a VersionId as s3:GetObjectVersion.
            expect(onExisting[0].Action).to.deep.equal(["s3:GetObject", "s3:GetObjectVersion"]);
            const fn = findResource(resources, "aws:lambda/function:Function", "normaliser-function");
            // The SSE-KMS key is in the bucket's region: the normaliser reads the bucket there.
            expect(fn.inputs.environment.variables).to.include({
                ARCHIVE_KEY_ARN: existingKey,
                VERIFY_FIRST_VERSION: "false",
                ARCHIVE_REGION: "ap-northeast-1",
            });
        });

        it("keeps a key of its own for the lake, without CloudTrail grants and with the destruction Denies", () => {
            expect(policyOf(resources, "aws:kms/key:Key", "archive-key")).to.deep.equal(
                lakeOnlyKeyPolicy({ partition: "aws", centralAccountId: MOCK_CENTRAL_ACCOUNT_ID, deployPrincipalArn: deployer }),
            );
        });

        it("projects the raw table over the existing bucket's AWSLogs/<org id>/ layout", () => {
            const raw = findResource(resources, "aws:glue/catalogTable:CatalogTable", "catalog-cloudtrail-raw");
            expect(raw.inputs.storageDescriptor.location).to.equal(`s3://${existingBucket}/AWSLogs/${organization.id}/`);
        });
    });

    describe("per-account (default)", () => {
        it("is unchanged: one member trail per account, no organization trail, S3 notifications on the stack's own archive", async () => {
            const resources = await declareMockStack({ "cloudtrail-lake:accounts": accounts });
            const trails = ofType(resources, "aws:cloudtrail/trail:Trail");
            expect(trails).to.have.length(2);
            expect(trails.every((trail) => !trail.inputs.isOrganizationTrail)).to.equal(true);
            expect(ofType(resources, "aws:s3/bucketNotification:BucketNotification")).to.have.length(1);
            expect(ofType(resources, "aws:cloudwatch/eventRule:EventRule").map((rule) => rule.name)).to.not.include("normaliser-archive-events");
        });
    });
});
