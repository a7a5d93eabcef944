/**
 * Command-line parsing shared by every command: node:util's parseArgs in strict mode, so an
 * unknown flag, a flag without its value (`--out` at the end) or a value where none belongs
 * fails at once, before any file is read or any AWS call is made, with exit code 2 and a
 * message that names the argument.
 */
import { parseArgs, ParseArgsConfig } from "node:util";
import { parseDuration } from "../contract/detections";

/** Exit code of every command for bad arguments (what POSIX utilities use for usage errors). */
export const EXIT_USAGE = 2;

/** A mistake in the command line: printed with the usage, exit code {@link EXIT_USAGE}. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs' error (which names the flag) as a {@link UsageError}. */
function usageErrorOf(error: unknown): UsageError {
    // Node's messages name the flag: "Unknown option '--foo'", "Option '--out <value>' argument missing".
    return new UsageError((error as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, ""));
}

/** parseArgs in strict mode; its errors (which name the flag) become {@link UsageError}s. */
export function parseCommandLine<T extends Options>(argv: readonly string[], options: T, allowPositionals: boolean) {
    try {
        return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
    } catch (error) {
        throw usageErrorOf(error);
    }
}

/**
 * {@link parseCommandLine} for the commands whose `--input` takes every value that follows it up to
 * the next option (what a shell glob gives): those values are `inputs`; the other positionals,
 * `others`. `options` must declare `input` as a string option with `multiple: true`.
 */
export function parseCommandLineWithInputs<T extends Options>(argv: readonly string[], options: T) {
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
        throw usageErrorOf(error);
    }
    const inputs: string[] = [];
    const others: string[] = [];
    let afterInput = false;
    for (const token of parsed.tokens) {
        if (token.kind === "option") afterInput = token.name === "input";
        if (token.kind === "option" && token.name === "input" && token.value !== undefined) inputs.push(token.value);
        if (token.kind === "positional") (afterInput ? inputs : others).push(token.value);
    }
    return { values: parsed.values, inputs, others };
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

/** A positive number of seconds (`--timeout 300`), or a UsageError naming the flag. */
export function positiveNumber(flag: string, text: string): number {
    const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, not "${text}"`);
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
    // Date rolls 2026-02-30 over to March: compare the calendar fields back.
    const real =
        form &&
        !Number.isNaN(date.getTime()) &&
        ((form[7] && form[7] !== "Z") ||
            (date.getUTCFullYear() === Number(form[1]) && date.getUTCMonth() + 1 === Number(form[2]) && date.getUTCDate() === Number(form[3])));
    if (!real) throw new UsageError(`${flag} must be an ISO-8601 instant like 2026-11-25T10:00:00Z (or a date, 2026-11-25), not "${text}"`);
    return date;
}

/** The one instant form the investigate commands take: whole seconds in UTC, as their windows are written. */
const UTC_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function isUtcSecond(text: string): boolean {
    return UTC_SECOND.test(text);
}

/** `text` when it is {@link isUtcSecond}, else a UsageError naming the flag. */
export function utcSecond(flag: string, text: string): string {
    if (!isUtcSecond(text)) throw new UsageError(`${flag} must be an ISO-8601 UTC instant like 2026-11-25T00:00:00Z, not "${text}"`);
    return text;
}

/** `--max-events N`: a whole number of at least 1, `fallback` when absent, else a UsageError naming the flag. */
export function wholeCount(flag: string, text: string | undefined, fallback: number): number {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number of at least 1, not "${text}"`);
    return value;
}

/** Runs a command's main: a UsageError prints the message and the usage and exits 2. */
export function runCommand(main: (argv: string[]) => Promise<number>, usage: string, unexpectedExitCode = 1): void {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
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
