/**
 * npm run coverage — the ATT&CK coverage table of the catalogue (queries/), as markdown: one row
 * per tactic of the cloud matrix, with the techniques and the detections that map to it, then one
 * row per detection, from the files. `npm run generate:docs` writes the same tables into
 * docs/detections.md (scripts/generate-docs.ts), and test/docs.test.ts fails while they are stale.
 */
import { loadDetections } from "../contract/detections";
import { catalogueMarkdown, coverageMarkdown } from "../contract/coverage";

// The tables are built in contract/coverage.ts, which the local mode's report shares.
export { catalogueMarkdown, coverageMarkdown };

if (require.main === module) {
    const detections = loadDetections();
    console.log(`${coverageMarkdown(detections)}\n\n${catalogueMarkdown(detections)}`);
}
