/**
 * A global fixture (.mocharc.cjs `require`): the whole test run, its parallel workers and the
 * commands they spawn, makes its temporary folders under one folder of its own, removed when the
 * run ends. Tests and the code under test make them with os.tmpdir(), which reads TMPDIR at every
 * call, and the workers are started after this setup, with its environment. Without it, every
 * `npm test` left a few hundred `ctl-*` folders in the machine's /tmp.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const machineTemp = os.tmpdir();
let runTemp: string | undefined;

export function mochaGlobalSetup(): void {
    runTemp = fs.mkdtempSync(path.join(machineTemp, "ctl-test-run-"));
    process.env.TMPDIR = runTemp;
}

export function mochaGlobalTeardown(): void {
    process.env.TMPDIR = machineTemp;
    if (runTemp) fs.rmSync(runTemp, { recursive: true, force: true });
}
