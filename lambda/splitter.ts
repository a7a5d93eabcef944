/**
 * Splits a CloudTrail log file, `{"Records":[{…},{…},…]}`, into the JSON text of its records as
 * the bytes stream in, without ever holding more than the current record and one chunk. A
 * byte-level scan finds record boundaries (strings are skipped with a native `indexOf`); each
 * record is then parsed by `JSON.parse`, which is far faster than a streaming JSON tokenizer and
 * validates what the scan does not.
 */

/** A file that is not a readable CloudTrail log; the message says where and why. */
export class NotCloudTrailError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NotCloudTrailError";
    }
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c, COLON = 0x3a;

function isSpace(byte: number): boolean {
    return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Feed it chunks with {@link push}; call {@link end} when the input ends. */
export class RecordsSplitter {
    /** Records emitted so far. */
    recordCount = 0;
    private pending: Buffer = Buffer.alloc(0);
    /** Bytes of input consumed before `pending`, for error offsets. */
    private consumed = 0;
    private depth = 0;
    private started = false;
    private finished = false;
    private inRecords = false;
    private sawRecords = false;
    /** At depth 1: whether the next string is a key, and the last key read. */
    private expectKey = false;
    private lastKey = "";
    private afterColon = false;
    private recordStart = -1;
    /** Position to resume scanning at within `pending`. */
    private position = 0;

    /** Adds a chunk of the file and returns the JSON text of every record it completed. */
    push(chunk: Buffer): string[] {
        if (this.pending.length === this.position && this.recordStart < 0) {
            this.consumed += this.pending.length;
            this.pending = chunk;
            this.position = 0;
        } else {
            this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        }
        const records: string[] = [];
        this.scan(records);
        this.compact();
        return records;
    }

    /** Checks that the file ended where a CloudTrail file ends. Throws {@link NotCloudTrailError} otherwise. */
    end(): void {
        if (!this.started) {
            const rest = this.pending.subarray(this.position).toString("utf8").trim();
            throw new NotCloudTrailError(rest ? `not a JSON object at byte ${this.consumed + this.position}` : "empty file: no JSON object");
        }
        if (!this.finished) {
            throw new NotCloudTrailError(`truncated: the file ends inside ${this.recordStart >= 0 || this.inRecords ? `Records[${this.recordCount}]` : "the JSON object"} ` +
                `after ${this.consumed + this.pending.length} bytes`);
        }
        for (let i = this.position; i < this.pending.length; i++) {
            if (!isSpace(this.pending[i])) throw this.error(i, "unexpected data after the end of the JSON object");
        }
        if (!this.sawRecords) throw new NotCloudTrailError('no "Records" array: not a CloudTrail log file');
    }

    private error(at: number, what: string): NotCloudTrailError {
        return new NotCloudTrailError(`${what} at byte ${this.consumed + at}`);
    }

    /** Drops what is fully consumed, keeping the record in progress. */
    private compact(): void {
        const keepFrom = this.recordStart >= 0 ? this.recordStart : this.position;
        if (keepFrom === 0) return;
        this.consumed += keepFrom;
        this.pending = this.pending.subarray(keepFrom);
        this.position -= keepFrom;
        if (this.recordStart >= 0) this.recordStart = 0;
    }

    private scan(records: string[]): void {
        const buffer = this.pending;
        const length = buffer.length;
        let i = this.position;
        let depth = this.depth;
        while (i < length) {
            const byte = buffer[i];
            if (byte === QUOTE) {
                // Find the closing quote: the first one not preceded by an odd number of backslashes.
                let close = buffer.indexOf(QUOTE, i + 1);
                while (close !== -1) {
                    let backslashes = 0;
                    for (let j = close - 1; buffer[j] === BACKSLASH; j--) backslashes++;
                    if (backslashes % 2 === 0) break;
                    close = buffer.indexOf(QUOTE, close + 1);
                }
                if (close === -1) break; // the string continues in the next chunk: resume at its opening quote
                if (depth === 1 && this.expectKey) {
                    this.lastKey = buffer.toString("utf8", i + 1, close);
                    this.expectKey = false;
                } else if (depth === 1 && this.afterColon && this.lastKey === "Records") {
                    throw this.error(i, '"Records" is a string, not an array: not a CloudTrail log file');
                } else if (depth === 2 && this.inRecords) {
                    throw this.error(i, `Records[${this.recordCount}] is a string, not an event object`);
                }
                this.afterColon = false;
                i = close + 1;
                continue;
            }
            if (depth >= 3) {
                if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
                else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
                    depth--;
                    if (depth === 2 && this.recordStart >= 0) {
                        records.push(buffer.toString("utf8", this.recordStart, i + 1));
                        this.recordCount++;
                        this.recordStart = -1;
                    }
                }
                i++;
                continue;
            }
            if (isSpace(byte)) {
                i++;
                continue;
            }
            if (this.finished) throw this.error(i, "unexpected data after the end of the JSON object");
            if (!this.started) {
                if (byte === 0xef && buffer[i + 1] === 0xbb && buffer[i + 2] === 0xbf) { i += 3; continue; } // UTF-8 BOM
                if (byte !== OPEN_BRACE) throw this.error(i, "not a JSON object (CloudTrail log files are {\"Records\":[...]})");
                this.started = true;
                this.expectKey = true;
                depth = 1;
                i++;
                continue;
            }
            if (depth === 1) {
                if (byte === COLON) this.afterColon = true;
                else if (byte === COMMA) this.expectKey = true;
                else if (byte === CLOSE_BRACE) { depth = 0; this.finished = true; }
                else if (this.afterColon && this.lastKey === "Records") {
                    if (byte !== OPEN_BRACKET) throw this.error(i, '"Records" is not an array: not a CloudTrail log file');
                    this.inRecords = true;
                    this.sawRecords = true;
                    this.afterColon = false;
                    depth = 2;
                } else {
                    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth = 2;
                    this.afterColon = false;
                }
                i++;
                continue;
            }
            // depth 2: inside the Records array, or inside another top-level key's value.
            if (this.inRecords) {
                if (byte === OPEN_BRACE) {
                    this.recordStart = i;
                    depth = 3;
                } else if (byte === CLOSE_BRACKET) {
                    this.inRecords = false;
                    depth = 1;
                } else if (byte !== COMMA) {
                    throw this.error(i, `Records[${this.recordCount}] is not an event object`);
                }
            } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
                depth = 3;
            } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
                depth = 1;
            }
            i++;
        }
        this.position = i;
        this.depth = depth;
    }
}
