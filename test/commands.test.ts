/**
 * The command table (cli/commands.ts) is what every command reads its arguments by, what its
 * `--help` prints and what the README lists: checked through the bin as a user runs it
 * (`npx cloudtrail-lake …`, `npm run plan -- …`), and in-process for the parser's rules.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommand, UsageError } from "../cli/args";
import { BIN, COMMANDS, CommandSpec, INVESTIGATE, NORMALISE, PLAN, QUERY, START } from "../cli/commands";
import { closest, helpText } from "../cli/help";
import { resolveCommand } from "../cli/main";
import { commandsTable } from "../scripts/generate-docs";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };
const commands: readonly CommandSpec[] = COMMANDS;

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** The bin as package.json declares it, run by node without npm (what `npx cloudtrail-lake …` runs). */
function bin(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        // Without npm's variable, the help is in the bin's form, as `npx` shows it.
        const env = { ...process.env, npm_lifecycle_event: "" };
        execFile(process.execPath, [path.join(ROOT, pkg.bin[BIN]), ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
        );
    });
}

const usageError = (fn: () => unknown): string => {
    try {
        fn();
    } catch (error) {
        expect(error).to.be.instanceOf(UsageError);
        return (error as Error).message;
    }
    throw new Error("no UsageError");
};

describe("the cloudtrail-lake bin", () => {
    it("is package.json's bin, an executable file, and every user command's npm script runs it with the command's words", () => {
        const file = path.join(ROOT, pkg.bin[BIN]);
        expect(fs.statSync(file).mode & 0o111, `${pkg.bin[BIN]} is executable`).to.not.equal(0);
        expect(fs.readFileSync(file, "utf8")).to.match(/^#!\/usr\/bin\/env node\n/);
        for (const command of commands) {
            const [, script, words = ""] = /^npm (?:run )?([\w:-]+) --(.*)$/.exec(command.npm) ?? [];
            expect(pkg.scripts[script], `npm script "${script}" of ${command.name}`).to.equal(`node ${pkg.bin[BIN]} ${script}`);
            // `npm start -- investigate` gives the bin `start investigate`: the command's name or one of its aliases.
            expect(resolveCommand(`${script}${words}`.split(" "))?.command.name, command.npm).to.equal(command.name);
        }
    });

    it("lists every command with --help, and exits 2 with the list on an unknown command or none", async () => {
        const [help, unknown, none] = await Promise.all([bin("--help"), bin("plna"), bin()]);
        expect(help.code).to.equal(0);
        for (const command of commands) expect(help.stdout).to.contain(`  ${command.name} `);
        expect(unknown.code).to.equal(2);
        expect(unknown.stderr).to.contain('unknown command "plna"; did you mean "plan"?').and.contain("  bucket-owner-statements ");
        expect(unknown.stdout).to.equal("");
        expect(none.code).to.equal(2);
        expect(none.stderr).to.contain("name a command").and.contain("  start ");
    });

    it("prints every command's help, made from the table, with each of its options and exit codes, and exits 0", async () => {
        const runs = await Promise.all(commands.map((command) => bin(...command.name.split(" "), "--help")));
        commands.forEach((command, i) => {
            const { code, stdout, stderr } = runs[i];
            expect(code, `${command.name} --help: ${stderr}`).to.equal(0);
            expect(stdout, command.name).to.match(new RegExp(`^usage: ${BIN} ${command.name}\\b`));
            for (const name of [...Object.keys(command.options), "help"]) expect(stdout, `${command.name} --help names --${name}`).to.contain(`--${name}`);
            for (const exit of Object.values(command.exitCodes))
                expect(stdout, `${command.name} exit code ${exit.code}`).to.match(new RegExp(`^  ${exit.code} +\\S`, "m"));
        });
    });

    it("plan --help (and -h, even beside other options) prints the help and does not plan", async () => {
        // --help itself is in the test above, for every command.
        for (const args of [["-h"], ["--stack", "prod", "-h"]]) {
            const run = await bin("plan", ...args);
            expect(run.code, args.join(" ")).to.equal(0);
            expect(run.stdout).to.contain("--policy-config").and.not.contain("Offline plan").and.not.contain("Policy pack");
        }
    });

    it("npm run plan -- --help is the same help, in npm's form first", async () => {
        const run = await new Promise<Run>((resolve) =>
            execFile("npm", ["run", "--silent", "plan", "--", "--help"], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
                resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
            ),
        );
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout)
            .to.match(/^usage: npm run plan -- \[--stack <name>\]/)
            .and.contain(`\n       ${BIN} plan [--stack <name>]`);
        expect(run.stdout).to.not.contain("Offline plan");
    });

    it("refuses a mistyped option with exit 2, naming it and the option meant, before loading the command", async () => {
        const run = await bin("plan", "--stak", "prod");
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain("Unknown option '--stak'; did you mean --stack?").and.contain(`usage: ${BIN} plan`);
        expect(run.stdout).to.equal("");
    });

    it("investigate --help works, also as start investigate (what npm start -- investigate gives the bin)", async () => {
        for (const words of [["investigate"], ["start", "investigate"]]) {
            const run = await bin(...words, "--help");
            expect(run.code, words.join(" ")).to.equal(0);
            expect(run.stdout).to.match(/^usage: cloudtrail-lake investigate <subject> --input <files or folders…>/);
            expect(run.stdout).to.contain("--max-hops <n>").and.contain("(default: 10)");
        }
    });
});

describe("command line parsing by the table", () => {
    it("suggests the declared option closest to a mistyped one, and none when nothing is close", () => {
        expect(usageError(() => parseCommand(PLAN, ["--stak", "prod"]))).to.equal("Unknown option '--stak'; did you mean --stack?");
        expect(usageError(() => parseCommand(START, ["--jsno"]))).to.equal("Unknown option '--jsno'; did you mean --json?");
        expect(usageError(() => parseCommand(PLAN, ["--stack-fil=x"]))).to.equal("Unknown option '--stack-fil'; did you mean --stack-file?");
        expect(usageError(() => parseCommand(NORMALISE, ["--verbose"]))).to.equal("Unknown option '--verbose'");
        expect(closest("frobnicate", ["input", "out", "json"])).to.equal(undefined);
    });

    it("names an option given without its value, a value outside its choices, and a missing required option", () => {
        expect(usageError(() => parseCommand(QUERY, ["x", "--timeout"]))).to.match(/'--timeout <value>' argument missing/);
        expect(usageError(() => parseCommand(QUERY, ["x", "--format", "xml"]))).to.equal('--format must be table, csv or json, not "xml"');
        expect(usageError(() => parseCommand(INVESTIGATE, ["Dev1"]))).to.match(/^--input is missing/);
        expect(usageError(() => parseCommand(NORMALISE, ["samples"]))).to.equal("--out <dir> is required");
        expect(usageError(() => parseCommand(START, ["stray"]))).to.equal('unexpected argument "stray": give <files or folders…> after --input');
    });

    it("applies the table's defaults, and gives --input every value up to the next option", () => {
        const { values } = parseCommand(QUERY, ["cloudtrail-tampering"]);
        expect(values).to.include({ since: "24h", format: "table", stack: "prod", timeout: "300" });
        const parsed = parseCommand(INVESTIGATE, ["--input", "a", "b", "--json", "Dev1"]);
        expect(parsed.values.input).to.deep.equal(["a", "b"]);
        expect(parsed.positionals).to.deep.equal(["Dev1"]);
    });

    it("every command's help names each option, its default and the meaning of each exit code", () => {
        for (const command of commands) {
            const help = helpText(command, "bin");
            for (const [name, option] of Object.entries(command.options)) {
                expect(help, `${command.name} --${name}`).to.contain(`--${name}`);
                if (option.default !== undefined)
                    expect(help.replace(/\s+/g, " "), `${command.name} --${name} default`).to.contain(`default: ${option.default}`);
            }
            for (const exit of Object.values(command.exitCodes)) expect(help.replace(/\s+/g, " ")).to.contain(exit.meaning.replace(/`/g, ""));
        }
    });
});

describe("the README's commands table", () => {
    it("is the one generated from the command table (npm run generate:docs)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const section = /<!-- BEGIN GENERATED commands\b[^>]*-->\n([\s\S]*?)<!-- END GENERATED commands -->/.exec(readme)?.[1];
        expect(section?.trimEnd()).to.equal(commandsTable());
        for (const command of commands) expect(section).to.contain(`docs/commands.md#${BIN}-${command.name.replace(/ /g, "-")}`);
    });
});
