import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLOUD_TACTICS } from "../contract/detections";
import { loadCatalogue } from "../contract/sources/catalogue";
import { loadPanels } from "../contract/panels";
import { Engine } from "../lambda/shared/engine";
import { createCloudTrailView } from "../local/lake";
import { createFlowLogView } from "../local/flowLogs";
import { runPanels } from "../local/reportPanels";
import { discoverFiles } from "../local/files";
import { htmlReport } from "../local/report";
import { LocalRunResult, runLocal } from "../local/run";

const ROOT = path.join(__dirname, "..");
/** Names for two of the samples' accounts, as `--stack-file` would give them: the panels show names, not ids. */
const ACCOUNT_NAMES = { "123456789012": "workload", "111122223333": "security" };

describe("local mode: the HTML report's ATT&CK coverage and runbooks", () => {
    let result: LocalRunResult;
    let report: string;
    let outDir: string;
    before(async () => {
        const files = (await discoverFiles([path.join(ROOT, "samples")], {})).files;
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-report-"));
        result = await runLocal({ files, outDir, accountNames: ACCOUNT_NAMES });
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
        // The samples hold flow logs, so the run's catalogue is every source's (contract/sources/catalogue.ts).
        const detections = loadCatalogue();
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
        for (const detection of loadCatalogue()) {
            const section = new RegExp(`<section[^>]*><h2 id="${detection.id}">[\\s\\S]*?</section>`).exec(report)![0];
            for (const tactic of detection.tactics)
                expect(section, detection.id).to.contain(`<a href="https://attack.mitre.org/tactics/${tactic}/">${tactic}</a>`);
            for (const technique of detection.techniques)
                expect(section, detection.id).to.contain(`<a href="https://attack.mitre.org/techniques/${technique.replace(".", "/")}/">${technique}</a>`);
            const runbook = detection.runbook.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
            expect(section, detection.id).to.contain(`<strong>Runbook:</strong> ${runbook}`);
        }
    });

    // The dashboard panels (panels/, docs/dashboards.md), drawn from DuckDB on the samples.
    it("every panel runs, draws at least one point, and returns exactly the columns it declares", async () => {
        expect(result.panels.map((panel) => panel.id)).to.deep.equal(loadPanels().map((panel) => panel.id));
        for (const panel of result.panels) {
            expect(panel.status, `${panel.id}: ${panel.error}`).to.equal("ok");
            expect(panel.points.length, panel.id).to.be.greaterThan(0);
            for (const point of panel.points) expect(point.value, panel.id).to.be.greaterThan(0);
        }
        const engine = await Engine.open();
        try {
            await createCloudTrailView(engine, outDir);
            await createFlowLogView(engine, outDir);
            await runPanels(engine, { panels: [], window: result.window!, accountNames: ACCOUNT_NAMES, hits: [], flows: true });
            const duckdbTypes = { datetime: "TIMESTAMP WITH TIME ZONE", string: "VARCHAR", integer: "BIGINT" };
            for (const panel of loadPanels()) {
                const described = await engine.all(`DESCRIBE ${panel.sql}`);
                const declared = panel.columns.map((column) => `${column.name}:${duckdbTypes[column.type]}`);
                expect(
                    described.map((row) => `${row.column_name}:${row.column_type}`),
                    panel.id,
                ).to.deep.equal(declared);
            }
        } finally {
            engine.close();
        }
    });

    it("draws the samples' flow-log records (AWS's documented examples) as traffic by action, top talkers, rejected ports and bytes out", () => {
        const byId = new Map(result.panels.map((panel) => [panel.id, panel]));
        const points = (id: string) => byId.get(id)!.points.map((point) => `${point.x} | ${point.colour} | ${point.value}`);
        // The SSH and RDP records of 2014-12-14 04:06:50 UTC: 4,249 bytes each, one accepted, one rejected; bytes per hour.
        expect(points("traffic-over-time")).to.include.members(["2014-12-14 04:00 | ACCEPT | 4249", "2014-12-14 04:00 | REJECT | 4249"]);
        expect(byId.get("traffic-over-time")!.unit).to.equal("bytes");
        // The TCP flag sequence's client → server direction, summed over its three connections (568 + 100,701 + 23,294,588 + 1,260 bytes).
        expect(points("top-talkers")[0]).to.equal("52.213.180.42 → 10.0.0.62 | ACCEPT | 23397117");
        // The RDP knock and the network ACL's rejected ping reply, both from private sources; ICMP has no port.
        expect(points("rejected-by-port")).to.have.members(["ICMP | private | 1", "TCP 3389 | private | 1"]);
        // Bytes out to the internet: the server's replies (376 + 632 + 63,388 + 967); the S3 call (pkt-dst-aws-service S3) is left out.
        expect(points("egress-to-public-addresses")).to.deep.equal(["52.213.180.42 | 10.0.0.62 | 65363"]);
        // The report's traffic section keeps what is no chart: the files, the NODATA and SKIPDATA records, the totals; and links the panels.
        expect(report).to.contain("3 flow-log file(s) read (17 records: 1 NODATA, 1 SKIPDATA)");
        expect(report).to.contain('<a href="#panel-top-talkers">');
    });

    it("leaves the flow panels out, rather than drawing them empty, when the run read no flow logs", async () => {
        const engine = await Engine.open();
        try {
            await createCloudTrailView(engine, outDir);
            const flowPanels = loadPanels().filter((panel) => panel.source === "flow_traffic");
            expect(flowPanels.length).to.equal(4);
            expect(await runPanels(engine, { panels: flowPanels, window: result.window!, hits: [] })).to.deep.equal([]);
        } finally {
            engine.close();
        }
    });

    it("shows account names from the stack config, and console sign-ins split by success, failure and MFA", () => {
        const byId = new Map(result.panels.map((panel) => [panel.id, panel]));
        expect(byId.get("calls-over-time")!.points.some((point) => point.colour.startsWith("workload / "))).to.equal(true);
        const outcomes = new Set(byId.get("console-sign-ins")!.points.map((point) => point.colour));
        expect([...outcomes]).to.include.members(["failure", "success without MFA", "success with MFA"]);
        const severities = new Set(byId.get("detection-hits-over-time")!.points.map((point) => point.colour));
        expect(severities.size).to.be.greaterThan(0);
        for (const severity of severities) expect(["low", "medium", "high", "critical"]).to.include(severity);
    });

    it("headless Chromium shows every panel of the report, drawn and non-empty, without a single network request", async function () {
        const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
        if (!fs.existsSync(chromium)) {
            throw new Error(
                `Chromium not found at ${chromium}: the report's browser test needs it. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chrome/Chromium binary`,
            );
        }
        const file = path.join(outDir, "report.html");
        fs.writeFileSync(file, htmlReport(result, "2026-12-06T00:00:00Z"));
        const puppeteer = await import("puppeteer-core");
        const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
        try {
            const page = await browser.newPage();
            const requests: string[] = [];
            page.on("request", (request) => requests.push(request.url()));
            await page.goto(`file://${file}`, { waitUntil: "load" });
            // Evaluated in the page (a string: this project compiles without the DOM's types).
            const shown = (await page.evaluate(`[...document.querySelectorAll("section.panel")].map((section) => {
                const svg = section.querySelector("svg");
                const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
                return {
                    id: section.getAttribute("data-panel"),
                    title: section.querySelector("h3").textContent,
                    width: box.width,
                    height: box.height,
                    marks: svg ? svg.querySelectorAll("rect, circle, polyline").length : 0,
                    legend: section.querySelectorAll(".legend span").length,
                };
            })`)) as { id: string; title: string; width: number; height: number; marks: number; legend: number }[];
            const panels = loadPanels();
            expect(shown.map((panel) => panel.id)).to.deep.equal(panels.map((panel) => panel.id));
            for (const panel of shown) {
                expect(panel.title, panel.id).to.equal(panels.find((candidate) => candidate.id === panel.id)!.title);
                expect(panel.width, panel.id).to.be.greaterThan(100);
                expect(panel.height, panel.id).to.be.greaterThan(10);
                expect(panel.marks, panel.id).to.be.greaterThan(0);
                expect(panel.legend, panel.id).to.be.greaterThan(0);
            }
            expect(requests.filter((url) => !url.startsWith("file://"))).to.deep.equal([]);
        } finally {
            await browser.close();
        }
    });
});
