import { expect } from "chai";
import { centralAccountWarning, ConfigError, DEFAULT_MEMBER_ROLE, lakeConfigFromPulumi, parseLakeConfig } from "../config/stackConfig";
import { declareMockStack, findResource } from "../testing/mockProgram";

const valid = {
    accounts: [
        { id: "111122223333", name: "security" },
        { id: "444455556666", name: "workload-a" },
    ],
};

function problemsOf(values: Record<string, unknown>): string[] {
    try {
        parseLakeConfig(values);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
    throw new Error("expected the config to be rejected");
}

describe("stack config", () => {
    it("fills in safe defaults: COMPLIANCE lock for a year, the Organizations role, cold storage after 90 days", () => {
        const config = parseLakeConfig(valid);
        expect(config.accounts[0]).to.deep.equal({ id: "111122223333", name: "security", roleName: DEFAULT_MEMBER_ROLE });
        expect(config.archive).to.include({ objectLockMode: "COMPLIANCE", retentionDays: 365, coldStorageAfterDays: 90, coldStorageClass: "GLACIER_IR" });
        expect(config.trailName).to.equal("cloudtrail-lake");
    });

    it("reads the namespaced keys Pulumi hands over and ignores other namespaces", () => {
        const config = lakeConfigFromPulumi({
            "aws:region": "ap-northeast-1",
            "cloudtrail-lake:accounts": JSON.stringify(valid.accounts),
            "cloudtrail-lake:trailName": "org-audit",
        });
        expect(config.trailName).to.equal("org-audit");
        expect(config.accounts.map((account) => account.id)).to.deep.equal(["111122223333", "444455556666"]);
    });

    it("tells the user to quote an id that YAML read as a number, with the zeros restored", () => {
        const problems = problemsOf({ accounts: [{ id: 12345678901, name: "a" }] });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.equal(
            "cloudtrail-lake:accounts[0].id = 12345678901: is a YAML number, and YAML drops leading " +
                'zeros from numbers: write the id as a quoted 12-digit string, e.g. id: "012345678901"',
        );
    });

    it("names the key path, the value and what is allowed for ids that are not 12 digits", () => {
        const problems = problemsOf({ accounts: [...valid.accounts, { id: "1234-5678-9012", name: "c" }] });
        expect(problems).to.deep.equal(['cloudtrail-lake:accounts[2].id = "1234-5678-9012": must be exactly 12 digits (an AWS account id)']);
    });

    it("rejects duplicate ids and names, pointing at the first occurrence", () => {
        const problems = problemsOf({ accounts: [...valid.accounts, { id: "111122223333", name: "security" }] });
        expect(problems).to.have.members([
            'cloudtrail-lake:accounts[2].id = "111122223333": duplicates accounts[0].id; every account id must be unique',
            'cloudtrail-lake:accounts[2].name = "security": duplicates accounts[0].name; every account name must be unique',
        ]);
    });

    it("rejects unknown keys at every level, so a typo is never silently ignored", () => {
        const problems = problemsOf({
            accounts: [{ ...valid.accounts[0], rolename: "Admin" }],
            archive: { retentionDay: 30 },
            acounts: [],
        });
        expect(problems).to.have.members([
            "cloudtrail-lake:accounts[0].rolename: unknown key (a typo?); allowed here: id, name, roleName",
            "cloudtrail-lake:archive.retentionDay: unknown key (a typo?); allowed here: objectLockMode, retentionDays, coldStorageAfterDays, coldStorageClass, expireAfterDays, accessLogRetentionDays",
            "cloudtrail-lake:acounts: unknown key (a typo?); allowed here: trailMode, organization, existingArchive, accounts, trailName, archive, normaliser, schedule, glue, athena, catalog, breakGlassRoleArn, deployRoleArn, dataEvents, alerts, suppressions, flowLogs, dashboards, tags",
        ]);
    });

    it("takes break-glass and deploy roles as IAM ARNs only, never an assumed-role session ARN", () => {
        expect(problemsOf({ ...valid, breakGlassRoleArn: "arn:aws:sts::123456789012:assumed-role/BreakGlass/me" })).to.deep.equal([
            'cloudtrail-lake:breakGlassRoleArn = "arn:aws:sts::123456789012:assumed-role/BreakGlass/me": must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/BreakGlass (not an sts assumed-role session ARN)',
        ]);
        const config = parseLakeConfig({
            ...valid,
            breakGlassRoleArn: "arn:aws:iam::123456789012:role/security/BreakGlass",
            deployRoleArn: "arn:aws:iam::123456789012:role/Deployer",
        });
        expect(config.breakGlassRoleArn).to.equal("arn:aws:iam::123456789012:role/security/BreakGlass");
    });

    it("warns when the central account is not among the collected accounts", () => {
        const config = parseLakeConfig(valid);
        expect(centralAccountWarning(config, valid.accounts[0].id)).to.equal(undefined);
        expect(centralAccountWarning(config, "999999999999")).to.match(/does not list the central account 999999999999.*not logged/);
    });

    it("rejects retention out of range, an unknown lock mode and expiry before the lock ends", () => {
        expect(problemsOf({ ...valid, archive: { retentionDays: 0 } })).to.deep.equal([
            "cloudtrail-lake:archive.retentionDays = 0: must be a whole number from 1 to 36500",
        ]);
        expect(problemsOf({ ...valid, archive: { retentionDays: 36501 } })).to.have.length(1);
        expect(problemsOf({ ...valid, archive: { objectLockMode: "compliance" } })).to.deep.equal([
            'cloudtrail-lake:archive.objectLockMode = "compliance": must be one of COMPLIANCE, GOVERNANCE',
        ]);
        expect(problemsOf({ ...valid, archive: { retentionDays: 400, expireAfterDays: 365 } })).to.deep.equal([
            "cloudtrail-lake:archive.expireAfterDays = 365: must be at least retentionDays (400): expiring a log before its lock ends leaves a delete marker over evidence",
        ]);
    });

    it("rejects Glue Flex on worker types Flex does not run on", () => {
        expect(problemsOf({ ...valid, glue: { executionClass: "FLEX", workerType: "G.4X" } })).to.deep.equal([
            'cloudtrail-lake:glue.executionClass = "FLEX": runs only on worker types G.1X, G.2X, not glue.workerType G.4X: ' +
                "Glue rejects the job; use STANDARD, or one of those worker types",
        ]);
        expect(parseLakeConfig({ ...valid, glue: { executionClass: "FLEX", workerType: "G.2X" } }).glue.executionClass).to.equal("FLEX");
        expect(parseLakeConfig({ ...valid, glue: { executionClass: "FLEX" } }).glue.workerType).to.equal("G.1X");
    });

    it("rejects a normaliser batch above 10 without a batching window of at least 1 s, and wires the window", () => {
        expect(problemsOf({ ...valid, normaliser: { batchSize: 50 } })).to.deep.equal([
            "cloudtrail-lake:normaliser.batchSize = 50: above 10 needs normaliser.maximumBatchingWindowSeconds of at least 1 (it is 0): " +
                "Lambda rejects such an SQS event source mapping; set the window, or a batchSize of 10 or less",
        ]);
        expect(parseLakeConfig({ ...valid, normaliser: { batchSize: 50, maximumBatchingWindowSeconds: 5 } }).normaliser).to.include({
            batchSize: 50,
            maximumBatchingWindowSeconds: 5,
        });
        expect(parseLakeConfig(valid).normaliser).to.include({ batchSize: 5, maximumBatchingWindowSeconds: 0 });
        expect(problemsOf({ ...valid, normaliser: { maximumBatchingWindowSeconds: 301 } })).to.deep.equal([
            "cloudtrail-lake:normaliser.maximumBatchingWindowSeconds = 301: must be a whole number from 0 to 300",
        ]);
    });

    it("hands the batching window to the normaliser's SQS event source mapping", async () => {
        const resources = await declareMockStack({
            "cloudtrail-lake:accounts": valid.accounts,
            "cloudtrail-lake:normaliser": { batchSize: 50, maximumBatchingWindowSeconds: 5 },
        });
        expect(findResource(resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "normaliser-trigger").inputs).to.deep.include({
            batchSize: 50,
            maximumBatchingWindowInSeconds: 5,
        });
    });

    it("rejects a transition to STANDARD_IA before day 30, which S3 refuses", () => {
        expect(problemsOf({ ...valid, archive: { coldStorageClass: "STANDARD_IA", coldStorageAfterDays: 7 } })).to.deep.equal([
            "cloudtrail-lake:archive.coldStorageAfterDays = 7: must be at least 30 with coldStorageClass STANDARD_IA: S3 rejects a lifecycle " +
                "transition to STANDARD_IA before day 30; use 0 (stay in S3 Standard), 30 or more, or GLACIER_IR",
        ]);
        expect(parseLakeConfig({ ...valid, archive: { coldStorageClass: "STANDARD_IA", coldStorageAfterDays: 30 } }).archive.coldStorageAfterDays).to.equal(30);
        expect(parseLakeConfig({ ...valid, archive: { coldStorageClass: "STANDARD_IA", coldStorageAfterDays: 0 } }).archive.coldStorageAfterDays).to.equal(0);
        expect(parseLakeConfig({ ...valid, archive: { coldStorageClass: "GLACIER_IR", coldStorageAfterDays: 7 } }).archive.coldStorageAfterDays).to.equal(7);
    });

    it("rejects an empty or missing account list", () => {
        expect(problemsOf({ accounts: [] })).to.deep.equal([
            "cloudtrail-lake:accounts = []: must list at least one account: without one there is nothing to collect",
        ]);
        expect(problemsOf({})).to.deep.equal(["cloudtrail-lake:accounts is missing: it must be a list of accounts, each with id and name"]);
    });

    it("lists every problem in one error, one per line", () => {
        try {
            parseLakeConfig({ accounts: [{ id: 1, name: "" }], archive: { objectLockMode: "NONE" }, typo: true });
            expect.fail("accepted");
        } catch (error) {
            const message = (error as Error).message;
            expect(message).to.match(/^invalid stack config \(4 problems\):\n/);
            expect(message.split("\n").slice(1)).to.have.length(4);
            expect(message).to.contain("cloudtrail-lake:accounts[0].name");
        }
    });
});
