import { expect } from "chai";
import { TRANSITION_MINIMUM_OBJECT_SIZE } from "../components/storage/secureBucket";
import { declareMockStack, DeclaredResource } from "../testing/mockProgram";

const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

describe("S3 lifecycle rules", () => {
    let configurations: DeclaredResource[];

    before(async () => {
        const resources = await declareMockStack({
            "cloudtrail-lake:accounts": [{ id: "111122223333", name: "security" }],
            "cloudtrail-lake:archive": { retentionDays: 365, expireAfterDays: 3650 },
        });
        configurations = resources.filter((resource) => resource.type === LIFECYCLE);
    });

    it("gives every rule of every bucket an explicit prefix filter, never the deprecated empty filter {}", () => {
        expect(configurations.map((configuration) => configuration.name).sort()).to.deep.equal([
            "archive-access-logs-lifecycle",
            "archive-lifecycle",
            "lake-lifecycle",
        ]);
        for (const configuration of configurations) {
            for (const rule of configuration.inputs.rules) {
                expect(rule.filter, `${configuration.name}: ${rule.id}`).to.be.an("object").that.has.property("prefix").that.is.a("string");
            }
        }
        const archive = configurations.find((configuration) => configuration.name === "archive-lifecycle")!.inputs.rules;
        expect(archive.map((rule: { filter: { prefix: string } }) => rule.filter.prefix)).to.deep.equal(["AWSLogs/", "AWSLogs/", ""]);
    });

    it("states the minimum object size S3 transitions (128 KB) instead of leaving it to S3's default", () => {
        expect(TRANSITION_MINIMUM_OBJECT_SIZE).to.equal("all_storage_classes_128K");
        for (const configuration of configurations) {
            expect(configuration.inputs.transitionDefaultMinimumObjectSize, configuration.name).to.equal(TRANSITION_MINIMUM_OBJECT_SIZE);
        }
    });
});
