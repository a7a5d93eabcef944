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
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { AlertingSettings, SETTINGS_FILE } from "./settings";

export const ALERTS_RUNTIME = "nodejs22.x";
export const ALERTS_ARCHITECTURE = "x86_64";
const ROOT = path.join(__dirname, "..", "..");
/** The packages DuckDB needs at run time, as installed in node_modules. */
export const NATIVE_PACKAGES = ["@duckdb/node-api", "@duckdb/node-bindings", "@duckdb/node-bindings-linux-x64", "detect-libc"];

let built = false;

/** Builds `.build/alerts/` once per process and writes the stack's settings beside it; returns the directory. */
export function bundleAlerts(settings: AlertingSettings): string {
    const outDir = path.join(ROOT, ".build", "alerts");
    if (!built) {
        buildSync({
            entryPoints: [path.join(__dirname, "index.ts")],
            outfile: path.join(outDir, "index.js"),
            bundle: true,
            platform: "node",
            target: "node22",
            format: "cjs",
            minify: true,
            legalComments: "none",
            logLevel: "error",
            external: ["@duckdb/*"],
        });
        for (const name of NATIVE_PACKAGES) {
            const source = path.join(ROOT, "node_modules", name);
            if (!fs.existsSync(source)) throw new Error(`${name} is not installed in node_modules: the alert evaluator needs DuckDB's x86_64 Linux binding; run npm ci on x86_64 Linux`);
            const target = path.join(outDir, "node_modules", name);
            fs.rmSync(target, { recursive: true, force: true });
            fs.cpSync(source, target, { recursive: true, dereference: true });
        }
        built = true;
    }
    fs.writeFileSync(path.join(outDir, SETTINGS_FILE), `${JSON.stringify(settings, null, 1)}\n`);
    return outDir;
}
