/**
 * A run's lake is built beside the one in `--out`, in a staging folder, and replaces it only when
 * the whole run succeeded: Ctrl-C, a full disk or any failure leaves `--out` as it was before the
 * run (with `--append`: the lake it held, not 265 of 300 new files), never half a lake.
 *
 * The staging folder sits inside `--out` (same file system: the switch is a few renames, and the
 * run's heavy temporary files land on the disk the user chose, not on /tmp). With `--append` it
 * starts as hard links to the lake's files (no data copied; a copy where links are not allowed)
 * so the new lake is complete before it replaces the old one.
 *
 * The switch is synchronous (so no signal handler can run in its middle) and journaled: a
 * journal file names the staging folder before the first rename and is removed after the last;
 * a run killed outright in between (SIGKILL, power) is finished by the next run, which finds the
 * journal ({@link recoverCommit}).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAKE_PREFIXES } from "../contract/prefixes";
import { RUN_OUTPUTS } from "./outFolder";
import { LOCAL_FLOW_LOG_DIR } from "./outFolder";

/** Prefix of every staging folder (`.cloudtrail-lake.staging-<pid>`); a staging folder without a journal is abandoned work. */
export const STAGING_PREFIX = ".cloudtrail-lake.staging-";
/** The journal of a switch in progress. */
export const COMMIT_JOURNAL = ".cloudtrail-lake.commit";

/** The parts of the lake a staging folder holds and a commit moves into `--out`. */
/** What a run builds in its staging folder: the CloudTrail lake and the flow-log lake (local/flowLogs.ts). */
const LAKE_PARTS = [LAKE_PREFIXES.normalised.replace(/\/$/, ""), LAKE_PREFIXES.parquet.replace(/\/$/, ""), LOCAL_FLOW_LOG_DIR];

export interface Staging {
    /** The staging folder: the run's lake (`normalised/`, `parquet/`) is written here. */
    readonly dir: string;
    /** Temporary files of the run (the ingest's, DuckDB's spill files), on the same disk. */
    readonly temp: string;
}

/** Creates the run's staging folder in `outDir`; with `append`, holding links to the lake already there. */
export function createStaging(outDir: string, append: boolean): Staging {
    const dir = path.join(outDir, `${STAGING_PREFIX}${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const temp = path.join(dir, "tmp");
    fs.mkdirSync(temp);
    if (append) for (const part of LAKE_PARTS) linkTree(path.join(outDir, part), path.join(dir, part));
    return { dir, temp };
}

/** Recreates the tree `from` at `to` with hard links to its files (copies where the file system refuses links). */
function linkTree(from: string, to: string): void {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(from, { withFileTypes: true });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
    }
    fs.mkdirSync(to, { recursive: true });
    for (const entry of entries) {
        const source = path.join(from, entry.name);
        const target = path.join(to, entry.name);
        if (entry.isDirectory()) linkTree(source, target);
        else if (entry.isFile()) {
            try {
                fs.linkSync(source, target);
            } catch (error) {
                // FAT and some network file systems have no hard links.
                if (!["EPERM", "ENOTSUP", "EXDEV", "EMLINK", "ENOSYS"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
                fs.copyFileSync(source, target);
            }
        }
    }
}

/**
 * Replaces the lake (and the report and whatever else a run owns, RUN_OUTPUTS) in `outDir` by
 * the staging folder's lake. Synchronous and journaled (see above); then removes the staging
 * folder with the previous lake.
 */
export function commitStaging(outDir: string, staging: Staging): void {
    fs.writeFileSync(path.join(outDir, COMMIT_JOURNAL), `${JSON.stringify({ staging: path.basename(staging.dir) })}\n`);
    finishCommit(outDir, staging.dir);
}

function finishCommit(outDir: string, stagingDir: string): void {
    const previous = path.join(stagingDir, "previous");
    fs.mkdirSync(previous, { recursive: true });
    for (const entry of RUN_OUTPUTS) {
        const staged = path.join(stagingDir, entry);
        const current = path.join(outDir, entry);
        // A lake part still in staging has not been moved in: what `--out` holds under its name is the old one.
        const moveOld = !LAKE_PARTS.includes(entry) || fs.existsSync(staged);
        if (moveOld && fs.existsSync(current)) fs.renameSync(current, path.join(previous, `${entry}-${Date.now()}`));
        if (LAKE_PARTS.includes(entry) && fs.existsSync(staged)) fs.renameSync(staged, current);
    }
    fs.rmSync(path.join(outDir, COMMIT_JOURNAL), { force: true });
    fs.rmSync(stagingDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/** Removes a run's staging folder: its lake is abandoned, `--out` keeps the one it had. */
export function abandonStaging(staging: Staging): void {
    // Retries: on SIGINT a stopping worker may still create a file while the folder is emptied (ENOTEMPTY).
    fs.rmSync(staging.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/**
 * Called under the folder's lock before a run: finishes a switch a killed run left half done,
 * and removes the staging folders of runs that were killed before theirs. Returns what it did,
 * for the run's warnings.
 */
export function recoverCommit(outDir: string): string[] {
    const warnings: string[] = [];
    const journal = path.join(outDir, COMMIT_JOURNAL);
    let committing: string | undefined;
    if (fs.existsSync(journal)) {
        try {
            committing = String(JSON.parse(fs.readFileSync(journal, "utf8")).staging);
        } catch {
            committing = undefined;
        }
        if (committing && committing.startsWith(STAGING_PREFIX) && !committing.includes(path.sep) && fs.existsSync(path.join(outDir, committing))) {
            finishCommit(outDir, path.join(outDir, committing));
            warnings.push(`finished replacing the lake in ${outDir} by the one of an earlier run that was stopped while doing so`);
        } else fs.rmSync(journal, { force: true });
    }
    for (const entry of fs.readdirSync(outDir)) {
        if (entry.startsWith(STAGING_PREFIX) && entry !== committing) {
            fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
            warnings.push(`removed the unfinished work of an earlier run that was stopped (${entry}); the lake it was building was never used`);
        }
    }
    return warnings;
}
