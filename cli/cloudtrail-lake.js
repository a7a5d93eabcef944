#!/usr/bin/env node
// The bin of package.json: `npx cloudtrail-lake <command> …` in a clone, or `cloudtrail-lake …` after `npm link`.
// The commands are TypeScript, run by tsx: its CommonJS hooks (tsx/cjs) compile each module as `require` loads it,
// so a fresh clone needs no build step, only `npm ci`. The commands load their modules on demand with `require`, not
// `import()`: tsx's ESM loader (`import("tsx")`, which `import()` needs) starts a thread of its own and took 250-350 ms
// of every command's start-up, the CommonJS hooks 40-60 ms (docs/performance.md).
"use strict";
try {
    require("tsx/cjs");
} catch (error) {
    console.error(`error: cannot load tsx, which runs the commands' TypeScript (run npm ci first): ${error.message}`);
    process.exit(1);
}
require("./main.ts").main(process.argv.slice(2));
