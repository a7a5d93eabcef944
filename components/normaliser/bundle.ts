/**
 * Bundles the normaliser with esbuild for Lambda (Node.js 22, arm64): one minified file with
 * its dependencies (the AWS SDK included, so the deployed version is the tested one).
 * Deterministic: the same sources give the same bytes, so Pulumi sees no change when there is none.
 */
import * as path from "node:path";
import { buildSync } from "esbuild";
import { LAMBDA_BUILD_OPTIONS } from "../lambdaBuild";

export const NORMALISER_RUNTIME = "nodejs22.x";
const bundles = new Map<string, string>();

/** Builds `lambda/normaliser/handler.ts` into `<repo>/.build/normaliser/index.js` once per process; returns the directory. */
export function bundleNormaliser(): string {
    const outDir = path.join(__dirname, "..", "..", ".build", "normaliser");
    if (!bundles.has(outDir)) {
        buildSync({
            entryPoints: [path.join(__dirname, "..", "..", "lambda", "normaliser", "handler.ts")],
            outfile: path.join(outDir, "index.js"),
            ...LAMBDA_BUILD_OPTIONS,
        });
        bundles.set(outDir, outDir);
    }
    return outDir;
}
