import { expect } from "chai";
import { advancedEventSelectors, advancedSelectorValueCount, MAX_ADVANCED_SELECTOR_VALUES } from "../config/dataEvents";
import { ConfigError, parseLakeConfig } from "../config/stackConfig";
import { declareMockStack, findResource, installMocks } from "../testing/mockProgram";

const base = { accounts: [{ id: "111122223333", name: "security" }] };
const problemsOf = (values: Record<string, unknown>): string[] => {
    try {
        parseLakeConfig(values);
        return [];
    } catch (error) {
        return (error as ConfigError).problems;
    }
};

describe("data events (cloudtrail-lake:dataEvents)", () => {
    it("are off by default: the trails keep CloudTrail's default selectors (every management event, no data event)", () => {
        const config = parseLakeConfig(base);
        expect(config.dataEvents).to.deep.equal({ s3Buckets: [], lambda: false });
        expect(advancedEventSelectors(config.dataEvents, "aws")).to.equal(undefined);
    });

    it("record every object of the listed buckets and every Lambda invocation, and keep all management events", () => {
        const { dataEvents } = parseLakeConfig({
            ...base,
            dataEvents: { s3Buckets: ["payroll-exports", "arn:aws:s3:::hr-files", "arn:aws:s3:::shared/finance/"], lambda: true },
        });
        expect(advancedEventSelectors(dataEvents, "aws-us-gov")).to.deep.equal([
            { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
            {
                name: "S3 data events of the listed buckets",
                fieldSelectors: [
                    { field: "eventCategory", equals: ["Data"] },
                    { field: "resources.type", equals: ["AWS::S3::Object"] },
                    { field: "resources.ARN", startsWiths: ["arn:aws-us-gov:s3:::payroll-exports/", "arn:aws:s3:::hr-files/", "arn:aws:s3:::shared/finance/"] },
                ],
            },
            {
                name: "Lambda invocations",
                fieldSelectors: [
                    { field: "eventCategory", equals: ["Data"] },
                    { field: "resources.type", equals: ["AWS::Lambda::Function"] },
                ],
            },
        ]);
    });

    it("refuses bad entries, duplicates and more buckets than CloudTrail's 500 condition values allow, naming the key", () => {
        expect(problemsOf({ ...base, dataEvents: { s3Buckets: ["Bad_Bucket"], lambda: "yes" } })).to.deep.equal([
            "cloudtrail-lake:dataEvents.s3Buckets[0] = \"Bad_Bucket\": must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-') or an S3 ARN such as arn:aws:s3:::my-bucket or arn:aws:s3:::my-bucket/prefix/",
            'cloudtrail-lake:dataEvents.lambda = "yes": must be true or false',
        ]);
        expect(problemsOf({ ...base, dataEvents: { s3Buckets: ["logs-a", "arn:aws:s3:::logs-a"] } })).to.deep.equal([
            'cloudtrail-lake:dataEvents.s3Buckets[1] = "arn:aws:s3:::logs-a": names the same objects as s3Buckets[0]; list each bucket once',
        ]);
        expect(problemsOf({ ...base, dataEvents: { buckets: [] } })[0]).to.match(/dataEvents\.buckets: unknown key .*allowed here: s3Buckets, lambda/);
        // Management 1 + S3 2 + Lambda 2 = 5 values besides the buckets: 495 buckets fit, 496 do not.
        const buckets = (count: number) => Array.from({ length: count }, (_, index) => `bucket-${String(index).padStart(4, "0")}`);
        const fits = parseLakeConfig({ ...base, dataEvents: { s3Buckets: buckets(495), lambda: true } });
        expect(advancedSelectorValueCount(advancedEventSelectors(fits.dataEvents, "aws")!)).to.equal(MAX_ADVANCED_SELECTOR_VALUES);
        expect(problemsOf({ ...base, dataEvents: { s3Buckets: buckets(496), lambda: true } })).to.deep.equal([
            "cloudtrail-lake:dataEvents.s3Buckets lists 496 buckets: with the other selectors that is 501 condition values, but CloudTrail allows at most 500 across all advanced event selectors of a trail (a quota that cannot be raised); list fewer buckets",
        ]);
    });

    it("are refused with trailMode existing, where the stack creates no trail", () => {
        expect(
            problemsOf({ ...base, trailMode: "existing", existingArchive: { bucketName: "org-trail-logs" }, dataEvents: { lambda: true } }).join("\n"),
        ).to.match(/cloudtrail-lake:dataEvents is set but trailMode is existing/);
    });

    it("reach every trail of the stack: the member trails and the organization trail", async () => {
        await installMocks();
        const dataEvents = { s3Buckets: ["payroll-exports"], lambda: false };
        const member = await declareMockStack({ "cloudtrail-lake:accounts": base.accounts, "cloudtrail-lake:dataEvents": dataEvents });
        const selectors = findResource(member, "aws:cloudtrail/trail:Trail", "trail-111122223333").inputs.advancedEventSelectors;
        expect(selectors[0]).to.deep.equal({ name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] });
        expect(selectors[1].fieldSelectors[2]).to.deep.equal({ field: "resources.ARN", startsWiths: ["arn:aws:s3:::payroll-exports/"] });
        const organization = await declareMockStack({
            "cloudtrail-lake:accounts": base.accounts,
            "cloudtrail-lake:trailMode": "organization",
            "cloudtrail-lake:organization": { id: "o-a1b2c3d4e5", managementAccountId: "111122223333", roleName: "TrailDeployer" },
            "cloudtrail-lake:dataEvents": dataEvents,
        });
        expect(findResource(organization, "aws:cloudtrail/trail:Trail", "organization-trail").inputs.advancedEventSelectors).to.deep.equal(selectors);
        const off = await declareMockStack({ "cloudtrail-lake:accounts": base.accounts });
        expect(findResource(off, "aws:cloudtrail/trail:Trail", "trail-111122223333").inputs.advancedEventSelectors).to.equal(undefined);
    });
});
