/**
 * The traffic part of the local report, from the flow-log named queries (contract/sources/flowLogQueries.ts):
 * totals, bytes per hour, top talkers, rejected traffic, bytes out per external address. The
 * dashboards' panel catalogue renders the same queries; this is the report's plain view of them.
 */
import type { Row } from "../lambda/shared/engine";
import type { FlowFileResult, TrafficSummary } from "./flowLogs";

const escape = (value: unknown) => String(value ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** `F flow-log file(s) read (R records: N NODATA, S SKIPDATA), X failed`; empty when there were none. */
export function flowInputsLine(files: readonly FlowFileResult[]): string {
    if (files.length === 0) return "";
    const read = files.filter((file) => file.status === "read");
    const sum = (pick: (file: FlowFileResult) => number) => files.reduce((total, file) => total + pick(file), 0);
    const failed = files.length - read.length;
    return (
        `${read.length} flow-log file(s) read (${sum((file) => file.records)} records: ${sum((file) => file.noData)} NODATA, ` +
        `${sum((file) => file.skipData)} SKIPDATA)${failed ? `, ${failed} failed` : ""}`
    );
}

function table(rows: readonly Row[], columns: readonly string[]): string {
    if (rows.length === 0) return "<p>None.</p>";
    return `<table><tr>${columns.map((column) => `<th>${column}</th>`).join("")}</tr>${rows
        .map((row) => `<tr>${columns.map((column) => `<td>${escape(row[column])}</td>`).join("")}</tr>`)
        .join("")}</table>`;
}

/** Bytes per hour as an inline SVG bar chart (accepted and rejected stacked as one bar per hour). */
function perHourChart(rows: readonly Row[]): string {
    const byHour = new Map<string, number>();
    for (const row of rows) byHour.set(String(row.hour_start), (byHour.get(String(row.hour_start)) ?? 0) + Number(row.bytes ?? 0));
    const hours = [...byHour].sort(([a], [b]) => a.localeCompare(b));
    if (hours.length === 0) return "<p>No traffic in the window.</p>";
    const width = 900,
        height = 120,
        max = Math.max(1, ...hours.map(([, bytes]) => bytes));
    const bar = Math.max(1, Math.floor(width / hours.length) - 1);
    const bars = hours.map(([hour, bytes], i) => {
        const h = Math.max(1, Math.round((bytes / max) * (height - 10)));
        return `<rect x="${i * (bar + 1)}" y="${height - h}" width="${bar}" height="${h}" fill="#5a8f4e"><title>${escape(hour)}: ${bytes} bytes</title></rect>`;
    });
    return `<svg viewBox="0 0 ${width} ${height}" width="100%" height="${height}" role="img" aria-label="bytes per hour">${bars.join("")}</svg>
<p class="axis">${escape(hours[0][0])} … ${escape(hours[hours.length - 1][0])} · ${hours.length} hour(s) with traffic · busiest: ${max} bytes</p>`;
}

/** The report's "Network traffic" section; empty when no flow logs were read. */
export function trafficSection(flowLogs: { readonly files: readonly FlowFileResult[]; readonly traffic?: TrafficSummary }): string {
    if (flowLogs.files.length === 0) return "";
    const failed = flowLogs.files.filter((file) => file.status === "failed");
    const traffic = flowLogs.traffic;
    return `<h2>Network traffic (VPC flow logs)</h2>
<p>${escape(flowInputsLine(flowLogs.files))}.${
        traffic
            ? ` In the window: ${traffic.records} records, ${traffic.accepted} accepted, ${traffic.rejected} rejected, ${traffic.noData} NODATA, ${traffic.skipData} SKIPDATA, ${traffic.bytes} bytes.`
            : ""
    }</p>
${
    traffic
        ? `<h3>Bytes per hour</h3>${perHourChart(traffic.perHour)}
<h3>Top talkers</h3>${table(traffic.topTalkers, ["srcaddr", "dstaddr", "bytes", "packets", "flows"])}
<h3>Rejected traffic by port and source</h3>${table(traffic.rejectedByPort, ["dstport", "srcaddr", "flows", "packets", "targets"])}
<h3>Bytes out per external address</h3>${table(traffic.bytesOut, ["dstaddr", "bytes", "packets", "senders", "flows"])}`
        : ""
}
${failed.length ? `<h3>Flow-log files that could not be read</h3><ul>${failed.map((file) => `<li><code>${escape(file.file)}</code>: ${escape(file.reason)}</li>`).join("")}</ul>` : ""}`;
}
