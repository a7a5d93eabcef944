/**
 * Measuring detections against labelled events: Panther's rule tests
 * (test/fixtures/corpus/panther-labs__panther-analysis/_meta/tests_index.json) say, for each test
 * event, which rule it belongs to and whether that rule should fire. For every detection that
 * corresponds to one or more of those rules, the local run tells how many of the events expected
 * to fire it finds (recall) and how many of those expected not to fire it leaves alone.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFiles } from "./files";
import { runLocal } from "./run";

/** Which Panther rules each detection corresponds to (same intent, not necessarily the same logic). */
export const PANTHER_RULES: Readonly<Record<string, readonly string[]>> = {
    "iam-user-created": ["AWS.IAM.CreateUser"],
    "iam-policy-attached": ["AWS.IAM.AttachAdminUserPolicy", "AWS.IAM.AttachAdminRolePolicy"],
    "root-account-activity": ["AWS.Root.Activity", "AWS.Console.RootLogin"],
    "console-login-without-mfa": ["AWS.Console.LoginWithoutMFA"],
    "console-login-failures": ["Standard.BruteForceByUser", "Standard.BruteForceByIP"],
    "access-key-created": ["AWS.IAM.Backdoor.User.Keys", "AWS.CloudTrail.RootAccessKeyCreated"],
    "cloudtrail-tampering": ["AWS.CloudTrail.Stopped"],
    "cloudtrail-selectors-narrowed": ["AWS.CloudTrail.EventSelectorsDisabled"],
    "kms-key-disabled-or-deleted": ["AWS.KMS.CustomerManagedKeyLoss"],
    "s3-bucket-access-changed": ["AWS.S3.BucketPolicyModified"],
    "s3-public-access-block-removed": ["AWS.S3.DeletePublicAccessBlock"],
    "s3-bucket-made-public": ["AWS.CloudTrail.ResourceMadePublic"],
    "config-recorder-stopped": ["AWS.ConfigService.DisabledDeleted"],
    "macie-disabled": ["AWS.Macie.Evasion"],
    "account-left-organization": ["AWS.CloudTrail.AttemptToLeaveOrg"],
    "ami-shared": ["AWS.CloudTrail.AMIModifiedForPublicAccess"],
    "ebs-snapshot-shared": ["AWS.CloudTrail.SnapshotMadePublic"],
    "rds-snapshot-shared": ["AWS.RDS.SnapshotShared"],
    "network-acl-open-to-world": ["AWS.CloudTrail.NetworkACLPermissiveEntry"],
    "s3-bucket-encryption-removed": ["AWS.S3.DeleteBucketEncryption"],
    "s3-bucket-logging-disabled": ["AWS.S3.DisableBucketLogging"],
    "s3-bucket-protection-disabled": ["AWS.S3.SuspendVersioning", "AWS.S3.DeleteBucketReplication", "AWS.S3.DisableMfaDelete"],
    "vpc-flow-logs-deleted": ["AWS.VPCFlow.LogsDeleted"],
    "dns-query-logging-deleted": ["AWS.CloudTrail.DNSLogsDeleted"],
};

export interface LabelledEvent {
    /** Unique id given to the event for the measurement (fixtures reuse ids like "abc-123"). */
    readonly id: string;
    readonly ruleId: string | null;
    readonly expected: boolean | null;
    readonly file: string;
    readonly index: number;
}

export interface Measurement {
    readonly detection: string;
    readonly rules: readonly string[];
    readonly shouldFire: number;
    readonly found: number;
    readonly shouldNotFire: number;
    readonly avoided: number;
}

/**
 * Writes every Panther test event, each with a unique eventID, as S3 log files under `dir`
 * (one per source file), and returns the labels.
 */
export function writeLabelledCorpus(pantherDir: string, dir: string): LabelledEvent[] {
    const index = JSON.parse(fs.readFileSync(path.join(pantherDir, "_meta", "tests_index.json"), "utf8")) as {
        file: string;
        index: number;
        rule_id: string | null;
        expected: boolean | null;
    }[];
    const byFile = new Map<string, Record<string, unknown>[]>();
    const labels: LabelledEvent[] = [];
    for (const entry of index) {
        if (!byFile.has(entry.file)) byFile.set(entry.file, JSON.parse(fs.readFileSync(path.join(pantherDir, entry.file), "utf8")).Records);
        const record = byFile.get(entry.file)![entry.index];
        const id = `gt-${String(labels.length).padStart(4, "0")}`;
        record.eventID = id;
        labels.push({ id, ruleId: entry.rule_id, expected: entry.expected, file: entry.file, index: entry.index });
    }
    for (const [file, records] of byFile) {
        const target = path.join(dir, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, JSON.stringify({ Records: records }));
    }
    return labels;
}

/** Recall and avoidance per mapped detection, from the event ids each detection found. */
export function measure(labels: readonly LabelledEvent[], found: Readonly<Record<string, readonly string[]>>): Measurement[] {
    return Object.entries(PANTHER_RULES).map(([detection, rules]) => {
        const hits = new Set(found[detection] ?? []);
        const relevant = labels.filter((label) => label.ruleId !== null && rules.includes(label.ruleId));
        const positives = relevant.filter((label) => label.expected === true);
        const negatives = relevant.filter((label) => label.expected === false);
        return {
            detection,
            rules,
            shouldFire: positives.length,
            found: positives.filter((label) => hits.has(label.id)).length,
            shouldNotFire: negatives.length,
            avoided: negatives.filter((label) => !hits.has(label.id)).length,
        };
    });
}

/** The table of docs/detections.md, "Detections against ground truth". */
export function measurementTable(measurements: readonly Measurement[]): string {
    const percent = (part: number, whole: number) => (whole === 0 ? "n/a" : `${Math.round((100 * part) / whole)}%`);
    return [
        "| detection | Panther rules | found / should fire | recall | left alone / should not fire | precision |",
        "|---|---|---:|---:|---:|---:|",
        ...measurements.map(
            (m) =>
                `| ${m.detection} | ${m.rules.join(", ")} | ${m.found} / ${m.shouldFire} | ${percent(m.found, m.shouldFire)} | ${m.avoided} / ${m.shouldNotFire} | ${percent(m.avoided, m.shouldNotFire)} |`,
        ),
    ].join("\n");
}

/** Panther's labelled events: the copy vendored for the tests, or CORPUS_DIR's (npm run check:corpus). */
export const PANTHER_DIR = path.resolve(process.env.CORPUS_DIR ?? path.join(__dirname, "..", "test", "fixtures", "corpus"), "panther-labs__panther-analysis");

/** Runs the measurement in a temporary directory. */
export async function measureDetections() {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-ground-truth-"));
    try {
        const labels = writeLabelledCorpus(PANTHER_DIR, path.join(work, "in"));
        const result = await runLocal({ files: await findFiles([path.join(work, "in")], [".json"]), outDir: path.join(work, "out") });
        return measure(labels, Object.fromEntries(result.findings.map((finding) => [finding.query, finding.eventIds])));
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
