import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { accountName, enrichRow, sourceNetwork } from "../contract/enrichment";
import { loadDetections } from "../contract/detections";
import { htmlReport } from "../local/report";
import { runLocal } from "../local/run";

describe("enrichment of findings: where the caller was, whose account it is", () => {
    it("names the AWS range (service, region, prefix) of an address, or says it is outside AWS, with the ranges' date", () => {
        expect(sourceNetwork("54.210.1.20")).to.equal("AWS EC2 us-east-1 (54.210.0.0/15)");
        expect(sourceNetwork("52.94.5.10")).to.equal("AWS DYNAMODB eu-west-1 (52.94.5.0/24)");
        expect(sourceNetwork("2600:1f18:4000::1")).to.equal("AWS EC2 us-east-1 (2600:1f18::/33)");
        expect(sourceNetwork("203.0.113.50")).to.equal("outside AWS (ranges of 2026-08-22)");
        expect(sourceNetwork("AWS Internal")).to.equal("AWS internal");
        expect(sourceNetwork("cloudformation.amazonaws.com")).to.equal("AWS service cloudformation.amazonaws.com");
        for (const unreadable of [null, undefined, "", "203.0.113.5, 54.210.1.1"]) expect(sourceNetwork(unreadable), String(unreadable)).to.equal(null);
    });

    it("names accounts from the stack config, null for an account it does not list", () => {
        expect(accountName("111122223333", { "111122223333": "security" })).to.equal("security");
        expect(accountName("999988887777", { "111122223333": "security" })).to.equal(null);
        expect(enrichRow({ account: "111122223333", sourceipaddress: "203.0.113.50", eventid: "e" }, { "111122223333": "security" })).to.deep.equal({
            account: "111122223333",
            sourceipaddress: "203.0.113.50",
            eventid: "e",
            sourcenetwork: "outside AWS (ranges of 2026-08-22)",
            accountname: "security",
        });
    });

    it("the local mode's hits (--json) and HTML report carry both", async () => {
        const detection = loadDetections().filter((candidate) => candidate.id === "workload-credentials-used-outside-aws");
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-enrichment-"));
        try {
            const result = await runLocal({
                files: [path.join(__dirname, "fixtures", "detections", "workload-credentials-used-outside-aws", "positive.json")],
                outDir,
                detections: detection,
                accountNames: { "111122223333": "production" },
            });
            const hits = result.findings[0].hits;
            expect(hits.map((hit) => [hit.sourceipaddress, hit.sourcenetwork, hit.accountname])).to.deep.include.members([
                ["203.0.113.50", "outside AWS (ranges of 2026-08-22)", "production"],
                ["2001:db8:4a::1f", "outside AWS (ranges of 2026-08-22)", "production"],
            ]);
            const report = htmlReport(result, "2026-11-25T00:00:00Z");
            expect(report).to.contain("<th>sourcenetwork</th>").and.contain("<td>outside AWS (ranges of 2026-08-22)</td>").and.contain("<td>production</td>");
        } finally {
            fs.rmSync(outDir, { recursive: true, force: true });
        }
    });
});
