/** One local-mode run for bench/local.ts: prints its stage timings as JSON. */
import { findFiles } from "../local/files";
import { loadDetections } from "../contract/detections";
import { runLocal } from "../local/run";

(async () => {
    // The queries directory is passed in: bundled, this file no longer sits next to queries/.
    const [input, out, queries, jobs] = process.argv.slice(2);
    // CPU time of the whole process (every thread: workers, zlib, DuckDB) while it normalises: how many cores it kept busy.
    let cpuAtStart = process.cpuUsage();
    let normaliseCpuMs = 0;
    const result = await runLocal({
        files: await findFiles([input], [".json.gz"]),
        outDir: out,
        detections: loadDetections(queries),
        jobs: Number(jobs),
        onStage: (stage) => {
            if (stage === "normalise") cpuAtStart = process.cpuUsage();
            if (stage === "parquet") {
                const used = process.cpuUsage(cpuAtStart);
                normaliseCpuMs = (used.user + used.system) / 1000;
            }
        },
    });
    console.log(
        JSON.stringify({
            ...result.timings,
            normaliseCpuMs,
            events: result.inputs.events,
            duplicates: result.inputs.duplicates,
            hits: result.findings.reduce((sum, f) => sum + f.count, 0),
            // What must not depend on the number of workers: compared between the runs.
            findings: result.findings.map((finding) => `${finding.query}:${finding.count}:${finding.eventIds.join(",")}`).join(";"),
        }),
    );
})().catch((error) => {
    console.error(error);
    process.exit(1);
});
