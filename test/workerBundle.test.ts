import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { workerBundle } from "../local/workerBundle";

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ctl-${name}-`));

/** A two-module worker that answers its first message with `greeting`'s text. */
function writeWorker(dir: string, greeting: string): string {
    fs.writeFileSync(path.join(dir, "greeting.ts"), `export const greeting: string = ${JSON.stringify(greeting)};\n`);
    const entry = path.join(dir, "worker.ts");
    fs.writeFileSync(
        entry,
        `import { parentPort } from "node:worker_threads";\nimport { greeting } from "./greeting";\nparentPort!.on("message", () => parentPort!.postMessage(greeting));\n`,
    );
    return entry;
}

async function ask(script: string): Promise<string> {
    const worker = new Worker(script);
    try {
        return await new Promise<string>((resolve, reject) => {
            worker.once("message", resolve);
            worker.once("error", reject);
            worker.postMessage("hello");
        });
    } finally {
        await worker.terminate();
    }
}

describe("the normalising worker's bundle (local/workerBundle.ts)", () => {
    it("is built once, reused while its sources are unchanged, and rebuilt when one of them changes", async () => {
        const sources = tmp("bundle-src");
        const cache = path.join(tmp("bundle-cache"), "local");
        const entry = writeWorker(sources, "first");
        const built = workerBundle(entry, cache)!;
        expect(built).to.be.a("string");
        expect(await ask(built)).to.equal("first");
        const builtAt = fs.statSync(built).mtimeMs;
        expect(workerBundle(entry, cache)).to.equal(built);
        expect(fs.statSync(built).mtimeMs).to.equal(builtAt);

        // An imported module changes, not the entry: the manifest's digests catch it.
        const stale = path.join(cache, "worker-0123456789abcdef.js");
        fs.writeFileSync(stale, "");
        fs.utimesSync(stale, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
        fs.writeFileSync(path.join(sources, "greeting.ts"), `export const greeting: string = "second";\n`);
        const rebuilt = workerBundle(entry, cache)!;
        expect(rebuilt).to.not.equal(built);
        expect(await ask(rebuilt)).to.equal("second");
        // Replaced bundles go after an hour, not before: a run started a moment ago may still be loading the last one.
        expect(fs.existsSync(stale)).to.equal(false);
        expect(fs.existsSync(built)).to.equal(true);
        // Nothing half-written is left beside the bundles.
        expect(fs.readdirSync(cache).filter((name) => name.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("gives no bundle, and no error, where the cache cannot be written or the source does not build", () => {
        const sources = tmp("bundle-src");
        const entry = writeWorker(sources, "first");
        const notADirectory = path.join(sources, "greeting.ts");
        expect(workerBundle(entry, path.join(notADirectory, "cache"))).to.equal(undefined);
        fs.writeFileSync(path.join(sources, "greeting.ts"), "export const greeting: string = ;\n");
        expect(workerBundle(entry, path.join(tmp("bundle-cache"), "local"))).to.equal(undefined);
    });
});
