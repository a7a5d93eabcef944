/** Finding input files on disk, shared by the local commands. */
import * as fs from "node:fs";
import * as path from "node:path";

/** Every file under the given files and directories whose name ends with one of `suffixes`, sorted, each once. */
export async function findFiles(inputs: readonly string[], suffixes: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    async function visit(target: string, explicit: boolean): Promise<void> {
        const stat = await fs.promises.stat(target);
        if (stat.isDirectory()) {
            const entries = (await fs.promises.readdir(target)).sort();
            for (const entry of entries) {
                if (entry.startsWith(".") || entry === "node_modules") continue;
                await visit(path.join(target, entry), false);
            }
        } else if (explicit || suffixes.some((suffix) => target.endsWith(suffix))) {
            found.add(path.resolve(target));
        }
    }
    for (const input of inputs) await visit(input, true);
    return [...found].sort();
}
