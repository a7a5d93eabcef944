/**
 * Archives people send logs in: zip (yauzl) and tar (tar-stream), read member by member without
 * extracting anything to disk. A member's name is only ever shown (`logs.zip!AWSLogs/…/x.json.gz`)
 * and parsed for its account, region and date, never used as a path, so names with `..`, absolute
 * paths or invalid bytes are harmless. A zip bomb is bounded by the same decompressed-size cap as
 * a gzip bomb (lambda/normaliser/core.ts `decompressed`), counted over the whole archive by the
 * caller; yauzl checks each member's size against the size its directory declares.
 *
 * Formats that Node cannot decompress (7z, rar, bzip2, xz, zstd) are recognised by their magic
 * bytes and named, so that the responder knows what to extract instead of reading "not JSON".
 */
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import * as yauzl from "yauzl";
import { escapedName } from "./files";

export type ArchiveKind = "zip" | "tar";

/** `PK\x03\x04` (a member), `PK\x05\x06` (an empty zip), `PK\x07\x08` (a split zip's first part). */
const ZIP_MAGICS = ["504b0304", "504b0506", "504b0708"].map((hex) => Buffer.from(hex, "hex"));

/** The archive a stream's first bytes (after gzip) say it is; tar's `ustar` magic sits at byte 257 of its first header. */
export function archiveKindOf(head: Buffer): ArchiveKind | undefined {
    if (ZIP_MAGICS.some((magic) => head.subarray(0, 4).equals(magic))) return "zip";
    if (head.length >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
    return undefined;
}

/** Magic bytes of formats read by other tools, and the tool. */
const OTHER_FORMATS: readonly { readonly magic: Buffer; readonly what: string }[] = [
    { magic: Buffer.from("377abcaf271c", "hex"), what: "7-Zip archive: extract it (7z x) and give the folder" },
    { magic: Buffer.from("Rar!\x1a\x07", "latin1"), what: "RAR archive: extract it (unrar x) and give the folder" },
    { magic: Buffer.from("BZh", "latin1"), what: "bzip2-compressed: decompress it (bunzip2) first" },
    { magic: Buffer.from("fd377a585a00", "hex"), what: "xz-compressed: decompress it (xz -d) first" },
    { magic: Buffer.from("28b52ffd", "hex"), what: "zstd-compressed: decompress it (zstd -d) first" },
];

/** Why a stream in a format this tool does not read is skipped, or undefined. */
export function otherFormatOf(head: Buffer): string | undefined {
    return OTHER_FORMATS.find(({ magic }) => head.length >= magic.length && head.subarray(0, magic.length).equals(magic))?.what;
}

/** One member of an archive: a regular file to read, or something else, with the reason it is not read. */
export type ArchiveMember =
    { readonly name: string; readonly open: () => Promise<AsyncIterable<Buffer>> } | { readonly name: string; readonly notRead: string };

/** A zip's directory entry names as bytes (yauzl's `decodeStrings: false`): shown as UTF-8, invalid bytes escaped. */
function zipEntryName(raw: Buffer | string): string {
    return typeof raw === "string" ? raw : escapedName(raw);
}

/**
 * The members of a zip file, in the order of its central directory. `decodeStrings: false`:
 * yauzl would otherwise refuse the whole archive for one member named `../x` or `/x`, which
 * this reader never uses as a path.
 */
export async function* zipMembers(file: string | Buffer): AsyncGenerator<ArchiveMember> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
        yauzl.open(file as string, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, opened) =>
            error ? reject(new Error(`not a readable zip: ${error.message}`)) : resolve(opened),
        ),
    );
    try {
        for (;;) {
            const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
                const onEntry = (found: yauzl.Entry) => settle(() => resolve(found));
                const onEnd = () => settle(() => resolve(undefined));
                const onError = (error: Error) => settle(() => reject(new Error(`zip directory unreadable: ${error.message}`)));
                const settle = (then: () => void) => {
                    zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
                    then();
                };
                zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
                zip.readEntry();
            });
            if (!entry) return;
            const name = zipEntryName(entry.fileName as Buffer | string);
            if (name.endsWith("/")) continue; // a folder
            if (entry.isEncrypted()) {
                yield { name, notRead: "encrypted in the zip: extract it with its password and give the folder" };
                continue;
            }
            if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
                yield {
                    name,
                    notRead: `zip compression method ${entry.compressionMethod} is not supported (only stored and deflate): extract it and give the folder`,
                };
                continue;
            }
            yield {
                name,
                open: () =>
                    new Promise<AsyncIterable<Buffer>>((resolve, reject) =>
                        zip.openReadStream(entry, (error, stream) => (error ? reject(new Error(`zip member unreadable: ${error.message}`)) : resolve(stream))),
                    ),
            };
        }
    } finally {
        zip.close();
    }
}

/**
 * The members of a (decompressed) tar stream, in order. Each must be read or left before the next
 * is asked for: a tar is read once, front to back. Links and special files are named, not read.
 */
export async function* tarMembers(source: AsyncIterable<Buffer>): AsyncGenerator<ArchiveMember> {
    const extract = tar.extract();
    const feeding = new Promise<void>((resolve) => {
        Readable.from(source)
            .on("error", (error) => {
                extract.destroy(error);
                resolve();
            })
            .pipe(extract)
            .on("close", resolve);
    });
    try {
        for await (const entry of extract) {
            const { name, type, linkname } = entry.header;
            if (type === "file" || type === "contiguous-file") {
                yield { name, open: async () => entry as AsyncIterable<Buffer> };
            } else if (type !== "directory") {
                yield { name, notRead: `${type}${linkname ? ` -> ${linkname}` : ""} in the tar, not a file: not read` };
            }
            // Whatever the reader left of this member, so that the next header can be read.
            entry.resume();
        }
    } catch (error) {
        throw new Error(`tar unreadable: ${(error as Error).message}`);
    } finally {
        extract.destroy();
        await feeding;
    }
}
