import { expect } from "chai";
import { DeclaredResource, Properties } from "../testing/mockProgram";
import { declareProdStack, runPolicies } from "../testing/policyHarness";
import { RULES } from "../policy-pack/rules";

type Mutation = (resources: DeclaredResource[]) => void;
/** A policy document as JSON, for editing in a test. */
interface PolicyJson {
    Statement: {
        Sid?: string;
        Effect?: string;
        Principal?: unknown;
        Action?: string | string[];
        Resource: string | string[];
        Condition?: Record<string, Record<string, unknown>>;
    }[];
}

/** A deep copy with `change` applied to the outputs of every resource `match` selects. */
function mutated(
    resources: readonly DeclaredResource[],
    match: (resource: DeclaredResource) => boolean,
    change: (props: Properties) => void,
): DeclaredResource[] {
    const copy: DeclaredResource[] = JSON.parse(JSON.stringify(resources));
    const targets = copy.filter(match);
    if (targets.length === 0) throw new Error("the mutation matches no resource");
    for (const resource of targets) change(resource.outputs);
    return copy;
}

const isType = (type: string, name?: string) => (resource: DeclaredResource) => resource.type === type && (name === undefined || resource.name === name);
const editPolicy = (edit: (document: PolicyJson) => void) => (props: Properties) => {
    const document = JSON.parse(props.policy);
    edit(document);
    props.policy = JSON.stringify(document);
};

const editAssumeRolePolicy = (edit: (document: PolicyJson) => void) => (props: Properties) => {
    const document = JSON.parse(props.assumeRolePolicy);
    edit(document);
    props.assumeRolePolicy = JSON.stringify(document);
};

describe("policy pack", () => {
    let resources: DeclaredResource[];

    before(async () => {
        resources = await declareProdStack();
    });

    it("has at least 15 rules, each described, the evidence-protecting ones mandatory", () => {
        expect(RULES.length).to.be.at.least(15);
        for (const rule of RULES) {
            expect(rule.description.length, rule.name).to.be.above(30);
            expect(rule.enforcementLevel, rule.name).to.equal("mandatory");
        }
    });

    it("finds no violation in the program as Pulumi.prod.yaml declares it", async () => {
        expect(await runPolicies(resources)).to.deep.equal([]);
    });

    const cases: [
        string,
        Mutation | { match: (r: DeclaredResource) => boolean; change: (props: Properties) => void },
        RegExp,
        Record<string, Record<string, unknown>>?,
    ][] = [
        [
            "archive-object-lock",
            {
                match: isType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"),
                change: (p) => {
                    p.rule.defaultRetention.days = 30;
                },
            },
            /locks log files for 30 days; the minimum is 365/,
        ],
        [
            "archive-object-lock",
            {
                match: isType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"),
                change: (p) => {
                    p.rule.defaultRetention.mode = "GOVERNANCE";
                },
            },
            /uses Object Lock mode GOVERNANCE; COMPLIANCE is required/,
        ],
        [
            "archive-object-lock",
            {
                match: isType("aws:s3/bucket:Bucket", "archive"),
                change: (p) => {
                    p.objectLockEnabled = false;
                },
            },
            /must be created with objectLockEnabled: true/,
        ],
        [
            "archive-versioning",
            {
                match: isType("aws:s3/bucketVersioning:BucketVersioning", "archive-versioning"),
                change: (p) => {
                    p.versioningConfiguration.status = "Suspended";
                },
            },
            /Archive bucket archive must have versioning Enabled/,
        ],
        [
            "buckets-block-public-access",
            {
                match: isType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "lake-public-access"),
                change: (p) => {
                    p.restrictPublicBuckets = false;
                },
            },
            /Bucket lake must block public access: restrictPublicBuckets is not on/,
        ],
        [
            "buckets-owner-enforced",
            {
                match: isType("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "archive-access-logs-ownership"),
                change: (p) => {
                    p.rule.objectOwnership = "ObjectWriter";
                },
            },
            /Bucket archive-access-logs must set object ownership to BucketOwnerEnforced/,
        ],
        [
            "buckets-tls-only",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "lake-policy"),
                change: editPolicy((d) => {
                    d.Statement = d.Statement.filter((s) => s.Sid !== "DenyInsecureTransport");
                }),
            },
            /Bucket lake's policy must deny s3:\* when aws:SecureTransport is false/,
        ],
        [
            "buckets-encrypted-with-cmk",
            {
                match: isType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "archive-encryption"),
                change: (p) => {
                    p.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" };
                },
            },
            /Bucket archive \(archive\) must use SSE-KMS, not AES256/,
        ],
        [
            "buckets-encrypted-with-cmk",
            {
                match: isType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "lake-encryption"),
                change: (p) => {
                    p.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "alias/aws/s3";
                },
            },
            /must be encrypted with a customer-managed key of this stack, not alias\/aws\/s3/,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    delete d.Statement[0].Condition!.StringEquals["aws:SourceAccount"];
                    delete d.Statement[0].Condition!.ArnLike;
                }),
            },
            /statement CloudTrailAclCheckAndWriteOwnPrefix grants CloudTrail s3:GetBucketAcl, s3:PutObject without aws:SourceArn or aws:SourceAccount/,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    (d.Statement[0].Resource as string[])[1] = (d.Statement[0].Resource as string[])[1].replace("${aws:SourceAccount}/", "");
                }),
            },
            /lets a trail write outside its own AWSLogs\/<account>\//,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    d.Statement = d.Statement.filter((s) => s.Sid !== "DenyLogWritesExceptCloudTrail");
                }),
            },
            /does not deny s3:PutObject into AWSLogs\/ to principals other than CloudTrail/,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    d.Statement = d.Statement.filter((s) => s.Sid !== "DenyGovernanceBypassExceptBreakGlass");
                }),
            },
            /does not deny s3:BypassGovernanceRetention/,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    delete d.Statement.find((s) => s.Sid === "DenyBucketPolicyChangeExceptDeployerAndBreakGlass")!.Principal;
                    d.Statement.find((s) => s.Sid === "DenyBucketPolicyChangeExceptDeployerAndBreakGlass")!.Principal = {
                        AWS: "arn:aws:iam::999999999999:role/Someone",
                    };
                }),
            },
            /does not deny s3:PutBucketPolicy and s3:DeleteBucketPolicy to everyone but the deployer/,
        ],
        [
            "archive-key-tamper-proof",
            {
                match: isType("aws:kms/key:Key", "archive-key"),
                change: editPolicy((d) => {
                    d.Statement = d.Statement.filter((s) => s.Sid !== "DenyKeyDestructionExceptBreakGlass");
                }),
            },
            /Key archive-key's policy does not deny kms:DisableKey/,
        ],
        [
            "archive-key-tamper-proof",
            {
                match: isType("aws:kms/key:Key", "archive-key"),
                change: editPolicy((d) => {
                    d.Statement[4].Condition!.ArnNotEquals["aws:PrincipalArn"] = "arn:aws:sts::999999999999:assumed-role/Deployer/session";
                }),
            },
            /exempts arn:aws:sts::999999999999:assumed-role\/Deployer\/session, a session ARN/,
        ],
        [
            "policy-documents-valid",
            {
                match: isType("aws:iam/role:Role", "normaliser-role"),
                change: editAssumeRolePolicy((d) => {
                    d.Statement[0].Resource = "*";
                }),
            },
            /normaliser-role.assumeRolePolicy \(trust policy\): .*a trust policy takes no Resource/,
        ],
        [
            "policy-documents-valid",
            {
                match: isType("aws:sqs/queuePolicy:QueuePolicy"),
                change: editPolicy((d) => {
                    d.Statement[0].Action = "sqs:SendMessages";
                }),
            },
            /"sqs:SendMessages" matches no action of sqs/,
        ],
        [
            "archive-policy-pinned",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    d.Statement.push({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" });
                }),
            },
            /allows everyone/,
        ],
        [
            "bucket-policy-size",
            {
                match: isType("aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
                change: editPolicy((d) => {
                    d.Statement[0].Condition!.StringEquals["aws:SourceAccount"] = Array.from({ length: 1300 }, (_, i) => String(100000000000 + i));
                }),
            },
            /Bucket policy is \d+ bytes; the limit here is 18432/,
        ],
        [
            "kms-key-rotation",
            {
                match: isType("aws:kms/key:Key", "archive-key"),
                change: (p) => {
                    p.enableKeyRotation = false;
                },
            },
            /KMS key archive-key must have enableKeyRotation: true/,
        ],
        [
            "trail-multi-region",
            {
                match: isType("aws:cloudtrail/trail:Trail", "trail-444455556666"),
                change: (p) => {
                    p.isMultiRegionTrail = false;
                },
            },
            /Trail trail-444455556666 must be multi-region/,
        ],
        [
            "trail-mode-consistent",
            {
                // An organization trail beside the member trails: every management event recorded (and billed) twice.
                match: isType("aws:cloudtrail/trail:Trail", "trail-444455556666"),
                change: (p) => {
                    p.isOrganizationTrail = true;
                },
            },
            /Trail trail-111122223333 is a member trail beside the organization trail/,
        ],
        [
            "trail-log-file-validation",
            {
                match: isType("aws:cloudtrail/trail:Trail", "trail-111122223333"),
                change: (p) => {
                    p.enableLogFileValidation = false;
                },
            },
            /Trail trail-111122223333 must enable log file validation/,
        ],
        [
            "trail-encrypted",
            {
                match: isType("aws:cloudtrail/trail:Trail", "trail-777788889999"),
                change: (p) => {
                    delete p.kmsKeyId;
                },
            },
            /Trail trail-777788889999 must encrypt with a KMS key/,
        ],
        [
            "queues-have-dead-letter",
            {
                match: isType("aws:sqs/queue:Queue", "normaliser-queue"),
                change: (p) => {
                    delete p.redrivePolicy;
                },
            },
            /Queue normaliser-queue has no dead-letter queue and is none/,
        ],
        [
            "lambda-supported-runtime",
            {
                match: isType("aws:lambda/function:Function"),
                change: (p) => {
                    p.runtime = "nodejs16.x";
                },
            },
            /runs on nodejs16.x; allowed: nodejs22.x, nodejs24.x/,
        ],
        [
            "glue-job-bookmarks",
            {
                match: isType("aws:glue/job:Job", "parquet-111122223333"),
                change: (p) => {
                    p.defaultArguments["--job-bookmark-option"] = "job-bookmark-disable";
                    p.executionProperty.maxConcurrentRuns = 3;
                },
            },
            /must set --job-bookmark-option job-bookmark-enable/,
        ],
        [
            "glue-trigger-actions",
            {
                match: isType("aws:glue/trigger:Trigger"),
                change: (p) => {
                    p.actions = Array.from({ length: 51 }, (_, i) => ({ jobName: `job-${i}` }));
                },
            },
            /starts 51 jobs; Glue allows 50/,
        ],
        [
            "athena-workgroup-enforced",
            {
                match: isType("aws:athena/workgroup:Workgroup"),
                change: (p) => {
                    p.configuration.enforceWorkgroupConfiguration = false;
                },
            },
            /must enforce its configuration/,
        ],
        [
            "iam-no-wildcards",
            {
                match: isType("aws:iam/rolePolicy:RolePolicy", "normaliser-role-policy"),
                change: editPolicy((d) => {
                    d.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" });
                }),
            },
            /normaliser-role-policy allows s3:\* on every resource/,
        ],
        [
            "every-account-covered",
            (all) => {
                all.splice(all.findIndex(isType("aws:cloudtrail/trail:Trail", "trail-444455556666")), 1);
            },
            /Account 444455556666 has 0 trails; it needs exactly one/,
        ],
        [
            "every-account-covered",
            {
                match: isType("aws:glue/catalogTable:CatalogTable", "catalog-cloudtrail"),
                change: (p) => {
                    p.parameters["projection.account.values"] = "111122223333";
                },
            },
            /Table cloudtrail projects accounts 111122223333 but the configured accounts are 111122223333,444455556666,777788889999/,
        ],
        [
            "sns-topic-encrypted",
            {
                match: isType("aws:sns/topic:Topic", "alerts-topic"),
                change: (p) => {
                    delete p.kmsMasterKeyId;
                },
            },
            /Topic alerts-topic must be encrypted/,
        ],
        [
            "sns-topic-encrypted",
            {
                match: isType("aws:sns/topic:Topic", "alerts-topic"),
                change: (p) => {
                    p.kmsMasterKeyId = "alias/aws/sns";
                },
            },
            /must use a customer-managed key, not alias\/aws\/sns/,
        ],
        [
            "sns-no-public-access",
            {
                match: isType("aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy"),
                change: editPolicy((d) => {
                    d.Statement[0].Principal = "*";
                }),
            },
            /Topic policy alerts-topic-policy allows everyone \(AlertFunctionsPublish\)/,
        ],
        [
            "sns-dead-letter",
            {
                match: isType("aws:sqs/queuePolicy:QueuePolicy", "alerts-delivery-dlq-policy"),
                change: editPolicy((d) => {
                    d.Statement = [];
                }),
            },
            /Topic alerts-topic has no dead-letter queue/,
        ],
        [
            "sns-dead-letter",
            (all) => {
                all.splice(all.findIndex(isType("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-delivery-dlq-not-empty")), 1);
            },
            /Topic alerts-topic's dead-letter queue has no CloudWatch alarm/,
        ],
        [
            "quicksight-not-public",
            (all) => {
                // The prod stack has no dashboards (docs/dashboards.md): a data source shared with a whole namespace.
                all.push({
                    ...all[0],
                    urn: "urn:pulumi:prod::cloudtrail-lake::aws:quicksight/dataSource:DataSource::shared",
                    type: "aws:quicksight/dataSource:DataSource",
                    name: "shared",
                    inputs: {},
                    outputs: {
                        sslProperties: { disableSsl: false },
                        permissions: [{ principal: "arn:aws:quicksight:us-east-1:999999999999:namespace/default", actions: ["quicksight:DescribeDataSource"] }],
                    },
                    custom: true,
                });
            },
            /shared is shared with "arn:aws:quicksight:us-east-1:999999999999:namespace\/default", which is not one QuickSight user or group/,
        ],
        [
            "topic-keys-tamper-proof",
            {
                match: isType("aws:kms/key:Key", "alerts-topic-key"),
                change: editPolicy((document) => {
                    document.Statement = document.Statement.filter((statement) => statement.Effect !== "Deny");
                }),
            },
            /Key alerts-topic-key encrypts topic alerts-topic but its policy does not deny kms:DisableKey/,
        ],
        [
            "sns-topic-key-agrees",
            {
                match: isType("aws:kms/key:Key", "tamper-alarm-topic-key"),
                change: editPolicy((document) => {
                    document.Statement = document.Statement.filter((statement) => statement.Sid !== "EventBridgePublishesToEncryptedTopic");
                }),
            },
            /Topic tamper-alarm-topic lets events\.amazonaws\.com publish, but its key tamper-alarm-topic-key does not let events\.amazonaws\.com use it/,
        ],
        [
            "policy-documents-valid",
            {
                match: isType("aws:kms/key:Key", "tamper-alarm-topic-key"),
                change: editPolicy((document) => {
                    const statement = document.Statement.find((candidate) => candidate.Sid === "EventBridgePublishesToEncryptedTopic")!;
                    statement.Condition = { StringEquals: { "aws:SourceAccount": "999999999999" } };
                }),
            },
            /events\.amazonaws\.com never sends aws:SourceAccount to KMS for EventBridge rules publishing to an SNS topic/,
        ],
        [
            "eventbridge-failures-visible",
            {
                match: isType("aws:cloudwatch/eventTarget:EventTarget", "tamper-alarm-key-target"),
                change: (p) => {
                    delete p.deadLetterConfig;
                },
            },
            /Event target tamper-alarm-key-target has no deadLetterConfig/,
        ],
        [
            "eventbridge-failures-visible",
            (all) => {
                all.splice(all.findIndex(isType("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-schedule-watch-failed-invocations-0")), 1);
            },
            /Rule alerts-schedule-rule \(target alerts-schedule-target\) has no CloudWatch alarm on AWS\/Events FailedInvocations/,
        ],
    ];

    for (const [rule, mutation, message, config] of cases) {
        it(`${rule} fires: ${message.source.slice(0, 70)}`, async () => {
            const changed =
                typeof mutation === "function"
                    ? (() => {
                          const copy: DeclaredResource[] = JSON.parse(JSON.stringify(resources));
                          mutation(copy);
                          return copy;
                      })()
                    : mutated(resources, mutation.match, mutation.change);
            const violations = await runPolicies(changed, config);
            expect(
                violations.map((violation) => violation.policy),
                JSON.stringify(violations),
            ).to.include(rule);
            expect(
                violations
                    .filter((violation) => violation.policy === rule)
                    .map((violation) => violation.message)
                    .join("\n"),
            ).to.match(message);
        });
    }

    it("has a mutation that makes each rule fire", () => {
        expect([...new Set(cases.map(([rule]) => rule))].sort()).to.deep.equal(RULES.map((rule) => rule.name).sort());
    });
});
