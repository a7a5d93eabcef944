/**
 * The two correlations that look at "the hour before" (enumeration-then-sensitive-write, console-login-after-failures)
 * on generated sessions: against a plain TypeScript reading of their definition on random sessions (edges of the hour,
 * copies of an event, events without an id, several sessions), and on one busy session whose result is checked exactly.
 * The busy session is what a self-join of changes × reads could not do: on this machine the former queries did not
 * finish within mocha's 120 s (without the copies they ran out of DuckDB's 1 GB after 13 s), where these take under a
 * second; a return to a quadratic query fails here without the test timing anything.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Detection, loadDetections, queryForWindow } from "../contract/detections";
import { Engine, literal } from "../lambda/shared/engine";
import { createCloudTrailView } from "../local/lake";
import { runLocal } from "../local/run";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "detections");
const DAY = { since: "2026-11-20T00:00:00Z", until: "2026-11-21T00:00:00Z" };
const HOUR = 3_600_000;

interface Generated {
    /** Which template event it copies (table templates below). */
    readonly template: "read" | "write" | "failure" | "success";
    /** Milliseconds after 10:00:00Z. */
    readonly at: number;
    readonly id: string | null;
    readonly eventsource?: string;
    readonly eventname?: string;
    /** The session (access key id) of a call, or the account of a sign-in. */
    readonly key: string;
}

interface Hit {
    readonly eventid: string | null;
    readonly detail: string;
}

/** Seeded, so that a failure can be replayed. */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
    };
}

/** One copy per event id (events without an id all count), as the detections count them. */
function distinctEvents(events: readonly Generated[]): Generated[] {
    const seen = new Set<string>();
    return events.filter((event) => event.id === null || (!seen.has(event.id) && seen.add(event.id) !== undefined));
}

const READ_NAME = /^(List|Describe|Get|Search|Lookup|BatchGet)/;

/** enumeration-then-sensitive-write, as its header says: ≥ 10 reads on ≥ 3 services in the 60 minutes up to a change. */
function expectedEnumeration(events: readonly Generated[]): Hit[] {
    const calls = distinctEvents(events).map((event) => ({
        ...event,
        // Without an override, the templates' names: ListUsers and CreateUser, both IAM.
        name: event.eventname ?? (event.template === "write" ? "CreateUser" : "ListUsers"),
        service: event.eventsource ?? "iam.amazonaws.com",
        isRead: READ_NAME.test(event.eventname ?? (event.template === "write" ? "CreateUser" : "ListUsers")),
        isWrite: event.template === "write",
    }));
    const hits: Hit[] = [];
    for (const key of new Set(calls.map((call) => call.key))) {
        const session = calls.filter((call) => call.key === key);
        const follows = (change: (typeof session)[number]) => {
            const reads = session.filter((call) => call.isRead && call.at <= change.at && call.at >= change.at - HOUR);
            return reads.length >= 10 && new Set(reads.map((read) => read.service)).size >= 3;
        };
        const changes = session.filter((call) => call.isWrite && follows(call));
        if (changes.length === 0) continue;
        const first = Math.min(...changes.map((change) => change.at));
        const last = Math.max(...changes.map((change) => change.at));
        for (const call of session) {
            if (call.at < first - HOUR || call.at > last) continue;
            if (changes.includes(call)) hits.push({ eventid: call.id, detail: `sensitive change after enumeration: ${call.name}` });
            else if (call.isRead) hits.push({ eventid: call.id, detail: "enumeration" });
        }
    }
    return sorted(hits);
}

/** console-login-after-failures, as its header says: a success after ≥ 3 failures of the user in the 60 minutes before. */
function expectedSignIns(events: readonly Generated[]): Hit[] {
    const logins = distinctEvents(events);
    const hits: Hit[] = [];
    for (const key of new Set(logins.map((login) => login.key))) {
        const user = logins.filter((login) => login.key === key);
        const failures = user.filter((login) => login.template === "failure");
        const successes = user.filter(
            (login) => login.template === "success" && failures.filter((failure) => failure.at <= login.at && failure.at >= login.at - HOUR).length >= 3,
        );
        if (successes.length === 0) continue;
        const firstSuccess = Math.min(...successes.map((success) => success.at));
        const first = Math.min(...failures.filter((failure) => failure.at >= firstSuccess - HOUR).map((failure) => failure.at));
        const last = Math.max(...successes.map((success) => success.at));
        for (const login of user) {
            if (login.at < first || login.at > last) continue;
            hits.push({ eventid: login.id, detail: login.template === "success" ? "Success after failures" : "Failure: Failed authentication" });
        }
    }
    return sorted(hits);
}

function sorted(hits: Hit[]): Hit[] {
    return hits.map(({ eventid, detail }) => ({ eventid, detail })).sort((a, b) => `${a.eventid}|${a.detail}`.localeCompare(`${b.eventid}|${b.detail}`));
}

describe("correlations over the hour before an event (generated sessions)", function () {
    const detections = loadDetections();
    const enumeration = detections.find((detection) => detection.id === "enumeration-then-sensitive-write")!;
    const signIns = detections.find((detection) => detection.id === "console-login-after-failures")!;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-detection-windows-"));
    let engine: Engine;

    before(async function () {
        const files = [path.join(FIXTURES_DIR, enumeration.id, "positive.json"), path.join(FIXTURES_DIR, signIns.id, "positive.json")];
        const result = await runLocal({ files, outDir: out, detections: [] });
        expect(result.inputs.failed).to.equal(0);
        engine = await Engine.open();
        await createCloudTrailView(engine, out);
        // One template row per kind: a read and CreateUser of the attacker session, a failed and a successful sign-in of bob.
        await engine.run(`CREATE TABLE templates AS
            SELECT DISTINCT ON (kind) * FROM (
                SELECT CASE WHEN eventname = 'ListUsers' THEN 'read' WHEN eventname = 'CreateUser' THEN 'write'
                            WHEN json_extract_string(responseelements, '$.ConsoleLogin') = 'Failure' THEN 'failure'
                            WHEN json_extract_string(responseelements, '$.ConsoleLogin') = 'Success' THEN 'success' END AS kind, *
                FROM cloudtrail) WHERE kind IS NOT NULL ORDER BY kind, eventtime`);
        expect((await engine.all("SELECT kind FROM templates ORDER BY kind")).map((row) => row.kind)).to.deep.equal(["failure", "read", "success", "write"]);
    });

    after(() => {
        engine?.close();
        fs.rmSync(out, { recursive: true, force: true });
    });

    /** The events `rows` (a query over kind, at_ms, id, eventsource, eventname, key) as the cloudtrail view. */
    async function useEvents(rows: string): Promise<void> {
        await engine.run(`CREATE OR REPLACE TABLE generated AS
            SELECT t.* EXCLUDE (kind) REPLACE (
                strftime(TIMESTAMP '2026-11-20 10:00:00' + to_milliseconds(CAST(g.at_ms AS BIGINT)), '%Y-%m-%dT%H:%M:%S.%gZ') AS eventtime,
                g.id AS eventid,
                coalesce(g.eventsource, t.eventsource) AS eventsource,
                coalesce(g.eventname, t.eventname) AS eventname,
                CASE WHEN t.kind IN ('read', 'write') THEN struct_update(t.useridentity, accesskeyid := g.key) ELSE t.useridentity END AS useridentity,
                CASE WHEN t.kind IN ('failure', 'success') THEN g.key ELSE t.recipientaccountid END AS recipientaccountid)
            FROM templates t JOIN (${rows}) g ON g.kind = t.kind`);
        await engine.run("CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM generated");
    }

    async function listed(events: readonly Generated[]): Promise<void> {
        const text = (value: string | null | undefined) => (value == null ? "CAST(NULL AS VARCHAR)" : literal(value));
        const values = events.map((event) =>
            [literal(event.template), String(event.at), text(event.id), text(event.eventsource), text(event.eventname), literal(event.key)].join(", "),
        );
        await useEvents(`SELECT * FROM (VALUES (${values.join("), (")})) AS v(kind, at_ms, id, eventsource, eventname, key)`);
    }

    async function hitsOf(detection: Detection): Promise<Hit[]> {
        const rows = await engine.all(queryForWindow(detection, DAY));
        return sorted(rows.map((row) => ({ eventid: row.eventid === null ? null : String(row.eventid), detail: String(row.detail) })));
    }

    it("enumeration-then-sensitive-write returns what its definition says on random sessions (edges of the hour, copies, events without an id)", async () => {
        const services = ["iam", "ec2", "s3"].map((name) => `${name}.amazonaws.com`);
        let flagged = 0;
        for (let seed = 1; seed <= 40; seed++) {
            const next = random(seed);
            const events: Generated[] = [];
            // 40 to 140 events over four hours, on whole 5 minutes or half-minutes: around ten reads an hour, and many
            // pairs exactly 60 minutes apart or at the same second.
            const count = 40 + (seed % 6) * 20;
            const step = seed % 2 === 0 ? 300_000 : 30_000;
            for (let index = 0; index < count; index++) {
                const at = Math.floor(next() * ((4 * HOUR) / step)) * step;
                const key = next() < 0.8 ? "ASIAEXAMPLEBUSY" : "ASIAEXAMPLEOTHER";
                const roll = next();
                const id = next() < 0.05 ? null : `s${seed}-e${index}`;
                if (roll < 0.12) events.push({ template: "write", at, id, key });
                // GetFederationToken is both a change and a read.
                else if (roll < 0.15) events.push({ template: "write", at, id, key, eventsource: "sts.amazonaws.com", eventname: "GetFederationToken" });
                // Mostly IAM, rarely S3: whether a third service is in the hour often depends on one read at its edge.
                else events.push({ template: "read", at, id, key, eventsource: services[next() < 0.8 ? 0 : next() < 0.7 ? 1 : 2] });
                // A copied log file: the same event twice.
                if (id !== null && next() < 0.1) events.push(events[events.length - 1]);
            }
            await listed(events);
            const expected = expectedEnumeration(events);
            expect(await hitsOf(enumeration), `seed ${seed}`).to.deep.equal(expected);
            flagged += expected.filter((hit) => hit.detail.startsWith("sensitive")).length;
        }
        // The random sessions exercise both outcomes.
        expect(flagged).to.be.greaterThan(20);
    });

    it("console-login-after-failures returns what its definition says on random sign-ins (edges of the hour, copies, events without an id)", async () => {
        let flagged = 0;
        for (let seed = 1; seed <= 40; seed++) {
            const next = random(seed);
            const events: Generated[] = [];
            const count = 10 + (seed % 6) * 10;
            const step = seed % 2 === 0 ? 300_000 : 30_000;
            for (let index = 0; index < count; index++) {
                const at = Math.floor(next() * ((4 * HOUR) / step)) * step;
                const key = next() < 0.7 ? "111122223333" : "444455556666";
                const id = next() < 0.05 ? null : `s${seed}-l${index}`;
                events.push({ template: next() < 0.8 ? "failure" : "success", at, id, key });
                if (id !== null && next() < 0.1) events.push(events[events.length - 1]);
            }
            await listed(events);
            const expected = expectedSignIns(events);
            expect(await hitsOf(signIns), `seed ${seed}`).to.deep.equal(expected);
            flagged += expected.filter((hit) => hit.detail.startsWith("Success")).length;
        }
        expect(flagged).to.be.greaterThan(20);
    });

    it("enumeration-then-sensitive-write on one session of 20,000 reads and 2,000 changes in 30 minutes, each delivered twice: every event once", async () => {
        // Read i at i × 90 ms on one of eight services, change j at j × 900 ms: change 0 follows one read, every later one
        // follows 10 j + 1 reads on eight services. Returned: changes 1-1,999 and the reads up to the last (i ≤ 19,990).
        await useEvents(`
            SELECT 'read' AS kind, i * 90 AS at_ms, 'read-' || i AS id,
                   ['iam', 'ec2', 's3', 'lambda', 'rds', 'kms', 'ssm', 'sts'][i % 8 + 1] || '.amazonaws.com' AS eventsource,
                   'ListThings' AS eventname, 'ASIAEXAMPLEBUSY' AS key
            FROM range(20000) r(i), range(2) copies
            UNION ALL
            SELECT 'write', j * 900, 'write-' || j, NULL, NULL, 'ASIAEXAMPLEBUSY' FROM range(2000) r(j), range(2) copies`);
        const rows = await engine.all(`SELECT detail, count(*) AS n, count(DISTINCT eventid) AS ids, min(eventid) AS low, max(eventtime) AS last
            FROM (${queryForWindow(enumeration, DAY)}) GROUP BY detail ORDER BY detail`);
        expect(rows).to.deep.equal([
            { detail: "enumeration", n: "19991", ids: "19991", low: "read-0", last: "2026-11-20T10:29:59.100Z" },
            { detail: "sensitive change after enumeration: CreateUser", n: "1999", ids: "1999", low: "write-1", last: "2026-11-20T10:29:59.100Z" },
        ]);
    });

    it("console-login-after-failures on one user with 20,000 failures and 2,000 successes in 30 minutes, each delivered twice: every event once", async () => {
        // Failure i at i × 90 ms, success j at j × 900 ms: success 0 follows one failure, every later one 10 j + 1.
        await useEvents(`
            SELECT 'failure' AS kind, i * 90 AS at_ms, 'failure-' || i AS id, NULL AS eventsource, NULL AS eventname, '111122223333' AS key
            FROM range(20000) r(i), range(2) copies
            UNION ALL
            SELECT 'success', j * 900, 'success-' || j, NULL, NULL, '111122223333' FROM range(2000) r(j), range(2) copies`);
        const rows = await engine.all(`SELECT detail, count(*) AS n, count(DISTINCT eventid) AS ids, max(eventtime) AS last
            FROM (${queryForWindow(signIns, DAY)}) GROUP BY detail ORDER BY detail`);
        // The span runs from the first failure to the last success (1,999 × 900 ms): failures 0-19,990 and every success.
        expect(rows).to.deep.equal([
            { detail: "Failure: Failed authentication", n: "19991", ids: "19991", last: "2026-11-20T10:29:59.100Z" },
            { detail: "Success after failures", n: "2000", ids: "2000", last: "2026-11-20T10:29:59.100Z" },
        ]);
    });
});
