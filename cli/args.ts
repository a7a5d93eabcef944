/**
 * Command-line parsing shared by every command: node:util's parseArgs in strict mode, so an
 * unknown flag, a flag without its value (`--out` at the end) or a value where none belongs
 * fails at once, before any file is read or any AWS call is made, with exit code 2 and a
 * message that names the argument.
 */
import { parseArgs, ParseArgsConfig } from "node:util";
import { hasRealDateTime } from "../contract/instants";
import { isoSeconds, parseDuration } from "../contract/detections";

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

/**
 * Most events an investigation's timeline holds (`--max-events`): each is kept in memory as a
 * row, so a million is already gigabytes; past it the answer is a narrower window.
 */
export const MAX_TIMELINE_EVENTS = 1_000_000;

/** `--max-events N`: a whole number from 1 to `max`, `fallback` when absent, else a UsageError naming the flag. */
export function wholeCount(flag: string, text: string | undefined, fallback: number, max = MAX_TIMELINE_EVENTS): number {
    return text === undefined ? fallback : countOption(flag, text, 1, max);
}

/** Runs a command's main: a UsageError prints the message and the usage and exits 2. */
export function runCommand(main: (argv: string[]) => Promise<number>, usage: string, unexpectedExitCode = 1): void {
    main(process.argv.slice(2)).then(
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

/** A count option that has a ceiling: a plain decimal whole number from 1 to `max` (no 1e3, 0x10 or 2.0), or a UsageError naming the flag. */
export function boundedCount(flag: string, text: string | undefined, fallback: number, max: number): number {
    if (text === undefined) return fallback;
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not "${text}"`);
    return value;
}
