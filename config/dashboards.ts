/**
 * Stack config of the QuickSight dashboards (`cloudtrail-lake:dashboards`, docs/dashboards.md).
 * Unset: nothing QuickSight-related is declared. Kept beside the main schema (config/stackConfig.ts
 * includes the key), like the alerting's.
 */
import { z } from "zod";

/** direct: every visual queries Athena when viewed; spice: data sets are imported into SPICE on a schedule. */
export const DASHBOARD_MODES = ["direct", "spice"] as const;
export type DashboardMode = (typeof DASHBOARD_MODES)[number];

/** ScheduleFrequency.Interval values offered (QuickSight API reference, RefreshFrequency). */
export const REFRESH_INTERVALS = ["HOURLY", "DAILY"] as const;

/** A resource's permissions list holds at most 64 principals (QuickSight API reference, CreateDataSource.Permissions). */
export const MAX_DASHBOARD_PRINCIPALS = 64;

/**
 * A QuickSight user or group ARN: `arn:aws:quicksight:<identity region>:<account>:user|group/<namespace>/<name>`
 * (QuickSight API reference, ResourcePermission.Principal). User names of IAM-federated users hold a `/`.
 */
export const QUICKSIGHT_PRINCIPAL_ARN = /^arn:aws[a-z-]*:quicksight:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(user|group)\/([A-Za-z0-9._-]{1,64})\/(\S{1,256})$/;

const wholeNumber = (min: number, max: number) =>
    z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });

const refreshSchema = z.strictObject({
    /** How often SPICE data sets are refreshed. */
    interval: z
        .enum(REFRESH_INTERVALS, { error: `must be one of ${REFRESH_INTERVALS.join(", ")}` })
        .default("DAILY")
        .describe("How often SPICE data sets are refreshed."),
    /** DAILY: the time of day, HH:MM in UTC. */
    timeOfDay: z
        .string({ error: "must be a time of day HH:MM (UTC)" })
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "must be a time of day HH:MM (UTC), e.g. 03:00" })
        .default("03:00")
        .describe("DAILY: the time of day, HH:MM in UTC."),
});

export const dashboardsSchema = z.strictObject({
    /** QuickSight users or groups the data sets and the dashboard are shared with (read-only). */
    principals: z
        .array(
            z.string({ error: "must be a QuickSight user or group ARN (a string)" }).regex(QUICKSIGHT_PRINCIPAL_ARN, {
                error: "must be a QuickSight user or group ARN such as arn:aws:quicksight:us-east-1:123456789012:group/default/security-team",
            }),
            { error: "must be a list of QuickSight user or group ARNs" },
        )
        .min(1, { error: "must list at least one QuickSight user or group: a dashboard nobody may open is of no use" })
        .max(MAX_DASHBOARD_PRINCIPALS, {
            error: `must list at most ${MAX_DASHBOARD_PRINCIPALS} principals (QuickSight's limit per resource); share with a group`,
        })
        .describe("QuickSight users or groups the data sets and the dashboard are shared with (read-only)."),
    /** direct (default): visuals query Athena when opened; spice: data sets are imported on the refresh schedule. */
    mode: z
        .enum(DASHBOARD_MODES, { error: `must be one of ${DASHBOARD_MODES.join(", ")}` })
        .default("direct")
        .describe("direct (default): visuals query Athena when opened; spice: data sets are imported on the refresh schedule."),
    /** When SPICE data sets refresh (mode spice, and always the detection hits: docs/dashboards.md). */
    refresh: refreshSchema.prefault({}).describe("When SPICE data sets refresh (mode spice, and always the detection hits: docs/dashboards.md)."),
    /** Days the dashboard covers, back from now: the data sets read only these partitions. */
    lookbackDays: wholeNumber(1, 400).default(30).describe("Days the dashboard covers, back from now: the data sets read only these partitions."),
});

export type DashboardsConfig = z.output<typeof dashboardsSchema>;

/** Allowed keys under `dashboards` (for the unknown-key message), or undefined when `path` is elsewhere. */
export function dashboardsAllowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
    if (path[0] !== "dashboards") return undefined;
    if (path[1] === "refresh") return Object.keys(refreshSchema.shape);
    return Object.keys(dashboardsSchema.shape);
}
