import type { BuildOptions } from "esbuild";

/** How every Lambda of the stack is bundled: one minified CommonJS file for the Node.js 22 runtime. */
export const LAMBDA_BUILD_OPTIONS = {
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    logLevel: "error",
} as const satisfies BuildOptions;
