/**
 * The normaliser's fast path: one record's JSON bytes in, its normalised JSON line out, without
 * JSON.parse, JSON.stringify or UTF-8 transcoding. Profiled on a 10 MB CloudTrail file, those
 * three were most of the normaliser's time (docs/benchmarks.md#normaliser).
 *
 * The line must be the very bytes the exact path (./normalise.ts `normaliseEvent`, then
 * `JSON.stringify`) writes. Copying the input's bytes gives them when the input is written as
 * JSON.stringify would write it, which is how CloudTrail writes its files; this module copies
 * only then, and returns false (the caller takes the exact path for the record) on anything else:
 * - white space between tokens (a pretty-printed record);
 * - an escape JSON.stringify would write otherwise: `\/`, any `\u` (`\u00e9` is written `é`, a
 *   surrogate pair as its character, a lone surrogate is repaired: ./wellFormed.ts);
 * - a number whose text JSON.stringify would change (`1.0`, `-0`, an exponent, more than 15
 *   digits; ./hostile.ts keeps what JSON.parse would lose);
 * - a key of digits only (V8 enumerates such keys first, whatever their place in the text),
 *   a duplicate key (JSON.parse keeps the last value at the first key's place; ./hostile.ts),
 *   an object of more than {@link MAX_KEYS} keys, or two `extrafields` entries with one path;
 * - bytes that are not UTF-8 (the exact path reads them as U+FFFD), and anything JSON.parse
 *   would reject (the exact path then fails the file with JSON.parse's own message).
 * test/rawRender.test.ts holds this module to the exact path, line for line, on the corpus and
 * on thousands of generated variants of it.
 */
import { isUtf8 } from "node:buffer";
import { COLUMNS, EXTRA_FIELDS_COLUMN, Field, FieldType } from "../../contract/schema";
import { isRealDate } from "../../contract/instants";
import { isoUtc } from "./normalise";
import { MAX_NESTING } from "./splitter";

/** Thrown inside the walk when the record must take the exact path; never escapes {@link RawRenderer.render}. */
const EXACT_PATH_NEEDED: unique symbol = Symbol("exact path needed");

/** Keys of one object checked for duplicates pairwise; an object with more takes the exact path. */
export const MAX_KEYS = 256;

const QUOTE = 0x22,
    BACKSLASH = 0x5c,
    OPEN_BRACE = 0x7b,
    CLOSE_BRACE = 0x7d,
    OPEN_BRACKET = 0x5b,
    CLOSE_BRACKET = 0x5d,
    COMMA = 0x2c,
    COLON = 0x3a,
    MINUS = 0x2d,
    DOT = 0x2e,
    ZERO = 0x30,
    NINE = 0x39,
    LOWER_B = 0x62,
    LOWER_E = 0x65,
    UPPER_E = 0x45,
    LOWER_F = 0x66,
    LOWER_N = 0x6e,
    LOWER_R = 0x72,
    LOWER_T = 0x74,
    LOWER_U = 0x75,
    LOWER_L = 0x6c,
    LOWER_S = 0x73,
    LOWER_A = 0x61;

// Field kinds, as small integers for the hot switch.
const STRING = 0,
    BOOLEAN = 1,
    TIMESTAMP = 2,
    JSON_TEXT = 3,
    STRUCT = 4,
    ARRAY = 5;

/** A schema type prepared for the byte walk. */
interface Compiled {
    readonly kind: number;
    /** STRUCT: its fields; ARRAY: its element's type. */
    readonly struct?: CompiledStruct;
    readonly element?: Compiled;
}

/** A struct's fields, looked up by the bytes of their source key, with scratch space for one object at a time. */
interface CompiledStruct {
    readonly fields: readonly Field[];
    readonly types: readonly Compiled[];
    /** `"name":` of each field, as the line writes it. */
    readonly names: readonly Buffer[];
    /** The bytes of each field's source key. */
    readonly sources: readonly Buffer[];
    /** Open addressing by the hash of a source key's bytes: `slotHashes[slot]`, and its field's index + 1 in `slotFields` (0: empty). */
    readonly slotHashes: Int32Array;
    readonly slotFields: Int32Array;
    /** Per field: where its value starts and ends in the record, and the object (generation) it was seen in. */
    readonly valueStart: Int32Array;
    readonly valueEnd: Int32Array;
    readonly seenIn: Uint32Array;
    generation: number;
}

/** FNV-1a over bytes: what the walk computes for every key as it reads it. */
function hashOf(bytes: Buffer): number {
    let hash = 0x811c9dc5 | 0;
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
    return hash;
}

function compile(type: FieldType): Compiled {
    switch (type.kind) {
        case "string":
            return { kind: STRING };
        case "boolean":
            return { kind: BOOLEAN };
        case "timestamp":
            return { kind: TIMESTAMP };
        case "json":
            return { kind: JSON_TEXT };
        case "struct":
            return { kind: STRUCT, struct: compileStruct(type.fields) };
        case "array":
            return { kind: ARRAY, element: compile(type.element) };
    }
}

/** Slots of a struct's lookup table: a power of two, a quarter full at most. */
function slotsFor(fields: number): number {
    let slots = 16;
    while (slots < fields * 4) slots *= 2;
    return slots;
}

function compileStruct(fields: readonly Field[]): CompiledStruct {
    const sources = fields.map((field) => Buffer.from(field.source, "utf8"));
    const slotHashes = new Int32Array(slotsFor(fields.length));
    const slotFields = new Int32Array(slotHashes.length);
    sources.forEach((source, index) => {
        const hash = hashOf(source);
        let slot = hash & (slotHashes.length - 1);
        while (slotFields[slot] !== 0) {
            // Two keys of one struct with one hash would each need a byte comparison: not the case in the schema.
            if (slotHashes[slot] === hash) throw new Error(`schema keys ${fields[slotFields[slot] - 1].source} and ${fields[index].source} share a hash`);
            slot = (slot + 1) & (slotHashes.length - 1);
        }
        slotHashes[slot] = hash;
        slotFields[slot] = index + 1;
    });
    return {
        fields,
        types: fields.map((field) => compile(field.type)),
        names: fields.map((field) => Buffer.from(`${JSON.stringify(field.name)}:`, "utf8")),
        sources,
        slotHashes,
        slotFields,
        valueStart: new Int32Array(fields.length),
        valueEnd: new Int32Array(fields.length),
        seenIn: new Uint32Array(fields.length),
        generation: 0,
    };
}

/** A growable byte buffer. */
export class ByteWriter {
    buffer: Buffer;
    length = 0;

    constructor(capacity = 1 << 16) {
        this.buffer = Buffer.allocUnsafe(capacity);
    }

    reserve(bytes: number): void {
        if (this.length + bytes <= this.buffer.length) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
        this.buffer.copy(grown, 0, 0, this.length);
        this.buffer = grown;
    }

    byte(byte: number): void {
        if (this.length === this.buffer.length) this.reserve(1);
        this.buffer[this.length++] = byte;
    }

    copy(source: Uint8Array, start: number, end: number): void {
        const bytes = end - start;
        this.reserve(bytes);
        if (bytes < 32) {
            // A native copy costs more than a loop for short strings.
            const target = this.buffer;
            let at = this.length;
            for (let i = start; i < end; i++) target[at++] = source[i];
        } else this.buffer.set(new Uint8Array(source.buffer, source.byteOffset + start, bytes), this.length);
        this.length += bytes;
    }

    /** Text of code units below 256 (ASCII, or a byte string read as latin1). */
    latin1(text: string): void {
        this.reserve(text.length);
        this.length += this.buffer.write(text, this.length, "latin1");
    }

    utf8(text: string): void {
        this.reserve(text.length * 3);
        this.length += this.buffer.write(text, this.length, "utf8");
    }
}

const TOP = compileStruct(COLUMNS);
const fieldOf = (struct: CompiledStruct, source: string) => struct.fields.findIndex((field) => field.source === source);

/*
 * The digits of a time, as module functions rather than closures inside isCanonicalTime: run through tsx (esbuild's
 * keepNames), each closure created per call is also named per call, which was 2% of a local worker's time.
 */
const twoDigitsAt = (buf: Buffer, at: number) => (buf[at] - ZERO) * 10 + buf[at + 1] - ZERO;
/** Where `YYYY-MM-DDTHH:MM:SSZ` holds digits. */
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
const TIME_DIGITS = [11, 12, 14, 15, 17, 18];
function digitsAt(buf: Buffer, at: number, offsets: readonly number[]): boolean {
    for (let i = 0; i < offsets.length; i++) {
        const byte = buf[at + offsets[i]];
        if (byte < ZERO || byte > NINE) return false;
    }
    return true;
}

const USER_IDENTITY = TOP.types[fieldOf(TOP, "userIdentity")].struct!;
/** Fields whose output the partition and the deduplication read (./render.ts lakePartitionOf). */
const CAPTURED = {
    eventTime: fieldOf(TOP, "eventTime"),
    eventId: fieldOf(TOP, "eventID"),
    recipientAccountId: fieldOf(TOP, "recipientAccountId"),
    awsRegion: fieldOf(TOP, "awsRegion"),
    userIdentityAccountId: fieldOf(USER_IDENTITY, "accountId"),
};
const EXTRA_FIELDS_NAME = Buffer.from(`${JSON.stringify(EXTRA_FIELDS_COLUMN)}:"`, "utf8");
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");

/** Renders records from their bytes; one instance is reused, record after record. */
export class RawRenderer {
    /** Where the last record was rendered: appended to this writer (without a newline). */
    line = new ByteWriter(0);
    /** The date (`YYYY-MM-DD`) of the last rendered record's eventtime column; undefined when it has none. */
    eventDate: string | undefined;
    /** The last canonical date met, and its text: most records of a file share it. */
    private readonly lastDate = Buffer.alloc(10);
    private lastDateText = "";
    /** [start, end) in {@link line} of the JSON string of these columns, or -1. */
    readonly captured = { eventId: [-1, -1], recipientAccountId: [-1, -1], awsRegion: [-1, -1], userIdentityAccountId: [-1, -1] };

    private buf: Buffer = Buffer.alloc(0);
    private end = 0;
    private highBytes = false;
    /** Key hashes of the objects being walked, innermost last. */
    private hashes = new Int32Array(1024);
    private hashTop = 0;
    /** Objects and arrays open around the walk: beyond the splitter's limit, the splitter reports it. */
    private depth = 0;
    private keyHash = 0;
    /** Unknown keys of the structs being walked: key start, key end, value start, value end, hash. */
    private unknown: number[] = [];
    /** `extrafields` entries in the exact path's order: source path (latin1 of its key bytes), value start, value end. */
    private extraPaths: string[] = [];
    private extraValues: number[] = [];

    /**
     * Renders the record `buf[start, end)` at the end of `into`; false when it must take the exact
     * path (see the module's comment), and then `into` is as it was.
     */
    render(buf: Buffer, start: number, end: number, into: ByteWriter): boolean {
        return this.renderAt(buf, start, end, into) === end;
    }

    /**
     * Renders the record that starts at `buf[start]` and ends before `limit` at the end of `into`,
     * and returns its end; -1 when it must take the exact path or does not end before `limit`,
     * and then `into` is as it was. The byte at `limit`, if read, must stop the walk (a 0 does).
     */
    renderAt(buf: Buffer, start: number, limit: number, into: ByteWriter): number {
        const lineStart = into.length;
        this.line = into;
        const end = this.walk(buf, start, limit);
        if (end < 0) into.length = lineStart;
        return end;
    }

    private walk(buf: Buffer, start: number, limit: number): number {
        this.buf = buf;
        this.end = limit;
        this.depth = 0;
        this.highBytes = false;
        this.hashTop = 0;
        this.unknown.length = 0;
        this.extraPaths.length = 0;
        this.extraValues.length = 0;
        this.eventDate = undefined;
        const captured = this.captured;
        captured.eventId[0] = captured.recipientAccountId[0] = captured.awsRegion[0] = captured.userIdentityAccountId[0] = -1;
        try {
            if (buf[start] !== OPEN_BRACE) return -1;
            const end = this.struct(TOP, start, "");
            if (end > limit || (this.highBytes && !isUtf8(buf.subarray(start, end)))) return -1;
            if (this.extraPaths.length > 0) this.writeExtras();
            return end;
        } catch (error) {
            if (error === EXACT_PATH_NEEDED) return -1;
            throw error;
        }
    }

    /** A captured column's value, decoded; undefined when the record has none. */
    capturedText(range: number[]): string | undefined {
        if (range[0] < 0) return undefined;
        const text = this.line.buffer.toString("utf8", range[0], range[1]);
        return text.includes("\\") ? (JSON.parse(text) as string) : text.slice(1, -1);
    }

    /** The walk of a struct: members indexed (and validated) first, then written in schema order. Returns the end of the object. */
    private struct(struct: CompiledStruct, at: number, prefix: string): number {
        const buf = this.buf;
        const generation = (struct.generation = (struct.generation + 1) >>> 0);
        this.depth++; // struct levels are shallow (the schema's): never past the limit
        const unknown = this.unknown;
        const unknownBase = unknown.length;
        let i = at + 1;
        if (buf[i] === CLOSE_BRACE) i++;
        else {
            for (;;) {
                if (buf[i] !== QUOTE) throw EXACT_PATH_NEEDED;
                const keyStart = i;
                i = this.key(i);
                const hash = this.keyHash;
                if (buf[i] !== COLON) throw EXACT_PATH_NEEDED;
                const valueStart = i + 1;
                i = this.skipValue(valueStart);
                const index = this.fieldIndex(struct, hash, keyStart + 1, valueStart - 2);
                if (index >= 0) {
                    if (struct.seenIn[index] === generation) throw EXACT_PATH_NEEDED; // a duplicate key
                    struct.seenIn[index] = generation;
                    struct.valueStart[index] = valueStart;
                    struct.valueEnd[index] = i;
                } else {
                    for (let u = unknownBase; u < unknown.length; u += 5) if (unknown[u + 4] === hash) throw EXACT_PATH_NEEDED;
                    if (unknown.length - unknownBase >= MAX_KEYS * 5) throw EXACT_PATH_NEEDED;
                    unknown.push(keyStart, valueStart - 1, valueStart, i, hash);
                }
                const next = buf[i++];
                if (next === CLOSE_BRACE) break;
                if (next !== COMMA) throw EXACT_PATH_NEEDED;
            }
        }
        const line = this.line;
        line.byte(OPEN_BRACE);
        for (let index = 0; index < struct.fields.length; index++) {
            if (struct.seenIn[index] !== generation) continue;
            const start = struct.valueStart[index];
            if (buf[start] === LOWER_N) continue; // null: left out, as the exact path does
            this.convert(struct.types[index], start, struct.valueEnd[index], prefix, struct.fields[index].source, struct, index);
        }
        line.byte(CLOSE_BRACE);
        for (let u = unknownBase; u < unknown.length; u += 5) {
            this.keep(prefix + buf.toString("latin1", unknown[u] + 1, unknown[u + 1] - 1), unknown[u + 2], unknown[u + 3]);
        }
        unknown.length = unknownBase;
        this.depth--;
        return i;
    }

    /**
     * Writes one value converted to its column's type (preceded by its name, `struct` and `index`
     * given) and returns true, or keeps it in `extrafields` under `parent + key`, writes nothing,
     * and returns false: ./normalise.ts `EventNormaliser.value`, on bytes.
     */
    private convert(type: Compiled, start: number, end: number, parent: string, key: string, struct?: CompiledStruct, index = -1): boolean {
        const buf = this.buf;
        const line = this.line;
        const first = buf[start];
        switch (type.kind) {
            case STRING:
                if (first === OPEN_BRACE || first === OPEN_BRACKET) return this.keep(parent + key, start, end);
                this.name(struct, index);
                if (first === QUOTE) {
                    this.capture(struct, index, line.length, line.length + end - start);
                    line.copy(buf, start, end);
                } else {
                    // A number or a boolean: String(value), which its canonical text is.
                    this.capture(struct, index, line.length, line.length + end - start + 2);
                    line.byte(QUOTE);
                    line.copy(buf, start, end);
                    line.byte(QUOTE);
                }
                return true;
            case BOOLEAN:
                if (first === LOWER_T || first === LOWER_F) {
                    this.name(struct, index);
                    line.copy(buf, start, end);
                    return true;
                }
                if (first === QUOTE && (this.equals(start + 1, end - 1, TRUE) || this.equals(start + 1, end - 1, FALSE))) {
                    this.name(struct, index);
                    line.copy(buf, start + 1, end - 1);
                    return true;
                }
                return this.keep(parent + key, start, end);
            case TIMESTAMP: {
                if (end - start === 22 && first === QUOTE && this.isCanonicalTime(start + 1)) {
                    // `"YYYY-MM-DDTHH:MM:SSZ"` of a real date and time: isoUtc returns it as it is.
                    this.name(struct, index);
                    line.copy(buf, start, end);
                    if (struct === TOP && index === CAPTURED.eventTime) this.eventDate = this.lastDateText;
                    return true;
                }
                const iso = first === QUOTE ? isoUtc(this.stringValue(start, end)) : null;
                if (!iso) return this.keep(parent + key, start, end);
                this.name(struct, index);
                line.byte(QUOTE);
                line.latin1(iso); // ASCII: isoUtc returns a time it matched or built
                line.byte(QUOTE);
                if (struct === TOP && index === CAPTURED.eventTime) this.eventDate = iso.slice(0, 10);
                return true;
            }
            case JSON_TEXT:
                this.name(struct, index);
                line.byte(QUOTE);
                this.escapedCopy(start, end);
                line.byte(QUOTE);
                return true;
            case STRUCT:
                if (first !== OPEN_BRACE) return this.keep(parent + key, start, end);
                this.name(struct, index);
                this.struct(type.struct!, start, `${parent}${key}.`);
                return true;
            default: {
                if (first !== OPEN_BRACKET) return this.keep(parent + key, start, end);
                this.name(struct, index);
                const path = parent + key;
                line.byte(OPEN_BRACKET);
                let i = start + 1;
                if (buf[i] !== CLOSE_BRACKET) {
                    for (let element = 0; ; element++) {
                        if (element > 0) line.byte(COMMA);
                        const elementStart = i;
                        i = this.skipValue(i);
                        if (buf[elementStart] === LOWER_N || !this.convert(type.element!, elementStart, i, path, `[${element}]`)) line.latin1("null");
                        if (buf[i] === CLOSE_BRACKET) break;
                        i++; // the comma: skipValue's caller in the first pass checked the array
                    }
                }
                line.byte(CLOSE_BRACKET);
                return true;
            }
        }
    }

    /** `,"name":` (no comma after an opening brace or bracket). */
    private name(struct: CompiledStruct | undefined, index: number): void {
        if (struct === undefined) return;
        const line = this.line;
        const last = line.buffer[line.length - 1];
        if (last !== OPEN_BRACE) line.byte(COMMA);
        const name = struct.names[index];
        line.copy(name, 0, name.length);
    }

    private capture(struct: CompiledStruct | undefined, index: number, start: number, end: number): void {
        let range: number[] | undefined;
        if (struct === TOP) {
            if (index === CAPTURED.eventId) range = this.captured.eventId;
            else if (index === CAPTURED.recipientAccountId) range = this.captured.recipientAccountId;
            else if (index === CAPTURED.awsRegion) range = this.captured.awsRegion;
        } else if (struct === USER_IDENTITY && index === CAPTURED.userIdentityAccountId) range = this.captured.userIdentityAccountId;
        if (range === undefined) return;
        range[0] = start;
        range[1] = end;
    }

    private keep(path: string, start: number, end: number): false {
        this.extraPaths.push(path);
        this.extraValues.push(start, end);
        return false;
    }

    /** `"extrafields":"{…}"` before the record's closing brace: the kept values by path, as JSON text inside a JSON string. */
    private writeExtras(): void {
        const paths = this.extraPaths;
        // One path twice (a top-level key "a.b" beside a's unknown key "b"): the exact path keeps one of them; take it.
        if (paths.length > 1 && new Set(paths).size !== paths.length) throw EXACT_PATH_NEEDED;
        const line = this.line;
        line.length--; // the record's closing brace
        if (line.buffer[line.length - 1] !== OPEN_BRACE) line.byte(COMMA);
        line.copy(EXTRA_FIELDS_NAME, 0, EXTRA_FIELDS_NAME.length);
        line.byte(OPEN_BRACE);
        for (let e = 0; e < paths.length; e++) {
            if (e > 0) line.byte(COMMA);
            line.byte(BACKSLASH);
            line.byte(QUOTE);
            const path = Buffer.from(paths[e], "latin1");
            for (const byte of path) {
                if (byte === QUOTE || byte === BACKSLASH) line.byte(BACKSLASH);
                line.byte(byte);
            }
            line.byte(BACKSLASH);
            line.byte(QUOTE);
            line.byte(COLON);
            this.escapedCopy(this.extraValues[2 * e], this.extraValues[2 * e + 1]);
        }
        line.byte(CLOSE_BRACE);
        line.byte(QUOTE);
        line.byte(CLOSE_BRACE);
    }

    /** Copies checked JSON text as the contents of a JSON string: `"` and `\` escaped. */
    private escapedCopy(start: number, end: number): void {
        const buf = this.buf;
        const line = this.line;
        line.reserve(2 * (end - start));
        const target = line.buffer;
        let at = line.length;
        for (let i = start; i < end; i++) {
            const byte = buf[i];
            if (byte === QUOTE || byte === BACKSLASH) target[at++] = BACKSLASH;
            target[at++] = byte;
        }
        line.length = at;
    }

    /**
     * Whether `buf[at, at + 20)` is `YYYY-MM-DDTHH:MM:SSZ` with a real date and a time of day up to
     * 23:59:59 (contract/instants.ts); if so, {@link lastDateText} is its date.
     */
    private isCanonicalTime(at: number): boolean {
        const buf = this.buf;
        if (buf[at + 10] !== 0x54 || buf[at + 13] !== COLON || buf[at + 16] !== COLON || buf[at + 19] !== 0x5a) return false; // T : : Z
        if (!digitsAt(buf, at, TIME_DIGITS)) return false;
        if (twoDigitsAt(buf, at + 11) > 23 || twoDigitsAt(buf, at + 14) > 59 || twoDigitsAt(buf, at + 17) > 59) return false;
        const lastDate = this.lastDate;
        let sameDate = true;
        for (let i = 0; i < 10; i++) {
            if (buf[at + i] !== lastDate[i]) {
                sameDate = false;
                break;
            }
        }
        if (sameDate) return this.lastDateText !== "";
        if (buf[at + 4] !== MINUS || buf[at + 7] !== MINUS || !digitsAt(buf, at, DATE_DIGITS)) return false;
        if (!isRealDate(twoDigitsAt(buf, at + 0) * 100 + twoDigitsAt(buf, at + 2), twoDigitsAt(buf, at + 5), twoDigitsAt(buf, at + 8))) return false;
        buf.copy(lastDate, 0, at, at + 10);
        this.lastDateText = buf.toString("latin1", at, at + 10);
        return true;
    }

    /** The field whose source key is `buf[start, end)` (its hash given), or -1. */
    private fieldIndex(struct: CompiledStruct, hash: number, start: number, end: number): number {
        const mask = struct.slotHashes.length - 1;
        for (let slot = hash & mask; struct.slotFields[slot] !== 0; slot = (slot + 1) & mask) {
            if (struct.slotHashes[slot] !== hash) continue;
            const index = struct.slotFields[slot] - 1;
            return this.equals(start, end, struct.sources[index]) ? index : -1;
        }
        return -1;
    }

    private equals(start: number, end: number, bytes: Buffer): boolean {
        if (end - start !== bytes.length) return false;
        for (let i = 0; i < bytes.length; i++) if (this.buf[start + i] !== bytes[i]) return false;
        return true;
    }

    /** The value of a checked JSON string. */
    private stringValue(start: number, end: number): string {
        const text = this.buf.toString("utf8", start, end);
        return text.includes("\\") ? (JSON.parse(text) as string) : text.slice(1, -1);
    }

    /** Reads a key from its opening quote: its hash and whether it is digits only. Returns the index after its closing quote. */
    private key(at: number): number {
        const buf = this.buf;
        const end = this.end;
        let hash = 0x811c9dc5 | 0;
        let digitsOnly = true;
        let i = at + 1;
        for (;;) {
            if (i >= end) throw EXACT_PATH_NEEDED;
            const byte = buf[i];
            if (byte === QUOTE) break;
            if (byte < ZERO || byte > NINE) {
                digitsOnly = false;
                if (byte === BACKSLASH) {
                    this.escape(i);
                    hash = Math.imul(hash ^ byte, 0x01000193);
                    i++;
                    hash = Math.imul(hash ^ buf[i], 0x01000193);
                    i++;
                    continue;
                }
                if (byte < 0x20) throw EXACT_PATH_NEEDED;
                if (byte >= 0x80) this.highBytes = true;
            }
            hash = Math.imul(hash ^ byte, 0x01000193);
            i++;
        }
        // V8 enumerates array-index keys ("0", "42") before the others: JSON.stringify would reorder them.
        if (digitsOnly && i > at + 1) throw EXACT_PATH_NEEDED;
        this.keyHash = hash;
        return i + 1;
    }

    /** Checks the escape at `buf[at]` (a backslash) is one JSON.stringify writes as it is. */
    private escape(at: number): void {
        const next = this.buf[at + 1];
        if (next === QUOTE || next === BACKSLASH || next === LOWER_N || next === LOWER_T || next === LOWER_R || next === LOWER_B || next === LOWER_F) return;
        throw EXACT_PATH_NEEDED;
    }

    /** Checks a value and returns the index after it. */
    private skipValue(at: number): number {
        const buf = this.buf;
        const first = buf[at];
        if (first === QUOTE) return this.skipString(at);
        if (first === OPEN_BRACE) return this.skipObject(at);
        if (first === OPEN_BRACKET) return this.skipArray(at);
        if (first === LOWER_T) {
            if (buf[at + 1] === LOWER_R && buf[at + 2] === LOWER_U && buf[at + 3] === LOWER_E) return at + 4;
            throw EXACT_PATH_NEEDED;
        }
        if (first === LOWER_F) {
            if (buf[at + 1] === LOWER_A && buf[at + 2] === LOWER_L && buf[at + 3] === LOWER_S && buf[at + 4] === LOWER_E) return at + 5;
            throw EXACT_PATH_NEEDED;
        }
        if (first === LOWER_N) {
            if (buf[at + 1] === LOWER_U && buf[at + 2] === LOWER_L && buf[at + 3] === LOWER_L) return at + 4;
            throw EXACT_PATH_NEEDED;
        }
        return this.skipNumber(at);
    }

    private skipString(at: number): number {
        const buf = this.buf;
        const end = this.end;
        let i = at + 1;
        for (;;) {
            if (i >= end) throw EXACT_PATH_NEEDED;
            const byte = buf[i];
            if (byte > QUOTE && byte !== BACKSLASH && byte < 0x80) {
                i++;
                continue;
            }
            if (byte === QUOTE) return i + 1;
            if (byte === BACKSLASH) {
                this.escape(i);
                i += 2;
                continue;
            }
            if (byte < 0x20) throw EXACT_PATH_NEEDED; // a control character: JSON.parse rejects it
            if (byte >= 0x80) this.highBytes = true;
            i++;
        }
    }

    private skipObject(at: number): number {
        const buf = this.buf;
        let i = at + 1;
        // Counted as the splitter counts: empty ones too, so that both refuse the same records.
        if (this.depth + 1 > MAX_NESTING) throw EXACT_PATH_NEEDED;
        if (buf[i] === CLOSE_BRACE) return i + 1;
        this.depth++;
        const base = this.hashTop;
        for (;;) {
            if (buf[i] !== QUOTE) throw EXACT_PATH_NEEDED;
            i = this.key(i);
            const hash = this.keyHash;
            const hashes = this.hashes;
            for (let h = base; h < this.hashTop; h++) if (hashes[h] === hash) throw EXACT_PATH_NEEDED; // a duplicate key (or two keys with one hash)
            if (this.hashTop - base >= MAX_KEYS) throw EXACT_PATH_NEEDED;
            if (this.hashTop === hashes.length) {
                const grown = new Int32Array(hashes.length * 2);
                grown.set(hashes);
                this.hashes = grown;
            }
            this.hashes[this.hashTop++] = hash;
            if (buf[i] !== COLON) throw EXACT_PATH_NEEDED;
            i = this.skipValue(i + 1);
            const next = buf[i++];
            if (next === COMMA) continue;
            if (next === CLOSE_BRACE) break;
            throw EXACT_PATH_NEEDED;
        }
        this.hashTop = base;
        this.depth--;
        return i;
    }

    private skipArray(at: number): number {
        const buf = this.buf;
        let i = at + 1;
        if (this.depth + 1 > MAX_NESTING) throw EXACT_PATH_NEEDED;
        if (buf[i] === CLOSE_BRACKET) return i + 1;
        this.depth++;
        for (;;) {
            i = this.skipValue(i);
            const next = buf[i++];
            if (next === COMMA) continue;
            if (next === CLOSE_BRACKET) {
                this.depth--;
                return i;
            }
            throw EXACT_PATH_NEEDED;
        }
    }

    /** A number JSON.stringify writes as it is: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, no `-0`, at most 15 digits, canonical fraction. */
    private skipNumber(at: number): number {
        const buf = this.buf;
        let i = at;
        if (buf[i] === MINUS) i++;
        const digitsStart = i;
        const first = buf[i];
        if (first === ZERO) i++;
        else if (first > ZERO && first <= NINE) {
            i++;
            while (buf[i] >= ZERO && buf[i] <= NINE) i++;
        } else throw EXACT_PATH_NEEDED;
        if (buf[i] === DOT) {
            i++;
            const fractionStart = i;
            while (buf[i] >= ZERO && buf[i] <= NINE) i++;
            if (i === fractionStart) throw EXACT_PATH_NEEDED;
            const text = buf.toString("latin1", at, i);
            if (String(Number(text)) !== text) throw EXACT_PATH_NEEDED;
        } else if (i - digitsStart > 15 || (first === ZERO && digitsStart > at)) throw EXACT_PATH_NEEDED; // -0, or more digits than a double holds
        if (buf[i] === LOWER_E || buf[i] === UPPER_E) throw EXACT_PATH_NEEDED;
        return i;
    }
}
