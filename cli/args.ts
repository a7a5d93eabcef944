/**
 * Command-line parsing shared by every command, driven by the command table (cli/commands.ts):
 * node:util's parseArgs in strict mode, so an unknown option, an option without its value (`--out`
 * at the end) or a value where none belongs fails at once, before any file is read or any AWS call
 * is made, with exit code 2 and a message that names the argument; and the value checks the
 * commands share (instants, durations, counts, seconds).
 */
import * as os from "node:os";
import { parseArgs, ParseArgsConfig } from "node:util";
import { hasRealDateTime } from "../contract/instants";
import { isoSeconds, parseDuration } from "../contract/detections";
import { CommandSpec, OptionSpec, OptionValues } from "./commands";
import { closest, helpText, optionsOf, usageText } from "./help";

/** Exit code of every command for bad arguments (what POSIX utilities use for usage errors). */
export const EXIT_USAGE = 2;

/** A mistake in the command line: printed with the usage, exit code {@link EXIT_USAGE}. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

/** The first option of `argv` that `options` does not declare (`--stak`), as typed. */
function unknownOptionOf(argv: readonly string[], options: ParseOptions): string | undefined {
    const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
    for (const token of tokens) if (token.kind === "option" && !Object.hasOwn(options, token.name)) return token.rawName;
    return undefined;
}

/** parseArgs' error (which names the option) as a {@link UsageError}; an unknown option gets the declared one it is closest to. */
function usageErrorOf(error: unknown, argv: readonly string[], options: ParseOptions): UsageError {
    // Node's messages name the option: "Unknown option '--foo'", "Option '--out <value>' argument missing".
    const message = (error as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "");
    if ((error as { code?: string }).code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(message);
    const unknown = unknownOptionOf(argv, options);
    const meant = unknown?.startsWith("--") ? closest(unknown.slice(2).replace(/=.*$/, ""), Object.keys(options)) : undefined;
    return new UsageError(meant ? `${message}; did you mean --${meant}?` : message);
}

/** `a, b or c`. */
const oneOf = (values: readonly string[]) => (values.length === 1 ? values[0] : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`);

/**
 * A command line read by the command table's declaration of `command` (cli/commands.ts), with
 * node:util's parseArgs in strict mode: an unknown option (with the declared one it is closest
 * to), an option without its value, a value where none belongs, a value outside an option's
 * `choices`, a missing `required` option or a positional the command does not take is a
 * {@link UsageError} naming it, before anything is read. An option's `default` is applied; a
 * `greedy` option also takes the positionals that follow it up to the next option.
 */
export function parseCommand<C extends CommandSpec>(command: C, argv: readonly string[]): { values: OptionValues<C>; positionals: string[] } {
    const specs = optionsOf(command);
    const options: ParseOptions = Object.fromEntries(
        Object.entries(specs).map(([name, spec]: [string, OptionSpec]) => [
            name,
            {
                type: spec.type,
                ...(spec.short ? { short: spec.short } : {}),
                ...(spec.multiple || spec.greedy ? { multiple: true } : {}),
                ...(spec.default === undefined ? {} : { default: spec.multiple ? [spec.default] : spec.default }),
            },
        ]),
    );
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
        throw usageErrorOf(error, argv, options);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const positionals: string[] = [];
    let greedy: string | undefined;
    for (const token of parsed.tokens) {
        if (token.kind === "option") greedy = specs[token.name]?.greedy ? token.name : undefined;
        if (token.kind === "positional") (greedy ? (values[greedy] as string[]) : positionals).push(token.value);
    }
    if (command.positionals.length === 0 && positionals.length > 0) {
        const greedyName = Object.keys(specs).find((name) => specs[name].greedy);
        throw new UsageError(`unexpected argument "${positionals[0]}"${greedyName ? `: give ${specs[greedyName].value} after --${greedyName}` : ""}`);
    }
    for (const [name, spec] of Object.entries(specs)) {
        const value = values[name];
        if (value === undefined && spec.required) throw new UsageError(spec.required);
        if (typeof value === "string" && spec.choices && !spec.choices.includes(value))
            throw new UsageError(`--${name} must be ${oneOf(spec.choices)}, not "${value}"`);
    }
    return { values: values as OptionValues<C>, positionals };
}

/** `--lookback 14d`: the first-seen detections' baseline (minutes, hours or days, more than zero), or a UsageError naming the flag. */
export function parseLookback(text: string): number {
    let ms: number;
    try {
        ms = parseDuration(text);
    } catch (error) {
        throw new UsageError(`--lookback: ${(error as Error).message}`);
    }
    if (ms <= 0) throw new UsageError(`--lookback must be longer than zero, not "${text}"`);
    return ms;
}

/** Most seconds any `--timeout` takes: a day (a longer one is a typo, and Node's timers hold at most about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = 86_400;

/**
 * A positive number of seconds (`--timeout 300`, `--timeout 2.5`) up to `max`, written as plain
 * decimal digits; `0x10`, `1e3` and `Infinity` are refused, with a UsageError naming the flag.
 */
export function positiveNumber(flag: string, text: string, max = MAX_TIMEOUT_SECONDS): number {
    const value = /^\d{1,15}(\.\d{1,15})?$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isFinite(value) || value <= 0 || value > max)
        throw new UsageError(`${flag} must be a positive number, not "${text}" (seconds, up to ${max}, decimal digits only)`);
    return value;
}

/**
 * An instant on the command line: `2026-11-25T10:00:00Z`, with milliseconds or a UTC offset
 * (`+02:00`), or a date alone (`2026-11-25`, midnight UTC). Anything else, or a date that does
 * not exist (`2026-02-30`), is a UsageError naming the flag.
 */
export function parseInstant(flag: string, text: string): Date {
    const trimmed = text.trim();
    const form = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(trimmed);
    const date = new Date(form && !form[4] ? `${trimmed}T00:00:00Z` : trimmed);
    // One rule with the normaliser's (contract/instants.ts): Date rolls 2026-02-30 over to March.
    const real = form !== null && hasRealDateTime(trimmed) && !Number.isNaN(date.getTime());
    if (!real) throw new UsageError(`${flag} must be an ISO-8601 instant like 2026-11-25T10:00:00Z (or a date, 2026-11-25), not "${text}"`);
    return date;
}

/**
 * {@link parseInstant} written as the detections' windows are (`2026-11-25T10:00:00Z`), to the whole
 * second: down for the start of a window (`--since`), up for its end (`--until`), so the window holds
 * every event of the instants given. Every command's `--since`/`--until` goes through it or parseInstant.
 */
export function instantSeconds(flag: string, text: string, round: "down" | "up"): string {
    const ms = parseInstant(flag, text).getTime();
    return isoSeconds(new Date((round === "down" ? Math.floor(ms / 1000) : Math.ceil(ms / 1000)) * 1000));
}

/** `--since` of the Athena commands: an instant ({@link instantSeconds}) or a duration before `until` (`24h`, `7d`). */
export function sinceInstantOrDuration(text: string, until: Date): string {
    if (/^\d{4}-/.test(text.trim())) return instantSeconds("--since", text, "down");
    try {
        return isoSeconds(new Date(until.getTime() - parseDuration(text)));
    } catch (error) {
        throw new UsageError(`--since: ${(error as Error).message}, or an instant like 2026-11-25T10:00:00Z (or a date, 2026-11-25)`);
    }
}

/**
 * A count on the command line: plain decimal digits (no sign, exponent, hex prefix or fraction:
 * `1e3` and `0x10` are what a user did not mean to type), from `min` to `max`; else a UsageError
 * that names the flag and states the range. Checked before any file is read, so a count no engine
 * can hold (`1e20` overflows DuckDB's BIGINT) fails at once instead of at the end of a run.
 */
export function countOption(flag: string, text: string, min: number, max: number): number {
    const trimmed = text.trim();
    // 16 digits at most: beyond that no `max` here applies, and Number() would round.
    const value = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max)
        throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}" (decimal digits only)`);
    return value;
}

/** Most workers `--jobs` starts: beyond this a typo (`--jobs 1000`), not a machine. */
const MAX_JOBS = 256;

/**
 * The normalising workers of `start` (`--jobs`): a whole number from 1 to {@link MAX_JOBS}, or a
 * UsageError naming the flag; by default one per core. Read by the bin before the command's module
 * loads (it starts them early, cli/main.ts) and by the command itself.
 */
export function jobsOption(text: string | undefined): number {
    return text === undefined ? os.availableParallelism() : countOption("--jobs", text, 1, MAX_JOBS);
}

/**
 * Most events an investigation's timeline holds (`--max-events`): each is kept in memory as a
 * row, so a million is already gigabytes; past it the answer is a narrower window.
 */
export const MAX_TIMELINE_EVENTS = 1_000_000;

/** `--max-events N`: a whole number from 1 to `max`, `fallback` when absent, else a UsageError naming the flag. */
export function wholeCount(flag: string, text: string | undefined, fallback: number, max = MAX_TIMELINE_EVENTS): number {
    return text === undefined ? fallback : countOption(flag, text, 1, max);
}

/** Runs a command's main on `argv`: a UsageError prints the message and the usage and exits 2; any other error exits `unexpectedExitCode`. */
export function runCommand(
    main: (argv: string[]) => Promise<number>,
    usage: string,
    unexpectedExitCode = 1,
    argv: readonly string[] = process.argv.slice(2),
): void {
    main([...argv]).then(
        // After stdout is flushed: into a pipe (`--json | jq`) it is written asynchronously, and exiting at once cut a
        // large output at the pipe's buffer (64 KiB on Linux) — https://nodejs.org/api/process.html#a-note-on-process-io
        (code) => process.stdout.write("", () => process.exit(code)),
        (error) => {
            if (error instanceof UsageError) {
                console.error(`error: ${error.message}\n\n${usage}`);
                process.exit(EXIT_USAGE);
            }
            console.error(`error: ${(error as Error).message}`);
            process.exit(unexpectedExitCode);
        },
    );
}

/** `--help` or `-h` among the options (before a `--`, after which every argument is a positional). */
export function asksForHelp(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/**
 * Runs one command of the table: with `--help` or `-h` it prints the help made from the table and
 * exits 0, running nothing else (not even the parsing of the other arguments); otherwise as
 * {@link runCommand}, with the command's usage and its exit code for unexpected errors.
 */
export function runTableCommand(command: CommandSpec, main: (argv: string[]) => Promise<number>, argv: readonly string[] = process.argv.slice(2)): void {
    if (asksForHelp(argv)) {
        runCommand(async () => {
            console.log(helpText(command));
            return 0;
        }, usageText(command));
        return;
    }
    runCommand(main, usageText(command), command.unexpectedErrorExitCode ?? 1, argv);
}

/**
 * The Athena workgroup and Glue database of the Athena commands' `--stack` (the names the stack
 * gives them), unless `--workgroup` or `--database` name others; a UsageError for a stack name
 * that could not be one.
 */
export function athenaTarget(values: { readonly stack: string; readonly workgroup?: string; readonly database?: string }): {
    workgroup: string;
    database: string;
} {
    if (!/^[A-Za-z0-9_.-]+$/.test(values.stack)) throw new UsageError(`--stack must be a stack name (letters, digits, . _ -), not "${values.stack}"`);
    return {
        workgroup: values.workgroup ?? `cloudtrail-lake-${values.stack}`,
        database: values.database ?? `cloudtrail_lake_${values.stack.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`,
    };
}

/**
 * `--stack-file` read by `read`: a file that is missing, not YAML or not a valid stack config (each
 * named with the file by config/stackFile.ts and config/stackConfig.ts) is a bad argument, exit 2,
 * for every command alike.
 */
export function stackFileArgument<T>(file: string, read: (file: string) => T): T {
    try {
        return read(file);
    } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError((error as Error).message);
    }
}

/** A count option that has a ceiling: a plain decimal whole number from 1 to `max` (no 1e3, 0x10 or 2.0), or a UsageError naming the flag. */
export function boundedCount(flag: string, text: string | undefined, fallback: number, max: number): number {
    if (text === undefined) return fallback;
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${text}"`);
    return value;
}
