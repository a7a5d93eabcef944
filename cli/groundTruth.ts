/** cloudtrail-lake ground-truth, npm run ground-truth: runs the local mode on Panther's labelled test events and prints recall and precision per detection. */
import { measureDetections, measurementTable } from "../local/groundTruth";
import { parseCommand, runTableCommand } from "./args";
import { exitCodesOf, GROUND_TRUTH } from "./commands";

const EXIT = exitCodesOf(GROUND_TRUTH);

export async function main(argv: readonly string[]): Promise<number> {
    parseCommand(GROUND_TRUTH, argv);
    console.log(measurementTable(await measureDetections()));
    return EXIT.ok;
}

if (require.main === module) runTableCommand(GROUND_TRUTH, main);
