/**
 * The policy pack stands alone (policy-pack/programConventions.ts says why), so it restates what it
 * knows of the program. Each restatement is compared here with the program's single definition: the
 * constant itself where the program exports one, else what the program's pure builders produce.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pack from "../policy-pack/programConventions";
import { ARCHIVE_LOG_PREFIX } from "../contract/prefixes";
import { FLOW_LOG_PREFIX } from "../contract/sources/flowLogs";
import { MAX_ACTIONS_PER_TRIGGER } from "../config/schedule";
import { parseLakeConfig } from "../config/stackConfig";
import {
    CLOUDTRAIL_SERVICE,
    KEY_DESTRUCTION_ACTIONS,
    keyProtection,
    OWN_ACCOUNT_LOG_PREFIX,
    S3_BUCKET_POLICY_MAX_BYTES,
} from "../components/archive/archivePolicies";
import { LOG_DELIVERY_SERVICE, OWN_ACCOUNT_FLOW_LOG_PREFIX } from "../components/flowlogs/flowLogPolicies";
import { BUCKET_PURPOSE_TAG } from "../components/storage/secureBucket";
import { MIGRATION_TAG } from "../components/cloudTrailLake";
import { jobScriptArguments } from "../components/glue/accountJob";
import { parquetTable, rawTable } from "../components/catalog/tables";
import { PLAN_SNAPSHOT } from "../testing/planSnapshot";

interface SnapshotResource {
    readonly urn: string;
    readonly type: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs of any resource type, read field by field
    readonly inputs: Record<string, any>;
}

describe("the policy pack's restatement of the program's conventions", () => {
    it("names the program's tags, prefixes, service principals, key actions and limits exactly as the program defines them", () => {
        expect({
            BUCKET_PURPOSE_TAG: pack.BUCKET_PURPOSE_TAG,
            MIGRATION_TAG: pack.MIGRATION_TAG,
            ARCHIVE_LOG_PREFIX: pack.ARCHIVE_LOG_PREFIX,
            OWN_ACCOUNT_LOG_PREFIX: pack.OWN_ACCOUNT_LOG_PREFIX,
            FLOW_LOG_PREFIX: pack.FLOW_LOG_PREFIX,
            OWN_ACCOUNT_FLOW_LOG_OBJECTS: pack.OWN_ACCOUNT_FLOW_LOG_OBJECTS,
            CLOUDTRAIL_SERVICE: pack.CLOUDTRAIL_SERVICE,
            LOG_DELIVERY_SERVICE: pack.LOG_DELIVERY_SERVICE,
            KEY_DESTRUCTION_ACTIONS: [...pack.KEY_DESTRUCTION_ACTIONS],
            S3_BUCKET_POLICY_MAX_BYTES: pack.S3_BUCKET_POLICY_MAX_BYTES,
            GLUE_MAX_ACTIONS_PER_TRIGGER: pack.GLUE_MAX_ACTIONS_PER_TRIGGER,
        }).to.deep.equal({
            BUCKET_PURPOSE_TAG, // components/storage/secureBucket.ts
            MIGRATION_TAG, // components/cloudTrailLake.ts
            ARCHIVE_LOG_PREFIX, // contract/prefixes.ts
            OWN_ACCOUNT_LOG_PREFIX, // components/archive/archivePolicies.ts
            FLOW_LOG_PREFIX, // contract/sources/flowLogs.ts
            OWN_ACCOUNT_FLOW_LOG_OBJECTS: OWN_ACCOUNT_FLOW_LOG_PREFIX, // components/flowlogs/flowLogPolicies.ts
            CLOUDTRAIL_SERVICE,
            LOG_DELIVERY_SERVICE,
            KEY_DESTRUCTION_ACTIONS: [...KEY_DESTRUCTION_ACTIONS],
            S3_BUCKET_POLICY_MAX_BYTES,
            GLUE_MAX_ACTIONS_PER_TRIGGER: MAX_ACTIONS_PER_TRIGGER, // config/schedule.ts
        });
    });

    it("denies on a protected key exactly the actions the program's key protection denies", () => {
        const denied = keyProtection({ deployPrincipalArn: "arn:aws:iam::999999999999:role/deploy" }).flatMap((statement) =>
            statement.Effect === "Deny" ? [statement.Action].flat() : [],
        );
        expect([...pack.PROTECTED_KEY_ACTIONS].sort()).to.deep.equal(denied.sort());
    });

    it("finds a Glue job's account and a table's projected accounts where the program's builders put them", () => {
        expect(jobScriptArguments("111122223333", "lake-bucket")[pack.GLUE_JOB_ACCOUNT_ARGUMENT]).to.equal("111122223333");
        const projection = { accountIds: ["444455556666", "111122223333"], regions: ["ap-northeast-1"], firstDate: "2026-01-01" };
        for (const table of [parquetTable("lake-bucket", projection), rawTable("archive-bucket", projection)]) {
            expect(table.parameters[pack.PROJECTED_ACCOUNTS_PARAMETER]).to.equal("111122223333,444455556666");
        }
    });

    it("tags the program's archive and lake buckets with the purposes the pack looks for", () => {
        const resources: SnapshotResource[] = JSON.parse(fs.readFileSync(PLAN_SNAPSHOT, "utf8")).resources;
        const purposeOf = (name: string) =>
            resources.find((resource) => resource.type === "aws:s3/bucket:Bucket" && resource.urn.endsWith(`::${name}`))?.inputs.tags?.[
                pack.BUCKET_PURPOSE_TAG
            ];
        expect([purposeOf("archive"), purposeOf("lake")]).to.deep.equal([pack.ARCHIVE_PURPOSE, pack.LAKE_PURPOSE]);
    });

    it("accepts by default the runtimes of the program's functions and its default archive retention", () => {
        const resources: SnapshotResource[] = JSON.parse(fs.readFileSync(PLAN_SNAPSHOT, "utf8")).resources;
        const runtimes = resources.filter((resource) => resource.type === "aws:lambda/function:Function").map((resource) => resource.inputs.runtime);
        expect(runtimes, path.relative(process.cwd(), PLAN_SNAPSHOT)).to.not.deep.equal([]);
        for (const runtime of runtimes) expect(pack.DEFAULT_ALLOWED_RUNTIMES).to.include(runtime);
        const defaults = parseLakeConfig({ accounts: [{ id: "111122223333", name: "security" }] });
        expect(defaults.archive.retentionDays).to.be.at.least(pack.DEFAULT_MINIMUM_RETENTION_DAYS);
    });
});
