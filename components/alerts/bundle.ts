/**
 * Bundles the alert functions for Lambda (Node.js 22, x86_64): one esbuild file with the AWS SDK,
 * plus DuckDB's node packages copied as they are installed, since a native addon cannot be bundled
 * (`@duckdb/node-api` → `@duckdb/node-bindings` → `@duckdb/node-bindings-linux-x64/duckdb.node` +
 * `libduckdb.so`, and `detect-libc`, which the bindings use to choose glibc or musl).
 *
 * Why x86_64 and not arm64 like the normaliser: npm installs only the binding of the machine it
 * runs on, and the machines that build and test this program are x86_64 Linux (glibc); the
 * deployed binary is then the very one the tests ran. libduckdb.so needs glibc 2.25, Lambda's
 * Node.js 22 runtime (Amazon Linux 2023) has 2.34.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "../lambdaBuild";
import { AlertingSettings, SETTINGS_FILE } from "../../contract/alerting";

export const ALERTS_RUNTIME = "nodejs22.x";
export const ALERTS_ARCHITECTURE = "x86_64";
const ROOT = path.join(__dirname, "..", "..");
/** The packages DuckDB needs at run time, as installed in node_modules. */
export const NATIVE_PACKAGES = ["@duckdb/node-api", "@duckdb/node-bindings", "@duckdb/node-bindings-linux-x64", "detect-libc"];

/** The built code of this process, `.build/alerts/base-<hash of the code>/`. */
let base: string | undefined;

/** Hard-links a tree: one copy of DuckDB's 70 MB on disk however many stacks a process declares. */
function linkTree(source: string, target: string): void {
    fs.mkdirSync(target, { recursive: true });
    for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
        const from = path.join(source, entry.name);
        const to = path.join(target, entry.name);
        if (entry.isDirectory()) linkTree(from, to);
        else fs.linkSync(from, to);
    }
}

/**
 * Builds the code once per process under `.build/alerts/base-<hash>/`, then returns a directory per
 * settings (`.build/alerts/stack-<hash>/`, hard links plus its `alerting.json`): two stacks
 * declared in one process (tests, the Automation API) never ship each other's settings, and the
 * same settings give the same bytes, so Pulumi sees no change when there is none.
 */
export function bundleAlerts(settings: AlertingSettings): string {
    const root = path.join(ROOT, ".build", "alerts");
    if (base === undefined) {
        // Built in a staging folder of this process, then renamed into place under a name that is the
        // hash of its code: processes that declare a stack at once (parallel tests) never see a half-built
        // folder, and none removes a folder another is reading.
        const staging = path.join(root, `staging-${process.pid}`);
        fs.rmSync(staging, { recursive: true, force: true });
        buildSync({
            entryPoints: [path.join(ROOT, "lambda", "alerts", "index.ts")],
            outfile: path.join(staging, "index.js"),
            ...LAMBDA_BUILD_OPTIONS,
            external: ["@duckdb/*"],
        });
        for (const name of NATIVE_PACKAGES) {
            const source = path.join(ROOT, "node_modules", name);
            if (!fs.existsSync(source))
                throw new Error(
                    `${name} is not installed in node_modules: the alert evaluator needs DuckDB's x86_64 Linux binding; run npm ci on x86_64 Linux`,
                );
            fs.cpSync(source, path.join(staging, "node_modules", name), { recursive: true, dereference: true });
        }
        const code = createHash("sha256")
            .update(fs.readFileSync(path.join(staging, "index.js")))
            .digest("hex")
            .slice(0, 16);
        base = path.join(root, `base-${code}`);
        publishOnce(staging, base);
    }
    const text = `${JSON.stringify(settings, null, 1)}\n`;
    const directory = path.join(root, `stack-${createHash("sha256").update(text).update(base).digest("hex").slice(0, 16)}`);
    if (!fs.existsSync(path.join(directory, SETTINGS_FILE))) {
        const staging = `${directory}.staging-${process.pid}`;
        fs.rmSync(staging, { recursive: true, force: true });
        linkTree(base, staging);
        fs.writeFileSync(path.join(staging, SETTINGS_FILE), text);
        publishOnce(staging, directory);
    }
    return directory;
}

/** Renames a staged folder into place; if another process got there first (same content), drops ours. */
function publishOnce(staging: string, target: string): void {
    try {
        fs.renameSync(staging, target);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        fs.rmSync(staging, { recursive: true, force: true });
    }
}
