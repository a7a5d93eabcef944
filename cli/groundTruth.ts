/** npm run ground-truth — runs the local mode on Panther's labelled test events and prints recall and precision per detection. */
import { measureDetections, measurementTable } from "../local/groundTruth";
import { parseCommandLine, runCommand } from "./args";

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
