/**
 * `investigate` as evidence: it never pins one person's events on another, never leaves out an
 * event or a file without saying so, and never mixes runs. Fixtures: test/fixtures/investigate/
 * (SOURCE.md says where each event comes from); the long chain and the damaged copies are made
 * here from those events.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineQuery, main } from "../cli/investigate";
import { Engine } from "../lambda/shared/engine";
import { investigate, Investigation, RunQuery, SubjectError } from "../local/investigate";
import { investigationFileName } from "../local/investigateReport";
import { createCloudTrailView } from "../local/lake";
import { runLocal } from "../local/run";

const FIXTURES = path.join(__dirname, "fixtures", "investigate");
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);
const REUSED = fixture("reused-session-name");
const SESSION_ARN = "arn:aws:sts::123456789012:assumed-role/DevRole/admin";

interface Outcome {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the command in this process, capturing what it prints. */
async function run(argv: string[]): Promise<Outcome> {
    let stdout = "";
    let stderr = "";
    const original = console.error;
    console.error = (...values: unknown[]) => {
        stderr += `${values.join(" ")}\n`;
    };
    try {
        const code = await main(argv, (text) => {
            stdout += text;
        });
        return { code, stdout, stderr };
    } finally {
        console.error = original;
    }
}

/** A lake of the given files (no detections: these tests are about the chain and the timeline), and a query function on it. */
async function lakeOf(files: string[]): Promise<{ query: RunQuery; window: { since: string; until: string }; close: () => void }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "investigate-evidence-"));
    const result = await runLocal({ files, outDir: dir, detections: [] });
    const engine = await Engine.open();
    await createCloudTrailView(engine, dir);
    return {
        query: engineQuery(engine),
        window: result.window!,
        close: () => {
            engine.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

const tmpDirs: string[] = [];
function tmpDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "investigate-evidence-input-"));
    tmpDirs.push(dir);
    return dir;
}
after(() => {
    for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes records as one CloudTrail log file in a new folder; returns the folder. */
function logFile(records: unknown[], name = "123456789012_CloudTrail_us-east-1.json"): string {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, name), JSON.stringify({ Records: records }));
    return dir;
}

const recordsOf = (file: string): Record<string, unknown>[] => JSON.parse(fs.readFileSync(file, "utf8")).Records;
const names = (investigation: Pick<Investigation, "timeline">) => investigation.timeline.map((event) => event.eventName);

describe("investigate: a role session name reused by two people", () => {
    let lake: Awaited<ReturnType<typeof lakeOf>>;
    before(async () => {
        lake = await lakeOf([path.join(REUSED, "123456789012_CloudTrail_us-east-1.json")]);
    });
    after(() => lake.close());

    it("investigating Alice shows her session's events, not Bob's StopLogging, and flags the event the log cannot attribute", async () => {
        const result = await investigate("arn:aws:iam::123456789012:user/Alice", lake.query, { window: lake.window });
        expect(result.chain.map((entry) => [entry.arn, entry.via?.eventId ?? null])).to.deep.equal([
            ["arn:aws:iam::123456789012:user/Alice", null],
            [SESSION_ARN, "reused-0001-alice-assumerole"],
        ]);
        expect(result.chain[1].session).to.deep.equal({
            accessKeyIds: ["ASIAALICE0EXAMPLE001"],
            createdAt: ["2021-02-22T09:00:00Z"],
            sourceIdentity: null,
            otherSessionsWithThisArn: 1,
        });
        expect(names(result)).to.deep.equal(["AssumeRole", "ListBuckets", "CreateAccessKey"]);
        expect(names(result)).not.to.include("StopLogging");
        const unattributed = result.timeline.find((event) => event.eventName === "CreateAccessKey")!;
        expect(unattributed.ambiguous).to.match(/records no access key id or session creation date, and 2 different sessions named .*DevRole\/admin/);
        expect(result.timeline.filter((event) => event.ambiguous)).to.have.length(1);
        expect(result.notes).to.deep.include("1 event(s) of the timeline cannot be attributed to one session: each says why");
    });

    it("investigating Bob's temporary key gives Bob as the origin, his StopLogging, and not Alice's events", async () => {
        const result = await investigate("ASIABOB00EXAMPLE0002", lake.query, { window: lake.window });
        expect(result.matched).to.deep.equal({ as: "access key id", identity: SESSION_ARN });
        expect(result.chain.map((entry) => [entry.arn, entry.via?.eventId ?? null])).to.deep.equal([
            ["arn:aws:iam::123456789012:user/Bob", null],
            [SESSION_ARN, "reused-0003-bob-assumerole"],
        ]);
        expect(names(result)).to.deep.equal(["AssumeRole", "StopLogging", "CreateAccessKey"]);
        expect(result.timeline.map((event) => event.eventId)).not.to.include("reused-0002-alice-listbuckets");
    });

    it("refuses to pick one when the subject is the shared session ARN or name, listing each session with its key and caller", async () => {
        for (const subject of [SESSION_ARN, "admin"]) {
            const error = await investigate(subject, lake.query, { window: lake.window }).then(
                () => undefined,
                (caught: unknown) => caught,
            );
            expect(error, subject).to.be.instanceOf(SubjectError);
            expect((error as SubjectError).message).to.match(/is 2 different sessions in the input .* investigate one of them by its access key id/);
            expect((error as SubjectError).candidates).to.have.length(2);
            expect((error as SubjectError).candidates[0]).to.match(
                /^ASIAALICE0EXAMPLE001 .*created 2021-02-22T09:00:00 .*started by arn:aws:iam::123456789012:user\/Alice/,
            );
            expect((error as SubjectError).candidates[1]).to.match(/^ASIABOB00EXAMPLE0002 .*started by arn:aws:iam::123456789012:user\/Bob/);
        }
    });

    it("says it on the terminal: exit 1 with the sessions, and the '?' mark on the unattributed event of a chosen one", async () => {
        const shared = await run(["admin", "--input", REUSED]);
        expect(shared.code).to.equal(1);
        expect(shared.stderr).to.contain("ASIAALICE0EXAMPLE001").and.to.contain("ASIABOB00EXAMPLE0002");
        const out = tmpDir();
        const bob = await run(["ASIABOB00EXAMPLE0002", "--input", REUSED, "--out", out]);
        expect(bob.code, bob.stderr).to.equal(0);
        const page = fs.readFileSync(path.join(out, "investigations", investigationFileName("ASIABOB00EXAMPLE0002")), "utf8");
        expect(page)
            .to.contain('<tr class="ambiguous">')
            .and.to.contain("<b>cannot be attributed</b>: it records no access key id")
            .and.to.contain("<b>1 other session(s) with this ARN</b>");
        expect(bob.stdout).to.contain("1 other session(s) in the input share this ARN, their events are not shown");
        expect(bob.stdout).to.match(/\? reused-0005-unattributed-createaccesskey: it records no access key id/);
    });

    it("two people in the same second: the session cannot be told apart, so the chain names both callers and stops", async () => {
        const records = recordsOf(path.join(REUSED, "123456789012_CloudTrail_us-east-1.json"));
        // Bob's AssumeRole moved to Alice's second, issuing the same key (what a sanitised export that reuses keys looks like).
        const bobStart = { ...records[2], eventTime: "2021-02-22T09:00:00Z" } as unknown as Record<string, Record<string, Record<string, string>>>;
        bobStart.responseElements = {
            ...bobStart.responseElements,
            credentials: { ...bobStart.responseElements.credentials, accessKeyId: "ASIAALICE0EXAMPLE001" },
        };
        const same = await lakeOf([path.join(logFile([records[0], records[1], bobStart]), "123456789012_CloudTrail_us-east-1.json")]);
        try {
            const result = await investigate("ASIAALICE0EXAMPLE001", same.query, { window: same.window });
            expect(result.chain).to.have.length(1);
            expect(result.chain[0].via).to.equal(null);
            expect(result.chain[0].note)
                .to.match(/the log cannot tell which/)
                .and.to.contain("user/Alice")
                .and.to.contain("user/Bob");
            expect(result.chain[0].note).to.match(/the chain stops here rather than guess$/);
            expect(result.timeline.find((event) => event.eventName === "ListBuckets")!.ambiguous).to.match(/the log cannot tell which/);
        } finally {
            same.close();
        }
    });
});

describe("investigate: what the subject names", () => {
    it("takes a bare IAM user name, and says it took it as one", async () => {
        const outcome = await run(["Alice", "--input", fixture("single-hop"), "--json"]);
        expect(outcome.code, outcome.stderr).to.equal(0);
        const result = JSON.parse(outcome.stdout);
        expect(result.subject).to.deep.equal({ given: "Alice", matchedAs: "IAM user name", identity: "arn:aws:iam::123456789012:user/Alice" });
        expect(result.chain.map((entry: { arn: string }) => entry.arn)).to.deep.equal([
            "arn:aws:iam::123456789012:user/Alice",
            "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
        ]);
    });

    it("a name that is both a user and a session name, or a role name, is answered with what it names, not merged", async () => {
        const both = await run(["JohnDoe", "--input", fixture("switch-role")]);
        expect(both.code).to.equal(1);
        expect(both.stderr)
            .to.contain("JohnDoe names 2 identities in the input")
            .and.to.contain("arn:aws:iam::111122223333:user/JohnDoe  (IAM user name JohnDoe)")
            .and.to.contain("arn:aws:sts::444455556666:assumed-role/CrossAccountAdmin/JohnDoe  (role session name JohnDoe)");
        const role = await run(["DevRole", "--input", fixture("single-hop")]);
        expect(role.code).to.equal(1);
        expect(role.stderr)
            .to.contain("DevRole is the name of role arn:aws:iam::123456789012:role/DevRole; investigate one of its 1 session(s)")
            .and.to.contain("arn:aws:sts::123456789012:assumed-role/DevRole/Dev1");
    });

    it("an access key used by two principals in the input is refused with both named", async () => {
        const records = recordsOf(fixture("single-hop", "123456789012_CloudTrail_us-east-1.json"));
        const other = JSON.parse(JSON.stringify(records[0]));
        other.userIdentity.arn = "arn:aws:iam::123456789012:user/Mallory";
        other.userIdentity.userName = "Mallory";
        other.eventID = "single-hop-0001-copy-mallory";
        const outcome = await run(["AKIAIOSFODNN7EXAMPLE", "--input", logFile([...records, other])]);
        expect(outcome.code).to.equal(1);
        expect(outcome.stderr)
            .to.contain("access key AKIAIOSFODNN7EXAMPLE is used by 2 identities in the input")
            .and.to.contain("user/Alice")
            .and.to.contain("user/Mallory");
    });
});

describe("investigate: nothing left out without a word", () => {
    it("keeps every event of the subject that has no eventID, as npm start does, and says detections cannot be matched to them", async () => {
        const records = recordsOf(fixture("two-hops", "AWSLogs", "444455556666", "444455556666_CloudTrail_eu-west-1.json")).map((record) => {
            const copy = { ...record };
            delete copy.eventID;
            return copy;
        });
        const outcome = await run(["Role2WithTags", "--input", logFile(records, "444455556666_CloudTrail_eu-west-1.json"), "--json"]);
        expect(outcome.code, outcome.stderr).to.equal(0);
        const result = JSON.parse(outcome.stdout);
        expect(result.timeline.map((event: { eventName: string; eventId: string | null }) => [event.eventName, event.eventId])).to.deep.equal([
            ["StopLogging", null],
            ["CreateUser", null],
        ]);
        expect(result.notes).to.deep.include(
            "2 event(s) of the timeline have no eventID: they are shown, but the detections that flagged them cannot be matched to them",
        );
    });

    it("reads the lake of its own --out whatever the folder is called: o[1] is not its neighbour o1, and a date=… folder above is no event's date", async () => {
        const records = recordsOf(fixture("single-hop", "123456789012_CloudTrail_us-east-1.json"));
        // The neighbour's lake: the same account, region and day (the same partition files), other events.
        const decoy = records.map((record, index) => ({ ...record, eventID: `decoy-${index}`, eventTime: String(record.eventTime).replace(/T\d\d/, "T23") }));
        const base = tmpDir();
        expect((await run(["Dev1", "--input", logFile(decoy), "--out", path.join(base, "o1"), "--json"])).code).to.equal(0);
        const timeline = async (out: string) => {
            const outcome = await run(["Dev1", "--input", logFile(records), "--out", out, "--json"]);
            expect(outcome.code, `${out}: ${outcome.stderr}`).to.equal(0);
            return (JSON.parse(outcome.stdout) as { timeline: { eventId: string; eventTime: string }[] }).timeline.map(
                (event) => `${event.eventTime} ${event.eventId}`,
            );
        };
        const plain = await timeline(path.join(base, "plain"));
        expect(plain).to.have.length.greaterThan(0);
        expect(plain.join("\n")).not.to.contain("decoy");
        expect(await timeline(path.join(base, "o[1]"))).to.deep.equal(plain);
        expect(await timeline(path.join(base, "date=2020-01-01", "out"))).to.deep.equal(plain);
    });

    it("prints the same skipped-file summary and time warnings as npm start, and lists them under input in --json", async () => {
        const dir = tmpDir();
        const records = recordsOf(fixture("single-hop", "123456789012_CloudTrail_us-east-1.json"));
        const stale = { ...records[2], eventID: "single-hop-0003-in-1999", eventTime: "1999-01-01T00:00:00Z" };
        fs.writeFileSync(path.join(dir, "trail.json"), JSON.stringify({ Records: [...records, stale] }));
        fs.writeFileSync(path.join(dir, "notes.txt"), "incident notes, not CloudTrail\n");
        const text = await run(["Dev1", "--input", dir]);
        expect(text.code, text.stderr).to.equal(0);
        expect(text.stderr)
            .to.contain("1 file(s) read (5 events), 1 skipped, 0 failed")
            .and.to.contain("1 file(s) skipped (all of them in --json):")
            .and.to.match(/warning: 1 event\(s\) with an implausible time .*1999-01-01/);
        const json = await run(["Dev1", "--input", dir, "--json"]);
        const input = JSON.parse(json.stdout).input;
        expect(input.skippedFiles).to.have.length(1);
        expect(input.skippedFiles[0].file).to.match(/notes\.txt$/);
        expect(input.warnings.join("\n")).to.match(/1 event\(s\) with an implausible time/);
        expect(input.inputs).to.include({ read: 1, skipped: 1, failed: 0, events: 5 });
    });
});

/**
 * A chain of `hops` role assumptions: IAM user Alice (single-hop fixture) assumes Role1, whose
 * session assumes Role2, and so on; each AssumeRole is the single-hop fixture's, with the ARNs,
 * keys and times carried from one hop into the next.
 */
function longChain(hops: number): string {
    const [, assume] = recordsOf(fixture("single-hop", "123456789012_CloudTrail_us-east-1.json")) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const records: unknown[] = [];
    let caller: Record<string, unknown> = assume.userIdentity;
    for (let hop = 1; hop <= hops; hop++) {
        const time = new Date(Date.UTC(2021, 1, 22, 0, hop)).toISOString().replace(".000", "");
        const key = `ASIACHAIN${String(hop).padStart(11, "0")}`;
        const sessionArn = `arn:aws:sts::123456789012:assumed-role/Role${hop}/hop${hop}`;
        records.push({
            ...assume,
            userIdentity: caller,
            eventTime: time,
            eventID: `chain-${hop}`,
            requestID: `chain-req-${hop}`,
            requestParameters: { roleArn: `arn:aws:iam::123456789012:role/Role${hop}`, roleSessionName: `hop${hop}` },
            responseElements: {
                ...assume.responseElements,
                credentials: { ...assume.responseElements.credentials, accessKeyId: key },
                assumedRoleUser: { assumedRoleId: `AROACHAIN${hop}:hop${hop}`, arn: sessionArn },
            },
        });
        caller = {
            type: "AssumedRole",
            principalId: `AROACHAIN${hop}:hop${hop}`,
            arn: sessionArn,
            accountId: "123456789012",
            accessKeyId: key,
            sessionContext: {
                sessionIssuer: {
                    type: "Role",
                    principalId: `AROACHAIN${hop}`,
                    arn: `arn:aws:iam::123456789012:role/Role${hop}`,
                    accountId: "123456789012",
                    userName: `Role${hop}`,
                },
                attributes: { mfaAuthenticated: "false", creationDate: time },
            },
        };
    }
    return path.join(logFile(records), "123456789012_CloudTrail_us-east-1.json");
}

describe("investigate: long chains", () => {
    let lake: Awaited<ReturnType<typeof lakeOf>>;
    before(async () => {
        lake = await lakeOf([longChain(50)]);
    });
    after(() => lake.close());
    const last = "arn:aws:sts::123456789012:assumed-role/Role50/hop50";

    it("towards the origin: stops at 10 hops by default, saying where, and --max-hops reaches the origin", async () => {
        const short = await investigate(last, lake.query, { window: lake.window });
        expect(short.chain).to.have.length(11);
        expect(short.chain[0].note).to.match(
            /stopped after 10 hop\(s\) towards the origin \(--max-hops\): .*Role40\/hop40 was started by .*Role39\/hop39 \(AssumeRole chain-40\), not followed/,
        );
        expect(short.notes).to.have.length(1);
        const full = await investigate(last, lake.query, { window: lake.window, maxHops: 60 });
        expect(full.chain).to.have.length(51);
        expect(full.chain[0].arn).to.equal("arn:aws:iam::123456789012:user/Alice");
        expect(full.notes).to.deep.equal([]);
    });

    it("from the origin: stops at 10 hops by default, saying where, and --max-hops follows all 50", async () => {
        const short = await investigate("arn:aws:iam::123456789012:user/Alice", lake.query, { window: lake.window });
        expect(short.chain).to.have.length(11);
        expect(short.notes).to.deep.equal([
            "stopped after 10 hop(s) from the subject (--max-hops): arn:aws:sts::123456789012:assumed-role/Role10/hop10 started 1 more session(s), not followed",
        ]);
        const full = await investigate("arn:aws:iam::123456789012:user/Alice", lake.query, { window: lake.window, maxHops: 50 });
        expect(full.chain).to.have.length(51);
        expect(full.chain.at(-1)!.arn).to.equal(last);
        expect(full.notes).to.deep.equal([]);
        expect(full.timeline).to.have.length(50);
    });

    it("--max-hops takes a plain whole number from 1 to 1000, and exits 2 on anything else", async () => {
        for (const value of ["0", "1e3", "0x10", "-1", "1001", "ten", ""]) {
            const outcome = await run(["Dev1", "--input", fixture("single-hop"), "--max-hops", value]);
            expect(outcome.code, value).to.equal(2);
            // "-1" looks like an option to the parser, which refuses it first.
            if (value !== "-1") expect(outcome.stderr).to.contain(`--max-hops must be a whole number from 1 to 1000, not "${value}"`);
        }
    });
});

describe("investigate: pages", () => {
    it("gives every subject its own file, even when their readable names collide or are cut", () => {
        expect(investigationFileName("a@b")).not.to.equal(investigationFileName("a,b"));
        const longA = `arn:aws:iam::123456789012:role/${"p/".repeat(100)}A`;
        const longB = `arn:aws:iam::123456789012:role/${"p/".repeat(100)}B`;
        expect(investigationFileName(longA)).not.to.equal(investigationFileName(longB));
        expect(investigationFileName(longA).length).to.be.at.most(120);
        expect(investigationFileName("Dev1")).to.match(/^Dev1-[0-9a-f]{12}\.html$/);
    });

    it("a fresh run clears the pages of an earlier one, and its report links only its own", async () => {
        const out = tmpDir();
        expect((await run(["Dev1", "--input", fixture("single-hop"), "--out", out])).code).to.equal(0);
        const second = await run(["Role2WithTags", "--input", fixture("two-hops"), "--out", out]);
        expect(second.code, second.stderr).to.equal(0);
        expect(fs.readdirSync(path.join(out, "investigations"))).to.deep.equal([investigationFileName("Role2WithTags")]);
        const report = fs.readFileSync(path.join(out, "report.html"), "utf8");
        expect(report).to.contain(investigationFileName("Role2WithTags")).and.not.to.contain(investigationFileName("Dev1"));
    });
});
