/**
 * Lone UTF-16 surrogates: `"\ud800"` is valid JSON text, and JSON.parse turns it into a string
 * that no UTF-8 encoding can hold. JSON.stringify writes it back as the same escape, and DuckDB's
 * JSON reader (which the local mode, investigate and the event evaluator read normalised files
 * with) then fails the whole file: one forged user agent would hide every event beside it. Each
 * such value is repaired here: every lone surrogate becomes U+FFFD (the Unicode replacement
 * character, what a UTF-8 decoder puts in place of bytes it cannot read), the field is counted and
 * named for a warning, and the raw log (the archive, the input file) is never touched, so the
 * original escape can always be read there. Strings and object keys are repaired, at any depth.
 */

/**
 * What JSON.stringify writes for a lone surrogate (ES2019 "well-formed JSON.stringify": `\ud800`
 * to `\udfff`, lower-case hex): a normalised line without it holds none, so only the lines with
 * it (or with the same letters after a backslash, a false alarm the walk dismisses) are walked.
 */
export const MAY_HOLD_LONE_SURROGATE = "\\ud";

/** In a `u` regular expression, a surrogate pair is one code point: `\p{Cs}` matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

export const REPLACEMENT_CHARACTER = "\uFFFD";

/** A value with its lone surrogates replaced, and the path of every field (or key) that held one, each once. */
export interface Repair {
    readonly value: unknown;
    readonly fields: string[];
}

/** A copy of a parsed JSON value with every lone surrogate (in strings and keys) replaced by U+FFFD. */
export function withoutLoneSurrogates(value: unknown): Repair {
    const fields = new Set<string>();
    const walk = (node: unknown, path: string): unknown => {
        if (typeof node === "string") {
            if (!LONE_SURROGATE.test(node)) return node;
            fields.add(path);
            return node.replace(LONE_SURROGATES, REPLACEMENT_CHARACTER);
        }
        // Elements are counted under their array (`items[]`), not one field per index.
        if (Array.isArray(node)) return node.map((element) => walk(element, `${path}[]`));
        if (typeof node !== "object" || node === null) return node;
        // No prototype: a key named `__proto__` stays a key, as JSON.parse left it.
        const copy = Object.create(null) as Record<string, unknown>;
        for (const [key, member] of Object.entries(node)) {
            let name = key;
            if (LONE_SURROGATE.test(key)) {
                name = key.replace(LONE_SURROGATES, REPLACEMENT_CHARACTER);
                // Two keys that differ only in their lone surrogates must not overwrite each other.
                for (let n = 2; Object.hasOwn(copy, name) || Object.hasOwn(node, name); n++)
                    name = `${key.replace(LONE_SURROGATES, REPLACEMENT_CHARACTER)} (${n})`;
                fields.add(`${path === "" ? "" : `${path}.`}${name} (its key)`);
            }
            copy[name] = walk(member, path === "" ? name : `${path}.${name}`);
        }
        return copy;
    };
    const repaired = walk(value, "");
    return { value: repaired, fields: [...fields] };
}
