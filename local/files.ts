/**
 * Finding input files on disk, shared by the local commands. An evidence folder is whatever a
 * responder was handed, so the walk never trusts it: only regular files are returned (a FIFO
 * named `x.json` would block a read forever), each file and each folder is visited once however
 * many links lead to it (a symlinked folder used to be read twice; a link to a parent loops),
 * broken links and loops are skipped, and folders to leave out (the run's own output folder
 * inside the input) are skipped. Everything not returned is reported with the reason.
 *
 * A name that is not valid UTF-8 (a Latin-1 name copied from an old server, a damaged disk) cannot
 * be held in a JavaScript string without losing its bytes, so such paths are walked and read as
 * bytes (Buffer paths): the file is returned under its name with the invalid bytes escaped
 * (`caf\xE9.json`), and {@link fsPathOf} gives the bytes back to whoever opens it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The byte paths of the files found whose names are not valid UTF-8, by the name they are shown under. */
const bytePaths = new Map<string, Buffer>();

/** What to open for a file {@link discoverFiles} returned: the path itself, or its bytes when its name is not UTF-8. */
export function fsPathOf(file: string): string | Buffer {
    return bytePaths.get(file) ?? file;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether the bytes are valid UTF-8. */
function isUtf8(bytes: Uint8Array): boolean {
    try {
        strictUtf8.decode(bytes);
        return true;
    } catch {
        return false;
    }
}

/** Length of the UTF-8 sequence a lead byte announces (1 for a byte no sequence starts with). */
function sequenceLength(lead: number): number {
    if (lead >= 0xc2 && lead <= 0xdf) return 2;
    if (lead >= 0xe0 && lead <= 0xef) return 3;
    if (lead >= 0xf0 && lead <= 0xf4) return 4;
    return 1;
}

/**
 * A name's bytes as text: valid UTF-8 as it is, every byte that is not part of a valid UTF-8
 * sequence as `\xNN` (`caf\xE9.json` for Latin-1 `café.json`), so a message shows which file.
 */
export function escapedName(bytes: Uint8Array): string {
    if (isUtf8(bytes)) return Buffer.from(bytes).toString("utf8");
    let text = "";
    for (let i = 0; i < bytes.length;) {
        const length = sequenceLength(bytes[i]);
        const sequence = bytes.subarray(i, i + length);
        if (bytes[i] < 0x80 || (length > 1 && sequence.length === length && isUtf8(sequence))) {
            text += Buffer.from(sequence).toString("utf8");
            i += bytes[i] < 0x80 ? 1 : length;
        } else {
            text += `\\x${bytes[i].toString(16).toUpperCase().padStart(2, "0")}`;
            i++;
        }
    }
    return text;
}

export interface PassedOver {
    readonly file: string;
    readonly reason: string;
}

export interface Discovery {
    /** Regular files, absolute paths as given (not resolved through links), sorted, each once. */
    readonly files: string[];
    /** Entries not read, with the reason: links, special files, duplicates, excluded folders. */
    readonly skipped: PassedOver[];
    /** Entries that could not be examined (permission denied, I/O error). */
    readonly failed: PassedOver[];
}

export interface DiscoverOptions {
    /** Folders never read (absolute or relative): the output folder when it sits inside an input. */
    readonly exclude?: readonly { readonly dir: string; readonly reason: string }[];
    /** Only files (found in folders) whose name ends so; files named explicitly are always kept. Default: all. */
    readonly suffixes?: readonly string[];
}

/** An entry of a discovery that will not be read, as the local run reports it (local/run.ts `passedOver`). */
export type PassedOverEntry = PassedOver & { readonly status: "skipped" | "failed" };

/** Everything {@link discoverFiles} did not return as a file, in one list with its status. */
export function passedOverOf(discovery: Discovery): PassedOverEntry[] {
    return [
        ...discovery.skipped.map((entry) => ({ ...entry, status: "skipped" as const })),
        ...discovery.failed.map((entry) => ({ ...entry, status: "failed" as const })),
    ];
}

function kindOf(stat: fs.Stats): string {
    if (stat.isFIFO()) return "a FIFO (named pipe)";
    if (stat.isSocket()) return "a socket";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
    return "not a regular file";
}

const isInside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/** Walks the given files and folders; a missing explicit input throws naming it. */
export async function discoverFiles(inputs: readonly string[], options: DiscoverOptions = {}): Promise<Discovery> {
    const files: string[] = [];
    const skipped: PassedOver[] = [];
    const failed: PassedOver[] = [];
    // dev:ino → the first path that reached it: the same file or folder through a link, a hard link or twice on the command line.
    const seen = new Map<string, string>();
    const exclude = await Promise.all(
        (options.exclude ?? []).map(async ({ dir, reason }) => ({ dir: await fs.promises.realpath(dir).catch(() => path.resolve(dir)), reason })),
    );

    /** `target`: what the file system is asked (bytes under a folder whose name is not UTF-8); `shown`: its name in results. */
    async function visit(target: string | Buffer, explicit: boolean, shown: string): Promise<void> {
        let stat: fs.Stats;
        try {
            const link = await fs.promises.lstat(target);
            if (link.isSymbolicLink()) {
                try {
                    stat = await fs.promises.stat(target);
                } catch (error) {
                    const code = (error as NodeJS.ErrnoException).code;
                    const pointsTo = await fs.promises
                        .readlink(target, { encoding: "buffer" })
                        .then((bytes) => escapedName(bytes))
                        .catch(() => "?");
                    skipped.push({
                        file: shown,
                        reason: code === "ELOOP" ? `symbolic link loop (-> ${pointsTo})` : `dangling symbolic link (-> ${pointsTo} does not exist)`,
                    });
                    return;
                }
            } else {
                stat = link;
            }
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT" && explicit)
                throw new Error(`${typeof target === "string" ? target : shown}: no such file or folder`);
            failed.push({ file: shown, reason: `cannot examine: ${(error as Error).message}` });
            return;
        }
        if (stat.isDirectory() || stat.isFile()) {
            const real = await fs.promises.realpath(target).catch(() => shown);
            const excluded = exclude.find(({ dir }) => isInside(real, dir));
            if (excluded) {
                skipped.push({ file: shown, reason: excluded.reason });
                return;
            }
            const identity = `${stat.dev}:${stat.ino}`;
            const first = seen.get(identity);
            if (first !== undefined) {
                skipped.push({ file: shown, reason: `same ${stat.isDirectory() ? "folder" : "file"} as ${first} (read once)` });
                return;
            }
            seen.set(identity, shown);
        }
        if (stat.isDirectory()) {
            let names: Buffer[];
            try {
                names = await fs.promises.readdir(target, { encoding: "buffer" });
            } catch (error) {
                failed.push({ file: shown, reason: `cannot list folder: ${(error as Error).message}` });
                return;
            }
            const entries = names
                .map((name) => {
                    const utf8 = typeof target === "string" && isUtf8(name);
                    return {
                        shown: path.join(shown, escapedName(name)),
                        target: utf8 ? path.join(target, name.toString("utf8")) : Buffer.concat([Buffer.from(target), Buffer.from(path.sep), name]),
                    };
                })
                .sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0));
            // Real entries before links: a folder both present and linked to is read under its own name.
            const links = new Set<string>();
            for (const entry of entries) {
                if ((await fs.promises.lstat(entry.target).catch(() => undefined))?.isSymbolicLink()) links.add(entry.shown);
            }
            for (const entry of entries) if (!links.has(entry.shown)) await visit(entry.target, false, entry.shown);
            for (const entry of entries) if (links.has(entry.shown)) await visit(entry.target, false, entry.shown);
        } else if (stat.isFile()) {
            if (explicit || !options.suffixes || options.suffixes.some((suffix) => shown.endsWith(suffix))) {
                files.push(shown);
                if (typeof target !== "string") bytePaths.set(shown, target);
            } else skipped.push({ file: shown, reason: `name does not end with ${options.suffixes.join(", ")}` });
        } else {
            skipped.push({ file: shown, reason: `${kindOf(stat)}, not read` });
        }
    }
    for (const input of inputs) await visit(input, true, path.resolve(input));
    return { files: files.sort(), skipped, failed };
}

/** Every regular file under the given files and folders whose name ends with one of `suffixes`, sorted, each once. */
export async function findFiles(inputs: readonly string[], suffixes: readonly string[]): Promise<string[]> {
    return (await discoverFiles(inputs, { suffixes })).files;
}
