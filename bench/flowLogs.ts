/**
 * npm run bench:flowlogs — the local mode on about 1 GB (uncompressed) of VPC flow-log text, to show
 * that memory stays bounded whatever the input's size: synthetic records in this stack's custom
 * format (every version 2-5 field, contract/sources/flowLogs.ts), gzip files of BENCH_FILE_MB each as
 * S3 delivers text, over a few hours and two accounts. Prints the records, the time of the run and
 * the peak resident memory of the process that ran it (DuckDB included). A benchmark, not a test.
 * BENCH_SIZE_MB (default 1000) and BENCH_FILE_MB (default 100) change the input.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { once } from "node:events";
import { FLOW_LOG_FIELDS } from "../contract/sources/flowLogs";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "flowlogs");
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1000);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 100);

/** A deterministic pseudo-random stream (a linear congruential generator): the same input every run. */
function generator(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state / 2 ** 32;
    };
}

async function writeFile(file: string, bytes: number, seed: number): Promise<{ records: number; written: number }> {
    const random = generator(seed);
    const out = zlib.createGzip({ level: 1 });
    const sink = fs.createWriteStream(file);
    out.pipe(sink);
    const header = FLOW_LOG_FIELDS.map((field) => field.field).join(" ") + "\n";
    out.write(header);
    let written = header.length;
    let records = 0;
    const startBase = Date.parse("2026-11-25T00:00:00Z") / 1000;
    while (written < bytes) {
        const lines: string[] = [];
        for (let i = 0; i < 1000; i++) {
            const account = random() < 0.5 ? "111122223333" : "444455556666";
            const start = startBase + Math.floor(random() * 6 * 3600);
            const nodata = random() < 0.01;
            const src = `10.0.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`;
            const dst = random() < 0.3 ? `203.0.113.${Math.floor(random() * 255)}` : `10.1.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`;
            lines.push(
                nodata
                    ? `5 ${account} eni-0a1b2c3d4e5f67890 - - - - - - - ${start} ${start + 60} - NODATA vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0123456789abcdef0 - - - - eu-west-1 euw1-az1 - - - - - -`
                    : `5 ${account} eni-0a1b2c3d4e5f67890 ${src} ${dst} ${1024 + Math.floor(random() * 60000)} ${[22, 80, 443, 3306, 8080][Math.floor(random() * 5)]} 6 ` +
                          `${1 + Math.floor(random() * 100)} ${40 + Math.floor(random() * 100000)} ${start} ${start + 60} ${random() < 0.2 ? "REJECT" : "ACCEPT"} OK ` +
                          `vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0123456789abcdef0 19 IPv4 ${src} ${dst} eu-west-1 euw1-az1 - - - - egress 1`,
            );
        }
        const chunk = lines.join("\n") + "\n";
        written += chunk.length;
        records += lines.length;
        if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(sink, "close");
    return { records, written };
}

async function main(): Promise<void> {
    const input = path.join(WORK, `in-${SIZE_MB}MB`);
    let records = 0;
    if (!fs.existsSync(path.join(input, ".complete"))) {
        fs.rmSync(input, { recursive: true, force: true });
        fs.mkdirSync(input, { recursive: true });
        for (let i = 0, bytes = 0; bytes < SIZE_MB * 1e6; i++) {
            const file = path.join(input, `flows-${String(i).padStart(3, "0")}.log.gz`);
            const built = await writeFile(file, Math.min(FILE_MB * 1e6, SIZE_MB * 1e6 - bytes), i + 1);
            bytes += built.written;
            records += built.records;
        }
        fs.writeFileSync(path.join(input, ".complete"), String(records));
    }
    records = Number(fs.readFileSync(path.join(input, ".complete"), "utf8"));
    const compressed = fs
        .readdirSync(input)
        .filter((name) => name.endsWith(".gz"))
        .reduce((sum, name) => sum + fs.statSync(path.join(input, name)).size, 0);
    const out = path.join(WORK, "out");
    fs.rmSync(out, { recursive: true, force: true });
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "flowLogsChild.ts"), input, out], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
    });
    if (child.status !== 0) throw new Error(`the run failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout) as { flowRecords: number; wallMs: number; maxRssMb: number; failed: number };
    console.log(`input: ${SIZE_MB} MB of flow-log text (${(compressed / 1e6).toFixed(0)} MB gzip, ${records} records)`);
    console.log(
        `read: ${result.flowRecords} records (${result.failed} file(s) failed) in ${(result.wallMs / 1000).toFixed(1)} s; peak resident memory ${result.maxRssMb} MB`,
    );
    if (result.flowRecords !== records) throw new Error(`lost records: ${records} written, ${result.flowRecords} read`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
