import { expect } from "chai";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.join(__dirname, "..");

describe("command line: runCommand", () => {
    it("exits only after stdout is written whole into a pipe (a large --json piped to jq is not cut short)", async () => {
        const bytes = 1 << 20;
        const script = `require(${JSON.stringify(path.join(ROOT, "cli", "args.ts"))}).runCommand(async () => { process.stdout.write("x".repeat(${bytes})); return 3; }, "usage")`;
        const failure = await promisify(execFile)(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, maxBuffer: 1 << 24 }).then(
            () => undefined,
            (error: { code: number; stdout: string }) => error,
        );
        expect(failure?.code).to.equal(3);
        expect(failure?.stdout.length).to.equal(bytes);
    });
});
