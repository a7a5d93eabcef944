/**
 * The HTML page of an investigation (`--out DIR` writes it to DIR/investigations/), and the
 * list of those pages that the main report links to.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { firstSeen, Investigation, isKnownOrigin } from "./investigate";
import { INVESTIGATIONS_DIR } from "./outFolder";

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

const unescape = (value: string) => value.replace(/&(amp|lt|gt|quot);/g, (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"' })[name]!);

/** Characters of the subject kept readable in its file name (an ARN with a role path can be ~600 long). */
const READABLE_NAME_LENGTH = 80;

/**
 * A file name for the subject, one per subject: ARNs and session names hold `/`, `:`, `@` and `,`,
 * which the readable part replaces, so `a@b` and `a,b` (both valid session names) read alike; the
 * hash of the exact subject that follows keeps them, and two subjects cut at the same length, apart.
 */
export function investigationFileName(subject: string): string {
    const readable = subject.replace(/[^A-Za-z0-9._=+-]+/g, "_").slice(0, READABLE_NAME_LENGTH);
    return `${readable}-${createHash("sha256").update(subject, "utf8").digest("hex").slice(0, 12)}.html`;
}

/** `linkReport`: whether a report.html sits beside the investigations folder (the local mode writes one). */
export function investigationHtml(investigation: Investigation, generatedAt: string, linkReport = true): string {
    const chainRows = investigation.chain.map(
        (entry, index) => `<tr${index === investigation.subjectIndex ? ' class="subject"' : ""}>
<td>${index + 1}</td><td>${escape(entry.type)}</td><td><code>${escape(entry.arn ?? "(no ARN recorded)")}</code>${index === investigation.subjectIndex ? " <b>subject</b>" : ""}</td><td>${escape(entry.account)}</td>
<td>${entry.via ? `${escape(entry.via.eventName)} <code>${escape(entry.via.eventId ?? "(no eventID)")}</code>` : isKnownOrigin(entry) ? "origin" : "<b>chain stops here</b>"}</td>
<td>${entry.session ? `key ${escape(entry.session.accessKeyIds.join(", ") || "none recorded")}<br>created ${escape(entry.session.createdAt.join(", ") || "?")}${entry.session.sourceIdentity ? `<br>source identity ${escape(entry.session.sourceIdentity)}` : ""}${entry.session.otherSessionsWithThisArn ? `<br><b>${entry.session.otherSessionsWithThisArn} other session(s) with this ARN</b> in the input: their events are not shown` : ""}` : ""}</td><td>${escape(entry.note)}</td></tr>`,
    );
    const marks = firstSeen(investigation.timeline);
    const timelineRows = investigation.timeline.map(
        (event, index) => `<tr${event.ambiguous ? ' class="ambiguous"' : event.detections.length ? ' class="flagged"' : ""}>
<td>${escape(event.eventTime)}</td><td>${escape(event.account)}</td><td>${escape(event.region)}</td><td><code>${escape(event.principal)}</code></td>
<td>${escape(event.eventSource)}<br><b>${escape(event.eventName)}</b></td><td${marks[index].ip ? ' class="new"' : ""}>${escape(event.sourceIPAddress)}</td>
<td${marks[index].userAgent ? ' class="new"' : ""}>${escape(event.userAgent)}</td><td>${escape(event.errorCode)}</td><td>${escape(event.detections.join(", "))}</td><td><code>${escape(event.eventId ?? "(no eventID)")}</code></td><td>${event.ambiguous ? `<b>cannot be attributed</b>: ${escape(event.ambiguous)}` : ""}</td></tr>`,
    );
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>investigate ${escape(investigation.subject)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}
th{background:#f4f4f4}tr.subject td{background:#eef4fb}tr.flagged td{background:#fdeeee}tr.ambiguous td{background:#fff6d6}td.new{font-weight:bold}td.new::before{content:"new ";color:#a00;font-weight:normal}.axis{color:#666}</style></head><body>
<h1>Investigation of <code>${escape(investigation.subject)}</code></h1>
<p>Window ${escape(investigation.window.since)} to ${escape(investigation.window.until)}. Generated ${escape(generatedAt)}.${linkReport ? ' <a href="../report.html">Main report</a>' : ""}</p>
<p>Subject taken as ${escape(investigation.matched.as)}: <code>${escape(investigation.matched.identity)}</code>.</p>
${investigation.notes.length ? `<h2>What this investigation could not show</h2><ul>${investigation.notes.map((note) => `<li>${escape(note)}</li>`).join("")}</ul>` : ""}
<h2>Chain of identities (origin first)</h2>
<table><tr><th>#</th><th>type</th><th>identity</th><th>account</th><th>started by event</th><th>session (what tells it apart)</th><th>note</th></tr>${chainRows.join("")}</table>
<h2>Timeline</h2>
<p class="axis">${investigation.timeline.length} event(s)${investigation.truncated ? " (stopped at the limit; narrow with --since/--until)" : ""}. Rows a detection flagged are red; a source IP or user agent seen for the first time is marked <b>new</b>; rows the log cannot attribute to one session are yellow and say why.</p>
<table><tr><th>time</th><th>account</th><th>region</th><th>principal</th><th>event</th><th>source IP</th><th>user agent</th><th>error</th><th>detections</th><th>event id</th><th>attribution</th></tr>${timelineRows.join("")}</table>
</body></html>
`;
}

/** Writes the page under `outDir/investigations/`; returns its path. */
export function writeInvestigationPage(outDir: string, investigation: Investigation, generatedAt: string, linkReport = true): string {
    const file = path.join(outDir, INVESTIGATIONS_DIR, investigationFileName(investigation.subject));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, investigationHtml(investigation, generatedAt, linkReport));
    return file;
}

/** The investigation pages in an output directory, as links relative to its report.html. */
export function investigationLinks(outDir: string): { title: string; href: string }[] {
    const dir = path.join(outDir, INVESTIGATIONS_DIR);
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".html"))
        .sort()
        .map((name) => {
            const title = /<title>investigate (.*?)<\/title>/.exec(fs.readFileSync(path.join(dir, name), "utf8").slice(0, 2000))?.[1];
            return { title: title ? unescape(title) : name.replace(/\.html$/, ""), href: `${INVESTIGATIONS_DIR}/${encodeURIComponent(name)}` };
        });
}
