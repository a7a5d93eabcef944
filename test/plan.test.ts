import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadDetections } from "../contract/detections";

const ROOT = path.join(__dirname, "..");

/** `npm run plan -- …`, without npm: resolves with exit code and output. */
function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--import", "tsx", path.join(ROOT, "cli", "plan.ts"), ...args],
            { cwd: ROOT, maxBuffer: 1 << 24 },
            (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

function stackFile(name: string, yaml: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ctl-plan-")), `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, yaml);
    return file;
}

describe("npm run plan (offline, no credentials)", () => {
    it("prints the prod stack per component and per account, runs the pack, and exits 0", async () => {
        const { code, stdout } = await plan("--stack", "prod");
        expect(code).to.equal(0);
        expect(stdout).to.contain("archive (SecureBucket)").and.contain("normaliser (Normaliser)");
        expect(stdout).to.match(
            /Per account \(3\)\n {2}111122223333 {2}parquet-111122223333: 1 Job, 1 Role, 1 RolePolicy; trail-111122223333: 1 Provider, 1 Trail/,
        );
        // 67 resources (60 + the tamper alarm's topic, topic policy, 2 rules, 2 targets + the suspicious-file alarm),
        // 25 of alerting (Pulumi.prod.yaml enables it), 4 for the alarm topic (its key, delivery dead-letter queue, queue policy, alarm),
        // 9 watching EventBridge deliveries (tamper rules and schedule rule: a dead-letter queue, its policy and depth alarm each, one
        // FailedInvocations alarm per rule), plus one named query per detection.
        expect(stdout).to.match(new RegExp(`\\n${107 + loadDetections().length} resources: `));
        expect(stdout).to.contain("alerts (Alerting)");
        expect(stdout).to.contain("Policy pack: no violations.");
    });

    it("exits 1 on a mandatory violation and names it", async () => {
        const file = stackFile(
            "weak",
            `config:\n  aws:region: eu-west-1\n  cloudtrail-lake:accounts:\n    - id: "111122223333"\n      name: a\n  cloudtrail-lake:archive:\n    retentionDays: 30\n`,
        );
        const { code, stdout } = await plan("--stack-file", file);
        expect(code).to.equal(1);
        expect(stdout).to.contain("[mandatory] archive-object-lock: Archive bucket archive locks log files for 30 days; the minimum is 365.");
    });

    it("exits 2 on a config error, listing every problem", async () => {
        const file = stackFile(
            "bad",
            `config:\n  aws:region: eu-west-1\n  cloudtrail-lake:accounts:\n    - id: 11122223333\n      name: a\n  cloudtrail-lake:schedul: cron(0 1 * * ? *)\n`,
        );
        const { code, stderr } = await plan("--stack-file", file);
        expect(code).to.equal(2);
        expect(stderr).to.contain("Pulumi.bad.yaml: invalid stack config (2 problems)");
        expect(stderr).to.contain("cloudtrail-lake:accounts[0].id = 11122223333: is a YAML number");
        expect(stderr).to.contain("cloudtrail-lake:schedul: unknown key (a typo?)");
    });
});
