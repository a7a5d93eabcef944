import { expect } from "chai";
import { ConfigError, DEFAULT_MEMBER_ROLE, parseLakeConfig } from "../config/stackConfig";

const accounts = [{ id: "111122223333", name: "security" }];
const organization = { id: "o-a1b2c3d4e5", managementAccountId: "123456789012", roleName: "CloudTrailLakeOrganizationTrail" };

function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseLakeConfig(values);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
    throw new Error("expected the config to be rejected");
}

describe("stack config: trail modes", () => {
    it("defaults to per-account, today's behaviour, with neither organization nor existingArchive", () => {
        const config = parseLakeConfig({ accounts });
        expect(config.trailMode).to.equal("per-account");
        expect(config.organization).to.equal(undefined);
        expect(config.existingArchive).to.equal(undefined);
    });

    it("reads organization mode with the role to assume in the management account, or a profile of it", () => {
        expect(parseLakeConfig({ accounts, trailMode: "organization", organization }).organization).to.deep.equal({ ...organization, keepMemberTrails: false });
        const withoutRole = { id: organization.id, managementAccountId: organization.managementAccountId };
        expect(parseLakeConfig({ accounts, trailMode: "organization", organization: { ...withoutRole, profile: "management" } }).organization).to.deep.equal({
            ...withoutRole,
            profile: "management",
            keepMemberTrails: false,
        });
    });

    it("requires organization.roleName or .profile: OrganizationAccountAccessRole does not exist in the management account", () => {
        const withoutRole = { id: organization.id, managementAccountId: organization.managementAccountId };
        const [problem] = problemsOf({ accounts, trailMode: "organization", organization: withoutRole });
        expect(problem).to.match(
            /^cloudtrail-lake:organization\.roleName is missing: it must name the role the program assumes in the management account 123456789012/,
        );
        expect(problem).to.contain("OrganizationAccountAccessRole exists only in member accounts");
        expect(problem).to.contain("organization.profile");
        expect(problemsOf({ accounts, trailMode: "organization", organization: { ...organization, profile: "management" } })).to.deep.equal([
            'cloudtrail-lake:organization.profile = "management": is set together with organization.roleName: choose one, the role to assume or the profile of the management account',
        ]);
        // Member accounts keep the default: Organizations creates the role in the accounts it creates.
        expect(parseLakeConfig({ accounts }).accounts[0].roleName).to.equal(DEFAULT_MEMBER_ROLE);
    });

    it("reads existing mode, with and without a key", () => {
        expect(
            parseLakeConfig({ accounts, trailMode: "existing", existingArchive: { bucketName: "aws-controltower-logs-123456789012-eu-west-1" } })
                .existingArchive,
        ).to.deep.equal({
            bucketName: "aws-controltower-logs-123456789012-eu-west-1",
        });
        const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        expect(parseLakeConfig({ accounts, trailMode: "existing", existingArchive: { bucketName: "logs", kmsKeyArn } }).existingArchive?.kmsKeyArn).to.equal(
            kmsKeyArn,
        );
    });

    it("rejects an unknown mode, naming the allowed ones", () => {
        expect(problemsOf({ accounts, trailMode: "org" })).to.deep.equal([
            'cloudtrail-lake:trailMode = "org": must be one of per-account, organization, existing',
        ]);
    });

    it("rejects an org id that is not o- and 10-32 lowercase letters or digits, and a management account not 12 digits, together", () => {
        const problems = problemsOf({ accounts, trailMode: "organization", organization: { id: "o-ABC", managementAccountId: "12345", roleName: "R" } });
        expect(problems).to.deep.equal([
            'cloudtrail-lake:organization.id = "o-ABC": must be an AWS Organizations id: o- followed by 10-32 lowercase letters or digits, e.g. o-a1b2c3d4e5',
            'cloudtrail-lake:organization.managementAccountId = "12345": must be exactly 12 digits (an AWS account id)',
        ]);
        expect(
            problemsOf({
                accounts,
                trailMode: "organization",
                organization: { id: `o-${"a".repeat(33)}`, managementAccountId: "123456789012", roleName: "R" },
            }),
        ).to.have.length(1);
    });

    it("names the missing key of organization and existing modes", () => {
        expect(problemsOf({ accounts, trailMode: "organization" })).to.deep.equal([
            "cloudtrail-lake:organization is missing: trailMode organization needs it ({ id: o-…, managementAccountId: …, roleName: … or profile: … })",
        ]);
        expect(problemsOf({ accounts, trailMode: "existing" })).to.deep.equal([
            "cloudtrail-lake:existingArchive is missing: trailMode existing needs it ({ bucketName: …, kmsKeyArn?: … })",
        ]);
    });

    it("refuses existingArchive without trailMode existing, and organization without trailMode organization", () => {
        expect(problemsOf({ accounts, existingArchive: { bucketName: "logs-bucket" } })).to.deep.equal([
            "cloudtrail-lake:existingArchive is set but cloudtrail-lake:trailMode is per-account: it is read only with trailMode existing; set trailMode: existing, or remove existingArchive",
        ]);
        expect(problemsOf({ accounts, trailMode: "existing", existingArchive: { bucketName: "logs-bucket" }, organization })).to.deep.equal([
            "cloudtrail-lake:organization is set but cloudtrail-lake:trailMode is existing: it is read only with trailMode organization; set trailMode: organization, or remove organization",
        ]);
    });

    it("reports a mode problem together with every other problem, and unknown keys with what is allowed", () => {
        const problems = problemsOf({ accounts: [{ id: "1", name: "a" }], trailMode: "organization", organization: { ...organization, role: "x" } });
        expect(problems).to.include(
            "cloudtrail-lake:organization.role: unknown key (a typo?); allowed here: id, managementAccountId, roleName, profile, keepMemberTrails",
        );
        expect(problems.some((problem) => problem.startsWith("cloudtrail-lake:accounts[0].id"))).to.equal(true);
    });

    it("refuses a key alias and a bucket ARN where an ARN of a key and a bucket name are expected", () => {
        const problems = problemsOf({
            accounts,
            trailMode: "existing",
            existingArchive: { bucketName: "arn:aws:s3:::logs", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/logs" },
        });
        expect(problems).to.have.length(2);
        expect(problems[0]).to.match(/^cloudtrail-lake:existingArchive.bucketName = "arn:aws:s3:::logs": must be an S3 bucket name/);
        expect(problems[1]).to.match(/existingArchive.kmsKeyArn = .*must be a KMS key ARN .*not an alias/);
    });

    it("refuses a trailName in existing mode: no trail is created", () => {
        expect(problemsOf({ accounts, trailMode: "existing", existingArchive: { bucketName: "logs-bucket" }, trailName: "mine" })[0]).to.match(
            /^cloudtrail-lake:trailName is set but trailMode is existing/,
        );
    });
});
