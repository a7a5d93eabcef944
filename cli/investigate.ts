/**
 * cloudtrail-lake investigate, npm start -- investigate (options and exit codes: cli/commands.ts INVESTIGATE).
 *
 * Who is behind an identity, and what did every identity of that chain do: loads the input with
 * the local pipeline (normalise, Parquet, every detection), resolves the chain of identities
 * (local/investigate.ts) and prints it origin first, then one timeline of all their events with
 * the detections that flagged them. `--out DIR` keeps the local lake there (replacing what an
 * earlier run left, as `npm start` does), writes the page DIR/investigations/<subject>-<hash>.html
 * and DIR/report.html, which links to it. What the input holds that the investigation could not
 * read (failed and skipped files, events with unreadable or implausible times) is said on stderr
 * as `npm start` says it, and listed under `input` in `--json`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { boundedCount, instantSeconds, parseCommand, runTableCommand, UsageError, wholeCount } from "./args";
import { exitCodesOf, INVESTIGATE } from "./commands";
import { usageText } from "./help";
import { discoverFiles, passedOverOf } from "../local/files";
import { Engine } from "../lambda/shared/engine";
import {
    detectionsByEvent,
    DEFAULT_MAX_EVENTS,
    DEFAULT_MAX_HOPS,
    investigate,
    investigationJson,
    investigationText,
    MAX_HOPS_LIMIT,
    QueryRow,
    RunQuery,
    SubjectError,
    SubjectSyntaxError,
} from "../local/investigate";
import { investigationLinks, writeInvestigationPage } from "../local/investigateReport";
import { createCloudTrailView, duckdbSafeAlias } from "../local/lake";
import { createFlowLogView, flowsOf, networkText, NetworkFlow } from "../local/flowLogs";
import { filesLeftOutLines, htmlReport, inputJson, inputsLine, warningLines } from "../local/report";
import { runLocal } from "../local/run";

const EXIT = exitCodesOf(INVESTIGATE);

export interface InvestigateArguments {
    readonly subject: string;
    readonly inputs: string[];
    readonly since?: string;
    readonly until?: string;
    readonly json: boolean;
    readonly out?: string;
    readonly maxEvents: number;
    readonly maxHops: number;
}

/**
 * Reads the arguments (cli/commands.ts INVESTIGATE): `--input` takes every value that follows it up
 * to the next option; the one other positional is the subject.
 */
export function parseInvestigateArguments(argv: readonly string[]): InvestigateArguments {
    const { values, positionals } = parseCommand(INVESTIGATE, argv);
    if (positionals.length === 0) throw new UsageError("the subject is missing: give a principal ARN, an access key id or a role session name before --input");
    if (positionals.length > 1) throw new UsageError(`one subject at a time: got ${positionals.map((value) => `"${value}"`).join(", ")}`);
    const inputs = values.input;
    const since = values.since === undefined ? undefined : instantSeconds("--since", values.since, "down");
    const until = values.until === undefined ? undefined : instantSeconds("--until", values.until, "up");
    if (since && until && since >= until) throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
    const maxEvents = wholeCount("--max-events", values["max-events"], DEFAULT_MAX_EVENTS);
    const maxHops = boundedCount("--max-hops", values["max-hops"], DEFAULT_MAX_HOPS, MAX_HOPS_LIMIT);
    return { subject: positionals[0], inputs, since, until, json: values.json ?? false, out: values.out, maxEvents, maxHops };
}

/** DuckDB rows as the resolver wants them: every value text or null, like Athena's. */
export function engineQuery(engine: Engine): RunQuery {
    return async (sql) =>
        (await engine.all(sql)).map(
            (row) =>
                Object.fromEntries(
                    Object.entries(row).map(([key, value]) => [
                        key,
                        value === null || value === undefined ? null : typeof value === "object" ? JSON.stringify(value) : String(value),
                    ]),
                ) as QueryRow,
        );
}

export async function main(argv: readonly string[], output: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
    let args: InvestigateArguments;
    try {
        args = parseInvestigateArguments(argv);
        for (const input of args.inputs) if (!fs.existsSync(input)) throw new UsageError(`--input ${input}: no such file or directory`);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        console.error(`error: ${error.message}\n\n${usageText(INVESTIGATE)}`);
        return EXIT.usage;
    }
    const outDir = args.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "cloudtrail-lake-investigate-"));
    try {
        // Every file is read by its content, whatever its name, as npm start does (local/files.ts).
        const discovery = await discoverFiles(args.inputs, { exclude: [{ dir: outDir, reason: "the output folder (--out) of this run, not read" }] });
        const result = await runLocal({ files: discovery.files, passedOver: passedOverOf(discovery), outDir, since: args.since, until: args.until });
        // What npm start says about the same input, on stderr: the investigation leaves out what the lake does not hold.
        console.error(
            [
                `${inputsLine(result)}; window ${result.window ? `${result.window.since} .. ${result.window.until}` : "no events"}`,
                ...filesLeftOutLines(result),
                ...warningLines(result),
            ].join("\n"),
        );
        if (!result.window) {
            console.error(`error: no dated CloudTrail event in ${args.inputs.join(", ")}`);
            return EXIT.notFound;
        }
        const hits = detectionsByEvent(result.findings);
        const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-investigate-"));
        const engine = await Engine.open({ tempDirectory: path.join(workspace, "duckdb") });
        let investigation;
        // The network side (local/flowLogs.ts): the flows of an instance id, interface id or address, when flow logs were read.
        let network: NetworkFlow[] = [];
        try {
            // Through a link with a plain name, as npm start reads it: DuckDB would read `--out case[1]` as a pattern
            // (matching case1) and a `date=…` folder above the lake as the events' date (local/lake.ts duckdbSafeAlias).
            const lake = duckdbSafeAlias(outDir, workspace);
            const hasCloudTrail = await createCloudTrailView(engine, lake);
            if (await createFlowLogView(engine, lake)) network = await flowsOf(engine, args.subject, result.window);
            if (!hasCloudTrail && network.length > 0) {
                output(args.json ? `${JSON.stringify({ chain: [], timeline: [], network }, null, 2)}\n` : `${networkText(args.subject, network)}\n`);
                return EXIT.ok;
            }
            investigation = await investigate(args.subject, engineQuery(engine), {
                window: result.window,
                maxEvents: args.maxEvents,
                maxHops: args.maxHops,
                detections: async () => hits,
            });
        } catch (error) {
            if (error instanceof SubjectSyntaxError) {
                console.error(`error: ${error.message}\n\n${usageText(INVESTIGATE)}`);
                return EXIT.usage;
            }
            if (error instanceof SubjectError && network.length > 0) {
                // No identity by that name, but the network knows it (an address, an instance without CloudTrail calls).
                output(args.json ? `${JSON.stringify({ chain: [], timeline: [], network }, null, 2)}\n` : `${networkText(args.subject, network)}\n`);
                return EXIT.ok;
            }
            if (error instanceof SubjectError) {
                console.error(`error: ${error.message}${error.candidates.map((candidate) => `\n  ${candidate}`).join("")}`);
                return EXIT.notFound;
            }
            throw error;
        } finally {
            engine.close();
            fs.rmSync(workspace, { recursive: true, force: true });
        }
        if (args.out) {
            const generatedAt = new Date().toISOString();
            const page = writeInvestigationPage(args.out, investigation, generatedAt);
            fs.writeFileSync(path.join(args.out, "report.html"), htmlReport(result, generatedAt, investigationLinks(args.out)));
            if (!args.json) console.error(`Investigation page: ${page} (linked from ${path.join(args.out, "report.html")})`);
        }
        const evidence = investigationJson(investigation, inputJson(result));
        const withNetwork = network.length > 0 ? { ...evidence, network } : evidence;
        output(
            args.json
                ? `${JSON.stringify(withNetwork, null, 2)}\n`
                : `${investigationText(investigation)}\n${network.length > 0 ? `\n${networkText(args.subject, network)}\n` : ""}`,
        );
        return EXIT.ok;
    } finally {
        if (!args.out) fs.rmSync(outDir, { recursive: true, force: true });
    }
}

if (require.main === module) runTableCommand(INVESTIGATE, main);
