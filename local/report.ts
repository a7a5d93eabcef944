/** What the local mode shows: a summary table for the terminal and an HTML report to read. */
import { Row } from "./engine";
import { Finding, LocalRunResult } from "./run";

const TOP_HITS = 3;

function cell(value: unknown, width: number): string {
    const text = value === null || value === undefined ? "" : String(value);
    return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
}

/** The terminal summary: one line per detection, then its top hits. */
export function summaryTable(result: LocalRunResult): string {
    const lines: string[] = [];
    const window = result.window ? `${result.window.since} .. ${result.window.until}` : "no events";
    lines.push(`${result.inputs.read} file(s) read (${result.inputs.events} events), ${result.inputs.skipped} skipped, ${result.inputs.failed} failed; window ${window}`, "");
    lines.push(`${cell("detection", 32)} ${cell("severity", 9)} ${cell("hits", 6)} top hits: time, account, principal, source IP, event`);
    lines.push("-".repeat(120));
    for (const finding of result.findings) {
        const hits = finding.status === "ok" ? String(finding.count) : "n/a";
        lines.push(`${cell(finding.query, 32)} ${cell(finding.severity, 9)} ${cell(hits, 6)}${finding.status === "ok" ? "" : ` cannot run locally: ${finding.error}`}`);
        for (const hit of finding.hits.slice(0, TOP_HITS)) {
            lines.push(`${" ".repeat(49)}${cell(hit.eventtime, 21)} ${cell(hit.account, 13)} ${cell(hit.principal, 40)} ${cell(hit.sourceipaddress, 16)} ${String(hit.eventname ?? "")}`);
        }
    }
    const failed = result.files.filter((file) => file.status === "failed");
    if (failed.length > 0) {
        lines.push("", `${failed.length} file(s) could not be read:`);
        for (const file of failed) lines.push(`  ${file.file}: ${file.reason}`);
    }
    return lines.join("\n");
}

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Events per day as an inline SVG bar chart. */
function chart(result: LocalRunResult): string {
    const days = result.eventsPerDay;
    if (days.length === 0) return "<p>No events.</p>";
    const width = 900, height = 160, max = Math.max(...days.map((day) => day.events));
    const bar = Math.max(1, Math.floor(width / days.length) - 1);
    const bars = days.map((day, i) => {
        const h = Math.max(1, Math.round((day.events / max) * (height - 20)));
        return `<rect x="${i * (bar + 1)}" y="${height - h}" width="${bar}" height="${h}" fill="#3b6ea5"><title>${escape(day.date)}: ${day.events} events</title></rect>`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="events per day">${bars.join("")}</svg>
<p class="axis">${escape(days[0].date)} … ${escape(days[days.length - 1].date)} · ${days.length} day(s) with events · busiest: ${max} events</p>`;
}

function hitsTable(hits: Row[], count: number): string {
    if (hits.length === 0) return "<p>No hits.</p>";
    const columns = ["eventtime", "account", "region", "eventname", "principal", "sourceipaddress", "detail", "eventid"];
    return `<table><tr>${columns.map((column) => `<th>${column}</th>`).join("")}</tr>${hits.map((hit) =>
        `<tr>${columns.map((column) => `<td>${escape(hit[column])}</td>`).join("")}</tr>`).join("")}</table>${count > hits.length ? `<p>… and ${count - hits.length} more (all their event ids are in <code>--json</code>).</p>` : ""}`;
}

function section(finding: Finding): string {
    const status = finding.status === "ok" ? `${finding.count} hit(s)` : `cannot run locally: ${escape(finding.error)}`;
    return `<section class="${finding.severity}"><h2 id="${finding.query}">${escape(finding.title)} <small>${finding.severity} · ${status}</small></h2>
<p><code>${finding.query}</code> · MITRE ATT&amp;CK ${escape(finding.mitre)}</p>${finding.status === "ok" ? hitsTable(finding.hits, finding.count) : ""}</section>`;
}

/** A self-contained HTML report: summary, events over time, one section per detection. */
export function htmlReport(result: LocalRunResult, generatedAt: string, investigations: readonly { title: string; href: string }[] = []): string {
    const rows = result.findings.map((finding) => `<tr class="${finding.severity}"><td><a href="#${finding.query}">${escape(finding.title)}</a></td><td>${finding.severity}</td><td>${finding.status === "ok" ? finding.count : "n/a"}</td></tr>`);
    const failed = result.files.filter((file) => file.status === "failed");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cloudtrail-lake report</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}
th{background:#f4f4f4}section{border-left:4px solid #999;padding-left:1em;margin:1.5em 0}.critical{border-color:#a00}.high{border-color:#d60}.medium{border-color:#cb0}.low{border-color:#6a6}
tr.critical td:nth-child(2){color:#a00;font-weight:bold}tr.high td:nth-child(2){color:#d60}.axis{color:#666;font-size:12px}small{color:#666;font-weight:normal}</style></head><body>
<h1>cloudtrail-lake report</h1>
<p>${result.inputs.read} file(s) read (${result.inputs.events} events), ${result.inputs.skipped} skipped, ${result.inputs.failed} failed.
Window: ${result.window ? `${escape(result.window.since)} to ${escape(result.window.until)}` : "no events"}. Generated ${escape(generatedAt)}.</p>
${investigations.length ? `<h2>Investigations</h2><ul>${investigations.map((link) => `<li><a href="${escape(link.href)}">${escape(link.title)}</a></li>`).join("")}</ul>` : ""}
<h2>Events over time</h2>${chart(result)}
<h2>Detections</h2><table><tr><th>detection</th><th>severity</th><th>hits</th></tr>${rows.join("")}</table>
${result.findings.map(section).join("\n")}
${failed.length ? `<h2>Files that could not be read</h2><ul>${failed.map((file) => `<li><code>${escape(file.file)}</code>: ${escape(file.reason)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}
