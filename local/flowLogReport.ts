/**
 * The traffic part of the local report that is not a chart: which flow-log files were read and how many
 * records each kind, the window's totals, and the files that could not be read. The charts (traffic
 * over time by action, top talkers, rejected traffic by port, bytes out to public addresses) are panels
 * of the catalogue over `flow_traffic` (panels/, local/reportPanels.ts), the same as in QuickSight.
 */
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

/** The flow panels' anchors in the report, for the section's links. */
export interface PanelLink {
    readonly id: string;
    readonly title: string;
}

/** The report's "Network traffic" section; empty when no flow logs were read. `panels`: the flow panels drawn under "Dashboard". */
export function trafficSection(
    flowLogs: { readonly files: readonly FlowFileResult[]; readonly traffic?: TrafficSummary },
    panels: readonly PanelLink[] = [],
): string {
    if (flowLogs.files.length === 0) return "";
    const failed = flowLogs.files.filter((file) => file.status === "failed");
    const traffic = flowLogs.traffic;
    return `<h2>Network traffic (VPC flow logs)</h2>
<p>${escape(flowInputsLine(flowLogs.files))}.${
        traffic
            ? ` In the window: ${traffic.records} records, ${traffic.accepted} accepted, ${traffic.rejected} rejected, ${traffic.noData} NODATA, ${traffic.skipData} SKIPDATA, ${traffic.bytes} bytes.`
            : ""
    }</p>
${panels.length ? `<p>Charts: ${panels.map((panel) => `<a href="#panel-${escape(panel.id)}">${escape(panel.title)}</a>`).join(" · ")} (under Dashboard).</p>` : ""}
${failed.length ? `<h3>Flow-log files that could not be read</h3><ul>${failed.map((file) => `<li><code>${escape(file.file)}</code>: ${escape(file.reason)}</li>`).join("")}</ul>` : ""}`;
}
