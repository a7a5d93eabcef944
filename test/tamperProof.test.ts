import { validateServiceControlPolicy } from "@cloud-copilot/iam-policy";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { policyDocumentProblems } from "../policy-pack/policyDocuments";
import { serviceTrustPolicy } from "../components/iam/servicePolicies";
import { archiveBucketPolicy, archiveKeyPolicy, KMS_KEY_POLICY_MAX_BYTES, S3_BUCKET_POLICY_MAX_BYTES } from "../components/archive/archivePolicies";
import { IdentityStatement, policySize, ResourceStatement, TrustStatement } from "../components/iam/policyDocument";
import { evaluate, explicitlyDenies, Request } from "./policyEvaluator";

const region = "ap-northeast-1";
const trailName = "cloudtrail-lake";
const central = "999999999999";
const deployer = `arn:aws:iam::${central}:role/platform/PulumiDeployer`;
const breakGlass = `arn:aws:iam::${central}:role/BreakGlass`;
const admin = `arn:aws:iam::${central}:role/Administrator`;
const listed = ["111122223333", "444455556666"];
const keyArn = `arn:aws:kms:${region}:${central}:key/k`;
const bucketName = "archive-bucket";

const keyPolicy = (breakGlassRoleArn?: string) =>
    archiveKeyPolicy({ partition: "aws", region, accountIds: listed, trailName, centralAccountId: central, deployPrincipalArn: deployer, breakGlassRoleArn });
const bucketPolicy = (breakGlassRoleArn?: string) =>
    archiveBucketPolicy({ partition: "aws", region, deployPrincipalArn: deployer, accountIds: listed, trailName, bucketName, breakGlassRoleArn });
const onKey = (who: string, action: string): Request => ({ principal: { aws: who }, action, resource: keyArn, context: {} });
const onObject = (who: Request["principal"], action: string, key: string, context: Request["context"] = {}): Request => ({
    principal: who,
    action,
    resource: `arn:aws:s3:::${bucketName}/${key}`,
    context: { "aws:SecureTransport": true, ...context },
});

describe("tamper-proof archive key", () => {
    it("lets no administrator disable the key or schedule its deletion, only the break-glass role", () => {
        const policy = keyPolicy(breakGlass);
        for (const action of ["kms:DisableKey", "kms:ScheduleKeyDeletion"]) {
            expect(evaluate(policy, onKey(admin, action)), `admin ${action}`).to.equal("Deny");
            expect(evaluate(policy, onKey(deployer, action)), `deployer ${action}`).to.equal("Deny");
            expect(evaluate(policy, onKey(`arn:aws:iam::${central}:root`, action)), `root ${action}`).to.equal("Deny");
            expect(evaluate(policy, onKey(breakGlass, action)), `break-glass ${action}`).to.equal("Allow");
        }
        // The administrators keep the rest of the key's administration.
        expect(evaluate(policy, onKey(admin, "kms:EnableKeyRotation"))).to.equal("Allow");
    });

    it("without a break-glass role nobody may disable or delete the key", () => {
        const policy = keyPolicy(undefined);
        expect(evaluate(policy, onKey(breakGlass, "kms:ScheduleKeyDeletion"))).to.equal("Deny");
        expect(evaluate(policy, onKey(deployer, "kms:DisableKey"))).to.equal("Deny");
        expect(policy.Statement.find((statement) => statement.Sid === "DenyKeyDestructionExceptBreakGlass")?.Condition).to.equal(undefined);
    });

    it("lets only the deployer (any session of its role) and the break-glass role change the key policy", () => {
        const policy = keyPolicy(breakGlass);
        expect(evaluate(policy, onKey(admin, "kms:PutKeyPolicy"))).to.equal("Deny");
        expect(evaluate(policy, onKey(deployer, "kms:PutKeyPolicy"))).to.equal("Allow");
        expect(evaluate(policy, onKey(breakGlass, "kms:PutKeyPolicy"))).to.equal("Allow");
        // aws:PrincipalArn is the role ARN; a session ARN in the policy would never match.
        expect(JSON.stringify(policy)).to.not.include("assumed-role");
    });

    it("still fits KMS's 32 KB at 1,000 accounts with both exceptions", () => {
        const accounts = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i * 7919));
        const policy = archiveKeyPolicy({
            partition: "aws",
            region,
            accountIds: accounts,
            trailName,
            centralAccountId: central,
            deployPrincipalArn: deployer,
            breakGlassRoleArn: breakGlass,
        });
        expect(policySize(policy)).to.be.below(KMS_KEY_POLICY_MAX_BYTES * 0.9);
    });
});

describe("tamper-proof archive bucket", () => {
    const trail = (account: string) => ({
        "aws:SourceAccount": account,
        "aws:SourceArn": `arn:aws:cloudtrail:${region}:${account}:trail/${trailName}`,
        "s3:x-amz-acl": "bucket-owner-full-control",
    });
    const logKey = `AWSLogs/${listed[0]}/CloudTrail/${region}/2026/11/25/${listed[0]}_CloudTrail_${region}_x.json.gz`;

    it("lets nobody but CloudTrail write into AWSLogs/, so no one can add a forged version of a log", () => {
        const policy = bucketPolicy(breakGlass);
        expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, "s3:PutObject", logKey, trail(listed[0])))).to.equal("Allow");
        for (const who of [admin, deployer, breakGlass, `arn:aws:iam::${central}:role/normaliser-role`]) {
            expect(evaluate(policy, onObject({ aws: who }, "s3:PutObject", logKey)), who).to.equal("Deny");
        }
        // Another service principal with the same conditions is still denied.
        expect(evaluate(policy, onObject({ service: "s3.amazonaws.com" }, "s3:PutObject", logKey, trail(listed[0])))).to.equal("Deny");
    });

    it("lets each account's trail write only under its own AWSLogs/<account>/", () => {
        const policy = bucketPolicy();
        const foreignKey = logKey.replace(`AWSLogs/${listed[0]}/`, `AWSLogs/${listed[1]}/`);
        expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, "s3:PutObject", foreignKey, trail(listed[0])))).to.equal("Deny");
        expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, "s3:PutObject", foreignKey, trail(listed[1])))).to.equal("Allow");
        expect(evaluate(policy, onObject({ service: "cloudtrail.amazonaws.com" }, "s3:PutObject", "AWSLogs/x.json.gz", trail(listed[0])))).to.equal("Deny");
    });

    it("denies bypassing GOVERNANCE retention to everyone but the break-glass role (nobody without one)", () => {
        const objectKey = logKey;
        expect(evaluate(bucketPolicy(breakGlass), onObject({ aws: admin }, "s3:BypassGovernanceRetention", objectKey))).to.equal("Deny");
        expect(evaluate(bucketPolicy(breakGlass), onObject({ aws: `arn:aws:iam::${central}:root` }, "s3:BypassGovernanceRetention", objectKey))).to.equal(
            "Deny",
        );
        expect(explicitlyDenies(bucketPolicy(breakGlass), onObject({ aws: breakGlass }, "s3:BypassGovernanceRetention", objectKey))).to.equal(false);
        // The bucket policy grants nothing to the break-glass role; it only does not deny it (its IAM policy grants).
        const exempted = bucketPolicy(breakGlass).Statement.find((statement) => statement.Sid === "DenyGovernanceBypassExceptBreakGlass");
        expect(exempted?.Condition).to.deep.equal({ ArnNotEquals: { "aws:PrincipalArn": breakGlass } });
        expect(bucketPolicy().Statement.find((statement) => statement.Sid === "DenyGovernanceBypassExceptBreakGlass")?.Condition).to.equal(undefined);
    });

    it("lets only the deployer and the break-glass role change or delete the bucket policy", () => {
        const policy = bucketPolicy(breakGlass);
        const onBucket = (who: string, action: string): Request => ({
            principal: { aws: who },
            action,
            resource: `arn:aws:s3:::${bucketName}`,
            context: { "aws:SecureTransport": true },
        });
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]) {
            expect(explicitlyDenies(policy, onBucket(admin, action)), `admin ${action}`).to.equal(true);
            expect(explicitlyDenies(policy, onBucket(deployer, action)), `deployer ${action}`).to.equal(false);
            expect(explicitlyDenies(policy, onBucket(breakGlass, action)), `break-glass ${action}`).to.equal(false);
        }
    });

    it("stays under S3's 20 KB cap at 1,000 accounts with every protection", () => {
        const accounts = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i * 7919));
        const policy = archiveBucketPolicy({
            partition: "aws",
            region,
            deployPrincipalArn: deployer,
            accountIds: accounts,
            trailName,
            bucketName: "a".repeat(63),
            breakGlassRoleArn: breakGlass,
        });
        expect(policySize(policy)).to.be.below(S3_BUCKET_POLICY_MAX_BYTES * 0.9);
    });
});

describe("tamper-proof archive in organization mode", () => {
    const organization = { id: "o-a1b2c3d4e5", managementAccountId: "123456789012" };
    const orgTrailArn = `arn:aws:cloudtrail:${region}:${organization.managementAccountId}:trail/${trailName}`;
    const orgBucketPolicy = (breakGlassRoleArn?: string) =>
        archiveBucketPolicy({
            partition: "aws",
            region,
            deployPrincipalArn: deployer,
            accountIds: listed,
            trailName,
            bucketName,
            breakGlassRoleArn,
            organization,
        });
    const orgKeyPolicy = (breakGlassRoleArn?: string) =>
        archiveKeyPolicy({
            partition: "aws",
            region,
            accountIds: listed,
            trailName,
            centralAccountId: central,
            deployPrincipalArn: deployer,
            breakGlassRoleArn,
            organization,
        });
    // What CloudTrail sends for an organization trail: the management account's trail, for every member's file.
    const orgTrail = { "aws:SourceAccount": organization.managementAccountId, "aws:SourceArn": orgTrailArn, "s3:x-amz-acl": "bucket-owner-full-control" };
    const memberKey = (account: string) => `AWSLogs/${organization.id}/${account}/CloudTrail/${region}/2026/11/25/${account}_CloudTrail_${region}_x.json.gz`;
    const cloudTrail = { service: "cloudtrail.amazonaws.com" };

    it("lets the organization trail check the ACL and write under AWSLogs/<org id>/ and AWSLogs/<management account>/, for any member", () => {
        const policy = orgBucketPolicy(breakGlass);
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey("555566667777"), orgTrail))).to.equal("Allow");
        const managementKey = `AWSLogs/${organization.managementAccountId}/CloudTrail/${region}/2026/11/25/x.json.gz`;
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", managementKey, orgTrail))).to.equal("Allow");
        const aclCheck: Request = {
            principal: cloudTrail,
            action: "s3:GetBucketAcl",
            resource: `arn:aws:s3:::${bucketName}`,
            context: { "aws:SecureTransport": true, ...orgTrail },
        };
        expect(evaluate(policy, aclCheck)).to.equal("Allow");
    });

    it("admits no other trail: a member's own trail of the same name, a trail of the same name in another region, another org's prefix", () => {
        const policy = orgBucketPolicy();
        const memberTrail = { ...orgTrail, "aws:SourceAccount": listed[0], "aws:SourceArn": `arn:aws:cloudtrail:${region}:${listed[0]}:trail/${trailName}` };
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey(listed[0]), memberTrail))).to.equal("Deny");
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", `AWSLogs/${listed[0]}/CloudTrail/x.json.gz`, memberTrail))).to.equal("Deny");
        const elsewhere = { ...orgTrail, "aws:SourceArn": orgTrailArn.replace(region, "us-east-1") };
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey(listed[0]), elsewhere))).to.equal("Deny");
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey(listed[0]).replace(organization.id, "o-zzzzzzzzzz"), orgTrail))).to.equal(
            "Deny",
        );
        // Without the ACL CloudTrail must set, even the organization trail is refused.
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey(listed[0]), { ...orgTrail, "s3:x-amz-acl": "private" }))).to.equal("Deny");
    });

    it("keeps every tamper-proofing Deny: only CloudTrail writes AWSLogs/, governance bypass and policy changes only for the exempted roles", () => {
        const policy = orgBucketPolicy(breakGlass);
        for (const who of [admin, deployer, breakGlass])
            expect(evaluate(policy, onObject({ aws: who }, "s3:PutObject", memberKey(listed[0]))), who).to.equal("Deny");
        expect(evaluate(policy, onObject({ service: "s3.amazonaws.com" }, "s3:PutObject", memberKey(listed[0]), orgTrail))).to.equal("Deny");
        expect(evaluate(policy, onObject({ aws: admin }, "s3:BypassGovernanceRetention", memberKey(listed[0])))).to.equal("Deny");
        const sids = policy.Statement.map((statement) => statement.Sid);
        expect(sids).to.include.members([
            "CloudTrailWritesWithOwnerFullControl",
            "DenyLogWritesExceptCloudTrail",
            "DenyGovernanceBypassExceptBreakGlass",
            "DenyBucketPolicyChangeExceptDeployerAndBreakGlass",
            "DenyInsecureTransport",
        ]);
        expect(sids).to.not.include("CloudTrailAclCheckAndWriteOwnPrefix");
    });

    it("lets the key encrypt only for the organization trail, and keeps the key destruction Denies", () => {
        const policy = orgKeyPolicy(breakGlass);
        const encrypt = (context: Request["context"]): Request => ({ principal: cloudTrail, action: "kms:GenerateDataKey", resource: keyArn, context });
        expect(evaluate(policy, encrypt({ ...orgTrail, "kms:EncryptionContext:aws:cloudtrail:arn": orgTrailArn }))).to.equal("Allow");
        const memberArn = `arn:aws:cloudtrail:${region}:${listed[0]}:trail/${trailName}`;
        expect(
            evaluate(policy, encrypt({ "aws:SourceAccount": listed[0], "aws:SourceArn": memberArn, "kms:EncryptionContext:aws:cloudtrail:arn": memberArn })),
        ).to.equal("Deny");
        expect(evaluate(policy, onKey(admin, "kms:ScheduleKeyDeletion"))).to.equal("Deny");
        expect(evaluate(policy, onKey(breakGlass, "kms:DisableKey"))).to.equal("Allow");
        expect(evaluate(policy, onKey(admin, "kms:PutKeyPolicy"))).to.equal("Deny");
    });

    it("during the migration (keepMemberTrails) admits both the member trails, each under its own prefix, and the organization trail", () => {
        const both = { ...organization, keepMemberTrails: true };
        const policy = archiveBucketPolicy({
            partition: "aws",
            region,
            deployPrincipalArn: deployer,
            accountIds: listed,
            trailName,
            bucketName,
            organization: both,
        });
        const memberTrail = {
            "aws:SourceAccount": listed[0],
            "aws:SourceArn": `arn:aws:cloudtrail:${region}:${listed[0]}:trail/${trailName}`,
            "s3:x-amz-acl": "bucket-owner-full-control",
        };
        const ownKey = `AWSLogs/${listed[0]}/CloudTrail/${region}/2026/11/25/x.json.gz`;
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", ownKey, memberTrail))).to.equal("Allow");
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", ownKey.replace(listed[0], listed[1]), memberTrail))).to.equal("Deny");
        expect(evaluate(policy, onObject(cloudTrail, "s3:PutObject", memberKey(listed[1]), orgTrail))).to.equal("Allow");
        const key = archiveKeyPolicy({
            partition: "aws",
            region,
            accountIds: listed,
            trailName,
            centralAccountId: central,
            deployPrincipalArn: deployer,
            organization: both,
        });
        const encrypt = (context: Request["context"]): Request => ({ principal: cloudTrail, action: "kms:GenerateDataKey", resource: keyArn, context });
        expect(evaluate(key, encrypt({ ...memberTrail, "kms:EncryptionContext:aws:cloudtrail:arn": memberTrail["aws:SourceArn"] }))).to.equal("Allow");
        expect(evaluate(key, encrypt({ ...orgTrail, "kms:EncryptionContext:aws:cloudtrail:arn": orgTrailArn }))).to.equal("Allow");
        // Once the migration ends, the member trails are refused.
        expect(evaluate(orgBucketPolicy(), onObject(cloudTrail, "s3:PutObject", ownKey, memberTrail))).to.equal("Deny");
    });

    it("does not grow with the organization: the same policy for 1 or 1,000 listed accounts", () => {
        const many = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i * 7919));
        const big = archiveBucketPolicy({ partition: "aws", region, deployPrincipalArn: deployer, accountIds: many, trailName, bucketName, organization });
        expect(big).to.deep.equal(orgBucketPolicy());
        expect(policySize(big)).to.be.below(S3_BUCKET_POLICY_MAX_BYTES / 4);
    });
});

describe("policy statement kinds", () => {
    it("are distinct types: a trust statement with a Resource, an identity statement with a Principal do not compile", () => {
        const trust: TrustStatement = {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            // @ts-expect-error IAM refuses a trust policy with a Resource ("Has prohibited field Resource").
            Resource: "*",
        };
        const identity: IdentityStatement = {
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: "*",
            // @ts-expect-error an identity policy has no Principal: the role it is attached to is the principal.
            Principal: "*",
        };
        // @ts-expect-error a resource policy statement must name its principal.
        const resource: ResourceStatement = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
        expect([trust, identity, resource]).to.have.length(3);
    });

    it("trust policies have no Resource and pin the source account", () => {
        const policy = serviceTrustPolicy("glue.amazonaws.com", central);
        expect(policy.Statement[0]).to.not.have.property("Resource");
        expect(policy.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": central } });
    });
});

describe("docs/deploy.md's service control policy for member accounts", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "docs", "deploy.md"), "utf8");
    const block = /Service control policy for the member accounts[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);

    it("is valid SCP grammar with actions and keys AWS knows, and denies changing the trail to all but the deploy role", async () => {
        expect(block, "docs/deploy.md has the SCP block").to.not.equal(null);
        const scp = JSON.parse(block![1]);
        expect(validateServiceControlPolicy(scp)).to.deep.equal([]);
        expect(await policyDocumentProblems(scp, "identity")).to.deep.equal([]);
        const statement = scp.Statement[0];
        expect(statement.Effect).to.equal("Deny");
        expect(statement.Action).to.include.members([
            "cloudtrail:UpdateTrail",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:PutInsightSelectors",
        ]);
        expect(statement.Resource).to.match(/:trail\/cloudtrail-lake$/);
        expect(statement.Condition).to.have.nested.property("ArnNotLike.aws:PrincipalArn");
    });
});
