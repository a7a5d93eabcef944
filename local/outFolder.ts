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
import { INVESTIGATIONS_DIR } from "./investigateReport";
import { LOCAL_FLOW_LOG_DIR } from "./flowLogs";

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

/** Takes the folder's lock, or throws an {@link OutFolderError} naming the holder. */
export function lockOutFolder(outDir: string): HeldFolder {
    fs.mkdirSync(outDir, { recursive: true });
    const lock = path.join(outDir, LOCK_FILE);
    const warnings: string[] = [];
    const content = JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() });
    for (let attempt = 0; ; attempt++) {
        try {
            fs.writeFileSync(lock, content, { flag: "wx" });
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
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
 * Makes the (locked) folder ready for a run: without `append`, removes a previous run's lake and
 * report; refuses a non-empty folder that this tool did not write.
 */
export function prepareOutFolder(outDir: string, append: boolean): void {
    const entries = fs.readdirSync(outDir).filter((entry) => entry !== LOCK_FILE);
    const ours = entries.includes(MARKER_FILE) || entries.every((entry) => RUN_OUTPUTS.includes(entry) || entry === MARKER_FILE);
    if (!ours) {
        throw new OutFolderError(
            `output folder ${outDir} already holds files this tool did not write (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); ` +
                "choose an empty or new folder for --out",
            "not-ours",
        );
    }
    if (!append) {
        for (const entry of RUN_OUTPUTS) fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
    }
    fs.writeFileSync(
        path.join(outDir, MARKER_FILE),
        "Written by cloudtrail-lake's local mode (npm start); the next run without --append replaces normalised/, parquet/, report.html and investigations/.\n",
    );
}
