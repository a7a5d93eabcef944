/**
 * Bundles the normaliser with esbuild for Lambda (Node.js 22, arm64): one minified file with
 * its dependencies (the AWS SDK included, so the deployed version is the tested one).
 * Deterministic: the same sources give the same bytes, so Pulumi sees no change when there is none.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "../lambdaBuild";

export const NORMALISER_RUNTIME = "nodejs22.x";
const bundles = new Map<string, string>();

/** Builds `lambda/normaliser/handler.ts` into `<repo>/.build/normaliser/index.js` once per process; returns the directory. */
export function bundleNormaliser(): string {
    const outDir = path.join(__dirname, "..", "..", ".build", "normaliser");
    if (!bundles.has(outDir)) {
        // Written beside the target, then renamed over it: processes that build at once (parallel
        // tests) never read a half-written bundle.
        const staging = path.join(outDir, `index.js.staging-${process.pid}`);
        buildSync({
            entryPoints: [path.join(__dirname, "..", "..", "lambda", "normaliser", "handler.ts")],
            outfile: staging,
            ...LAMBDA_BUILD_OPTIONS,
        });
        fs.renameSync(staging, path.join(outDir, "index.js"));
        bundles.set(outDir, outDir);
    }
    return outDir;
}
