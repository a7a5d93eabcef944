#!/usr/bin/env node
// The bin of package.json: `npx cloudtrail-lake <command> …` in a clone, or `cloudtrail-lake …` after `npm link`.
// The commands are TypeScript, run by tsx as `node --import tsx` runs them: importing "tsx" registers the same
// hooks (require and import(), which the commands use to load their modules on demand), so a fresh clone needs
// no build step, only `npm ci`.
"use strict";
import("tsx").then(
    () => require("./main.ts").main(process.argv.slice(2)),
    (error) => {
        console.error(`error: cannot load tsx, which runs the commands' TypeScript (run npm ci first): ${error.message}`);
        process.exit(1);
    },
);
