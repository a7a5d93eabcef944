/**
 * npm run check:corpus -- <corpus dir> — runs the corpus-wide tests (normaliser losslessness, local
 * mode's shapes and detections' ground truth) on another copy of the corpus, such as the shared one
 * the vendored copy was taken from. `npm test` runs the same tests on the copy vendored in test/fixtures/corpus; the
 * counts they assert are that corpus's, so another corpus may differ in those counts only.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
if (process.argv[2] === undefined) {
    console.error("check:corpus: pass the corpus directory: npm run check:corpus -- <dir> (npm test already runs these tests on test/fixtures/corpus)");
    process.exit(2);
}
const corpus = path.resolve(process.argv[2]);
if (!fs.existsSync(path.join(corpus, "panther-labs__panther-analysis"))) {
    console.error(`check:corpus: ${corpus} is not a corpus directory (no panther-labs__panther-analysis/ in it); pass its path: npm run check:corpus -- <dir>`);
    process.exit(2);
}
console.log(`check:corpus: ${corpus}`);
const mocha = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");
const result = spawnSync(
    process.execPath,
    [mocha, "--no-config", "--node-option", "import=tsx", "--timeout", "300000", "test/normaliser.test.ts", "test/local.test.ts", "test/handler.test.ts"],
    { cwd: ROOT, stdio: "inherit", env: { ...process.env, CORPUS_DIR: corpus } },
);
process.exit(result.status ?? 1);
