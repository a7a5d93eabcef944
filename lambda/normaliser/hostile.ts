/**
 * The slow, lossless path for the few records JSON.parse would silently change: duplicate keys
 * (JSON.parse keeps the last, so a second `eventName` can hide a StopLogging) and numbers a double
 * cannot hold (`1e400` becomes null, integers above 2^53 are rounded). The splitter's scan flags
 * such records cheaply (./splitter.ts); this module re-reads only those, and returns the evidence
 * the renderer puts into `extrafields`:
 * - the original text of every changed number, under its source path (`requestParameters.limit`);
 * - `$duplicateKeys`: for every duplicated key, its path and the JSON text of every value, in file order.
 *
 * A top-level `__proto__` key needs nothing here: JSON.parse keeps it as an own property and the
 * normaliser's `extrafields` object has no prototype (./normalise.ts).
 */
import { NotCloudTrailError } from "./splitter";

/** Evidence for `extrafields`, keyed like the normaliser's own entries. */
export type Evidence = Record<string, unknown>;

/** Key under which duplicate keys are listed in `extrafields`. */
export const DUPLICATE_KEYS_FIELD = "$duplicateKeys";

/** Counts the `key:value` pairs of a parsed value, to compare with the pairs in its text. */
export function countPairs(value: unknown): number {
    let pairs = 0;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const element = value[i];
            if (typeof element === "object" && element !== null) pairs += countPairs(element);
        }
        return pairs;
    }
    const object = value as Record<string, unknown>;
    for (const key in object) {
        pairs++;
        const member = object[key];
        if (typeof member === "object" && member !== null) pairs += countPairs(member);
    }
    return pairs;
}

/** Whether JSON.parse changes what the number text says. */
function numberChanges(text: string): boolean {
    const value = Number(text);
    if (!Number.isFinite(value)) return true;
    if (/^-?\d+$/.test(text)) return BigInt(text) !== BigInt(value);
    return String(value) !== text;
}

const DIGITS_OR_SIGN = /[-+0-9.eE]/;

class Reader {
    private i = 0;
    readonly evidence: Evidence = Object.create(null) as Evidence;
    private duplicates: Record<string, string[]> | undefined;

    constructor(
        private readonly text: string,
        private readonly where: string,
    ) {}

    read(): Evidence {
        this.value("");
        if (this.duplicates) this.evidence[DUPLICATE_KEYS_FIELD] = this.duplicates;
        return this.evidence;
    }

    private fail(): never {
        throw new NotCloudTrailError(`${this.where} is not valid JSON at character ${this.i}`);
    }

    private space(): void {
        const text = this.text;
        while (this.i < text.length) {
            const c = text.charCodeAt(this.i);
            if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
            this.i++;
        }
    }

    /** Skips a string; returns its text with the quotes. */
    private string(): string {
        const start = this.i;
        let close = this.text.indexOf('"', start + 1);
        for (;;) {
            if (close === -1) this.fail();
            let backslashes = 0;
            for (let j = close - 1; j > start && this.text.charCodeAt(j) === 0x5c; j--) backslashes++;
            if (backslashes % 2 === 0) break;
            close = this.text.indexOf('"', close + 1);
        }
        this.i = close + 1;
        return this.text.slice(start, close + 1);
    }

    private value(path: string): void {
        this.space();
        const c = this.text[this.i];
        if (c === "{") return this.object(path);
        if (c === "[") return this.array(path);
        if (c === '"') {
            this.string();
            return;
        }
        const start = this.i;
        while (this.i < this.text.length && (DIGITS_OR_SIGN.test(this.text[this.i]) || /[a-z]/.test(this.text[this.i]))) this.i++;
        const token = this.text.slice(start, this.i);
        if (token === "") this.fail();
        if (token !== "true" && token !== "false" && token !== "null" && numberChanges(token)) this.evidence[path] = token;
    }

    private object(path: string): void {
        this.i++; // {
        const seen = new Map<string, string[]>();
        const prefix = path === "" ? "" : `${path}.`;
        this.space();
        if (this.text[this.i] === "}") {
            this.i++;
            return;
        }
        for (;;) {
            this.space();
            if (this.text[this.i] !== '"') this.fail();
            const key = JSON.parse(this.string()) as string;
            this.space();
            if (this.text[this.i] !== ":") this.fail();
            this.i++;
            this.space();
            const start = this.i;
            this.value(prefix + key);
            const texts = seen.get(key);
            const valueText = this.text.slice(start, this.i);
            if (texts) texts.push(valueText);
            else seen.set(key, [valueText]);
            this.space();
            const next = this.text[this.i++];
            if (next === "}") break;
            if (next !== ",") this.fail();
        }
        for (const [key, texts] of seen) {
            if (texts.length > 1) (this.duplicates ??= Object.create(null) as Record<string, string[]>)[prefix + key] = texts;
        }
    }

    private array(path: string): void {
        this.i++; // [
        this.space();
        if (this.text[this.i] === "]") {
            this.i++;
            return;
        }
        for (let index = 0; ; index++) {
            this.value(`${path}[${index}]`);
            this.space();
            const next = this.text[this.i++];
            if (next === "]") break;
            if (next !== ",") this.fail();
        }
    }
}

/**
 * The evidence JSON.parse would lose from one record's text: changed numbers by path, and
 * duplicate keys under {@link DUPLICATE_KEYS_FIELD}. Empty when nothing would be lost.
 * Recursion is bounded by the splitter's nesting limit.
 */
export function lostInParsing(text: string, where: string): Evidence {
    return new Reader(text, where).read();
}
