import { expect } from "chai";
import {
    archiveBucketPolicy,
    archiveKeyPolicy,
    KMS_KEY_POLICY_MAX_BYTES,
    MAX_ACCOUNTS,
    partitionOf,
    S3_BUCKET_POLICY_MAX_BYTES,
    trailArn,
} from "../components/archive/archivePolicies";
import { policySize } from "../components/iam/policyDocument";
import { evaluate, Request } from "./policyEvaluator";

const region = "ap-northeast-1";
const trailName = "cloudtrail-lake";
const bucketName = "archive-bucket";
const deployer = "arn:aws:iam::999999999999:role/platform/PulumiDeployer";
const breakGlass = "arn:aws:iam::999999999999:role/BreakGlass";
const accountsOf = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i * 7919));

/** The request CloudTrail makes when a trail in `account` delivers a log file. */
function delivery(account: string, overrides: Partial<{ name: string; acl: string; tls: boolean; key: string }> = {}): Request {
    const sourceTrail = trailArn("aws", region, account, overrides.name ?? trailName);
    return {
        principal: { service: "cloudtrail.amazonaws.com" },
        action: "s3:PutObject",
        resource: `arn:aws:s3:::${bucketName}/${overrides.key ?? `AWSLogs/${account}/CloudTrail/${region}/2026/11/25/${account}_CloudTrail_${region}_x.json.gz`}`,
        context: {
            "aws:SourceArn": sourceTrail,
            "aws:SourceAccount": account,
            "s3:x-amz-acl": overrides.acl ?? "bucket-owner-full-control",
            "aws:SecureTransport": overrides.tls ?? true,
        },
    };
}

function encrypt(account: string, name = trailName): Request {
    const sourceTrail = trailArn("aws", region, account, name);
    return {
        principal: { service: "cloudtrail.amazonaws.com" },
        action: "kms:GenerateDataKey",
        resource: "arn:aws:kms:ap-northeast-1:999999999999:key/k",
        context: { "aws:SourceArn": sourceTrail, "aws:SourceAccount": account, "kms:EncryptionContext:aws:cloudtrail:arn": sourceTrail },
    };
}

describe("archive bucket policy", () => {
    const listed = ["111122223333", "444455556666", "777788889999"];
    const policy = archiveBucketPolicy({ partition: "aws", region, deployPrincipalArn: deployer, accountIds: listed, trailName, bucketName });

    it("is the pinned ACL check and own-prefix write, the ACL rule, the CloudTrail-only write, the bypass deny and the TLS deny", () => {
        expect(policy.Statement.map((statement) => statement.Sid)).to.deep.equal([
            "CloudTrailAclCheckAndWriteOwnPrefix",
            "CloudTrailWritesWithOwnerFullControl",
            "DenyLogWritesExceptCloudTrail",
            "DenyGovernanceBypassExceptBreakGlass",
            "DenyBucketPolicyChangeExceptDeployerAndBreakGlass",
            "DenyInsecureTransport",
        ]);
        expect(policy.Statement[0]).to.deep.equal({
            Sid: "CloudTrailAclCheckAndWriteOwnPrefix",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: ["s3:GetBucketAcl", "s3:PutObject"],
            Resource: ["arn:aws:s3:::archive-bucket", "arn:aws:s3:::archive-bucket/AWSLogs/${aws:SourceAccount}/*"],
            Condition: {
                StringEquals: { "aws:SourceAccount": listed },
                ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:ap-northeast-1:*:trail/cloudtrail-lake" },
            },
        });
    });

    it("lets the listed accounts' trails write, and nothing else", () => {
        for (const account of listed) expect(evaluate(policy, delivery(account)), account).to.equal("Allow");
        expect(evaluate(policy, delivery("123456789012")), "unlisted account").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { name: "someone-elses-trail" })), "other trail").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { acl: "private" })), "without bucket-owner-full-control").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { tls: false })), "without TLS").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { key: "normalised/x.json.gz" })), "outside AWSLogs/").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { key: `AWSLogs/${listed[1]}/CloudTrail/x.json.gz` })), "another account's prefix").to.equal("Deny");
        expect(evaluate(policy, delivery(listed[0], { key: `AWSLogs/${listed[0]}/CloudTrail-Digest/x.json.gz` })), "its own digest").to.equal("Allow");
        expect(evaluate(policy, { ...delivery(listed[0]), principal: { aws: "arn:aws:iam::111122223333:root" } }), "a person").to.equal("Deny");
    });

    it("does not change when accounts are reordered", () => {
        const reordered = archiveBucketPolicy({
            partition: "aws",
            region,
            deployPrincipalArn: deployer,
            accountIds: [...listed].reverse(),
            trailName,
            bucketName,
        });
        expect(JSON.stringify(reordered)).to.equal(JSON.stringify(policy));
    });

    it("stays under S3's 20 KB cap from 1 to 1,000 accounts, with the same guarantee", () => {
        let largest = 0;
        for (const count of [1, 2, 10, 50, 100, 101, 250, 500, 999, 1000]) {
            const accounts = accountsOf(count);
            const sized = archiveBucketPolicy({
                partition: "aws",
                region,
                deployPrincipalArn: deployer,
                accountIds: accounts,
                trailName,
                bucketName: "a".repeat(63),
            });
            largest = Math.max(largest, policySize(sized));
            expect(policySize(sized), `${count} accounts`).to.be.below(S3_BUCKET_POLICY_MAX_BYTES);
            const probe = { ...delivery(accounts[count - 1]) };
            expect(evaluate(sized, { ...probe, resource: probe.resource.replace(bucketName, "a".repeat(63)) })).to.equal("Allow");
            expect(evaluate(sized, { ...delivery("000000000001"), resource: probe.resource.replace(bucketName, "a".repeat(63)) })).to.equal("Deny");
        }
        // 10% headroom for AWS's own normalisation of the text before it measures it.
        expect(largest).to.be.below(S3_BUCKET_POLICY_MAX_BYTES * 0.9);
    });

    it("refuses more accounts than it is sized for, with a message saying what to do", () => {
        expect(() =>
            archiveBucketPolicy({ partition: "aws", region, deployPrincipalArn: deployer, accountIds: accountsOf(MAX_ACCOUNTS + 1), trailName, bucketName }),
        ).to.throw(/1001 accounts exceed the 1000.*organization trail/);
    });
});

describe("archive key policy", () => {
    const listed = ["111122223333", "444455556666"];
    const policy = archiveKeyPolicy({
        partition: "aws",
        region,
        accountIds: listed,
        trailName,
        centralAccountId: "999999999999",
        deployPrincipalArn: deployer,
        breakGlassRoleArn: breakGlass,
    });

    it("lets the central account administer the key through IAM and listed trails encrypt and describe, pinned to the listed accounts", () => {
        expect(policy.Statement.map((statement) => statement.Sid)).to.deep.equal([
            "CentralAccountAdministersThroughIam",
            "CloudTrailEncryptAndDescribeListedAccounts",
            "CloudTrailEncryptsOnlyForTheTrail",
            "DenyKeyDestructionExceptBreakGlass",
            "DenyKeyPolicyChangeExceptDeployerAndBreakGlass",
        ]);
        expect(policy.Statement[0]).to.deep.include({ Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "kms:*" });
        expect(policy.Statement[1]).to.deep.include({
            Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
            Condition: {
                StringEquals: { "aws:SourceAccount": listed },
                ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:ap-northeast-1:*:trail/cloudtrail-lake" },
            },
        });
        expect(evaluate(policy, { ...encrypt(listed[0]), action: "kms:DescribeKey" }), "listed account describes").to.equal("Allow");
        expect(evaluate(policy, { ...encrypt("123456789012"), action: "kms:DescribeKey" }), "unlisted account describes").to.equal("Deny");
    });

    it("lets only listed accounts' trails encrypt", () => {
        expect(evaluate(policy, encrypt(listed[1]))).to.equal("Allow");
        expect(evaluate(policy, encrypt("123456789012"))).to.equal("Deny");
        expect(evaluate(policy, encrypt(listed[0], "other"))).to.equal("Deny");
        expect(evaluate(policy, { ...encrypt(listed[0]), action: "kms:Decrypt" }), "CloudTrail may not decrypt").to.equal("Deny");
        const withoutContext = Object.fromEntries(
            Object.entries(encrypt(listed[0]).context).filter(([key]) => key !== "kms:EncryptionContext:aws:cloudtrail:arn"),
        );
        expect(evaluate(policy, { ...encrypt(listed[0]), context: withoutContext }), "a data key without the trail's context").to.equal("Deny");
    });

    it("stays under KMS's 32 KB cap from 1 to 1,000 accounts", () => {
        for (const count of [1, 10, 100, 500, 1000]) {
            const sized = archiveKeyPolicy({
                partition: "aws",
                region,
                accountIds: accountsOf(count),
                trailName,
                centralAccountId: "999999999999",
                deployPrincipalArn: deployer,
                breakGlassRoleArn: breakGlass,
            });
            expect(policySize(sized), `${count} accounts`).to.be.below(KMS_KEY_POLICY_MAX_BYTES * 0.9);
            expect(evaluate(sized, encrypt(accountsOf(count)[count - 1]))).to.equal("Allow");
        }
    });
});

describe("partitions", () => {
    it("derives the ARN partition from the region", () => {
        expect([partitionOf("ap-northeast-1"), partitionOf("cn-north-1"), partitionOf("us-gov-west-1")]).to.deep.equal(["aws", "aws-cn", "aws-us-gov"]);
    });
});
