/**
 * cloudtrail-lake normalise, npm run normalise (options and exit codes: cli/commands.ts NORMALISE).
 *
 * Runs the Lambda's core on local CloudTrail log files (`{"Records":[…]}`, gzip or plain, whatever
 * their names) and writes the lake's layout under <dir>: normalised/account=…/region=…/date=…/<file>.json.gz.
 * Prints per-file counts; a file that cannot be read is reported with the reason and the others
 * go on; what is not JSON, links that lead nowhere and special files are skipped with the reason.
 */
import * as path from "node:path";
import { FileResult, ingestFiles } from "../local/ingest";
import { parseCommand, runTableCommand, UsageError } from "./args";
import { exitCodesOf, NORMALISE } from "./commands";
import { discoverFiles } from "../local/files";

const EXIT = exitCodesOf(NORMALISE);

/** Normalises S3 log files into `outDir` with the Lambda's core; reports a bad file instead of throwing. */
export function normaliseFiles(files: readonly string[], outDir: string): Promise<FileResult[]> {
    return ingestFiles(files, outDir, { shapes: "s3-log", deduplicate: false });
}

export async function main(argv: readonly string[]): Promise<number> {
    const { values, positionals } = parseCommand(NORMALISE, argv);
    if (values.out.trim() === "") throw new UsageError("--out <dir> must name a folder");
    if (positionals.length === 0) throw new UsageError("give at least one file or folder to normalise");
    const outDir = values.out;
    let discovery;
    try {
        discovery = await discoverFiles(positionals, { exclude: [{ dir: outDir, reason: "the output folder (--out), not read" }] });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const passedOver: FileResult[] = [
        ...discovery.skipped.map((entry): FileResult => ({ ...entry, status: "skipped", events: 0, objects: [] })),
        ...discovery.failed.map((entry): FileResult => ({ ...entry, status: "failed", events: 0, objects: [] })),
    ];
    const results = [...passedOver, ...(await normaliseFiles(discovery.files, outDir))];
    for (const result of results) {
        const name = path.relative(process.cwd(), result.file);
        if (result.status === "normalised") console.log(`${name}: ${result.events} events -> ${result.objects.length} object(s)`);
        else console.log(`${name}: ${result.status.toUpperCase()}: ${result.reason}`);
    }
    const count = (status: FileResult["status"]) => results.filter((result) => result.status === status).length;
    const events = results.reduce((sum, result) => sum + result.events, 0);
    console.log(
        `\n${results.length} files: ${count("normalised")} normalised (${events} events), ${count("skipped")} skipped, ${count("failed")} errors -> ${outDir}`,
    );
    return count("failed") > 0 ? EXIT.fileFailed : EXIT.ok;
}

if (require.main === module) runTableCommand(NORMALISE, main);
