/**
 * Stack config of alerting (`cloudtrail-lake:alerts`) and of tuning (`cloudtrail-lake:suppressions`).
 * Kept beside the main schema (config/stackConfig.ts includes both keys) so that the replay command
 * validates a stack file's suppressions exactly as `pulumi up` does.
 */
import { z } from "zod";
import { cidrProblems, Suppression } from "../contract/suppressions";
import { SEVERITIES } from "../contract/detections";

/** A destination's `minSeverity` is one of the detections' severities. */
export const ALERT_SEVERITIES = SEVERITIES;

const wholeNumber = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

const severity = z.enum(ALERT_SEVERITIES, { error: `must be one of ${ALERT_SEVERITIES.join(", ")}` });

const glob = z
    .string({ error: "must be a text pattern (* any characters, ? one character)" })
    .min(1, { error: "must not be empty" })
    .refine((value) => value.replace(/[*?]/g, "").length > 0, {
        error: "must contain more than wildcards: a pattern of only * would suppress everything; leave the field out instead",
    });

export const suppressionSchema = z
    .strictObject({
        detection: z
            .string({ error: "must be a detection id or *" })
            .regex(/^(\*|[a-z0-9][a-z0-9-]*)$/, { error: "must be a detection id (lower-case, digits, '-') or *" })
            .default("*")
            .describe("Detection id (file name in queries/ without .sql), or `*` for every detection; a detection that does not exist is refused."),
        principalArn: glob
            .optional()
            .describe(
                "Glob (`*` any run of characters including `/`, `?` one character, case-sensitive, whole value) over the principal ARN (`useridentity.arn`), e.g. `arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*`.",
            ),
        userAgent: glob.optional().describe("Glob over the user agent, e.g. `*terraform*`."),
        sourceCidr: z
            .string({ error: "must be a CIDR such as 10.0.0.0/8" })
            .superRefine((value, ctx) => {
                for (const problem of cidrProblems(value)) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional()
            .describe("CIDR the source IP falls in, IPv4 or IPv6; never matches a service name such as ec2.amazonaws.com."),
        account: z
            .string({ error: "must be a 12-digit account id written as a quoted string" })
            .regex(/^\d{12}$/, { error: "must be exactly 12 digits (an AWS account id)" })
            .optional()
            .describe("12-digit account id, quoted."),
        reason: z
            .string({ error: "must say why these events are expected (free text)" })
            .min(3, { error: "must say why these events are expected (free text)" })
            .describe("Why: shown by `npm run alerts` for each row it suppresses, and kept in the stack file for reviewers."),
    })
    .refine((value) => value.principalArn !== undefined || value.userAgent !== undefined || value.sourceCidr !== undefined || value.account !== undefined, {
        error: "needs at least one of principalArn, userAgent, sourceCidr, account: a suppression by detection alone would silence it; remove the detection from queries/ instead",
    });

export const suppressionsSchema = z
    .array(suppressionSchema, { error: "must be a list of suppressions, each with reason and at least one of principalArn, userAgent, sourceCidr, account" })
    .default([]);

export const alertsSchema = z.strictObject({
    scheduleMinutes: wholeNumber(5, 1440).default(15).describe("Minutes between runs of the windowed (threshold, correlation) detections on Athena."),
    lookbackMinutes: wholeNumber(0, 1440)
        .default(15)
        .describe("Extra minutes each scheduled run looks back, so late files are seen; dedup makes the overlap harmless."),
    firstSeenLookbackDays: wholeNumber(1, 90)
        .optional()
        .describe(
            "Days of history the first-seen detections (a `-- lookback:` header) compare each window against; unset: each detection's own lookback (14 days). Longer is quieter and scans more.",
        ),
    dedupMinutes: wholeNumber(1, 10_080).default(60).describe("One alert per (detection, account, principal) per this many minutes; repeats update its count."),
    evaluatorMemoryMb: wholeNumber(512, 10_240).default(1024).describe("Memory of the event evaluator (DuckDB runs in it)."),
    evaluatorMaxConcurrency: wholeNumber(2, 1000)
        .default(10)
        .describe(
            "Most event evaluators running at once (the SQS event source's maximum concurrency, 2-1,000): a backlog of normalised files waits in the queue instead of taking the account's Lambda concurrency.",
        ),
    snsTopic: z
        .strictObject({
            enabled: z.boolean({ error: "must be true or false" }).default(true).describe("Create the topic; true once snsTopic is set."),
            minSeverity: severity.default("high").describe("Alerts of this severity or above are published to the topic."),
        })
        .optional()
        .describe("The SNS topic (created by the stack) for people: e-mail, Chatbot, webhooks."),
    eventBridge: z
        .strictObject({
            busName: z
                .string({ error: "must be an event bus name" })
                .regex(/^[.\-_A-Za-z0-9]{1,256}$/, { error: "must be an event bus name (letters, digits, . - _)" })
                .optional()
                .describe("Bus name; unset: the account's default bus."),
            minSeverity: severity.default("low").describe("Alerts of this severity or above are put on the bus."),
        })
        .optional()
        .describe("PutEvents on an EventBridge bus, for SOAR and routing rules."),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
export type SuppressionConfig = z.output<typeof suppressionSchema>;

/** Config keys of the objects above, for the "allowed here" part of unknown-key errors. */
export function alertsAllowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
    if (path[0] === "suppressions") return Object.keys(suppressionSchema.shape);
    if (path[0] !== "alerts") return undefined;
    if (path[1] === "snsTopic") return ["enabled", "minSeverity"];
    if (path[1] === "eventBridge") return ["busName", "minSeverity"];
    return Object.keys(alertsSchema.shape);
}

/** Narrows the parsed config entry to the runtime type (detection always set). */
export function toSuppressions(config: readonly SuppressionConfig[]): Suppression[] {
    return config.map((entry) => ({ ...entry }));
}
