/**
 * The command table: every user command of `cloudtrail-lake` (the bin, cli/cloudtrail-lake.js) declared
 * once, with its arguments, options, defaults, allowed values and exit codes. From it come the
 * parsing of every command (cli/args.ts `parseCommand`: node:util's parseArgs, strict), every
 * `--help` (cli/args.ts `helpText`), the bin's list of subcommands (cli/main.ts), the README's
 * commands table, docs/commands.md and the exit-code tables of docs/respond.md and
 * docs/alerts-replay.md (scripts/generate-docs.ts, checked by test/docs.test.ts).
 *
 * A plain module: data and types only, so that the docs generator can read it without loading a
 * command. The contributor scripts (generate:*, bench:*, coverage, noise…) are not here: they are
 * tools of the repository, not of a user, and take their arguments in scripts/ and bench/.
 */
import { DEFAULT_MAX_EVENTS, DEFAULT_MAX_HOPS, MAX_HOPS_LIMIT } from "../local/investigate";

/** One option: `--name <value>` or the flag `--name`. */
export interface OptionSpec {
    /** `string` takes a value; `boolean` is a flag. */
    readonly type: "string" | "boolean";
    /** A one-letter alias (`-h`). */
    readonly short?: string;
    /** What the value is, as the synopsis and `--help` show it: `<dir>`, `<instant>`. */
    readonly value?: string;
    /** What the option does, in one or two sentences. */
    readonly description: string;
    /** The value the parser gives the option when it is absent; shown in `--help`. */
    readonly default?: string;
    /** When the default is computed by the command (the number of cores, the bundled samples): what it is, for `--help`. */
    readonly defaultText?: string;
    /** The only values allowed; anything else exits 2 naming them. */
    readonly choices?: readonly string[];
    /** May be given several times; every value is kept. */
    readonly multiple?: boolean;
    /** Also takes every value that follows it up to the next option (`--input a b c`, what a shell glob gives). */
    readonly greedy?: boolean;
    /** The option must be given; the message when it is not (it names the option). */
    readonly required?: string;
}

/** One positional argument. */
export interface PositionalSpec {
    /** As the synopsis shows it: `<detection>`. */
    readonly name: string;
    readonly description: string;
    /** Several may be given (`<files or folders…>`). */
    readonly variadic?: boolean;
    /** The command refuses to run without it. */
    readonly required?: boolean;
}

/** One exit code and what it means. */
export interface ExitCodeSpec {
    readonly code: number;
    readonly meaning: string;
}

/** One command of the bin. */
export interface CommandSpec {
    /** Its words after `cloudtrail-lake`: `start`, `query investigate`. */
    readonly name: string;
    /** Other words that run it (`start investigate`: what `npm start -- investigate` gives the bin). */
    readonly aliases?: readonly string[];
    /** The npm script that runs it, with the words before its own arguments: `npm start --`, `npm run query -- investigate`. */
    readonly npm: string;
    /** One line: what it does (the README's table, the bin's list). */
    readonly summary: string;
    /** A paragraph for `--help` and docs/commands.md. */
    readonly description: string;
    readonly positionals: readonly PositionalSpec[];
    readonly options: { readonly [name: string]: OptionSpec };
    /** Every exit code, by the name the command's code uses for it. */
    readonly exitCodes: { readonly [name: string]: ExitCodeSpec };
    /** Exit code of an error the command did not foresee (default 1). */
    readonly unexpectedErrorExitCode?: number;
    /** Command lines worth copying, in their npm form. */
    readonly examples?: readonly string[];
    /** The documentation page (from the repository root, with an anchor if useful) that says more. */
    readonly docs?: string;
}

/** The name of the bin (package.json `bin`). */
export const BIN = "cloudtrail-lake";

/** Every command's `--help` / `-h`: prints the help made from this table and exits 0, running nothing. */
export const HELP_OPTION = {
    type: "boolean",
    short: "h",
    description: "print this help (options, exit codes) and exit 0, running nothing",
} as const satisfies OptionSpec;

/** The stack the commands that name one use by default. */
export const DEFAULT_STACK = "prod";

const INSTANT_FORMS = "2026-11-25T10:00:00Z, with milliseconds or a UTC offset (+02:00), or a date (2026-11-25, midnight UTC)";
/** Exit code 2's meaning: what every command refuses before it reads a file or calls AWS, then what this one refuses too. */
const badArguments = (...also: string[]) =>
    ["bad arguments, named: an unknown option (with the one probably meant), an option without its value", ...also].join("; ");
const WINDOW = "a bad instant, `--since` not before `--until`";
const STACK_FILE = "a `--stack-file` that cannot be read or is not a valid stack config";

const input = (what: string) =>
    ({
        type: "string",
        value: "<files or folders…>",
        multiple: true,
        greedy: true,
        description: `${what}, whatever their names: S3 log files, arrays, one event per line, lookup-events, EventBridge, CloudWatch Logs, gzip, .zip and .tar(.gz) (docs/local-inputs.md). Several may follow one --input`,
    }) as const satisfies OptionSpec;
const since = (defaultText: string) => ({ type: "string", value: "<instant>", description: `start of the window: ${INSTANT_FORMS}`, defaultText }) as const;
const until = (defaultText: string) =>
    ({ type: "string", value: "<instant>", description: "end of the window, an instant as for --since", defaultText }) as const;
const json = (what: string) => ({ type: "boolean", description: `print ${what} as JSON` }) as const;
const stackFile = (what: string) => ({ type: "string", value: "<Pulumi.<stack>.yaml>", description: what }) as const;
const lookback = (defaultText: string) =>
    ({
        type: "string",
        value: "<duration>",
        description: "how far back the first-seen detections look for a behaviour before calling it new: minutes, hours or days (30m, 36h, 14d)",
        defaultText,
    }) as const;
const maxEvents = {
    type: "string",
    value: "<n>",
    description: `the timeline stops after this many events, and says so: a whole number from 1 to 1000000`,
    default: String(DEFAULT_MAX_EVENTS),
} as const;
const maxHops = {
    type: "string",
    value: "<n>",
    description: `hops of the identity chain followed in each direction: a whole number from 1 to ${MAX_HOPS_LIMIT}`,
    default: String(DEFAULT_MAX_HOPS),
} as const;
/** The options that name the deployed Athena workgroup and database. */
const athena = {
    stack: { type: "string", value: "<name>", description: "the stack whose Athena workgroup and database to use", default: DEFAULT_STACK },
    workgroup: { type: "string", value: "<name>", description: "the Athena workgroup", defaultText: "cloudtrail-lake-<stack>" },
    database: { type: "string", value: "<name>", description: "the Glue database", defaultText: "cloudtrail_lake_<stack>" },
    timeout: { type: "string", value: "<seconds>", description: "seconds before a query is stopped: a positive number up to 86400", default: "300" },
} as const;

export const START = {
    name: "start",
    npm: "npm start --",
    summary: "the whole pipeline on this machine, no AWS account: normalise, Parquet, every detection (DuckDB); writes report.html",
    description:
        "Runs the lake's normaliser (the Lambda's core), the Parquet conversion (the Glue job's role) and every detection of queries/ (on DuckDB) on CloudTrail files on this machine. " +
        "Without --input it runs on the bundled real logs of samples/. Prints what every detection found (or JSON with --json) and writes report.html in the output folder.",
    positionals: [],
    options: {
        "input": { ...input("files and folders of CloudTrail in any shape"), defaultText: "samples/" },
        "out": {
            type: "string",
            value: "<dir>",
            description:
                "the output folder. Its previous lake and report are replaced, so the findings cover exactly this input; a folder with files this tool did not write is refused",
            defaultText: "out/ in the repository",
        },
        "append": { type: "boolean", description: "add this input to the lake already in --out instead (duplicates by eventID dropped)" },
        "since": {
            ...since("the first event time of the input"),
            description: `start of the window: ${INSTANT_FORMS}. Event times before 2005 or more than a day after now are left out of the default window, with a warning`,
        },
        "until": until("the last event time of the input"),
        "lookback": {
            ...lookback("each detection's own (14 days)"),
            description: `${lookback("").description}. The input is the only history: a shorter one is said in the finding's note`,
        },
        "jobs": {
            type: "string",
            value: "<n>",
            description:
                "files normalised at once, one worker each: a whole number from 1 to 256. The lake, the findings and the duplicate counts are the same for any number",
            defaultText: "the number of cores",
        },
        "stack-file": stackFile(
            "apply that stack's cloudtrail-lake:suppressions to the findings, as the alerts do, and name each hit's account as its cloudtrail-lake:accounts does",
        ),
        "json": json("the findings"),
    },
    exitCodes: {
        ok: { code: 0, meaning: "every detection ran (whether or not it found something); skipped and failed files are reported" },
        unexpected: { code: 1, meaning: "unexpected error" },
        usage: {
            code: 2,
            meaning: badArguments(
                WINDOW,
                "a bad `--lookback`",
                "`--jobs` not a whole number from 1 to 256",
                "an input that does not exist or lies inside `--out`",
                STACK_FILE,
            ),
        },
        noEvents: { code: 3, meaning: "no CloudTrail events in the input (said on stderr)" },
        detectionCannotRun: { code: 4, meaning: "a detection could not run locally (named on stderr and in the output)" },
        outFolderBusy: {
            code: 5,
            meaning:
                "the output folder is in use by another run (its pid is named), holds files this tool did not write, or cannot be written (read-only, full: named with the reason; its lake is left as it was)",
        },
        interrupted: { code: 130, meaning: "interrupted (Ctrl-C): nothing of the run is kept; the output folder holds the lake it had before" },
    },
    examples: ["npm start", "npm start -- --input ~/incident-123/ --out ~/incident-123-lake --since 2026-11-25 --json"],
    docs: "docs/respond.md",
} as const satisfies CommandSpec;

export const INVESTIGATE = {
    name: "investigate",
    aliases: ["start investigate"],
    npm: "npm start -- investigate",
    summary: "who is behind an identity, and what every identity of its chain did, across accounts, from your logs",
    description:
        "Loads the input with the local pipeline (as start does), resolves the chain of identities behind the subject from what CloudTrail records, " +
        "and prints it origin first, then one timeline of every event of every identity in the chain with the detections that flagged them. " +
        "What the input holds that could not be read is said on stderr, as start says it.",
    positionals: [{ name: "<subject>", description: "a principal ARN, an access key id (AKIA…, ASIA…), or a user, role or role session name", required: true }],
    options: {
        "input": {
            ...input("the CloudTrail files and folders to investigate in"),
            required: "--input is missing: give the CloudTrail files or directories to investigate in",
        },
        "since": since("the first event time of the input"),
        "until": until("the last event time of the input"),
        "json": json("the chain, the timeline and what the input left out"),
        "out": {
            type: "string",
            value: "<dir>",
            description:
                "keep the local lake there (replacing an earlier run's, as start does), write the page <dir>/investigations/<subject>-<hash>.html and <dir>/report.html, which links to it",
            defaultText: "a temporary folder, removed",
        },
        "max-events": maxEvents,
        "max-hops": maxHops,
    },
    exitCodes: {
        ok: { code: 0, meaning: "done" },
        notFound: { code: 1, meaning: "the subject names no identity in the input, or several (listed), or the input has no dated CloudTrail event" },
        usage: {
            code: 2,
            meaning: badArguments(WINDOW, "a bad count", "an input that does not exist", "a subject that is no principal ARN, access key id or name"),
        },
    },
    examples: ["npm start -- investigate arn:aws:sts::444455556666:assumed-role/JohnRole2/Role2WithTags --input ~/incident-123/ --out ~/incident-123-lake"],
    docs: "docs/respond.md#investigate",
} as const satisfies CommandSpec;

export const ALERTS = {
    name: "alerts",
    npm: "npm run alerts --",
    summary: "alert replay: the alerts your logs would have sent, after suppression and deduplication",
    description:
        "Replays local logs through the alerting code (the event evaluator per normalised file, the windowed detections over every schedule window) and prints the alerts " +
        "that would have been sent, after suppression and deduplication, and what each suppression removed. Tune the stack file's cloudtrail-lake:suppressions with it before enabling a destination.",
    positionals: [],
    options: {
        "input": { ...input("the CloudTrail files and folders to replay"), required: "--input is required" },
        "since": since("the first event time of the input"),
        "until": until("the last event time of the input"),
        "json": json("the alerts, the suppressions, the errors and what was read"),
        "stack-file": stackFile("the stack whose suppressions, account names, windows and thresholds to replay with"),
        "out": {
            type: "string",
            value: "<dir>",
            description:
                "keep the replay's lake there. Its previous lake is replaced, so the alerts cover exactly this input; a folder with files this tool did not write is refused",
            defaultText: "a temporary folder, removed",
        },
        "append": {
            type: "boolean",
            description:
                "add this input to the lake already in --out (needs --out) and replay the whole lake; events already there, by eventID, are not counted twice",
        },
    },
    exitCodes: {
        ok: { code: 0, meaning: "every input file was read and every detection ran" },
        detectionFailed: { code: 1, meaning: "a detection could not run (named, and listed in `errors`)" },
        usage: { code: 2, meaning: `${badArguments(WINDOW, "`--append` without `--out`", STACK_FILE)}; also an unexpected error` },
        noEvents: { code: 3, meaning: "no CloudTrail events in the input: nothing was replayed" },
        outFolder: {
            code: 5,
            meaning: "the output folder is in use by another run, holds files this tool did not write, or cannot be written (named, with the reason)",
        },
        unreadableInput: {
            code: 6,
            meaning: "some input could not be read: each file is named with its reason on stderr and in `failedFiles`; the alerts cover the rest",
        },
        interrupted: { code: 130, meaning: "interrupted (Ctrl-C); temporary and partial files are removed" },
    },
    unexpectedErrorExitCode: 2,
    examples: ["npm run alerts -- --input ~/logs/last-week/ --stack-file Pulumi.prod.yaml"],
    docs: "docs/alerts-replay.md",
} as const satisfies CommandSpec;

export const QUERY = {
    name: "query",
    npm: "npm run query --",
    summary: "one detection in the deployed Athena workgroup, over a window ending now (or at --until)",
    description:
        "Runs one detection of queries/ in the deployed Athena workgroup over a window and prints its rows. Uses the default AWS credential chain; " +
        "every argument is checked before any AWS call. `query investigate` is the investigation on the deployed lake.",
    positionals: [{ name: "<detection>", description: "a query of queries/ (its file name without .sql)", required: true }],
    options: {
        "since": {
            type: "string",
            value: "<duration or instant>",
            description: `a duration before --until (30m, 24h, 7d) or an instant: ${INSTANT_FORMS}`,
            default: "24h",
        },
        "until": until("now"),
        "lookback": lookback('the detection\'s own (its "-- lookback:" header); only first-seen detections take one'),
        "format": { type: "string", value: "<format>", description: "how the rows are printed", choices: ["table", "csv", "json"], default: "table" },
        ...athena,
        "stack-file": stackFile("filter the rows by that stack's cloudtrail-lake:suppressions, as the alerts and the local mode do"),
    },
    exitCodes: {
        ok: { code: 0, meaning: "the query ran" },
        failed: { code: 1, meaning: "Athena or AWS error (named)" },
        usage: {
            code: 2,
            meaning: badArguments(
                WINDOW,
                "a bad duration, number or format",
                "a detection that is not in queries/",
                STACK_FILE,
                "all checked before any AWS call",
            ),
        },
    },
    examples: ["npm run query -- cloudtrail-tampering --since 7d --format csv"],
    docs: "docs/detections.md",
} as const satisfies CommandSpec;

export const QUERY_INVESTIGATE = {
    name: "query investigate",
    npm: "npm run query -- investigate",
    summary: "the same investigation on the deployed lake, in Athena",
    description:
        "The investigation of investigate on the deployed lake: the same resolver and the same SQL, each query run in the Athena workgroup; " +
        "the detections of queries/ run in one query over the window. Prints the same text or JSON as the local command.",
    positionals: INVESTIGATE.positionals,
    options: {
        "since": { ...QUERY.options.since, default: "7d" },
        "until": until("now"),
        "json": json("the chain and the timeline"),
        "out": { type: "string", value: "<dir>", description: "write the page <dir>/investigations/<subject>-<hash>.html" },
        "max-events": maxEvents,
        "max-hops": maxHops,
        ...athena,
    },
    exitCodes: {
        ok: { code: 0, meaning: "done" },
        notFound: { code: 1, meaning: "the subject names no identity, or several (listed), or an Athena query failed" },
        usage: { code: 2, meaning: badArguments(WINDOW, "a bad duration or count", "a subject that is no principal ARN, access key id or name") },
    },
    examples: ["npm run query -- investigate JohnDoe-EC2-dev --since 7d --json"],
    docs: "docs/respond.md#investigate",
} as const satisfies CommandSpec;

export const NORMALISE = {
    name: "normalise",
    npm: "npm run normalise --",
    summary: "the Lambda's core on local S3 log files, into the lake's layout",
    description:
        'Normalises S3 log files ({"Records":[…]}, gzip or plain, whatever their names) with the Lambda\'s core, as the Lambda does (no deduplication), ' +
        "and writes <dir>/normalised/account=…/region=…/date=…/<file>.json.gz. Prints per-file counts; a file that cannot be read is named with the reason and the others go on.",
    positionals: [{ name: "<files or folders…>", description: "the S3 log files, or folders of them", variadic: true, required: true }],
    options: {
        out: { type: "string", value: "<dir>", description: "the folder to write normalised/… under", required: "--out <dir> is required" },
    },
    exitCodes: {
        ok: { code: 0, meaning: "every file normalised or skipped (not JSON, links that lead nowhere, special files: named with the reason)" },
        fileFailed: { code: 1, meaning: "a file failed (named with the reason), or an unexpected error" },
        usage: { code: 2, meaning: badArguments("no files or no `--out`") },
    },
    examples: ["npm run normalise -- samples/ --out /tmp/lake"],
} as const satisfies CommandSpec;

export const PLAN = {
    name: "plan",
    npm: "npm run plan --",
    summary: "offline plan of a stack under Pulumi's mocks, with the policy pack; no Pulumi CLI, AWS account or credentials",
    description:
        "Runs the Pulumi program under Pulumi's mocks with the config of Pulumi.<stack>.yaml, prints what it would declare (per component and per account, counts per resource type), " +
        "runs the policy pack over it and prints the violations.",
    positionals: [],
    options: {
        "stack": { type: "string", value: "<name>", description: "plan Pulumi.<name>.yaml of the repository", defaultText: DEFAULT_STACK },
        "stack-file": stackFile("plan this stack file instead of --stack's"),
        "policy-config": {
            type: "string",
            value: "<file.json>",
            description: "the policy pack's configuration, as `pulumi preview --policy-pack-config` takes it (enforcement levels, policy settings)",
        },
    },
    exitCodes: {
        ok: { code: 0, meaning: "no mandatory policy violation" },
        violation: { code: 1, meaning: "a mandatory policy violation (named), or an unexpected error" },
        usage: {
            code: 2,
            meaning: badArguments(
                "`--stack` and `--stack-file` together",
                "a stack file that is missing or not YAML",
                "a stack config error (every problem named)",
            ),
        },
    },
    examples: ["npm run plan", "npm run plan -- --stack-file Pulumi.staging.yaml"],
    docs: "docs/deploy.md#policy-pack-and-pull-requests",
} as const satisfies CommandSpec;

export const BUCKET_OWNER_STATEMENTS = {
    name: "bucket-owner-statements",
    npm: "npm run bucket-owner-statements --",
    summary: "the statements an existing archive's owner adds to its bucket and key policies (trailMode existing)",
    description:
        "For trailMode existing when the archive bucket lives in another account: prints, as JSON, the statements its owner adds to the bucket policy and the key policy " +
        "for the deployed normaliser role, the EventBridge rule that forwards the bucket's events to this stack's account, and the statement this account's default event bus needs to accept them.",
    positionals: [],
    options: {
        "stack-file": { ...stackFile("the stack whose cloudtrail-lake:existingArchive is read (trailMode existing)"), required: "--stack-file is required" },
        "role-arn": {
            type: "string",
            value: "<arn>",
            description: "the deployed normaliser role: pulumi stack output normaliserRoleArn",
            defaultText: "a placeholder, which AWS refuses, so that nothing half-right gets applied",
        },
    },
    exitCodes: {
        ok: { code: 0, meaning: "the statements are printed" },
        unexpected: { code: 1, meaning: "unexpected error" },
        usage: { code: 2, meaning: badArguments(STACK_FILE, "a stack that is not trailMode existing", "a `--role-arn` that is no IAM role ARN") },
    },
    examples: ['npm run bucket-owner-statements -- --stack-file Pulumi.prod.yaml --role-arn "$(pulumi stack output normaliserRoleArn)"'],
    docs: "docs/deploy.md#existing-mode",
} as const satisfies CommandSpec;

export const GROUND_TRUTH = {
    name: "ground-truth",
    npm: "npm run ground-truth --",
    summary: "recall and precision of every detection on Panther's labelled test events",
    description: "Runs the local mode on Panther's labelled test events and prints recall and precision per detection.",
    positionals: [],
    options: {},
    exitCodes: {
        ok: { code: 0, meaning: "measured" },
        unexpected: { code: 1, meaning: "unexpected error" },
        usage: { code: 2, meaning: badArguments("any argument: it takes none") },
    },
    docs: "docs/detections.md#detections-against-ground-truth",
} as const satisfies CommandSpec;

/** Every command, in the order `cloudtrail-lake --help` and the README list them. */
export const COMMANDS = [START, INVESTIGATE, ALERTS, QUERY, QUERY_INVESTIGATE, NORMALISE, PLAN, BUCKET_OWNER_STATEMENTS, GROUND_TRUTH] as const;

export type CommandName = (typeof COMMANDS)[number]["name"];

/** The value a parsed option has: a flag's boolean, an option's text, or every text of one that repeats. */
type OptionValue<O extends OptionSpec> = O["type"] extends "boolean" ? boolean : O extends { multiple: true } ? string[] : string;
type Options<C extends CommandSpec> = C["options"];

/** An option the parser always gives a value: it has a default, or the command refuses to run without it. */
type AlwaysSet = { default: string } | { required: string };

/** What {@link CommandSpec.options} parse to: an option with a `default` or `required` always has a value, the others may be absent. */
export type OptionValues<C extends CommandSpec> = {
    -readonly [K in keyof Options<C> as Options<C>[K] extends AlwaysSet ? K : never]: OptionValue<Options<C>[K]>;
} & {
    -readonly [K in keyof Options<C> as Options<C>[K] extends AlwaysSet ? never : K]?: OptionValue<Options<C>[K]>;
} & { help?: boolean };

/** A command's exit codes by name (`EXIT.noEvents` is 3), from its {@link CommandSpec.exitCodes}. */
export function exitCodesOf<C extends CommandSpec>(command: C): { readonly [K in keyof C["exitCodes"]]: C["exitCodes"][K]["code"] } {
    return Object.fromEntries(Object.entries(command.exitCodes).map(([name, exit]) => [name, exit.code])) as {
        [K in keyof C["exitCodes"]]: C["exitCodes"][K]["code"];
    };
}
