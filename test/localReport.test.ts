import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLOUD_TACTICS, loadDetections } from "../contract/detections";
import { discoverFiles } from "../local/files";
import { htmlReport } from "../local/report";
import { LocalRunResult, runLocal } from "../local/run";

const ROOT = path.join(__dirname, "..");

describe("local mode: the HTML report's ATT&CK coverage and runbooks", () => {
    let result: LocalRunResult;
    let report: string;
    before(async () => {
        const files = (await discoverFiles([path.join(ROOT, "samples")], {})).files;
        result = await runLocal({ files, outDir: fs.mkdtempSync(path.join(os.tmpdir(), "ctl-report-")) });
        report = htmlReport(result, "2026-11-25T00:00:00Z");
    });

    /** The rows of the coverage table, as text without tags. */
    const coverageRows = () => {
        const table = /<table class="coverage">([\s\S]*?)<\/table>/.exec(report)![1];
        return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].slice(1).map((row) => row[1].replace(/<[^>]+>/g, "").replace(/\s+/g, " "));
    };

    it("has a tactic × detections table with every tactic of the cloud matrix, the catalogue's detections and those that fired", () => {
        const rows = coverageRows();
        expect(rows).to.have.length(Object.keys(CLOUD_TACTICS).length);
        const detections = loadDetections();
        for (const [tactic, name] of Object.entries(CLOUD_TACTICS)) {
            const row = rows.find((text) => text.startsWith(`${name} (${tactic})`))!;
            // Context detections (catch-alls) are not coverage: the table leaves them out.
            const mapped = detections.filter((detection) => detection.role === "specific" && detection.tactics.includes(tactic));
            expect(row, tactic).to.contain(`(${tactic})${mapped.length}`);
            for (const detection of mapped) expect(row, tactic).to.contain(detection.id);
            for (const technique of mapped.flatMap((detection) => detection.techniques)) expect(row, tactic).to.contain(technique);
        }
        // Each detection that fired on the samples is named with its hit count in the rows of its tactics.
        const fired = result.findings.filter((finding) => finding.count > 0 && finding.role === "specific");
        expect(fired.length).to.be.greaterThan(0);
        for (const finding of fired) {
            for (const tactic of finding.tactics) {
                expect(rows.find((text) => text.startsWith(`${CLOUD_TACTICS[tactic]} (${tactic})`))).to.contain(`${finding.query} (${finding.count})`);
            }
        }
    });

    it("shows each finding's ATT&CK tactic and technique ids, linked, and its runbook", () => {
        for (const detection of loadDetections()) {
            const section = new RegExp(`<section[^>]*><h2 id="${detection.id}">[\\s\\S]*?</section>`).exec(report)![0];
            for (const tactic of detection.tactics)
                expect(section, detection.id).to.contain(`<a href="https://attack.mitre.org/tactics/${tactic}/">${tactic}</a>`);
            for (const technique of detection.techniques)
                expect(section, detection.id).to.contain(`<a href="https://attack.mitre.org/techniques/${technique.replace(".", "/")}/">${technique}</a>`);
            const runbook = detection.runbook.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
            expect(section, detection.id).to.contain(`<strong>Runbook:</strong> ${runbook}`);
        }
    });
});
