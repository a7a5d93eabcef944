/**
 * The local mode on an organization trail's layout: a copy of a Control Tower log-archive
 * bucket (`aws s3 sync s3://…/AWSLogs/o-…/ ./logs/`) is read like a per-account one.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ingestFiles } from "../local/ingest";
import { asS3LogFile, CORPUS_DIR } from "./corpus";

describe("local mode on an organization trail's keys AWSLogs/<org id>/<account>/…", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "org-trail-"));
    const out = path.join(root, "lake");
    const day = (account: string, folder = "CloudTrail") => path.join(root, "AWSLogs", "o-a1b2c3d4e5", account, folder, "us-east-1", "2020", "09", "14");
    const sample = path.join(CORPUS_DIR, "OTRF__Security-Datasets", "ec2_proxy_s3_exfiltration_2020-09-14011940.json");
    const log = path.join(day("123456789123"), "123456789123_CloudTrail_us-east-1_20200914T0120Z_org0000000001.json.gz");
    const digest = path.join(day("123456789123", "CloudTrail-Digest"), "123456789123_CloudTrail-Digest_us-east-1_x_20200914T012000Z.json.gz");

    before(() => {
        for (const file of [log, digest]) fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(log, asS3LogFile(sample));
        fs.writeFileSync(digest, Buffer.from("{}"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("normalises the logs into account/region/date partitions and skips the digests", async () => {
        const results = await ingestFiles([log, digest], out, { shapes: "s3-log" });
        const byFile = new Map(results.map((result) => [result.file, result]));
        expect(byFile.get(log)?.status).to.equal("normalised");
        expect(byFile.get(log)?.events).to.be.greaterThan(0);
        expect(byFile.get(log)?.objects.every((key) => /^normalised\/account=\d{12}\/region=[a-z0-9-]+\/date=\d{4}-\d{2}-\d{2}\//.test(key))).to.equal(true);
        expect(byFile.get(digest)).to.include({ status: "skipped", reason: "CloudTrail digest file" });
    });
});
