/**
 * Finding input files on disk, shared by the local commands. An evidence folder is whatever a
 * responder was handed, so the walk never trusts it: only regular files are returned (a FIFO
 * named `x.json` would block a read forever), each file and each folder is visited once however
 * many links lead to it (a symlinked folder used to be read twice; a link to a parent loops),
 * broken links and loops are skipped, and folders to leave out (the run's own output folder
 * inside the input) are skipped. Everything not returned is reported with the reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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

    async function visit(target: string, explicit: boolean): Promise<void> {
        const shown = path.resolve(target);
        let stat: fs.Stats;
        try {
            const link = await fs.promises.lstat(target);
            if (link.isSymbolicLink()) {
                try {
                    stat = await fs.promises.stat(target);
                } catch (error) {
                    const code = (error as NodeJS.ErrnoException).code;
                    const pointsTo = await fs.promises.readlink(target).catch(() => "?");
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
            if ((error as NodeJS.ErrnoException).code === "ENOENT" && explicit) throw new Error(`${target}: no such file or folder`);
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
            let entries: string[];
            try {
                entries = (await fs.promises.readdir(target)).sort();
            } catch (error) {
                failed.push({ file: shown, reason: `cannot list folder: ${(error as Error).message}` });
                return;
            }
            // Real entries before links: a folder both present and linked to is read under its own name.
            const links = new Set<string>();
            for (const entry of entries) {
                if ((await fs.promises.lstat(path.join(target, entry)).catch(() => undefined))?.isSymbolicLink()) links.add(entry);
            }
            for (const entry of entries) if (!links.has(entry)) await visit(path.join(target, entry), false);
            for (const entry of entries) if (links.has(entry)) await visit(path.join(target, entry), false);
        } else if (stat.isFile()) {
            if (explicit || !options.suffixes || options.suffixes.some((suffix) => target.endsWith(suffix))) files.push(shown);
            else skipped.push({ file: shown, reason: `name does not end with ${options.suffixes.join(", ")}` });
        } else {
            skipped.push({ file: shown, reason: `${kindOf(stat)}, not read` });
        }
    }
    for (const input of inputs) await visit(input, true);
    return { files: files.sort(), skipped, failed };
}

/** Every regular file under the given files and folders whose name ends with one of `suffixes`, sorted, each once. */
export async function findFiles(inputs: readonly string[], suffixes: readonly string[]): Promise<string[]> {
    return (await discoverFiles(inputs, { suffixes })).files;
}
