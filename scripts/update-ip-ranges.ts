/**
 * npm run update:ip-ranges [-- FILE] — refreshes data/aws-ip-ranges.json from AWS's published
 * ranges (https://ip-ranges.amazonaws.com/ip-ranges.json), or from a copy of that file given as
 * FILE (a machine without network). The copy is compacted (contract/awsIpRanges.ts) and written
 * only when AWS's syncToken is newer than the shipped one, so a rerun changes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compactIpRanges, formatCompactIpRanges, IP_RANGES_SOURCE, shippedIpRanges } from "../contract/awsIpRanges";

const TARGET = path.join(__dirname, "..", "data", "aws-ip-ranges.json");

async function published(file: string | undefined): Promise<unknown> {
    if (file) return JSON.parse(fs.readFileSync(file, "utf8"));
    const response = await fetch(IP_RANGES_SOURCE);
    if (!response.ok) throw new Error(`${IP_RANGES_SOURCE}: HTTP ${response.status}`);
    return response.json();
}

async function main(args: string[]): Promise<number> {
    const compact = compactIpRanges(await published(args[0]));
    const shipped = shippedIpRanges();
    if (BigInt(compact.syncToken) <= BigInt(shipped.syncToken)) {
        console.log(`data/aws-ip-ranges.json is current (syncToken ${shipped.syncToken}, createDate ${shipped.createDate}); nothing written`);
        return 0;
    }
    fs.writeFileSync(TARGET, formatCompactIpRanges(compact));
    console.log(
        `data/aws-ip-ranges.json: ${shipped.createDate} → ${compact.createDate} (syncToken ${compact.syncToken}), ${compact.ranges.length} ranges; ` +
            "commit it with the plan snapshot (npm run generate:plan-snapshot: the Athena table's CSV changes)",
    );
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
        console.error(`update:ip-ranges failed: ${(error as Error).message}`);
        process.exit(1);
    },
);
