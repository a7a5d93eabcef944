/**
 * npm run add-detection-metadata [-- <query files…>] — adds the lifecycle headers a query of queries/
 * lacks, from git history: `created` is the day the file was added (`git log --diff-filter=A`),
 * `modified` the day of its last commit, `status` experimental (not yet run on production logs).
 * Headers a file already has are left as they are; a file git does not know yet gets today. The
 * lines go after the last header line, so the SQL is untouched.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { QUERIES_DIR } from "../contract/detections";

export interface LifecycleDefaults {
    readonly status: string;
    readonly created: string;
    readonly modified: string;
}

/** `text` with the missing lifecycle header lines (status, created, modified) appended to its header. */
export function withLifecycleHeaders(text: string, defaults: LifecycleDefaults): string {
    const lines = text.split("\n");
    let headerEnd = 0;
    while (headerEnd < lines.length && /^--\s*[a-z]+:/.test(lines[headerEnd])) headerEnd++;
    const present = new Set(lines.slice(0, headerEnd).map((line) => /^--\s*([a-z]+):/.exec(line)![1]));
    const added = (["status", "created", "modified"] as const).filter((field) => !present.has(field)).map((field) => `-- ${field}: ${defaults[field]}`);
    return [...lines.slice(0, headerEnd), ...added, ...lines.slice(headerEnd)].join("\n");
}

/** First line of a git command's output, or undefined when git says nothing (an untracked file). */
function git(args: string[]): string | undefined {
    const output = execFileSync("git", args, { cwd: path.join(__dirname, ".."), encoding: "utf8" }).trim();
    return output === "" ? undefined : output.split("\n").pop();
}

if (require.main === module) {
    const today = new Date().toISOString().slice(0, 10);
    const files =
        process.argv.length > 2
            ? process.argv.slice(2).map((file) => path.resolve(file))
            : fs
                  .readdirSync(QUERIES_DIR)
                  .filter((name) => name.endsWith(".sql"))
                  .map((name) => path.join(QUERIES_DIR, name));
    for (const file of files) {
        const text = fs.readFileSync(file, "utf8");
        // The first commit that added the file (the last line: git log lists newest first).
        const created = git(["log", "--follow", "--diff-filter=A", "--format=%as", "--", file]) ?? today;
        const modified = git(["log", "-1", "--format=%as", "--", file]) ?? created;
        const next = withLifecycleHeaders(text, { status: "experimental", created, modified: modified < created ? created : modified });
        if (next !== text) {
            fs.writeFileSync(file, next);
            console.log(`${path.relative(process.cwd(), file)}: lifecycle headers added`);
        }
    }
}
