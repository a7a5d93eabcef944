/**
 * The baseline a benchmark runs beside this tree: a commit's tree extracted with `git archive`
 * (once per commit) and run with this checkout's node_modules, so that before and after are
 * measured in one run on the same machine (bench/normaliser.ts, bench/stages.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** A git command in this checkout, its output trimmed. */
export function git(...args: string[]): string {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
}

/**
 * The tree of `commit` under `workDir`/baseline-<commit>, extracted unless `probeFile` (a path
 * inside the tree the benchmark runs) is already there, with a link to this checkout's node_modules.
 */
export function baselineTree(commit: string, workDir: string, probeFile: string): string {
    const dir = path.join(workDir, `baseline-${commit.slice(0, 10)}`);
    if (!fs.existsSync(path.join(dir, probeFile))) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        execFileSync("sh", ["-c", `git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    }
    return dir;
}
