/** Publishing normalised outputs to a local directory: atomically, so a reader never sees half a file. */
import * as fs from "node:fs";
import * as path from "node:path";
import { NormalisedOutput } from "./core";

/**
 * Moves a finished output to `<root>/<key>`, replacing what a previous run wrote: by a rename
 * (atomic, and no copy) when the temporary file is on the same file system; else by a copy to a
 * `.partial-<pid>` file beside the destination and a rename of that. The temporary file is gone
 * after a rename, and stays after a copy (its owner removes it).
 */
export async function publishToDirectory(root: string, output: NormalisedOutput): Promise<string> {
    const destination = path.join(root, ...output.key.split("/"));
    await fs.promises.mkdir(path.dirname(destination), { recursive: true });
    try {
        await fs.promises.rename(output.tempPath, destination);
        return destination;
    } catch (error) {
        // EXDEV: another file system (a tmpfs /tmp, say); anything else is a real failure.
        if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    }
    const staging = `${destination}.partial-${process.pid}`;
    await fs.promises.copyFile(output.tempPath, staging);
    await fs.promises.rename(staging, destination);
    return destination;
}
