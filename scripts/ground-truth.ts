/** npm run ground-truth — runs the local mode on Panther's labelled test events and prints recall and precision per detection. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommandLine, runCommand } from "../cli/args";
import { findFiles } from "../local/files";
import { measure, measurementTable, writeLabelledCorpus } from "../local/groundTruth";
import { runLocal } from "../local/run";

/** Panther's labelled events: the copy vendored for the tests, or CORPUS_DIR's (npm run check:corpus). */
export const PANTHER_DIR = path.resolve(process.env.CORPUS_DIR ?? path.join(__dirname, "..", "test", "fixtures", "corpus"), "panther-labs__panther-analysis");

/** Runs the measurement in a temporary directory. */
export async function measureDetections() {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-ground-truth-"));
    try {
        const labels = writeLabelledCorpus(PANTHER_DIR, path.join(work, "in"));
        const result = await runLocal({ files: await findFiles([path.join(work, "in")], [".json"]), outDir: path.join(work, "out") });
        return measure(labels, Object.fromEntries(result.findings.map((finding) => [finding.query, finding.eventIds])));
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

const USAGE = "usage: npm run ground-truth   (no arguments; prints recall and precision per detection on Panther's labelled events)";

if (require.main === module) {
    runCommand(async (argv) => {
        if (parseCommandLine(argv, { help: { type: "boolean", short: "h" } }, false).values.help) {
            console.log(USAGE);
            return 0;
        }
        console.log(measurementTable(await measureDetections()));
        return 0;
    }, USAGE);
}
