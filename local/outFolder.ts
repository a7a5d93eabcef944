/**
 * The output folder of a local run. Each run's findings must cover exactly its own input, so a
 * run starts from an empty lake unless the caller asks to add to the existing one (`--append`).
 * Two runs on one folder at once would interleave their partitions: a lock file, created
 * exclusively, holds the folder for one run and names its pid to the other. What the run
 * deletes (the lake and the report) it only deletes in a folder it wrote itself: a marker file
 * says so, and a non-empty folder without it is refused.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LAKE_PREFIXES } from "../contract/prefixes";

/**
 * Folder of the investigation pages (local/investigateReport.ts), relative to the output directory
 * (where report.html is). Defined here, not beside the code that writes them, so that reading files
 * into the lake (local/ingest.ts, the normalise command) does not load DuckDB through that code.
 */
export const INVESTIGATIONS_DIR = "investigations";
/** Folder of the local lake holding the flow-log Parquet (local/flowLogs.ts). */
export const LOCAL_FLOW_LOG_DIR = "flowlogs";

export const LOCK_FILE = ".cloudtrail-lake.lock";
export const MARKER_FILE = ".cloudtrail-lake";
/**
 * What a run writes at the top of its folder; a previous run's copies are removed without --append.
 * The investigation pages are among them: each describes the lake it was made from, so one left
 * from an earlier input would be linked by the new report as if it were about this one.
 */
export const RUN_OUTPUTS = [
    LAKE_PREFIXES.normalised.replace(/\/$/, ""),
    LAKE_PREFIXES.parquet.replace(/\/$/, ""),
    "report.html",
    INVESTIGATIONS_DIR,
    LOCAL_FLOW_LOG_DIR,
];

/** The output folder cannot be used: held by another run, not ours to clear, or not writable. */
export class OutFolderError extends Error {
    constructor(
        message: string,
        readonly reason: "locked" | "not-ours" | "unwritable",
    ) {
        super(message);
        this.name = "OutFolderError";
    }
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists, under another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

export interface HeldFolder {
    /** Warnings for the user (a stale lock removed). */
    readonly warnings: string[];
    release(): void;
}

/** Words for the errors that say a folder or disk cannot be written, by their code. */
const WRITE_FAILURES: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EROFS: "read-only file system",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of the path is a file, not a folder",
    ENOENT: "a part of the path does not exist",
    EEXIST: "a file of that name is in the way",
};

/** DuckDB's messages for the same failures (it reports its own I/O errors as text, not codes). */
const WRITE_FAILURE_TEXTS: readonly [RegExp, string][] = [
    [/No space left on device/i, WRITE_FAILURES.ENOSPC],
    [/Disk quota exceeded/i, WRITE_FAILURES.EDQUOT],
    [/Read-only file system/i, WRITE_FAILURES.EROFS],
];

/**
 * The reason, in words, when an error says the output could not be written because of the disk
 * (full, over quota, read-only), whoever wrote (Node or DuckDB); else undefined. Reading an input
 * never fails so, so such an error is the output's, never the input file's.
 */
export function diskFailureOf(error: unknown): string | undefined {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === "ENOSPC" || code === "EDQUOT" || code === "EROFS") return WRITE_FAILURES[code];
    const message = String((error as Error)?.message ?? error);
    if (/\b(ENOSPC|EDQUOT|EROFS)\b/.test(message)) return WRITE_FAILURES[/\b(ENOSPC|EDQUOT|EROFS)\b/.exec(message)![1]];
    return WRITE_FAILURE_TEXTS.find(([pattern]) => pattern.test(message))?.[1];
}

/** An {@link OutFolderError} that names `--out` and why it cannot be written. */
export function unwritable(outDir: string, error: unknown): OutFolderError {
    const code = (error as NodeJS.ErrnoException)?.code;
    const reason = diskFailureOf(error) ?? (code && WRITE_FAILURES[code]) ?? String((error as Error)?.message ?? error).split("\n")[0];
    return new OutFolderError(`cannot write the output folder (--out) ${outDir}: ${reason}`, "unwritable");
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns under /proc (it retries the
 * ENOENT that a pseudo file system answers), and an ENOENT under an existing parent means the file
 * system refuses new folders there, which the message should say.
 */
function makeFolder(dir: string): void {
    const missing: string[] = [];
    for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
        missing.unshift(at);
        if (path.dirname(at) === at) break;
    }
    for (const folder of missing) {
        try {
            fs.mkdirSync(folder);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === "EEXIST" && fs.statSync(folder).isDirectory()) continue;
            if (code === "ENOENT") throw Object.assign(new Error(`the file system refuses new folders in ${path.dirname(folder)}`), { code: "EREFUSED" });
            throw error;
        }
    }
}

/** Takes the folder's lock, or throws an {@link OutFolderError} naming the holder (or why the folder cannot be written). */
export function lockOutFolder(outDir: string): HeldFolder {
    try {
        makeFolder(outDir);
        fs.accessSync(outDir, fs.constants.W_OK);
    } catch (error) {
        throw unwritable(outDir, error);
    }
    const lock = path.join(outDir, LOCK_FILE);
    const warnings: string[] = [];
    const content = JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() });
    for (let attempt = 0; ; attempt++) {
        try {
            fs.writeFileSync(lock, content, { flag: "wx" });
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw unwritable(outDir, error);
            if (attempt > 0) throw error;
            let holder: { pid?: number; host?: string; started?: string } = {};
            try {
                holder = JSON.parse(fs.readFileSync(lock, "utf8"));
            } catch {
                // Being written this instant, or damaged: treated as held unless it is old.
            }
            const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
            const sameHost = holder.host === undefined || holder.host === os.hostname();
            const held = typeof holder.pid === "number" ? !sameHost || alive(holder.pid) : age < 10_000;
            if (held) {
                throw new OutFolderError(
                    `output folder ${outDir} is in use by another run (pid ${holder.pid ?? "unknown"}` +
                        `${holder.host && !sameHost ? ` on ${holder.host}` : ""}${holder.started ? `, started ${holder.started}` : ""}); ` +
                        `wait for it to finish or choose another --out (if no such run exists, delete ${lock})`,
                    "locked",
                );
            }
            warnings.push(`removed a stale lock of pid ${holder.pid ?? "unknown"} (no longer running) from ${outDir}`);
            fs.rmSync(lock, { force: true });
        }
    }
    let released = false;
    return {
        warnings,
        release: () => {
            if (released) return;
            released = true;
            try {
                if (JSON.parse(fs.readFileSync(lock, "utf8")).pid === process.pid) fs.rmSync(lock, { force: true });
            } catch {
                // already gone
            }
        },
    };
}

/**
 * Checks that the (locked) folder is one this tool may write: refuses a non-empty folder that
 * this tool did not write. A run's own files (the lock, the marker, staging folders and the
 * commit journal of local/lakeCommit.ts) all start with `.cloudtrail-lake`. The previous lake is
 * replaced only when the run succeeds (local/lakeCommit.ts), not here.
 */
export function prepareOutFolder(outDir: string): void {
    const entries = fs.readdirSync(outDir).filter((entry) => !entry.startsWith(".cloudtrail-lake"));
    const ours = fs.existsSync(path.join(outDir, MARKER_FILE)) || entries.every((entry) => RUN_OUTPUTS.includes(entry));
    if (!ours) {
        throw new OutFolderError(
            `output folder ${outDir} already holds files this tool did not write (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); ` +
                "choose an empty or new folder for --out",
            "not-ours",
        );
    }
    try {
        fs.writeFileSync(
            path.join(outDir, MARKER_FILE),
            "Written by cloudtrail-lake's local mode (npm start); the next run without --append replaces normalised/, parquet/, report.html and investigations/.\n",
        );
    } catch (error) {
        throw unwritable(outDir, error);
    }
}
