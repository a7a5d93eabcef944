/** Publishing normalised outputs to a local directory: atomically, so a reader never sees half a file. */
import * as fs from "node:fs";
import * as path from "node:path";
import { NormalisedOutput } from "./core";

/** Moves a finished output to `<root>/<key>` through a rename, replacing what a previous run wrote. */
export async function publishToDirectory(root: string, output: NormalisedOutput): Promise<string> {
    const destination = path.join(root, ...output.key.split("/"));
    await fs.promises.mkdir(path.dirname(destination), { recursive: true });
    const staging = `${destination}.partial-${process.pid}`;
    // copy + rename rather than rename: the temp dir may be on another file system.
    await fs.promises.copyFile(output.tempPath, staging);
    await fs.promises.rename(staging, destination);
    return destination;
}
