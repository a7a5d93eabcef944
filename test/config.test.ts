import { expect } from "chai";
import { ConfigError, DEFAULT_MEMBER_ROLE, lakeConfigFromPulumi, parseLakeConfig } from "../components/config";

const valid = { accounts: [{ id: "111122223333", name: "security" }, { id: "444455556666", name: "workload-a" }] };

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
        expect(problems[0]).to.equal('cloudtrail-lake:accounts[0].id = 12345678901: is a YAML number, and YAML drops leading ' +
            'zeros from numbers: write the id as a quoted 12-digit string, e.g. id: "012345678901"');
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
            "cloudtrail-lake:acounts: unknown key (a typo?); allowed here: accounts, trailName, archive, normaliser, schedule, glue, athena, catalog, alerts, suppressions, tags",
        ]);
    });

    it("rejects retention out of range, an unknown lock mode and expiry before the lock ends", () => {
        expect(problemsOf({ ...valid, archive: { retentionDays: 0 } }))
            .to.deep.equal(["cloudtrail-lake:archive.retentionDays = 0: must be a whole number from 1 to 36500"]);
        expect(problemsOf({ ...valid, archive: { retentionDays: 36501 } })).to.have.length(1);
        expect(problemsOf({ ...valid, archive: { objectLockMode: "compliance" } }))
            .to.deep.equal(['cloudtrail-lake:archive.objectLockMode = "compliance": must be one of COMPLIANCE, GOVERNANCE']);
        expect(problemsOf({ ...valid, archive: { retentionDays: 400, expireAfterDays: 365 } }))
            .to.deep.equal(["cloudtrail-lake:archive.expireAfterDays = 365: must be at least retentionDays (400): expiring a log before its lock ends leaves a delete marker over evidence"]);
    });

    it("rejects an empty or missing account list", () => {
        expect(problemsOf({ accounts: [] })).to.deep.equal(
            ["cloudtrail-lake:accounts = []: must list at least one account: without one there is nothing to collect"]);
        expect(problemsOf({})).to.deep.equal(
            ["cloudtrail-lake:accounts is missing: it must be a list of accounts, each with id and name"]);
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
