import { expect } from "chai";
import { declareMockStack, DeclaredResource } from "../testing/mockProgram";
import { runPolicies } from "../testing/policyHarness";

const accounts = [
    { id: "111122223333", name: "security" },
    { id: "444455556666", name: "workload-a" },
];
const organization = { id: "o-a1b2c3d4e5", managementAccountId: "123456789012", roleName: "CloudTrailLakeOrganizationTrail" };
const existingBucket = "aws-controltower-logs-123456789012-ap-northeast-1";

const copy = (resources: readonly DeclaredResource[]): DeclaredResource[] => JSON.parse(JSON.stringify(resources));

describe("policy pack: trail modes", () => {
    let organizationStack: DeclaredResource[];
    let existingStack: DeclaredResource[];
    let perAccountStack: DeclaredResource[];

    before(async () => {
        organizationStack = await declareMockStack({
            "cloudtrail-lake:accounts": accounts,
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": organization,
        });
        existingStack = await declareMockStack({
            "cloudtrail-lake:accounts": accounts,
            "cloudtrail-lake:trailMode": "existing",
            "cloudtrail-lake:existingArchive": { bucketName: existingBucket },
        });
        perAccountStack = await declareMockStack({ "cloudtrail-lake:accounts": accounts });
    });

    it("finds no violation in the organization and existing stacks as the program declares them", async () => {
        expect(await runPolicies(organizationStack)).to.deep.equal([]);
        expect(await runPolicies(existingStack)).to.deep.equal([]);
    });

    const messages = async (resources: DeclaredResource[]) => (await runPolicies(resources)).map((violation) => `${violation.policy}: ${violation.message}`);

    it("refuses a member trail beside the organization trail, and a second organization trail", async () => {
        const withMember = copy(organizationStack);
        const memberTrail = copy(perAccountStack).find((resource) => resource.type === "aws:cloudtrail/trail:Trail")!;
        withMember.push(...copy(perAccountStack).filter((resource) => resource.urn === memberTrail.provider.split("::").slice(0, -1).join("::")), memberTrail);
        expect(await messages(withMember)).to.include(
            `trail-mode-consistent: Trail ${memberTrail.name} is a member trail beside the organization trail: every management event would be billed twice.`,
        );
        const twice = copy(organizationStack);
        const trail = twice.find((resource) => resource.type === "aws:cloudtrail/trail:Trail")!;
        twice.push({ ...copy([trail])[0], urn: `${trail.urn}-2`, name: `${trail.name}-2` });
        expect(await messages(twice)).to.include("trail-mode-consistent: The stack has 2 organization trails; it needs exactly one.");
    });

    it("refuses an organization-trail write pinned by a trail-name pattern instead of the exact management-account ARN", async () => {
        const loose = copy(organizationStack);
        const policy = loose.find((resource) => resource.type === "aws:s3/bucketPolicy:BucketPolicy" && resource.name === "archive-policy")!;
        const document = JSON.parse(policy.outputs.policy);
        const write = document.Statement.find((statement: { Sid?: string }) => statement.Sid === "OrganizationTrailWrite");
        write.Condition = {
            StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" },
            ArnLike: { "aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/cloudtrail-lake" },
        };
        policy.outputs.policy = JSON.stringify(document);
        expect((await messages(loose)).filter((message) => message.startsWith("archive-policy-pinned"))).to.not.deep.equal([]);
    });

    it("refuses a trail, an archive bucket or any S3 configuration of the existing bucket in existing mode", async () => {
        const taken = copy(existingStack);
        const template = taken.find((resource) => resource.type === "aws:sqs/queuePolicy:QueuePolicy")!;
        taken.push({
            ...copy([template])[0],
            type: "aws:s3/bucketPolicy:BucketPolicy",
            name: "takeover",
            urn: "urn:takeover",
            outputs: { bucket: existingBucket, policy: "{}" },
        });
        const trail = copy(organizationStack).find((resource) => resource.type === "aws:cloudtrail/trail:Trail")!;
        taken.push(trail);
        const found = await messages(taken);
        expect(found).to.include(
            `trail-mode-consistent: BucketPolicy takeover configures the existing archive ${existingBucket}, which belongs to another team: leave its policy, lock, encryption and notifications alone.`,
        );
        expect(found).to.include(`trail-mode-consistent: Trail ${trail.name} is created although the stack reads an existing archive (${existingBucket}).`);
    });
});

describe("policy pack: the migration from per-account to organization", () => {
    it("accepts the member trails beside the organization trail only while organization.keepMemberTrails tags them", async () => {
        const accounts = [
            { id: "111122223333", name: "security" },
            { id: "123456789012", name: "management" },
        ];
        const migrating = await declareMockStack({
            "cloudtrail-lake:accounts": accounts,
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": { ...organization, keepMemberTrails: true },
        });
        const trails = migrating.filter((resource) => resource.type === "aws:cloudtrail/trail:Trail");
        expect(trails.map((trail) => Boolean(trail.inputs.isOrganizationTrail)).sort()).to.deep.equal([false, false, true]);
        expect(await runPolicies(migrating)).to.deep.equal([]);
        const untagged = copy(migrating);
        for (const trail of untagged.filter((resource) => resource.type === "aws:cloudtrail/trail:Trail"))
            delete trail.outputs.tags["cloudtrail-lake:migrating-to-organization-trail"];
        expect((await runPolicies(untagged)).map((violation) => violation.policy)).to.deep.equal(["trail-mode-consistent", "trail-mode-consistent"]);
    });
});
