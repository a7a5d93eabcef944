/**
 * npm run noise -- DIR… — the noise budget check: runs every detection on the given CloudTrail
 * files through the local mode and prints the share of events that at least one detection flags,
 * overall and per detection. The budget is 2% on ordinary production logs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFiles } from "../local/files";
import { runLocal } from "../local/run";

async function main(inputs: string[]): Promise<number> {
    if (inputs.length === 0) {
        console.error("usage: npm run noise -- <dir or file>…");
        return 2;
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-noise-"));
    try {
        const result = await runLocal({ files: await findFiles(inputs, [".json", ".json.gz", ".jsonl", ".log"]), outDir: out });
        // Hits summed over detections: an upper bound of the events flagged (an event two detections flag counts twice);
        // distinct event ids would undercount test corpora, whose events reuse ids such as "abc-123".
        const hits = result.findings.reduce((sum, finding) => sum + finding.count, 0);
        const share = (count: number) => `${((100 * count) / Math.max(1, result.inputs.events)).toFixed(2)}%`;
        console.log(
            `${result.inputs.events} events in ${result.inputs.read} file(s); ${hits} hits over all detections: at most ${share(hits)} of the events flagged`,
        );
        for (const finding of result.findings.filter((f) => f.count > 0 || f.status !== "ok").sort((a, b) => b.count - a.count)) {
            console.log(
                `  ${finding.query.padEnd(34)} ${String(finding.count).padStart(6)}  ${share(finding.count)}${finding.status === "ok" ? "" : `  ${finding.status}: ${finding.error}`}`,
            );
        }
        return result.findings.some((finding) => finding.status !== "ok") ? 1 : 0;
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(1);
    },
);
