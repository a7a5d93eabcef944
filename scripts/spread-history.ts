/**
 * npm run spread-history -- <out dir> <dir or file>… [--days 42] [--seed 1]
 *
 * A long ordinary history for measuring the first-seen detections (docs/detections.md): every
 * CloudTrail event of the input recurs over `--days` days at a frequency of its own, drawn once per
 * event (a third daily, a third weekly, a third rarely: about once a month), at its own time of
 * day, with a fresh eventID per copy. Principals, addresses, user agents and calls stay what the
 * input had, so the first-seen rules meet the same mix over weeks: a rare call or address
 * reappearing after the lookback is what they would flag in production. Written as one
 * `{"Records": […]}` file per day; then `npm run noise -- <out dir>`.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findFiles } from "../local/files";
import { parseJsonText, unwrapEvents } from "../local/shapes";
import { mulberry32 } from "../testing/seededRandom";

/** The chance of an event on any one day: daily, weekly or about monthly. */
const FREQUENCIES = [0.9, 1 / 7, 1 / 30];

async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        options: { days: { type: "string" }, seed: { type: "string" } },
        allowPositionals: true,
        strict: true,
    });
    const [outDir, ...inputs] = positionals;
    const days = Number(values.days ?? "42");
    const seed = Number(values.seed ?? "1");
    if (!outDir || inputs.length === 0 || !Number.isInteger(days) || days < 1 || !Number.isInteger(seed)) {
        console.error("usage: npm run spread-history -- <out dir> <dir or file>… [--days 42] [--seed 1]");
        return 2;
    }
    const events: Record<string, unknown>[] = [];
    for (const file of await findFiles(inputs, [".json", ".jsonl", ".log"])) {
        try {
            events.push(...(unwrapEvents(parseJsonText(fs.readFileSync(file, "utf8"))).events as Record<string, unknown>[]));
        } catch (error) {
            console.error(`skipped ${file}: ${(error as Error).message}`);
        }
    }
    const timed = events.filter((event) => !Number.isNaN(Date.parse(String(event.eventTime))));
    const draw = mulberry32(seed);
    const frequency = timed.map(() => FREQUENCIES[Math.floor(draw() * FREQUENCIES.length)]);
    const start = Date.parse("2026-09-01T00:00:00Z");
    fs.mkdirSync(outDir, { recursive: true });
    let written = 0;
    for (let day = 0; day < days; day++) {
        const records = timed.flatMap((event, index) => {
            if (draw() >= frequency[index]) return [];
            const timeOfDay = Date.parse(String(event.eventTime)) % 86_400_000;
            const eventTime = new Date(start + day * 86_400_000 + timeOfDay).toISOString().replace(/\.\d{3}Z$/, "Z");
            const eventID = crypto.createHash("sha256").update(`${seed}/${day}/${index}`).digest("hex").slice(0, 32);
            return [{ ...event, eventTime, eventID }];
        });
        written += records.length;
        fs.writeFileSync(path.join(outDir, `day-${String(day).padStart(3, "0")}.json`), JSON.stringify({ Records: records }));
    }
    console.log(`${timed.length} events spread over ${days} days: ${written} events in ${outDir}`);
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(1);
    },
);
