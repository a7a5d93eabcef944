/**
 * `investigate` on chains built from AWS documentation examples (test/fixtures/investigate/SOURCE.md
 * says where each comes from): locally through the whole pipeline, and on "Athena" through the real
 * SDK client talking to a local HTTP endpoint that speaks Athena's JSON protocol.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { AthenaClient } from "@aws-sdk/client-athena";
import { main as athenaMain } from "../cli/athenaInvestigate";
import { engineQuery, main, parseInvestigateArguments } from "../cli/investigate";
import { Engine } from "../lambda/shared/engine";
import { firstSeen, parseSubject, TimelineEvent } from "../local/investigate";
import { investigationFileName } from "../local/investigateReport";
import { createCloudTrailView } from "../local/lake";
import { runLocal } from "../local/run";

const FIXTURES = path.join(__dirname, "fixtures", "investigate");
const fixture = (...parts: string[]) => path.join(FIXTURES, ...parts);

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

interface InvestigationJson {
    subject: { given: string; matchedAs: string; identity: string | null };
    chain: Record<string, unknown>[];
    timeline: TimelineEvent[];
    notes: string[];
    truncated: boolean;
    input?: { warnings: string[]; skippedFiles: { file: string; reason: string }[]; failedFiles: { file: string; reason: string }[] };
}

/** The chain without what tells sessions apart (asserted where that is the point). */
const plain = (chain: Record<string, unknown>[]) => chain.map((entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => key !== "session")));

async function json(argv: string[]): Promise<InvestigationJson> {
    const outcome = await run([...argv, "--json"]);
    expect(outcome.code, outcome.stderr).to.equal(0);
    return JSON.parse(outcome.stdout);
}

const names = (timeline: TimelineEvent[]) => timeline.map((event) => event.eventName);

describe("investigate (local mode, chains from AWS documentation examples)", () => {
    it("single hop: a role session name leads back to the IAM user who assumed the role", async () => {
        const result = await json(["Dev1", "--input", fixture("single-hop")]);
        expect(result.subject).to.deep.equal({
            given: "Dev1",
            matchedAs: "role session name",
            identity: "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
        });
        expect(result.chain[1].session).to.deep.equal({
            accessKeyIds: ["ASIAIOSFODNN7EXAMPLE"],
            createdAt: ["2021-02-21T23:46:28Z"],
            sourceIdentity: "source-identity-value-set",
            otherSessionsWithThisArn: 0,
        });
        expect(plain(result.chain)).to.deep.equal([
            { arn: "arn:aws:iam::123456789012:user/Alice", account: "123456789012", type: "IAMUser", via: null },
            {
                arn: "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
                account: "123456789012",
                type: "AssumedRole",
                via: { eventId: "single-hop-0002-assumerole", eventName: "AssumeRole" },
            },
        ]);
        expect(names(result.timeline)).to.deep.equal(["GetCallerIdentity", "AssumeRole", "ListBuckets", "CreateAccessKey"]);
        const createKey = result.timeline[3];
        expect(createKey).to.deep.equal({
            eventTime: createKey.eventTime,
            eventName: "CreateAccessKey",
            eventSource: "iam.amazonaws.com",
            account: "123456789012",
            region: "us-east-1",
            principal: "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
            sourceIPAddress: "198.51.100.7",
            userAgent: "Boto3/1.17.9 Python/3.8.5 Linux/5.4.0 Botocore/1.20.9",
            errorCode: null,
            eventId: "single-hop-0004-createaccesskey",
            detections: ["access-key-created", "access-key-created-for-other-user"],
        });
        expect(createKey.eventTime).to.match(/^2021-02-21T23:52:40/);
        // The new IP and user agent of the session's CreateAccessKey are marked first-seen; the repeated ones are not.
        expect(firstSeen(result.timeline)).to.deep.equal([
            { ip: true, userAgent: true },
            { ip: false, userAgent: false },
            { ip: false, userAgent: false },
            { ip: true, userAgent: true },
        ]);
    });

    it("finds the same chain from the temporary access key the session used, and from the session ARN", async () => {
        const byKey = await json(["ASIAIOSFODNN7EXAMPLE", "--input", fixture("single-hop")]);
        const byArn = await json(["arn:aws:sts::123456789012:assumed-role/DevRole/Dev1", "--input", fixture("single-hop")]);
        expect(byKey.chain.map((entry) => entry.arn)).to.deep.equal([
            "arn:aws:iam::123456789012:user/Alice",
            "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
        ]);
        expect(byArn.chain).to.deep.equal(byKey.chain);
        expect(byArn.timeline).to.deep.equal(byKey.timeline);
        expect([byKey.subject.matchedAs, byArn.subject.matchedAs]).to.deep.equal(["access key id", "ARN"]);
    });

    it("the other direction: an IAM user's investigation lists the sessions it started, and their events", async () => {
        const result = await json(["AKIAIOSFODNN7EXAMPLE", "--input", fixture("single-hop")]);
        expect(plain(result.chain)).to.deep.equal([
            { arn: "arn:aws:iam::123456789012:user/Alice", account: "123456789012", type: "IAMUser", via: null },
            {
                arn: "arn:aws:sts::123456789012:assumed-role/DevRole/Dev1",
                account: "123456789012",
                type: "AssumedRole",
                via: { eventId: "single-hop-0002-assumerole", eventName: "AssumeRole" },
                note: "started by arn:aws:iam::123456789012:user/Alice",
            },
        ]);
        expect(names(result.timeline)).to.deep.equal(["GetCallerIdentity", "AssumeRole", "ListBuckets", "CreateAccessKey"]);
    });

    it("two hops across three accounts: origin first, one timeline across accounts and regions with the detections that flagged each event", async () => {
        const result = await json(["arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags", "--input", fixture("two-hops")]);
        expect(plain(result.chain)).to.deep.equal([
            { arn: "arn:aws:iam::777788889999:user/JohnDoe", account: "777788889999", type: "IAMUser", via: null },
            // The caller's copy of the cross-account AssumeRole (it names the caller) rather than the role account's.
            {
                arn: "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
                account: "111122223333",
                type: "AssumedRole",
                via: { eventId: "dEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE", eventName: "AssumeRole" },
            },
            {
                arn: "arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags",
                account: "444455556666",
                type: "AssumedRole",
                via: { eventId: "1917948f-3042-46ec-98e2-62865EXAMPLE", eventName: "AssumeRole" },
            },
        ]);
        expect(result.timeline.map((event) => [event.account, event.region, event.eventName, event.detections])).to.deep.equal([
            ["777788889999", "us-east-2", "AssumeRole", []],
            ["111122223333", "us-east-2", "AssumeRole", []],
            ["111122223333", "us-east-2", "DescribeInstances", []],
            ["111122223333", "us-east-2", "AssumeRole", []],
            ["444455556666", "eu-west-1", "StopLogging", ["cloudtrail-tampering"]],
            ["444455556666", "us-east-1", "CreateUser", ["iam-user-created"]],
        ]);
        // The role account's copy of hop 1 names the caller only by account and principal id.
        expect(result.timeline[1].principal).to.equal("account 777788889999 principal AIDAQRSTUVWXYZEXAMPLE");
    });

    it("with only the role account's copy of a cross-account AssumeRole, says who the caller is known as and stops", async () => {
        const result = await json([
            "JohnDoe-EC2-dev",
            "--input",
            fixture("two-hops", "AWSLogs", "111122223333"),
            fixture("two-hops", "AWSLogs", "444455556666"),
        ]);
        expect(result.chain[0]).to.include({ arn: null, account: "777788889999", type: "AWSAccount", via: null });
        expect(result.chain[0].note).to.match(/known only as principal AIDAQRSTUVWXYZEXAMPLE \(an IAM user\) of account 777788889999/);
        expect(result.chain[1]).to.deep.include({
            arn: "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
            via: { eventId: "eEXAMPLE-ac7f-466c-a608-4ac8dEXAMPLE", eventName: "AssumeRole" },
        });
        // And, the other direction, the session this one started in the next account.
        expect(result.chain[2]).to.deep.include({
            arn: "arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags",
            note: "started by arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev",
        });
    });

    it("a session whose AssumeRole event is outside the input: says so, with what its own events tell, and does not guess", async () => {
        const result = await json(["Role2WithTags", "--input", fixture("two-hops", "AWSLogs", "444455556666")]);
        expect(result.chain).to.have.length(1);
        expect(result.chain[0]).to.include({ arn: "arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags", type: "AssumedRole", via: null });
        expect(result.chain[0].note).to.match(
            /the event that started this session .* is not in the input between 2019-10-02T22:15:07Z and 2019-10-02T22:16:45Z; its events say it was created at 2019-10-02T22:12:29Z/,
        );
        expect(names(result.timeline)).to.deep.equal(["StopLogging", "CreateUser"]);
        const text = await run(["Role2WithTags", "--input", fixture("two-hops", "AWSLogs", "444455556666")]);
        expect(text.stdout).to.contain("chain stops here: see the note");
        expect(text.stdout).not.to.match(/\borigin\b.*<- subject/);
    });

    it("console SwitchRole: the session leads back to the IAM user named by SwitchFrom, even with only the role account's logs", async () => {
        const both = await json(["arn:aws:sts::444455556666:assumed-role/CrossAccountAdmin/JohnDoe", "--input", fixture("switch-role")]);
        expect(plain(both.chain)).to.deep.equal([
            { arn: "arn:aws:iam::111122223333:user/JohnDoe", account: "111122223333", type: "IAMUser", via: null },
            {
                arn: "arn:aws:sts::444455556666:assumed-role/CrossAccountAdmin/JohnDoe",
                account: "444455556666",
                type: "AssumedRole",
                via: { eventId: "switch-role-0004-switchrole", eventName: "SwitchRole" },
            },
        ]);
        // The console session used another key than the AssumeRole issued: it is followed by ARN.
        expect(names(both.timeline)).to.deep.equal(["ConsoleLogin", "AssumeRole", "AssumeRole", "SwitchRole", "CreateUser"]);
        expect(both.timeline.find((event) => event.eventName === "CreateUser")!.detections).to.deep.equal(["iam-user-created"]);
        expect(both.timeline.find((event) => event.eventName === "SwitchRole")!.detections).to.deep.equal(["console-switch-role"]);
        expect(both.timeline[0].detections).to.deep.equal(["console-login-without-mfa"]);

        const roleAccountOnly = await json([
            "arn:aws:sts::444455556666:assumed-role/CrossAccountAdmin/JohnDoe",
            "--input",
            fixture("switch-role", "AWSLogs", "444455556666"),
        ]);
        expect(roleAccountOnly.chain).to.deep.equal(both.chain);
        // The other direction: the user, seen there only as SwitchFrom, started that session.
        const fromUser = await json(["arn:aws:iam::111122223333:user/JohnDoe", "--input", fixture("switch-role", "AWSLogs", "444455556666")]);
        expect(fromUser.chain.map((entry) => [entry.arn, entry.note])).to.deep.equal([
            ["arn:aws:iam::111122223333:user/JohnDoe", undefined],
            ["arn:aws:sts::444455556666:assumed-role/CrossAccountAdmin/JohnDoe", "started by arn:aws:iam::111122223333:user/JohnDoe"],
        ]);
    });

    it("SAML federation: the origin is the identity provider, and the note names the asserted subject", async () => {
        const result = await json(["MyAssignedRoleSessionName", "--input", fixture("saml")]);
        expect(plain(result.chain)).to.deep.equal([
            {
                arn: "arn:aws:iam::444455556666:saml-provider/Shibboleth",
                account: "444455556666",
                type: "SAMLUser",
                via: null,
                note: 'SAML subject "SamlExample" asserted by https://server.example.com/idp/shibboleth',
            },
            {
                arn: "arn:aws:sts::444455556666:assumed-role/SAMLTestRoleShibboleth/MyAssignedRoleSessionName",
                account: "444455556666",
                type: "AssumedRole",
                via: { eventId: "dEXAMPLE-265a-41e0-9352-4401bEXAMPLE", eventName: "AssumeRoleWithSAML" },
            },
        ]);
        expect(result.timeline.map((event) => [event.eventName, event.principal, event.detections])).to.deep.equal([
            ["AssumeRoleWithSAML", "SAMLUser SamlExample (bdGOnTesti4+ExamplexL/jEvs=)", []],
            [
                "PutBucketPolicy",
                "arn:aws:sts::444455556666:assumed-role/SAMLTestRoleShibboleth/MyAssignedRoleSessionName",
                ["s3-bucket-access-changed", "s3-bucket-made-public"],
            ],
        ]);
    });

    it("an AWS service origin, from a real AssumeRole whose response was redacted: the session ARN follows from roleArn and roleSessionName", async () => {
        // Panther's test event for "role assumed by an AWS service" (samples/, Apache-2.0): Lambda assumed my_role_arn, credentials REDACTED.
        const result = await json([
            "awslambda_55_20240602202712548",
            "--input",
            path.join(__dirname, "..", "samples", "panther-labs__panther-analysis", "rules", "aws_cloudtrail_rules", "role_assumed_by_aws_service.json"),
        ]);
        expect(plain(result.chain)).to.deep.equal([
            { arn: "lambda.amazonaws.com", account: null, type: "AWSService", via: null, note: "an AWS service assumed the role" },
            {
                arn: "arn:aws:sts::123456789123:assumed-role/my_role_arn/awslambda_55_20240602202712548",
                account: "123456789123",
                type: "AssumedRole",
                via: { eventId: "1f3d7d49-6637-3304-b959-9be15f20215d", eventName: "AssumeRole" },
            },
        ]);
    });

    it("prints the chain origin first, then the timeline with first-seen marks", async () => {
        const outcome = await run(["arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags", "--input", fixture("two-hops")]);
        expect(outcome.code).to.equal(0);
        const lines = outcome.stdout.split("\n");
        expect(lines[0]).to.equal(
            "arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags taken as ARN: arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags",
        );
        expect(lines[2]).to.match(/^\s+1\. IAMUser\s+arn:aws:iam::777788889999:user\/JohnDoe\s+account 777788889999\s+origin$/);
        expect(lines.find((line) => line.includes("3. AssumedRole"))).to.match(
            /3\. AssumedRole .*Role2WithTags .*via AssumeRole 1917948f-3042-46ec-98e2-62865EXAMPLE <- subject$/,
        );
        expect(outcome.stdout).to.contain("Timeline: 6 event(s) in 3 account(s) and 3 region(s)");
        expect(lines.find((line) => line.includes("StopLogging"))).to.match(/\*198\.51\.100\.23 .*cloudtrail-tampering$/);
    });

    it("--out writes the investigation page and a report that links to it", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "investigate-test-"));
        try {
            const outcome = await run(["Dev1", "--input", fixture("single-hop"), "--out", out]);
            expect(outcome.code).to.equal(0);
            const page = fs.readFileSync(path.join(out, "investigations", investigationFileName("Dev1")), "utf8");
            expect(page).to.contain("arn:aws:iam::123456789012:user/Alice").and.to.contain("access-key-created").and.to.contain('class="new"');
            const report = fs.readFileSync(path.join(out, "report.html"), "utf8");
            expect(report).to.contain(`<a href="investigations/${investigationFileName("Dev1")}">Dev1</a>`);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("exits 1 naming the candidates when the subject is ambiguous or absent", async () => {
        const role = await run(["arn:aws:iam::111122223333:role/EC2-dev", "--input", fixture("two-hops")]);
        expect(role.code).to.equal(1);
        expect(role.stderr)
            .to.contain("is a role; investigate one of its 1 session(s)")
            .and.to.contain("arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev");
        const absent = await run(["Nobody", "--input", fixture("single-hop")]);
        expect(absent.code).to.equal(1);
        expect(absent.stderr).to.match(/no event between .* in the input names Nobody/);
    });
});

describe("investigate arguments", () => {
    it("reads the subject and every value after --input", () => {
        expect(parseInvestigateArguments(["Dev1", "--input", "a", "b", "--json", "--since", "2026-01-01T00:00:00Z"])).to.deep.include({
            subject: "Dev1",
            inputs: ["a", "b"],
            json: true,
            since: "2026-01-01T00:00:00Z",
        });
        expect(parseInvestigateArguments(["--input", "a", "--out", "o", "Dev1"]).subject).to.equal("Dev1");
    });

    it("exits 2 on bad arguments, naming the argument", async () => {
        const cases: [string[], RegExp][] = [
            [["Dev1"], /--input is missing/],
            [["--input", fixture("single-hop")], /the subject is missing/],
            [["Dev1", "--input", fixture("single-hop"), "--since", "yesterday"], /--since must be an ISO-8601 instant/],
            [["Dev1", "--input", fixture("single-hop"), "--colour"], /Unknown option '--colour'/],
            [["Dev1", "--input", "/no/such/dir"], /--input \/no\/such\/dir: no such file or directory/],
            [["Dev1", "--input", fixture("single-hop"), "--max-events", "0"], /--max-events must be a whole number/],
            [["arn:aws:s3:::bucket", "--input", fixture("single-hop")], /is not the ARN of a principal/],
        ];
        for (const [argv, message] of cases) {
            const outcome = await run(argv);
            expect(outcome.code, argv.join(" ")).to.equal(2);
            expect(outcome.stderr).to.match(message).and.to.contain("usage: npm start -- investigate");
        }
    });

    it("tells ARNs, access keys and session names apart", () => {
        expect(parseSubject("arn:aws:sts::123456789012:assumed-role/DevRole/Dev1")).to.deep.equal({
            kind: "arn",
            type: "AssumedRole",
            account: "123456789012",
        });
        expect(parseSubject("arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob")).to.deep.include({ kind: "arn", type: "IAMUser" });
        expect(parseSubject("arn:aws-us-gov:iam::123456789012:root")).to.deep.include({ kind: "arn", type: "Root" });
        expect(parseSubject("ASIAIOSFODNN7EXAMPLE")).to.deep.equal({ kind: "key" });
        expect(parseSubject("bob@example.com")).to.deep.equal({ kind: "name" });
        expect(parseSubject("a")).to.deep.equal({ kind: "name" });
        expect(() => parseSubject("two words")).to.throw(/neither a principal ARN/);
    });
});

/**
 * A local endpoint speaking Athena's JSON 1.1 protocol: each StartQueryExecution runs the SQL it
 * was sent on DuckDB over the fixture's lake (through the same compatibility layer as the local
 * mode) and serves the rows as Athena does: every value as VarCharValue text, a null as an absent
 * value, the column names repeated as the first row of the first page, pages of 2 rows.
 */
async function fakeAthena(lakeDir: string) {
    const engine = await Engine.open();
    await createCloudTrailView(engine, lakeDir);
    const query = engineQuery(engine);
    const executions = new Map<string, { columns: string[]; rows: (string | null)[][] } | { error: string }>();
    const statements: string[] = [];
    const server = http.createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => {
            body += chunk;
        });
        // A fault in the fake answers the client with a 500 (which the test then reports) instead of hanging it.
        request.on("end", () => {
            answer().catch((error: unknown) => {
                response.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
                response.end(JSON.stringify({ __type: "InternalServerException", message: String(error) }));
            });
        });
        const answer = async () => {
            const operation = String(request.headers["x-amz-target"]).replace("AmazonAthena.", "");
            const input = JSON.parse(body || "{}");
            const reply = (payload: unknown) => {
                response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                response.end(JSON.stringify(payload));
            };
            if (operation === "StartQueryExecution") {
                const id = `q-${executions.size + 1}`;
                statements.push(input.QueryString);
                try {
                    const rows = await query(input.QueryString);
                    const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
                    executions.set(id, { columns, rows: rows.map((row) => columns.map((column) => row[column])) });
                } catch (error) {
                    executions.set(id, { error: (error as Error).message });
                }
                return reply({ QueryExecutionId: id });
            }
            const execution = executions.get(input.QueryExecutionId)!;
            if (operation === "GetQueryExecution") {
                return reply({
                    QueryExecution: {
                        QueryExecutionId: input.QueryExecutionId,
                        Statistics: { DataScannedInBytes: 1_048_576 },
                        Status: "error" in execution ? { State: "FAILED", StateChangeReason: execution.error } : { State: "SUCCEEDED" },
                    },
                });
            }
            if (operation === "GetQueryResults" && !("error" in execution)) {
                const all = [execution.columns, ...execution.rows];
                const start = Number(input.NextToken ?? 0);
                const end = start + 2;
                return reply({
                    ResultSet: {
                        ResultSetMetadata: { ColumnInfo: execution.columns.map((name) => ({ Name: name, Type: "varchar" })) },
                        Rows: all.slice(start, end).map((row) => ({ Data: row.map((value) => (value === null ? {} : { VarCharValue: value })) })),
                    },
                    ...(end < all.length ? { NextToken: String(end) } : {}),
                });
            }
            response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
            response.end(JSON.stringify({ __type: "InvalidRequestException", message: `unexpected ${operation}` }));
        };
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new AthenaClient({
        region: "us-east-1",
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    return {
        client,
        statements,
        close: () => {
            server.close();
            engine.close();
        },
    };
}

describe("investigate on the deployed lake (npm run query -- investigate)", () => {
    let lake: string;
    before(async () => {
        lake = fs.mkdtempSync(path.join(os.tmpdir(), "investigate-athena-"));
        const files = [
            fixture("two-hops", "AWSLogs", "777788889999", "777788889999_CloudTrail_us-east-2.json"),
            fixture("two-hops", "AWSLogs", "111122223333", "111122223333_CloudTrail_us-east-2.json"),
            fixture("two-hops", "AWSLogs", "444455556666", "444455556666_CloudTrail_eu-west-1.json"),
        ];
        await runLocal({ files, outDir: lake, detections: [] });
    });
    after(() => fs.rmSync(lake, { recursive: true, force: true }));

    it("prints the same chain and timeline as the local mode, from queries run in the workgroup", async () => {
        const athena = await fakeAthena(lake);
        try {
            let stdout = "";
            const logs: string[] = [];
            const code = await athenaMain(
                [
                    "arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags",
                    "--since",
                    "7d",
                    "--until",
                    "2019-10-05T00:00:00Z",
                    "--json",
                    "--stack",
                    "prod",
                ],
                {
                    client: athena.client,
                    output: (text) => {
                        stdout += text;
                    },
                    log: (text) => logs.push(text),
                    pollInitialMs: 1,
                },
            );
            expect(code, logs.join("\n")).to.equal(0);
            const local = await json(["arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags", "--input", fixture("two-hops")]);
            const athenaJson = JSON.parse(stdout);
            expect(athenaJson.chain).to.deep.equal(local.chain);
            expect(athenaJson.timeline).to.deep.equal(local.timeline);
            // Every query reads a bounded window through the date partition, which is what keeps Athena's scan small.
            expect(athena.statements.length).to.be.greaterThan(3);
            for (const sql of athena.statements) expect(sql).to.contain(`"date" BETWEEN '2019-09-28' AND '2019-10-05'`);
            expect(logs.at(-1)).to.match(/^\d+ Athena queries in cloudtrail-lake-prod, \d+\.\d MB scanned$/);
        } finally {
            athena.close();
        }
    });

    it("exits 1 with Athena's reason when a query fails, and 2 on a bad --since", async () => {
        const athena = await fakeAthena(path.join(lake, "no-lake-here"));
        try {
            const logs: string[] = [];
            const code = await athenaMain(["Role2WithTags", "--since", "2019-10-01T00:00:00Z", "--until", "2019-10-05T00:00:00Z"], {
                client: athena.client,
                output: () => {},
                log: (text) => logs.push(text),
                pollInitialMs: 1,
            });
            expect(code).to.equal(1);
            expect(logs.join("\n")).to.match(/error: query q-1 FAILED: .*cloudtrail/i);
            const bad = await athenaMain(["Role2WithTags", "--since", "a week"], { client: athena.client, output: () => {}, log: (text) => logs.push(text) });
            expect(bad).to.equal(2);
            expect(logs.at(-1)).to.match(/--since: "a week" is not a duration/);
            const hops = await athenaMain(["Role2WithTags", "--max-hops", "0x10"], { client: athena.client, output: () => {}, log: (text) => logs.push(text) });
            expect(hops).to.equal(2);
            expect(logs.at(-1)).to.contain('--max-hops must be a whole number from 1 to 1000, not "0x10"');
        } finally {
            athena.close();
        }
    });
});
