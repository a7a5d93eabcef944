/**
 * What a user reads on the terminal, made from the command table (cli/commands.ts): a command's
 * synopsis, its `--help`, the bin's list of commands, and the "did you mean" of a mistyped option
 * or command. The Markdown forms of the same table are written by scripts/generate-docs.ts.
 */
import * as path from "node:path";
import { BIN, COMMANDS, CommandSpec, HELP_OPTION, OptionSpec } from "./commands";

/** Width the help is wrapped to: what a terminal shows without wrapping it again. */
const WIDTH = 100;

/** A command's options with the `--help` every command has. */
export function optionsOf(command: CommandSpec): { readonly [name: string]: OptionSpec } {
    return { ...command.options, help: HELP_OPTION };
}

/** The npm script the command runs under (`start`, `query`): the word after `npm` or `npm run`. */
export function npmScriptOf(command: CommandSpec): string {
    const script = /^npm (?:run )?([\w:-]+)/.exec(command.npm)?.[1];
    if (!script) throw new Error(`command ${command.name}: npm form "${command.npm}" names no script`);
    return script;
}

/**
 * How the user ran the command, so that its usage is shown in that form first: `npm run plan`
 * (npm sets npm_lifecycle_event to the script's name) or the bin (`npx cloudtrail-lake plan`).
 */
export function invokedForm(command: CommandSpec): "npm" | "bin" {
    if (process.env.npm_lifecycle_event === npmScriptOf(command)) return "npm";
    return path.basename(process.argv[1] ?? "").startsWith(BIN) ? "bin" : "npm";
}

const plain = (text: string) => text.replace(/`/g, "");

/** `parts` joined by spaces and wrapped to {@link WIDTH}, never inside a part; every line after the first indented by `indent` spaces. */
function wrapParts(parts: readonly string[], indent: number, firstWidth = WIDTH): string {
    const lines: string[] = [];
    let line = "";
    let width = firstWidth;
    for (const part of parts) {
        if (line && line.length + 1 + part.length > width) {
            lines.push(line);
            line = part;
            width = WIDTH - indent;
        } else line = line ? `${line} ${part}` : part;
    }
    lines.push(line);
    return lines.join(`\n${" ".repeat(indent)}`);
}

/** Prose wrapped to {@link WIDTH} (without Markdown's backticks), every line after the first indented by `indent` spaces. */
const wrap = (text: string, indent: number, firstWidth = WIDTH) => wrapParts(plain(text).split(/\s+/).filter(Boolean), indent, firstWidth);

/** `--format table|csv|json`, `--out <dir>`, `--json`. */
export function optionForm(name: string, option: OptionSpec): string {
    if (option.type === "boolean") return `--${name}`;
    return `--${name} ${option.choices ? option.choices.join("|") : (option.value ?? "<value>")}`;
}

/** The arguments after the command's words: positionals, then required options, then the optional ones in brackets. */
export function synopsisParts(command: CommandSpec): string[] {
    const parts = command.positionals.map((positional) => (positional.required ? positional.name : `[${positional.name}]`));
    for (const [name, option] of Object.entries(command.options)) parts.push(option.required ? optionForm(name, option) : `[${optionForm(name, option)}]`);
    return parts;
}

/** The words that run `command` in one form: `npm run plan --`, `cloudtrail-lake plan`. */
function commandWords(command: CommandSpec, form: "npm" | "bin"): string {
    return form === "npm" ? command.npm : `${BIN} ${command.name}`;
}

/** The command line that runs `command` with `args` in one form (`npm run plan -- …`, `cloudtrail-lake plan …`), as parts to wrap. */
function commandLineParts(command: CommandSpec, form: "npm" | "bin", args: readonly string[]): string[] {
    const words = commandWords(command, form);
    return args.length === 0 ? [words.replace(/ --$/, "")] : [words, ...args];
}

/** The command line that runs `command` in one form: `npm run plan -- …` or `cloudtrail-lake plan …`. */
export function commandLine(command: CommandSpec, form: "npm" | "bin", args: readonly string[] = synopsisParts(command)): string {
    return commandLineParts(command, form, args).join(" ");
}

/** An example of the table (written in npm form) in `form`. */
function exampleIn(command: CommandSpec, example: string, form: "npm" | "bin"): string {
    const npm = command.npm.replace(/ --$/, "");
    if (form === "npm" || !example.startsWith(npm)) return example;
    return `${BIN} ${command.name}${example.slice(npm.length).replace(/^ --(?= |$)/, "")}`;
}

/** The two usage lines, the form the user ran first. */
function usageLines(command: CommandSpec, form: "npm" | "bin"): string {
    const other = form === "npm" ? "bin" : "npm";
    const line = (which: "npm" | "bin") => wrapParts(commandLineParts(command, which, synopsisParts(command)), 11, WIDTH - 7);
    return `usage: ${line(form)}\n       ${line(other)}`;
}

/** The usage lines, in the form the user ran first, and where the rest is: printed after a usage error. */
export function usageText(command: CommandSpec, form = invokedForm(command)): string {
    return `${usageLines(command, form)}\n\n${commandLine(command, form, ["--help"])} prints every option and the exit codes.`;
}

/** Default, allowed values and whether it is required, as `--help` adds them after the description. */
export function optionNotes(option: OptionSpec): string[] {
    return [
        ...(option.required ? ["required"] : []),
        ...(option.choices ? [`one of ${option.choices.join(", ")}`] : []),
        ...(option.default !== undefined ? [`default: ${option.default}`] : option.defaultText ? [`default: ${option.defaultText}`] : []),
        ...(option.multiple && !option.greedy ? ["may be repeated"] : []),
    ];
}

/** Two columns: `left` padded to `column`, `right` wrapped beside it (under it when `left` is wider). */
function columns(rows: readonly (readonly [string, string])[], column: number): string[] {
    return rows.map(([left, right]) =>
        left.length + 2 > column
            ? `  ${left}\n${" ".repeat(column + 2)}${wrap(right, column + 2, WIDTH - column - 2)}`
            : `  ${left.padEnd(column)}${wrap(right, column + 2, WIDTH - column - 2)}`,
    );
}

/** A command's `--help`: usage, what it does, arguments, options, exit codes, examples, where to read more. */
export function helpText(command: CommandSpec, form = invokedForm(command)): string {
    const sections = [usageLines(command, form), wrap(command.description, 0)];
    if (command.positionals.length > 0)
        sections.push(
            [
                "arguments:",
                ...columns(
                    command.positionals.map((positional) => [positional.name, positional.description] as const),
                    22,
                ),
            ].join("\n"),
        );
    const options = Object.entries(optionsOf(command)).map(([name, option]) => {
        const notes = optionNotes(option);
        const left = `${option.short ? `-${option.short}, ` : ""}${optionForm(name, option)}`;
        return [left, `${option.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`] as const;
    });
    sections.push(["options:", ...columns(options, 30)].join("\n"));
    const codes = Object.values(command.exitCodes).sort((a, b) => a.code - b.code);
    sections.push(
        [
            "exit codes:",
            ...columns(
                codes.map((exit) => [String(exit.code), exit.meaning] as const),
                5,
            ),
        ].join("\n"),
    );
    if (command.examples?.length) sections.push(["examples:", ...command.examples.map((example) => `  ${exampleIn(command, example, form)}`)].join("\n"));
    const subcommands = COMMANDS.filter((candidate) => candidate.name.startsWith(`${command.name} `));
    if (subcommands.length > 0)
        sections.push(
            [
                "see also:",
                ...columns(
                    subcommands.map((sub) => [commandLine(sub, form, ["--help"]), sub.summary] as const),
                    44,
                ),
            ].join("\n"),
        );
    if (command.docs) sections.push(`more: ${command.docs}`);
    return sections.join("\n\n");
}

/** The bin's `--help`: every command with its one line. */
export function commandListText(): string {
    return [
        `usage: ${BIN} <command> [arguments and options]      (or its npm script: npm start, npm run <command> -- …)`,
        [
            "commands:",
            ...columns(
                COMMANDS.map((command) => [command.name, command.summary] as const),
                26,
            ),
        ].join("\n"),
        `${BIN} <command> --help prints the command's options and exit codes.`,
    ].join("\n\n");
}

/**
 * Optimal string alignment distance (Levenshtein with adjacent transpositions): `--stak` is one
 * edit from `--stack`, `--jsno` one from `--json`.
 */
function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The candidate `word` was probably meant as: a few edits away, or `word` cut short; undefined when none is close. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = word.length >= 3 && candidate.startsWith(word) ? 1 : editDistance(word, candidate);
        if (distance <= Math.max(1, Math.floor(word.length / 3)) && (!best || distance < best.distance)) best = { candidate, distance };
    }
    return best?.candidate;
}
