/** What the local mode shows: a summary table for the terminal and an HTML report to read. */
import { attackCoverage } from "../contract/coverage";
import { CLOUD_TACTICS } from "../contract/detections";
import { Row } from "../lambda/shared/engine";
import { PANEL_STYLE, panelSection } from "./reportPanels";
import { Finding, LocalRunResult } from "./run";
import { flowInputsLine, trafficSection } from "./flowLogReport";

const TOP_HITS = 3;
/** Skipped files named per reason in the terminal; --json and the report name them all. */
const SKIPPED_SHOWN = 3;

/** `N file(s) read (E events, D duplicates dropped), S skipped, F failed`. */
export function inputsLine(result: LocalRunResult): string {
    const { read, events, duplicates, skipped, failed } = result.inputs;
    const flows = flowInputsLine(result.flowLogs?.files ?? []);
    return `${read} file(s) read (${events} events${duplicates ? `, ${duplicates} duplicate(s) by eventID dropped` : ""}), ${skipped} skipped, ${failed} failed${flows ? `; ${flows}` : ""}`;
}

/** Skipped files grouped by reason (the reason with the file-specific part kept: few distinct ones in practice). */
export function skippedByReason(result: LocalRunResult): { reason: string; files: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const file of result.files) {
        if (file.status !== "skipped") continue;
        const reason = (file.reason ?? "")
            .replace(/ \(starts with .*\)$/, "")
            .replace(/ as \/.*$/, " as another input")
            .replace(/\(-> .*\)$/, "");
        groups.set(reason, [...(groups.get(reason) ?? []), file.file]);
    }
    return [...groups].map(([reason, files]) => ({ reason, files }));
}

function cell(value: unknown, width: number): string {
    const text = value === null || value === undefined ? "" : String(value);
    return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
}

/** The terminal summary: one line per detection, then its top hits. */
export function summaryTable(result: LocalRunResult): string {
    const lines: string[] = [];
    const window = result.window ? `${result.window.since} .. ${result.window.until}` : "no events";
    lines.push(`${inputsLine(result)}; window ${window}`, "");
    // Ids are never cut: the column is as wide as the longest one.
    const idWidth = Math.max(32, ...result.findings.map((finding) => finding.query.length + 1));
    lines.push(`${cell("detection", idWidth)} ${cell("severity", 9)} ${cell("hits", 6)} top hits: time, account, principal, source IP, event`);
    lines.push("-".repeat(120));
    for (const finding of result.findings) {
        const hits = finding.status === "ok" ? String(finding.count) : "n/a";
        lines.push(
            `${cell(finding.query, idWidth)} ${cell(finding.severity, 9)} ${cell(hits, 6)}${finding.status === "ok" ? "" : ` cannot run locally: ${finding.error}`}` +
                `${finding.role === "context" && finding.count > 0 ? " (context: a catch-all, read with the specific findings)" : ""}`,
        );
        if (finding.note && finding.count > 0) lines.push(`${" ".repeat(idWidth + 17)}note: ${finding.note}`);
        for (const hit of finding.hits.slice(0, TOP_HITS)) {
            lines.push(
                `${" ".repeat(idWidth + 17)}${cell(hit.eventtime, 21)} ${cell(hit.account, 13)} ${cell(hit.principal, 40)} ${cell(hit.sourceipaddress, 16)} ${String(hit.eventname ?? "")}`,
            );
        }
    }
    lines.push(...filesLeftOutLines(result));
    return lines.join("\n");
}

/** The files of the input that were not read, failed ones by name and skipped ones grouped by reason; empty when every file was read. */
export function filesLeftOutLines(result: LocalRunResult): string[] {
    const lines: string[] = [];
    const failed = result.files.filter((file) => file.status === "failed");
    if (failed.length > 0) {
        lines.push("", `${failed.length} file(s) could not be read:`);
        for (const file of failed) lines.push(`  ${file.file}: ${file.reason}`);
    }
    const skipped = skippedByReason(result);
    if (skipped.length > 0) {
        lines.push("", `${result.inputs.skipped} file(s) skipped (all of them in --json):`);
        for (const { reason, files } of skipped) {
            lines.push(`  ${files.length} × ${reason}: ${files.slice(0, SKIPPED_SHOWN).join(", ")}${files.length > SKIPPED_SHOWN ? ", …" : ""}`);
        }
    }
    return lines;
}

/** What every command that runs the local pipeline prints on stderr after its output: the run's warnings, then each file that could not be read. */
export function warningLines(result: LocalRunResult): string[] {
    return [
        ...result.warnings.map((warning) => `warning: ${warning}`),
        ...result.files.filter((file) => file.status === "failed").map((file) => `could not read ${file.file}: ${file.reason}`),
    ];
}

/** What the `--json` of every command that runs the local pipeline says about its input: what was read, what was not and why, and the warnings. */
export function inputJson(result: LocalRunResult) {
    return {
        inputs: result.inputs,
        failedFiles: result.files.filter((file) => file.status === "failed").map((file) => ({ file: file.file, reason: file.reason })),
        skippedFiles: result.files.filter((file) => file.status === "skipped").map((file) => ({ file: file.file, reason: file.reason })),
        warnings: result.warnings,
    };
}

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** Events per day as an inline SVG bar chart. */
function chart(result: LocalRunResult): string {
    const days = result.eventsPerDay;
    if (days.length === 0) return "<p>No events.</p>";
    const width = 900,
        height = 160,
        max = Math.max(...days.map((day) => day.events));
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
    // sourcenetwork and accountname: contract/enrichment.ts, added to every hit by local/run.ts.
    const columns = ["eventtime", "account", "accountname", "region", "eventname", "principal", "sourceipaddress", "sourcenetwork", "detail", "eventid"];
    return `<table><tr>${columns.map((column) => `<th>${column}</th>`).join("")}</tr>${hits
        .map((hit) => `<tr>${columns.map((column) => `<td>${escape(hit[column])}</td>`).join("")}</tr>`)
        .join("")}</table>${count > hits.length ? `<p>… and ${count - hits.length} more (all their event ids are in <code>--json</code>).</p>` : ""}`;
}

/** An ATT&CK id linked to its page: `TA0005` → /tactics/TA0005/, `T1562.008` → /techniques/T1562/008/. */
function attackLink(id: string): string {
    const href = id.startsWith("TA") ? `https://attack.mitre.org/tactics/${id}/` : `https://attack.mitre.org/techniques/${id.replace(".", "/")}/`;
    return `<a href="${href}">${escape(id)}</a>`;
}

/**
 * Tactic × detections: which tactics of the cloud matrix this run's catalogue covers, with what,
 * and which of those detections fired here (a tactic with detections and no hit is searched and
 * clean; one without detections is not searched at all).
 */
function coverageTable(findings: readonly Finding[]): string {
    const byId = new Map(findings.map((finding) => [finding.query, finding]));
    const rows = attackCoverage(
        findings.map((finding) => ({ id: finding.query, role: finding.role, tactics: finding.tactics, techniques: finding.techniques })),
    ).map((row) => {
        const fired = row.detections.map((id) => byId.get(id)!).filter((finding) => finding.count > 0);
        return `<tr${fired.length ? ' class="fired"' : ""}><td>${escape(row.name)} (${attackLink(row.tactic)})</td><td>${row.detections.length}</td><td>${row.techniques.map(attackLink).join(", ") || "—"}</td>
<td>${row.detections.map((id) => `<a href="#${escape(id)}">${escape(id)}</a>`).join(", ") || "not covered"}</td><td>${fired.map((finding) => `<a href="#${escape(finding.query)}">${escape(finding.query)}</a> (${finding.count})`).join(", ") || "—"}</td></tr>`;
    });
    return `<table class="coverage"><tr><th>tactic</th><th>detections</th><th>techniques</th><th>detection ids</th><th>fired in this run (hits)</th></tr>${rows.join("")}</table>`;
}

function section(finding: Finding): string {
    const status = finding.status === "ok" ? `${finding.count} hit(s)` : `cannot run locally: ${escape(finding.error)}`;
    const tactics = finding.tactics.map((tactic) => `${escape(CLOUD_TACTICS[tactic] ?? tactic)} (${attackLink(tactic)})`).join(", ");
    return `<section class="${finding.severity}"><h2 id="${finding.query}">${escape(finding.title)} <small>${finding.severity} · ${status}</small></h2>
<p><code>${finding.query}</code> · MITRE ATT&amp;CK tactics ${tactics} · techniques ${finding.techniques.map(attackLink).join(", ")}</p>
${finding.role === "context" ? "<p><strong>Context:</strong> a catch-all that fires on many techniques; read it beside the specific findings. Not counted as coverage.</p>" : ""}
${finding.note ? `<p><strong>Baseline:</strong> ${escape(finding.note)}</p>` : ""}
<p class="runbook"><strong>Runbook:</strong> ${escape(finding.runbook)}</p>${finding.status === "ok" ? hitsTable(finding.hits, finding.count) : ""}</section>`;
}

/** A self-contained HTML report: summary, events over time, one section per detection. */
export function htmlReport(result: LocalRunResult, generatedAt: string, investigations: readonly { title: string; href: string }[] = []): string {
    const rows = result.findings.map(
        (finding) =>
            `<tr class="${finding.severity}"><td><a href="#${finding.query}">${escape(finding.title)}</a></td><td>${finding.severity}</td><td>${finding.status === "ok" ? finding.count : "n/a"}</td></tr>`,
    );
    const failed = result.files.filter((file) => file.status === "failed");
    const skipped = result.files.filter((file) => file.status === "skipped");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cloudtrail-lake report</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}
th{background:#f4f4f4}section{border-left:4px solid #999;padding-left:1em;margin:1.5em 0}.critical{border-color:#a00}.high{border-color:#d60}.medium{border-color:#cb0}.low{border-color:#6a6}
tr.critical td:nth-child(2){color:#a00;font-weight:bold}tr.high td:nth-child(2){color:#d60}.axis{color:#666;font-size:12px}small{color:#666;font-weight:normal}
tr.fired td{background:#fff4e5}.runbook{background:#f6f8fa;padding:4px 8px}${PANEL_STYLE}</style></head><body>
<h1>cloudtrail-lake report</h1>
<p>${escape(inputsLine(result))}.
Window: ${result.window ? `${escape(result.window.since)} to ${escape(result.window.until)}` : "no events"}. Generated ${escape(generatedAt)}.</p>
${investigations.length ? `<h2>Investigations</h2><ul>${investigations.map((link) => `<li><a href="${escape(link.href)}">${escape(link.title)}</a></li>`).join("")}</ul>` : ""}
<h2>Events over time</h2>${chart(result)}
${trafficSection(
    result.flowLogs ?? { files: [] },
    result.panels.filter((panel) => panel.source === "flow_traffic"),
)}
${result.panels.length ? `<h2>Dashboard</h2>${result.panels.map(panelSection).join("\n")}` : ""}
<h2>ATT&amp;CK coverage</h2>${coverageTable(result.findings)}
<h2>Detections</h2><table><tr><th>detection</th><th>severity</th><th>hits</th></tr>${rows.join("")}</table>
${result.findings.map(section).join("\n")}
${failed.length ? `<h2>Files that could not be read</h2><ul>${failed.map((file) => `<li><code>${escape(file.file)}</code>: ${escape(file.reason)}</li>`).join("")}</ul>` : ""}
${skipped.length ? `<h2>Files skipped</h2><ul>${skipped.map((file) => `<li><code>${escape(file.file)}</code>: ${escape(file.reason)}</li>`).join("")}</ul>` : ""}
${result.warnings.length ? `<h2>Warnings</h2><ul>${result.warnings.map((warning) => `<li>${escape(warning)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}
