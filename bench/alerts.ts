/**
 * npm run bench:alerts — what the event evaluator costs: DuckDB time to load one normalised file
 * and run every kind=event detection of queries/ over it, for a small file (fixed cost per
 * invocation) and larger ones (cost per MB of normalised JSON). Files are built from the corpus
 * (bench/corpusFiles.ts) and normalised by the Lambda's core. A benchmark, not a test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadAlertDetections } from "../contract/alerting";
import { evaluateEventDetections } from "../lambda/alerts/evaluate";
import { Engine } from "../lambda/shared/engine";
import { ingestFiles } from "../local/ingest";
import { buildLogFile } from "./corpusFiles";

const WORK = path.join(__dirname, "..", ".bench", "alerts");
const SIZES_MB = (process.env.BENCH_SIZES_MB ?? "0.1,1,10,25").split(",").map(Number);

async function main(): Promise<void> {
    fs.rmSync(WORK, { recursive: true, force: true });
    const detections = loadAlertDetections();
    const events = detections.filter((detection) => detection.kind === "event").length;
    console.log(`${events} event detection(s) of ${detections.length}`);
    console.log("uncompressed MB | normalised gz MB | events | DuckDB ms (open+load+detections) | ms per uncompressed MB");
    for (const sizeMb of SIZES_MB) {
        const dir = path.join(WORK, `in-${sizeMb}`, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "24");
        const built = await buildLogFile(dir, `111122223333_CloudTrail_us-east-1_20261124T0000Z_bench${sizeMb}.json.gz`, {
            uncompressedBytes: sizeMb * 1e6,
            seed: 7,
        });
        const out = path.join(WORK, `out-${sizeMb}`);
        const [result] = await ingestFiles([built.file], out, { shapes: "any" });
        const files = result.objects.map((object) => path.join(out, object));
        const gz = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
        const samples: number[] = [];
        for (let run = 0; run < 3; run++) {
            const started = performance.now();
            const engine = await Engine.open({ memoryLimit: "512MB" });
            await evaluateEventDetections(engine, files, detections);
            engine.close();
            samples.push(performance.now() - started);
        }
        const ms = Math.min(...samples);
        console.log(
            `${(built.uncompressed / 1e6).toFixed(1)} | ${(gz / 1e6).toFixed(2)} | ${built.events} | ${ms.toFixed(0)} | ${(ms / (built.uncompressed / 1e6)).toFixed(0)}`,
        );
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
