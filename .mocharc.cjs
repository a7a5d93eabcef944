// mocha's settings. Test files run in parallel, one per core: each file's runs already keep several
// threads busy (DuckDB, the normaliser's workers), and three files at once on two cores took the slow
// suite 4 min 08 s where two took 3 min 28 s, with 15% less CPU.
"use strict";
const os = require("node:os");

module.exports = {
    "node-option": ["import=tsx"],
    "timeout": 900000,
    "reporter": "spec",
    "parallel": true,
    "jobs": Math.max(2, os.availableParallelism()),
    "require": ["test/tempFolder.ts"],
};
