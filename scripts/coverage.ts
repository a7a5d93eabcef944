/**
 * npm run coverage — the ATT&CK coverage table of the catalogue (queries/), as markdown: one row
 * per tactic of the cloud matrix, with the techniques and the detections that map to it, then one
 * row per detection. Generated
 * from the files, so the README's table stays true: paste the output there after adding detections.
 */
import { CLOUD_TACTICS, Detection, loadDetections } from "../contract/detections";

export function coverageMarkdown(detections: readonly Detection[]): string {
    const lines = [
        `${detections.length} detections (${(["event", "threshold", "correlation"] as const).map((kind) => `${detections.filter((d) => d.kind === kind).length} ${kind}`).join(", ")}).`,
        "",
        "| tactic | detections | techniques of these detections | detection ids |",
        "|---|---:|---|---|",
    ];
    for (const [tactic, name] of Object.entries(CLOUD_TACTICS)) {
        const mapped = detections.filter((detection) => detection.tactics.includes(tactic));
        const techniques = [...new Set(mapped.flatMap((detection) => detection.techniques))].sort();
        lines.push(
            `| ${name} (${tactic}) | ${mapped.length} | ${techniques.join(", ") || "—"} | ${mapped.map((detection) => detection.id).join(", ") || "—"} |`,
        );
    }
    return lines.join("\n");
}

/** One line per detection: the catalogue as a README table. */
export function catalogueMarkdown(detections: readonly Detection[]): string {
    return [
        "| detection | severity | kind | tactics | techniques |",
        "|---|---|---|---|---|",
        ...detections.map(
            (d) =>
                `| \`${d.id}\`: ${d.title} | ${d.severity} | ${d.kind} | ${d.tactics.map((t) => CLOUD_TACTICS[t]).join(", ")} | ${d.techniques.join(", ")} |`,
        ),
    ].join("\n");
}

if (require.main === module) {
    const detections = loadDetections();
    console.log(`${coverageMarkdown(detections)}\n\n${catalogueMarkdown(detections)}`);
}
