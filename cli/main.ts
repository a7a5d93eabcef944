/**
 * The bin, `cloudtrail-lake <command> …` (cli/cloudtrail-lake.js loads it; every npm script of a
 * user command runs it too): finds the command of the table (cli/commands.ts) that the first words
 * name, and runs it with the rest. `--help` lists the commands; an unknown command exits 2 with
 * the list. Each command's module is loaded only when it runs: `plan` loads the Pulumi program,
 * `start` DuckDB.
 */
import * as os from "node:os";
import { prestartNormalisers } from "../local/workerPool";
import { EXIT_USAGE, jobsOption, parseCommand, runTableCommand } from "./args";
import { COMMANDS, CommandName, CommandSpec, START } from "./commands";
import { closest, commandListText } from "./help";

type Main = (argv: string[]) => Promise<number>;

/**
 * Workers `start` may start before its module is loaded: as many as it will run (`--jobs`), at most one per core.
 * Fewer files than workers, or `--jobs 1`, leaves some unused; the ingest stops those.
 */
function prestartedWorkers(args: readonly string[]): number {
    const jobs = jobsOption(parseCommand(START, args).values.jobs);
    return jobs > 1 ? Math.min(jobs, os.availableParallelism()) : 0;
}

/**
 * What runs each command: its module's entry, loaded on demand. The type makes a command without an entry a compile error.
 * `require`, not `import()`: the bin registers only tsx's CommonJS hooks (cli/cloudtrail-lake.js), which `import()` does not go through.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- modules loaded on demand, see above */
const ENTRIES: { readonly [N in CommandName]: (args: readonly string[]) => Main } = {
    "start": (args) => {
        // The normalising workers load their modules on the other core while this thread loads DuckDB's and the run's.
        prestartNormalisers(prestartedWorkers(args));
        return (require("./local") as typeof import("./local")).main;
    },
    "investigate": () => (require("./investigate") as typeof import("./investigate")).main,
    "alerts": () => (require("./alerts") as typeof import("./alerts")).run,
    "query": () => (require("./query") as typeof import("./query")).main,
    "query investigate": () => {
        const { main } = require("./athenaInvestigate") as typeof import("./athenaInvestigate");
        return (argv) => main(argv);
    },
    "normalise": () => (require("./normalise") as typeof import("./normalise")).main,
    "plan": () => (require("./plan") as typeof import("./plan")).main,
    "bucket-owner-statements": () => (require("./bucketOwnerStatements") as typeof import("./bucketOwnerStatements")).main,
    "ground-truth": () => (require("./groundTruth") as typeof import("./groundTruth")).main,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The command the first words of `argv` name (its name or an alias; two words before one), and the arguments after them. */
export function resolveCommand(argv: readonly string[]): { command: CommandSpec & { name: CommandName }; rest: string[] } | undefined {
    for (const words of [2, 1]) {
        if (argv.length < words) continue;
        const name = argv.slice(0, words).join(" ");
        const command = COMMANDS.find(
            (candidate) => candidate.name === name || ("aliases" in candidate && (candidate.aliases as readonly string[]).includes(name)),
        );
        if (command) return { command, rest: argv.slice(words) };
    }
    return undefined;
}

/** Runs the bin on its arguments (`process.argv.slice(2)`). */
export function main(argv: readonly string[]): void {
    const [first] = argv;
    if (first === "--help" || first === "-h" || first === "help") {
        // `cloudtrail-lake help plan` is `cloudtrail-lake plan --help`.
        const named = first === "help" ? resolveCommand(argv.slice(1)) : undefined;
        if (named) return runTableCommand(named.command, async () => 0, ["--help"]);
        console.log(commandListText());
        return;
    }
    const resolved = resolveCommand(argv);
    if (!resolved) {
        const names = COMMANDS.map((command) => command.name.split(" ")[0]);
        const meant = first === undefined || first.startsWith("-") ? undefined : closest(first, names);
        const problem =
            first === undefined ? "name a command" : first.startsWith("-") ? `name a command before the options (${first})` : `unknown command "${first}"`;
        console.error(`error: ${problem}${meant ? `; did you mean "${meant}"?` : ""}\n\n${commandListText()}`);
        process.exitCode = EXIT_USAGE;
        return;
    }
    const { command, rest } = resolved;
    // The arguments are checked against the table before the command's module is loaded (the plan's takes seconds):
    // a mistyped option is said at once. The command parses them again, for the checks of its own.
    runTableCommand(
        command,
        async (args) => {
            parseCommand(command, args);
            return ENTRIES[command.name](args)(args);
        },
        rest,
    );
}
