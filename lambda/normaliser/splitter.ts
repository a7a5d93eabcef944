/**
 * Splits a stream of JSON text into the JSON text of its records as the bytes stream in, without
 * ever holding more than the current record and one chunk. A byte-level scan finds record
 * boundaries (strings are skipped with a native `indexOf`); each record is then parsed by
 * `JSON.parse`, which is far faster than a streaming JSON tokenizer and validates what the scan
 * does not. In records mode, {@link RecordsSplitter.pushInto} first offers each record to a sink
 * that reads it whole from its bytes (./rawRender.ts), and scans only what the sink declines.
 *
 * Two modes:
 * - `records`: a CloudTrail log file, `{"Records":[{…},{…},…]}`, strictly (the normaliser's contract).
 * - `values`: any sequence of JSON values (one document, or one per line). A top-level array is
 *   split into its elements, a top-level object with a `Records`, `Events` (lookup-events output)
 *   or `logEvents` (CloudWatch Logs subscription) array into that array's elements; any other
 *   top-level value is one record.
 *
 * Hostile input stays bounded and linear: the scan resumes a string where the last chunk ended
 * (it never rescans), the buffer grows by doubling, a record over {@link MAX_RECORD_BYTES} or
 * nested deeper than {@link MAX_NESTING} fails the file naming the record. While scanning, the
 * splitter counts each record's `key:value` pairs and notes numbers JSON.parse may change (an
 * exponent, a run of more than 15 digits), so that the renderer takes its slow, lossless path
 * (./hostile.ts) only for the records that need it.
 */

/** A file that is not a readable CloudTrail log; the message says where and why. */
export class NotCloudTrailError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NotCloudTrailError";
    }
}

/**
 * Largest record accepted, in bytes of JSON text. CloudTrail caps an event at 256 KB (eventVersion
 * 1.05 and later, "Quotas in AWS CloudTrail"); 16 MB leaves room for other tools' exports and
 * bounds the memory a hostile file can take.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/**
 * Deepest nesting accepted inside a record. CloudTrail events nest a dozen levels; the bound keeps
 * every recursive walk of a record (JSON.stringify, the normaliser) far from the stack's limit.
 */
export const MAX_NESTING = 500;

/**
 * One record: its bytes, `source[start, end)`, and what the scan saw in them. The bytes are the
 * splitter's own buffer, valid until its next {@link RecordsSplitter.push} or
 * {@link RecordsSplitter.end}: read them, or {@link text}, before (copying each record would cost
 * a copy of the whole input).
 */
export class RecordText {
    private decoded: string | undefined;

    constructor(
        readonly source: Buffer,
        readonly start: number,
        readonly end: number,
        /** `key:value` pairs in the text (colons outside strings): more than the parsed object holds means duplicate keys. */
        readonly pairs: number,
        /** Whether a number may not survive JSON.parse unchanged (an exponent, more than 15 digits). */
        readonly oddNumbers: boolean,
        /** In `values` mode: the array the record came from (`Records`, `Events`, `logEvents`), "" for a top-level array, undefined for a whole value. */
        readonly container?: string,
        /** In `values` mode: the line the record starts on, for messages. */
        readonly line?: number,
    ) {}

    /** The record's JSON text (decoded once, when first asked for). */
    get text(): string {
        return (this.decoded ??= this.source.toString("utf8", this.start, this.end));
    }
}

/**
 * Where {@link RecordsSplitter.pushInto} hands records, in file order: a record of the `Records`
 * array that the sink reads whole by itself (`tryRecord`, ../normaliser/render.ts), or else the
 * record as the splitter's scan cut it (`record`).
 */
export interface RecordSink {
    /**
     * Takes the record (an object) that starts at `buf[start]` if it can read it whole before
     * `limit`, and returns its end; -1 when the splitter must scan it. `buf[limit]` is a byte that
     * no JSON text holds (0), so that a reader stops there.
     */
    tryRecord(buf: Buffer, start: number, limit: number, index: number): number;
    /** A record the splitter scanned: `Records[index]`. Its bytes are valid during the call only. */
    record(text: RecordText, index: number): void;
}

export interface SplitterOptions {
    readonly mode?: "records" | "values";
    readonly maxRecordBytes?: number;
}

const QUOTE = 0x22,
    BACKSLASH = 0x5c,
    OPEN_BRACE = 0x7b,
    CLOSE_BRACE = 0x7d,
    OPEN_BRACKET = 0x5b,
    CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c,
    COLON = 0x3a,
    ZERO = 0x30,
    NINE = 0x39,
    LOWER_E = 0x65,
    UPPER_E = 0x45,
    NEWLINE = 0x0a;
/** Digits a double holds exactly: a longer run may be rounded by JSON.parse. */
const EXACT_DIGITS = 15;
const STREAMED_ARRAYS = new Set(["Records", "Events", "logEvents"]);

function isSpace(byte: number): boolean {
    return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where the scan is outside a record. */
type Outer =
    | "top" // between top-level values
    | "object" // inside a top-level object that is not itself a record (`{"Records":[…]}`)
    | "array"; // inside an array whose elements are records

/** Feed it chunks with {@link push}; call {@link end} when the input ends. */
export class RecordsSplitter {
    /** Records emitted so far. */
    recordCount = 0;
    /**
     * Bytes searched for strings' closing quotes, a measure of the scan's work that does not depend
     * on the machine's speed: about the input's length when strings are resumed where a chunk ended,
     * quadratic if they were searched again from their opening quote on every chunk.
     */
    stringBytesSearched = 0;
    private readonly mode: "records" | "values";
    /** During {@link pushInto}: where records go. */
    private sink: RecordSink | undefined;
    private readonly maxRecordBytes: number;
    /** Unconsumed input: `buffer[0, length)`; grows by doubling so that a long record costs linear time. */
    private buffer: Buffer = Buffer.alloc(0);
    private length = 0;
    /** Bytes of input dropped before `buffer[0]`, for error offsets. */
    private consumed = 0;
    /** Values mode, for lines in messages: newlines before `buffer[countedTo]`, counted incrementally (linear). */
    private linesBefore = 0;
    private countedTo = 0;
    private position = 0;
    private outer: Outer = "top";
    /** Values seen at the top level (records mode: must be exactly one object). */
    private topValues = 0;
    private sawRecords = false;
    /** In `object`: whether the next string is a key, the last key, whether a value follows. */
    private expectKey = false;
    private lastKey = "";
    private afterColon = false;
    /** In `object`, skipping another key's value: its depth. */
    private skipDepth = 0;
    private container: string | undefined;
    /** The record in progress: its first byte, nesting, pairs, number flags. */
    private recordStart = -1;
    private recordDepth = 0;
    private pairs = 0;
    private oddNumbers = false;
    private digitRun = 0;
    /** Values mode, a top-level object that may turn out to be a wrapper: its key state at depth 1. */
    private candidate = false;
    /** A string in progress: its opening quote, and where to resume looking for its closing quote. */
    private stringStart = -1;
    private stringResume = 0;

    constructor(options: SplitterOptions = {}) {
        this.mode = options.mode ?? "records";
        this.maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
    }

    /**
     * Adds a chunk of the file and returns every record it completed (their bytes valid until the
     * next call: the buffer is compacted then, not now).
     */
    push(chunk: Buffer): RecordText[] {
        this.compact();
        this.append(chunk);
        const records: RecordText[] = [];
        this.scan(records);
        this.checkSize();
        return records;
    }

    /**
     * Adds a chunk of the file and hands every record it completed to `sink`, in file order (records
     * mode): each record of `Records` is offered to the sink whole first, and scanned only if it
     * declines, so that a record read by the sink is read once, not twice.
     */
    pushInto(chunk: Buffer, sink: RecordSink): void {
        this.compact();
        this.append(chunk);
        this.sink = sink;
        try {
            this.scan([]);
        } finally {
            this.sink = undefined;
        }
        this.checkSize();
    }

    /** Checks that the file ended where it may end. Throws {@link NotCloudTrailError} otherwise. */
    end(): RecordText[] {
        this.compact();
        const records: RecordText[] = [];
        if (this.recordStart >= 0 && this.mode === "values" && this.outer === "top" && this.stringStart < 0 && this.recordDepth === 0) {
            // A bare top-level literal (a number, `true`) ends at the end of the input.
            this.emit(records, this.length);
        }
        if (this.recordStart >= 0 || this.stringStart >= 0 || this.outer !== "top") {
            const where = this.recordStart >= 0 ? this.recordName(this.recordCount) : this.mode === "records" ? "the JSON object" : "a JSON value";
            throw new NotCloudTrailError(`truncated: the file ends inside ${where} after ${this.consumed + this.length} bytes`);
        }
        if (this.topValues === 0) throw new NotCloudTrailError("empty file: no JSON value");
        if (this.mode === "records" && !this.sawRecords) throw new NotCloudTrailError('no "Records" array: not a CloudTrail log file');
        return records;
    }

    private tooLarge(from: number): never {
        const what = this.recordStart >= 0 ? this.recordName(this.recordCount) : "a value outside the records";
        throw new NotCloudTrailError(
            `${what} is larger than ${this.maxRecordBytes} bytes (the limit; CloudTrail's own is 256 KB), from byte ${this.consumed + from}`,
        );
    }

    private recordName(index: number): string {
        return this.mode === "records" ? `Records[${index}]` : `record ${index}`;
    }

    private append(chunk: Buffer): void {
        if (this.length + chunk.length > this.buffer.length) {
            // Never the caller's chunk itself: compacting moves bytes within the buffer.
            const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + chunk.length));
            this.buffer.copy(grown, 0, 0, this.length);
            this.buffer = grown;
        }
        chunk.copy(this.buffer, this.length);
        this.length += chunk.length;
    }

    private error(at: number, what: string): NotCloudTrailError {
        return new NotCloudTrailError(`${what} at byte ${this.consumed + at}${this.mode === "values" ? ` (line ${this.lineAt(at)})` : ""}`);
    }

    /** Line of `buffer[at]` (values mode), for `at` at or after the last position asked. */
    private lineAt(at: number): number {
        for (let i = this.buffer.indexOf(NEWLINE, this.countedTo); i !== -1 && i < at; i = this.buffer.indexOf(NEWLINE, i + 1)) this.linesBefore++;
        this.countedTo = Math.max(this.countedTo, at);
        return this.linesBefore + 1;
    }

    /** Where the unconsumed input starts: the record or string in progress, else the scan's position. */
    private keepFrom(): number {
        return this.recordStart >= 0 ? this.recordStart : this.stringStart >= 0 ? this.stringStart : this.position;
    }

    /** Fails as soon as the record (or string) in progress is over the limit, not a chunk later. */
    private checkSize(): void {
        const keepFrom = this.keepFrom();
        if (this.length - keepFrom > this.maxRecordBytes) this.tooLarge(keepFrom);
    }

    /** Drops what is fully consumed, keeping the record or string in progress. */
    private compact(): void {
        const keepFrom = this.keepFrom();
        if (keepFrom === 0) return;
        if (this.mode === "values") {
            this.lineAt(keepFrom);
            this.countedTo -= keepFrom;
        }
        this.consumed += keepFrom;
        this.buffer.copy(this.buffer, 0, keepFrom, this.length);
        this.length -= keepFrom;
        this.position -= keepFrom;
        if (this.recordStart >= 0) this.recordStart -= keepFrom;
        if (this.stringStart >= 0) {
            this.stringStart -= keepFrom;
            this.stringResume -= keepFrom;
        }
    }

    private emit(records: RecordText[], endExclusive: number): void {
        if (endExclusive - this.recordStart > this.maxRecordBytes) this.tooLarge(this.recordStart);
        const record = new RecordText(
            this.buffer,
            this.recordStart,
            endExclusive,
            this.pairs,
            this.oddNumbers,
            this.container,
            this.mode === "values" ? this.lineAt(this.recordStart) : undefined,
        );
        if (this.sink) this.sink.record(record, this.recordCount);
        else records.push(record);
        this.recordCount++;
        this.recordStart = -1;
        this.recordDepth = 0;
        this.candidate = false;
    }

    private startRecord(at: number): void {
        this.recordStart = at;
        this.recordDepth = 0;
        this.pairs = 0;
        this.oddNumbers = false;
        this.digitRun = 0;
    }

    /**
     * Offers the record at `buffer[start]` to the sink, reading at most up to the input's end or
     * the record size limit, with a 0 byte written after that bound for the reader (and put back).
     */
    private offer(start: number): number {
        const limit = Math.min(this.length, start + this.maxRecordBytes);
        if (limit >= this.buffer.length) return -1; // no room for the stop byte: scan this one
        const buffer = this.buffer;
        const saved = buffer[limit];
        buffer[limit] = 0;
        try {
            return this.sink!.tryRecord(buffer, start, limit, this.recordCount);
        } finally {
            buffer[limit] = saved;
        }
    }

    /** The closing quote of the string that opens at `open`, or -1 if it continues in the next chunk. */
    private closingQuote(open: number): number {
        const buffer = this.buffer;
        const from = this.stringStart === open ? this.stringResume : open + 1;
        let close = buffer.indexOf(QUOTE, from);
        this.stringBytesSearched += (close === -1 || close >= this.length ? this.length : close) - from;
        // Only bytes before `length` are input; a quote beyond it is stale.
        while (close !== -1 && close < this.length) {
            let backslashes = 0;
            for (let j = close - 1; j > open && buffer[j] === BACKSLASH; j--) backslashes++;
            if (backslashes % 2 === 0) {
                this.stringStart = -1;
                return close;
            }
            close = buffer.indexOf(QUOTE, close + 1);
        }
        // Resume after what was checked (every quote before `length` is escaped); a trailing backslash is rechecked.
        this.stringStart = open;
        this.stringResume = this.length;
        return -1;
    }

    private scan(records: RecordText[]): void {
        const buffer = this.buffer;
        const length = this.length;
        let i = this.position;
        while (i < length) {
            const byte = buffer[i];
            if (byte === QUOTE) {
                const close = this.closingQuote(i);
                if (close === -1) break; // the string continues in the next chunk: resume at its opening quote
                this.digitRun = 0;
                if (this.recordStart >= 0) {
                    if (this.candidate && this.recordDepth === 1 && this.expectKey) {
                        this.lastKey = buffer.toString("utf8", i + 1, close);
                        this.expectKey = false;
                    } else if (this.candidate && this.recordDepth === 1) {
                        this.afterColon = false;
                    }
                } else if (this.outer === "object" && this.skipDepth === 0) {
                    if (this.expectKey) {
                        this.lastKey = buffer.toString("utf8", i + 1, close);
                        this.expectKey = false;
                    } else if (this.afterColon && this.mode === "records" && this.lastKey === "Records") {
                        throw this.error(i, '"Records" is a string, not an array: not a CloudTrail log file');
                    } else {
                        this.afterColon = false;
                    }
                } else if (this.outer === "array") {
                    if (this.mode === "records") throw this.error(i, `Records[${this.recordCount}] is a string, not an event object`);
                    this.startRecord(i);
                    this.emit(records, close + 1);
                } else if (this.outer === "top") {
                    if (this.mode === "records") throw this.error(i, 'not a JSON object (CloudTrail log files are {"Records":[...]})');
                    this.topValues++;
                    this.container = undefined;
                    this.startRecord(i);
                    this.emit(records, close + 1);
                }
                i = close + 1;
                continue;
            }
            if (this.recordStart >= 0) {
                // Inside a record: the hot loop.
                if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
                    if (this.candidate && this.recordDepth === 1 && this.afterColon && byte === OPEN_BRACKET && STREAMED_ARRAYS.has(this.lastKey)) {
                        // A wrapper after all (`{"Events":[…]}`): stream its array's elements instead.
                        this.recordStart = -1;
                        this.candidate = false;
                        this.outer = "array";
                        this.container = this.lastKey;
                        i++;
                        continue;
                    }
                    if (++this.recordDepth > MAX_NESTING) {
                        throw this.error(i, `${this.recordName(this.recordCount)} is nested deeper than ${MAX_NESTING} levels (the limit)`);
                    }
                    this.afterColon = false;
                } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
                    if (--this.recordDepth === 0) {
                        this.emit(records, i + 1);
                        if (this.outer === "top" && this.mode === "values") this.container = undefined;
                    }
                } else if (byte === COLON) {
                    this.pairs++;
                    if (this.candidate && this.recordDepth === 1) this.afterColon = true;
                } else if (byte >= ZERO && byte <= NINE) {
                    if (++this.digitRun > EXACT_DIGITS) this.oddNumbers = true;
                } else {
                    if ((byte === LOWER_E || byte === UPPER_E) && this.digitRun > 0) this.oddNumbers = true;
                    else if (byte === COMMA && this.candidate && this.recordDepth === 1) this.expectKey = true;
                    else if (this.recordDepth === 0 && (isSpace(byte) || byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE)) {
                        // The end of a bare literal record (a number, `true`).
                        this.emit(records, i);
                        continue;
                    }
                    if (byte !== 0x2e) this.digitRun = 0; // a "." continues a digit run: 0.1234567890123456789
                }
                i++;
                continue;
            }
            if (isSpace(byte)) {
                i++;
                continue;
            }
            if (this.outer === "top") {
                if (byte === 0xef && buffer[i + 1] === 0xbb && buffer[i + 2] === 0xbf && this.consumed + i === 0) {
                    i += 3;
                    continue;
                } // UTF-8 BOM
                if (this.mode === "records") {
                    if (this.topValues > 0) throw this.error(i, "unexpected data after the end of the JSON object");
                    if (byte !== OPEN_BRACE) throw this.error(i, 'not a JSON object (CloudTrail log files are {"Records":[...]})');
                    this.topValues++;
                    this.outer = "object";
                    this.expectKey = true;
                    this.afterColon = false;
                    i++;
                    continue;
                }
                this.topValues++;
                if (byte === OPEN_BRACKET) {
                    this.outer = "array";
                    this.container = "";
                    i++;
                    continue;
                }
                this.container = undefined;
                this.startRecord(i);
                this.digitRun = byte >= ZERO && byte <= NINE ? 1 : 0;
                if (byte === OPEN_BRACE) {
                    // Maybe a wrapper: watch its first-level keys.
                    this.candidate = true;
                    this.expectKey = true;
                    this.afterColon = false;
                    this.recordDepth = 1;
                }
                i++;
                continue;
            }
            if (this.outer === "array") {
                if (byte === OPEN_BRACE && this.sink !== undefined && this.mode === "records") {
                    const recordEnd = this.offer(i);
                    if (recordEnd > 0) {
                        this.recordCount++;
                        i = recordEnd;
                        continue;
                    }
                }
                if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
                    if (this.mode === "records" && byte === OPEN_BRACKET) throw this.error(i, `Records[${this.recordCount}] is not an event object`);
                    this.startRecord(i);
                    this.recordDepth = 1;
                } else if (byte === CLOSE_BRACKET) {
                    // Back to the wrapper object, or to the top level for a top-level array.
                    this.outer = this.container === "" ? "top" : "object";
                    this.afterColon = false;
                } else if (byte !== COMMA) {
                    if (this.mode === "records") throw this.error(i, `Records[${this.recordCount}] is not an event object`);
                    this.startRecord(i); // a literal element
                    this.digitRun = byte >= ZERO && byte <= NINE ? 1 : 0;
                }
                i++;
                continue;
            }
            // outer === "object": a wrapper's other keys and values.
            if (this.skipDepth > 0) {
                if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.skipDepth++;
                else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.skipDepth--;
                i++;
                continue;
            }
            if (byte === COLON) this.afterColon = true;
            else if (byte === COMMA) this.expectKey = true;
            else if (byte === CLOSE_BRACE) this.outer = "top";
            else if (this.afterColon && (this.mode === "records" ? this.lastKey === "Records" : STREAMED_ARRAYS.has(this.lastKey)) && byte === OPEN_BRACKET) {
                this.outer = "array";
                this.container = this.lastKey;
                this.sawRecords = true;
                this.afterColon = false;
            } else if (this.afterColon && this.mode === "records" && this.lastKey === "Records") {
                throw this.error(i, '"Records" is not an array: not a CloudTrail log file');
            } else {
                if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.skipDepth = 1;
                this.afterColon = false;
            }
            i++;
        }
        this.position = i;
    }
}
