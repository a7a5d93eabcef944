/**
 * The ATT&CK coverage of a set of detections: per tactic of the cloud matrix, the detections that
 * map to it and their techniques. Pure, so that `npm run coverage` (docs/detections.md's tables) and the
 * local mode's report (local/report.ts) show the same thing from the same catalogue.
 */
import { CLOUD_TACTICS, Detection } from "./detections";

export interface TacticCoverage {
    /** ATT&CK tactic id, e.g. `TA0005`. */
    readonly tactic: string;
    /** Its name, e.g. `Defense Evasion`. */
    readonly name: string;
    /** Ids of the detections mapped to the tactic, in catalogue order. */
    readonly detections: readonly string[];
    /** Their technique ids, sorted, each once. */
    readonly techniques: readonly string[];
}

/**
 * One row per tactic of {@link CLOUD_TACTICS}, in the matrix's order, including tactics no detection
 * covers. Context detections (role `context`: catch-alls that fire on most techniques) are not coverage and are left out.
 */
export function attackCoverage(
    detections: readonly (Pick<Detection, "id" | "tactics" | "techniques"> & { readonly role?: Detection["role"] })[],
): TacticCoverage[] {
    const specific = detections.filter((detection) => detection.role !== "context");
    return Object.entries(CLOUD_TACTICS).map(([tactic, name]) => {
        const mapped = specific.filter((detection) => detection.tactics.includes(tactic));
        return {
            tactic,
            name,
            detections: mapped.map((detection) => detection.id),
            techniques: [...new Set(mapped.flatMap((detection) => detection.techniques))].sort(),
        };
    });
}

/** The coverage as a markdown table (docs/detections.md), with the catalogue's counts by kind above it. */
export function coverageMarkdown(detections: readonly Detection[]): string {
    const context = detections.filter((d) => d.role === "context");
    const lines = [
        `${detections.length} detections (${(["event", "threshold", "correlation"] as const).map((kind) => `${detections.filter((d) => d.kind === kind).length} ${kind}`).join(", ")}; ` +
            `${detections.filter((d) => d.lookbackMs !== undefined).length} first-seen against a lookback). ` +
            `The table counts the ${detections.length - context.length} specific ones; ${context.length} context detections (${context.map((d) => d.id).join(", ") || "none"}) are not coverage.`,
        "",
        "| tactic | detections | techniques of these detections | detection ids |",
        "|---|---:|---|---|",
    ];
    for (const row of attackCoverage(detections)) {
        lines.push(`| ${row.name} (${row.tactic}) | ${row.detections.length} | ${row.techniques.join(", ") || "—"} | ${row.detections.join(", ") || "—"} |`);
    }
    return lines.join("\n");
}

/** One line per detection: the catalogue as a markdown table (docs/detections.md). */
export function catalogueMarkdown(detections: readonly Detection[]): string {
    return [
        "| detection | severity | kind | tactics | techniques |",
        "|---|---|---|---|---|",
        ...detections.map(
            (d) =>
                `| \`${d.id}\`: ${d.title} | ${d.severity} | ${d.kind}${d.role === "context" ? " (context)" : ""}${d.lookbackMs === undefined ? "" : ` (lookback ${d.lookbackMs / 86_400_000}d)`} | ${d.tactics.map((t) => CLOUD_TACTICS[t]).join(", ")} | ${d.techniques.join(", ")} |`,
        ),
    ].join("\n");
}
