/**
 * The normalising worker (local/normaliseWorker.ts) as one JavaScript file, built with esbuild the
 * first time it is needed and kept in `<repo>/.build/local/`, as the Lambdas' bundles are kept in
 * `.build/` (components/normaliser/bundle.ts). Every run starts its workers; through tsx, each
 * registered its hooks and then resolved and compiled the worker's twenty-odd modules one by one:
 * two workers took 640 ms of CPU to be ready, at the start of every run, where the bundle takes
 * 185 ms (docs/performance.md).
 *
 * The bundle is rebuilt when a file it was built from changes: a manifest beside it keeps each
 * input's SHA-256, checked (about 40 small files) before the bundle is used. Written to a temporary
 * name and then renamed, so that runs starting at the same moment never read half a file; bundles
 * replaced more than an hour ago are removed (a run started before may still be loading one). When
 * it cannot be built or written (a read-only checkout), the caller falls back to the TypeScript
 * worker. The worker's modules must not read files next to themselves (`__dirname`): in the bundle
 * that is `.build/local/`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** Where the bundles are kept: the repository's build folder (git-ignored). */
export const WORKER_BUNDLE_DIR = path.join(ROOT, ".build", "local");

/** What a bundle was built from: each input file (absolute path) with the SHA-256 of its content. */
interface Manifest {
    readonly entry: string;
    readonly bundle: string;
    readonly inputs: Readonly<Record<string, string>>;
}

/**
 * The path of an up-to-date bundle of `entry` (a TypeScript file), building it when there is none
 * or when one of its inputs changed; undefined when it cannot be built or written.
 */
export function workerBundle(entry: string, directory: string = WORKER_BUNDLE_DIR): string | undefined {
    const name = path.basename(entry, path.extname(entry));
    const manifestPath = path.join(directory, `${name}.json`);
    const current = readManifest(manifestPath);
    if (current && current.entry === entry && isCurrent(current, directory)) return path.join(directory, current.bundle);
    try {
        return build(entry, name, directory, manifestPath);
    } catch {
        return undefined;
    }
}

function readManifest(file: string): Manifest | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    } catch {
        return undefined;
    }
}

function isCurrent(manifest: Manifest, directory: string): boolean {
    if (!fs.existsSync(path.join(directory, manifest.bundle))) return false;
    return Object.entries(manifest.inputs).every(([file, digest]) => digestOf(file) === digest);
}

function digestOf(file: string): string | undefined {
    try {
        return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    } catch {
        return undefined;
    }
}

function build(entry: string, name: string, directory: string, manifestPath: string): string {
    // Loaded only to build: a run whose bundle is current does not pay for loading esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildSync } = require("esbuild") as typeof import("esbuild");
    const result = buildSync({
        entryPoints: [entry],
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        // DuckDB's binding is native and is not the worker's; anything else it needs is bundled.
        external: ["@duckdb/*"],
        write: false,
        metafile: true,
        logLevel: "silent",
    });
    const code = result.outputFiles[0].contents;
    const bundle = `${name}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
        const file = path.resolve(ROOT, input);
        const digest = digestOf(file);
        if (digest === undefined) throw new Error(`${file}: built from, but cannot be read`);
        inputs[file] = digest;
    }
    fs.mkdirSync(directory, { recursive: true });
    writeAtomically(path.join(directory, bundle), code);
    writeAtomically(manifestPath, JSON.stringify({ entry, bundle, inputs } satisfies Manifest, null, 2));
    removeOldBundles(directory, name, bundle);
    return path.join(directory, bundle);
}

/** Bundles of `name` other than `current` last written more than {@link OLD_BUNDLE_MS} ago. */
function removeOldBundles(directory: string, name: string, current: string): void {
    for (const file of fs.readdirSync(directory)) {
        if (file === current || !file.startsWith(`${name}-`) || !file.endsWith(".js")) continue;
        const stat = fs.statSync(path.join(directory, file), { throwIfNoEntry: false });
        if (stat && Date.now() - stat.mtimeMs > OLD_BUNDLE_MS) fs.rmSync(path.join(directory, file), { force: true });
    }
}

const OLD_BUNDLE_MS = 3_600_000;

function writeAtomically(file: string, content: string | Uint8Array): void {
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
        fs.writeFileSync(temporary, content);
        fs.renameSync(temporary, file);
    } finally {
        fs.rmSync(temporary, { force: true });
    }
}
