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
        /** Detection id (file name in queries/ without .sql), or `*` for every detection. Default `*`. */
        detection: z
            .string({ error: "must be a detection id or *" })
            .regex(/^(\*|[a-z0-9][a-z0-9-]*)$/, { error: "must be a detection id (lower-case, digits, '-') or *" })
            .default("*"),
        /** Glob over the principal ARN (`useridentity.arn`), e.g. `arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*`. */
        principalArn: glob.optional(),
        /** Glob over the user agent, e.g. `*terraform*`. */
        userAgent: glob.optional(),
        /** CIDR the source IP falls in, IPv4 or IPv6. */
        sourceCidr: z
            .string({ error: "must be a CIDR such as 10.0.0.0/8" })
            .superRefine((value, ctx) => {
                for (const problem of cidrProblems(value)) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional(),
        /** 12-digit account id, quoted. */
        account: z
            .string({ error: "must be a 12-digit account id written as a quoted string" })
            .regex(/^\d{12}$/, { error: "must be exactly 12 digits (an AWS account id)" })
            .optional(),
        /** Why: shown by `npm run alerts` for each row it suppresses, and kept in the stack file for reviewers. */
        reason: z
            .string({ error: "must say why these events are expected (free text)" })
            .min(3, { error: "must say why these events are expected (free text)" }),
    })
    .refine((value) => value.principalArn !== undefined || value.userAgent !== undefined || value.sourceCidr !== undefined || value.account !== undefined, {
        error: "needs at least one of principalArn, userAgent, sourceCidr, account: a suppression by detection alone would silence it; remove the detection from queries/ instead",
    });

export const suppressionsSchema = z
    .array(suppressionSchema, { error: "must be a list of suppressions, each with reason and at least one of principalArn, userAgent, sourceCidr, account" })
    .default([]);

export const alertsSchema = z.strictObject({
    /** Minutes between runs of the windowed (threshold, correlation) detections on Athena. */
    scheduleMinutes: wholeNumber(5, 1440).default(15),
    /** Extra minutes each scheduled run looks back, so late files are seen; dedup makes the overlap harmless. */
    lookbackMinutes: wholeNumber(0, 1440).default(15),
    /**
     * Days of history the first-seen detections (a `-- lookback:` header) compare each window
     * against; unset: each detection's own lookback (14 days). Longer is quieter and scans more.
     */
    firstSeenLookbackDays: wholeNumber(1, 90).optional(),
    /** One alert per (detection, account, principal) per this many minutes; repeats update its count. */
    dedupMinutes: wholeNumber(1, 10_080).default(60),
    /** Memory of the event evaluator (DuckDB runs in it). */
    evaluatorMemoryMb: wholeNumber(512, 10_240).default(1024),
    /**
     * Most event evaluators running at once (the SQS event source's maximum concurrency, 2-1,000): a backlog
     * of normalised files waits in the queue instead of taking the account's Lambda concurrency.
     */
    evaluatorMaxConcurrency: wholeNumber(2, 1000).default(10),
    /** The SNS topic (created by the stack) for people: e-mail, Chatbot, webhooks. */
    snsTopic: z
        .strictObject({
            enabled: z.boolean({ error: "must be true or false" }).default(true),
            minSeverity: severity.default("high"),
        })
        .optional(),
    /** PutEvents on an EventBridge bus, for SOAR and routing rules. */
    eventBridge: z
        .strictObject({
            /** Bus name; default: the account's default bus. */
            busName: z
                .string({ error: "must be an event bus name" })
                .regex(/^[.\-_A-Za-z0-9]{1,256}$/, { error: "must be an event bus name (letters, digits, . - _)" })
                .optional(),
            minSeverity: severity.default("low"),
        })
        .optional(),
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
