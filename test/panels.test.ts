/**
 * The panel catalogue (panels/) and its two renderers: every panel's SQL parses as Trino (what Athena
 * runs behind QuickSight) and runs on DuckDB over the samples with the columns it declares; the local
 * report, opened in headless Chromium, shows every panel drawn and non-empty, with no network request.
 */
import { expect } from "chai";
import { TrinoSQL } from "dt-sql-parser";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    ACTIVITY_COLUMNS,
    activityViewSql,
    DETECTION_HIT_COLUMNS,
    detectionHitsSql,
    loadPanels,
    Panel,
    panelQuery,
    parsePanel,
    rollingWindow,
} from "../contract/panels";
import { loadDetections } from "../contract/detections";
import { Engine } from "../lambda/shared/engine";
import { discoverFiles } from "../local/files";
import { createCloudTrailView } from "../local/lake";
import { htmlReport } from "../local/report";
import { runPanels } from "../local/reportPanels";
import { LocalRunResult, runLocal } from "../local/run";

const ROOT = path.join(__dirname, "..");
const ACCOUNT_NAMES = { "123456789012": "workload", "111122223333": "security" };
/** Detections that fire on the samples, so that the hits panel has something to draw without running the whole catalogue again. */
const SAMPLE_DETECTIONS = ["console-login-without-mfa", "root-account-activity", "cloudtrail-tampering", "iam-user-created", "security-group-open-to-world"];

describe("panel catalogue (panels/)", () => {
    const panels = loadPanels();

    it("has the panels a security team expects, one file each, ids unique", () => {
        expect(panels.map((panel) => panel.id)).to.include.members([
            "calls-over-time",
            "calls-by-source-address",
            "top-event-names",
            "top-event-sources",
            "errors-over-time",
            "errors-by-principal",
            "console-sign-ins",
            "detection-hits-over-time",
        ]);
        expect(new Set(panels.map((panel) => panel.id)).size).to.equal(panels.length);
    });

    it("declares only columns its source has, and refuses a bad file naming it and the field", () => {
        for (const panel of panels) {
            const source = panel.source === "cloudtrail_activity" ? ACTIVITY_COLUMNS : DETECTION_HIT_COLUMNS;
            const derived = panel.columns.filter((column) => !source.some((candidate) => candidate.name === column.name && candidate.type === column.type));
            // A panel may derive a column (calls-over-time's account_region); its test below runs it.
            expect(derived.length, panel.id).to.be.at.most(1);
        }
        const file = (header: string) =>
            `-- id: bad\n-- title: t\n-- description: d\n${header}\nSELECT eventtime, account_name, region, principal FROM cloudtrail_activity`;
        const base =
            "-- source: cloudtrail_activity\n-- chart: top-bars\n-- x: region\n-- count: eventtime\n-- columns: eventtime:datetime, account_name, region, principal";
        expect(() => parsePanel("bad.sql", file(base.replace("cloudtrail_activity", "vpc_flow")))).to.throw(
            'bad.sql: source "vpc_flow" must be one of cloudtrail_activity, detection_hits',
        );
        expect(() => parsePanel("bad.sql", file(base.replace(", principal", "")))).to.throw("bad.sql: columns must include principal:string");
        expect(() => parsePanel("bad.sql", file(base.replace("x: region", "x: eventname")))).to.throw('bad.sql: x: "eventname" is not one of the columns');
        expect(() => parsePanel("bad.sql", file(base.replace("top-bars", "time-lines")))).to.throw("bad.sql: x: time-lines needs a datetime column");
        expect(parsePanel("bad.sql", file(base)).limit).to.equal(20);
    });

    it("every panel's query, as its QuickSight data set runs it, parses with Trino's grammar (dt-sql-parser)", () => {
        const parser = new TrinoSQL();
        const table = '"cloudtrail_lake_prod"."cloudtrail"';
        const detections = loadDetections();
        const sources = {
            cloudtrail_activity: activityViewSql({ accountNames: ACCOUNT_NAMES, window: rollingWindow(30), table }),
            // Every detection is parsed on its own by detections.test.ts; here the union around them, with the one that uses ${since}.
            detection_hits: detectionHitsSql({
                detections: detections.filter((detection) => ["bedrock-first-invocation", "console-login-without-mfa"].includes(detection.id)),
                accountNames: ACCOUNT_NAMES,
                lookbackDays: 30,
                table,
            }),
        };
        for (const panel of panels) {
            const errors = parser.validate(panelQuery(panel, sources[panel.source]));
            expect(
                errors.map((error) => `line ${error.startLine}: ${error.message}`),
                panel.id,
            ).to.deep.equal([]);
        }
        // The check sees a grammar error.
        expect(parser.validate("SELECT FROM WHERE")).to.not.deep.equal([]);
    });
});

describe("panels on DuckDB and in the local report (samples/)", () => {
    let result: LocalRunResult;
    let outDir: string;
    const panels = loadPanels();

    before(async () => {
        const files = (await discoverFiles([path.join(ROOT, "samples")], {})).files;
        outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-panels-"));
        result = await runLocal({
            files,
            outDir,
            accountNames: ACCOUNT_NAMES,
            detections: loadDetections().filter((detection) => SAMPLE_DETECTIONS.includes(detection.id)),
        });
    });
    after(() => fs.rmSync(outDir, { recursive: true, force: true }));

    it("every panel runs, draws at least one point, and returns exactly the columns it declares", async () => {
        expect(result.panels.map((panel) => panel.id)).to.deep.equal(panels.map((panel) => panel.id));
        for (const panel of result.panels) {
            expect(panel.status, `${panel.id}: ${panel.error}`).to.equal("ok");
            expect(panel.points.length, panel.id).to.be.greaterThan(0);
            for (const point of panel.points) expect(point.count, panel.id).to.be.greaterThan(0);
        }
        const engine = await Engine.open();
        try {
            await createCloudTrailView(engine, outDir);
            await runPanels(engine, { panels: [], window: result.window!, accountNames: ACCOUNT_NAMES, hits: [] });
            for (const panel of panels) {
                const described = await engine.all(`DESCRIBE ${panel.sql}`);
                const declared = (panel as Panel).columns.map(
                    (column) => `${column.name}:${column.type === "datetime" ? "TIMESTAMP WITH TIME ZONE" : "VARCHAR"}`,
                );
                expect(
                    described.map((row) => `${row.column_name}:${row.column_type}`),
                    panel.id,
                ).to.deep.equal(declared);
            }
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
