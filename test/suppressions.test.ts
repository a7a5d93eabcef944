import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { AthenaClient } from "@aws-sdk/client-athena";
import { suppressResultRows } from "../cli/query";
import { parseDetection } from "../contract/detections";
import { ConfigError, parseLakeConfig } from "../config/stackConfig";
import { Suppression, Suppressions } from "../contract/suppressions";
import { alertDetectionOf } from "../contract/alerting";
import { MemoryDedupStore } from "../lambda/alerts/dedup";
import { createScheduledEvaluator } from "../lambda/alerts/handlers";
import { replayAlerts } from "../local/alerts";
import { runLocal } from "../local/run";
import { ALERT_FIXTURES, fixtureSettings } from "./alertFixtures";

const row = (principal: string | null, sourceipaddress: string | null, useragent: string | null, account = "111122223333") => ({
    principal,
    sourceipaddress,
    useragent,
    account,
});
const DEPLOY = "arn:aws:sts::111122223333:assumed-role/cloudtrail-lake-deploy/pulumi-1732528680";

describe("suppressions (contract/suppressions.ts)", () => {
    it("suppress the stack's deploy role with one line, in every account and session", () => {
        const suppressions = new Suppressions([{ principalArn: "arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*", reason: "deploy role" }]);
        expect(suppressions.match("any", row(DEPLOY, "198.51.100.20", "pulumi")), "deploy").to.deep.include({ index: 0 });
        expect(suppressions.match("any", row("arn:aws:sts::444455556666:assumed-role/cloudtrail-lake-deploy/other", null, null))).to.not.equal(undefined);
        expect(suppressions.match("any", row("arn:aws:sts::111122223333:assumed-role/cloudtrail-lake-deployer/x", null, null)), "a longer role name").to.equal(
            undefined,
        );
        expect(suppressions.match("any", row("arn:aws:sts::111122223333:assumed-role/ops-admin/cloudtrail-lake-deploy", null, null))).to.equal(undefined);
        expect(suppressions.match("any", row(null, null, null)), "no principal").to.equal(undefined);
    });

    it("match IPv4 and IPv6 CIDRs, never a service name", () => {
        const suppressions = new Suppressions([
            { sourceCidr: "10.0.0.0/8", reason: "vpn" },
            { sourceCidr: "2001:db8::/32", reason: "v6" },
        ]);
        expect(suppressions.match("d", row(null, "10.200.3.4", null))?.index).to.equal(0);
        expect(suppressions.match("d", row(null, "11.0.0.1", null))).to.equal(undefined);
        expect(suppressions.match("d", row(null, "2001:db8:1::7", null))?.index).to.equal(1);
        expect(suppressions.match("d", row(null, "2001:db9::7", null))).to.equal(undefined);
        expect(suppressions.match("d", row(null, "ec2.amazonaws.com", null))).to.equal(undefined);
    });

    it("require every condition of one suppression (AND), any suppression suffices (OR), and respect the detection", () => {
        const list: Suppression[] = [
            { detection: "console-login-without-mfa", userAgent: "*Terraform*", account: "111122223333", reason: "terraform in prod" },
            { detection: "*", account: "999999999999", reason: "sandbox" },
        ];
        const suppressions = new Suppressions(list);
        expect(suppressions.match("console-login-without-mfa", row(null, null, "APN/1.0 HashiCorp/1.0 Terraform/1.9.0"))?.index).to.equal(0);
        expect(suppressions.match("other-detection", row(null, null, "APN/1.0 HashiCorp/1.0 Terraform/1.9.0")), "other detection").to.equal(undefined);
        expect(
            suppressions.match("console-login-without-mfa", row(null, null, "APN/1.0 HashiCorp/1.0 Terraform/1.9.0", "444455556666")),
            "other account",
        ).to.equal(undefined);
        expect(suppressions.match("anything", row(null, null, null, "999999999999"))?.index).to.equal(1);
    });

    it("are validated from stack config with errors naming the key", () => {
        const accounts = [{ id: "111122223333", name: "prod" }];
        expect(parseLakeConfig({ accounts }).suppressions).to.deep.equal([]);
        const error = ((): ConfigError | undefined => {
            try {
                parseLakeConfig({
                    accounts,
                    suppressions: [
                        { sourceCidr: "10.0.0.1/40", reason: "x" },
                        { principalArn: "*", reason: "everything" },
                        { detection: "Bad Id", account: 123, reason: "why" },
                    ],
                });
            } catch (caught) {
                return caught as ConfigError;
            }
            return undefined;
        })();
        expect(error?.problems).to.have.members([
            'cloudtrail-lake:suppressions[0].sourceCidr = "10.0.0.1/40": prefix length /40 is longer than 32, the most an IPv4 address has',
            'cloudtrail-lake:suppressions[0].reason = "x": must say why these events are expected (free text)',
            'cloudtrail-lake:suppressions[1].principalArn = "*": must contain more than wildcards: a pattern of only * would suppress everything; leave the field out instead',
            "cloudtrail-lake:suppressions[2].detection = \"Bad Id\": must be a detection id (lower-case, digits, '-') or *",
            "cloudtrail-lake:suppressions[2].account = 123: must be a 12-digit account id written as a quoted string",
        ]);
    });
});

describe("suppressions apply the same way in the alerts, the local mode and the Athena runner", function () {
    const file = path.join(ALERT_FIXTURES, "agreement", "every-call.sql");
    const sql = fs.readFileSync(file, "utf8");
    const inputs = ["stop-logging.json", "stop-logging-by-deploy-role.json", "benign.json", "denied-burst.json"].map((name) => path.join(ALERT_FIXTURES, name));
    const suppressionList: Suppression[] = [
        { detection: "*", principalArn: "arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*", reason: "deploy role" },
        { detection: "every-call", sourceCidr: "192.0.2.0/24", reason: "scanner network" },
        { detection: "other-detection", userAgent: "aws-cli/*", reason: "not this detection" },
    ];
    const suppressions = new Suppressions(suppressionList);
    let directory: string;
    before(() => {
        directory = fs.mkdtempSync(path.join(os.tmpdir(), "suppression-agreement-"));
    });
    after(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("keep exactly the same events", async () => {
        // Local mode, unsuppressed: every row, to feed the recorded Athena answer as Athena would return it.
        const all = await runLocal({ files: inputs, outDir: path.join(directory, "all"), detections: [parseDetection(file, sql)] });
        const allRows = all.findings[0].hits;
        expect(allRows).to.have.length(all.findings[0].count);
        const allIds = allRows.map((hit) => String(hit.eventid)).sort();

        // 1. Local mode.
        const local = await runLocal({ files: inputs, outDir: path.join(directory, "local"), detections: [parseDetection(file, sql)], suppressions });
        const localIds = [...local.findings[0].eventIds].sort();

        // 2. Alerts (the replay runs the alert functions' code); no dedup window, so every kept row is in a sent alert.
        const detection = alertDetectionOf(parseDetection(file, sql));
        const replay = await replayAlerts({
            files: inputs,
            outDir: path.join(directory, "replay"),
            settings: fixtureSettings({ detections: [detection], suppressions: suppressionList, dedupMinutes: 0 }),
        });
        const alertIds = replay.alerts.flatMap((alert) => alert.eventIds).sort();

        // 3. Athena: the scheduled evaluator and `npm run query` on Athena's answer (all rows, as text).
        const columns = Object.keys(allRows[0]);
        const athenaRows = allRows.map((hit) => columns.map((column) => (hit[column] === null ? null : String(hit[column]))));
        const runnerIds = suppressResultRows("every-call", columns, athenaRows, suppressions)
            .rows.map((values) => String(values[columns.indexOf("eventid")]))
            .sort();
        const sentIds: string[] = [];
        const scheduled = createScheduledEvaluator({
            settings: fixtureSettings({ detections: [{ ...detection, kind: "threshold" }], suppressions: suppressionList }),
            dedup: new MemoryDedupStore(),
            destinations: [
                {
                    name: "recorder",
                    minSeverity: "low",
                    send: async (alert) => {
                        sentIds.push(...alert.eventIds);
                    },
                },
            ],
            logger: { info() {}, error() {} },
            athena: recordedAthena(columns, athenaRows),
            workgroup: "cloudtrail-lake-test",
            database: "cloudtrail_lake_test",
            now: () => Date.parse("2026-11-25T10:15:00Z"),
        });
        await scheduled();

        expect(localIds.length).to.be.above(0);
        expect(localIds.length).to.be.below(allIds.length);
        expect(alertIds, "alerts").to.deep.equal(localIds);
        expect(runnerIds, "npm run query").to.deep.equal(localIds);
        expect(sentIds.sort(), "scheduled evaluator").to.deep.equal(localIds);
        // The deploy role and the scanner network were removed, the suppression of another detection did nothing.
        expect(local.findings[0].suppressed).to.equal(allIds.length - localIds.length);
        expect(replay.suppressed.map((entry) => entry.reason)).to.deep.equal(["deploy role", "scanner network"]);
    });
});

/** The real Athena SDK client answering one query with the given rows (recorded responses, as test/queryRunner.test.ts). */
function recordedAthena(columns: string[], rows: (string | null)[][]): AthenaClient {
    const answers: Record<string, unknown> = {
        StartQueryExecution: { QueryExecutionId: "q-1" },
        GetQueryExecution: { QueryExecution: { QueryExecutionId: "q-1", Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 1024 } } },
        GetQueryResults: {
            ResultSet: {
                ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: "varchar" })) },
                Rows: [columns, ...rows].map((values) => ({ Data: values.map((value) => (value === null ? {} : { VarCharValue: value })) })),
            },
        },
    };
    return new AthenaClient({
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
        requestHandler: {
            handle: async (request: { headers: Record<string, string> }) => ({
                response: {
                    statusCode: 200,
                    headers: { "content-type": "application/x-amz-json-1.1" },
                    body: Readable.from([Buffer.from(JSON.stringify(answers[request.headers["x-amz-target"].replace("AmazonAthena.", "")]))]),
                },
            }),
        } as never,
    });
}
