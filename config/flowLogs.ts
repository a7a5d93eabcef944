/**
 * Stack config of VPC Flow Logs (`cloudtrail-lake:flowLogs`), kept beside the main schema
 * (config/stackConfig.ts includes the key). docs/flow-logs.md explains each setting.
 *
 * ```yaml
 * cloudtrail-lake:flowLogs:
 *   vpcIds:
 *     "111122223333": [vpc-0a1b2c3d4e5f67890, eu-west-1:vpc-0fedcba9876543210]
 *   aggregationIntervalSeconds: 600   # or 60
 * ```
 */
import { z } from "zod";

/** A VPC id, alone (the stack's region) or as `<region>:<vpc id>`. */
export const VPC_ENTRY = /^(?:([a-z]{2}(?:-[a-z]+)+-\d):)?(vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/;

/** EC2 accepts a maximum aggregation interval of 60 or 600 seconds (CreateFlowLogs, MaxAggregationInterval). */
export const AGGREGATION_INTERVALS = [60, 600] as const;

const vpcEntry = z.string({ error: "must be a VPC id such as vpc-0a1b2c3d4e5f67890, or <region>:<vpc id>" }).regex(VPC_ENTRY, {
    error: "must be a VPC id (vpc- and 8 or 17 lowercase hex digits), optionally preceded by its region and a colon: eu-west-1:vpc-0a1b2c3d4e5f67890",
});

const existingLocationSchema = z.strictObject({
    /** The bucket flow logs already land in (another team's, e.g. a Control Tower log archive). Never modified by this stack. */
    bucketName: z
        .string({ error: "must be an S3 bucket name (a string)" })
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')" })
        .describe("The bucket flow logs already land in (another team's, e.g. a Control Tower log archive). Never modified by this stack."),
    /** The prefix the flow logs were created with (before `AWSLogs/`), ending in `/`; empty: none. */
    prefix: z
        .string({ error: "must be an S3 key prefix ending in / (or empty)" })
        .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { error: "must be an S3 key prefix ending in / (or empty), without a leading /" })
        .default("")
        .describe("The prefix the flow logs were created with (before AWSLogs/), ending in /; empty: none."),
});

export const flowLogsSchema = z.strictObject({
    /**
     * VPCs whose flow logs the stack creates, per listed account id: `vpc-…` (in the stack's region) or
     * `<region>:vpc-…`. Every account must be one of `accounts`.
     */
    vpcIds: z
        .record(z.string(), z.array(vpcEntry, { error: "must be a list of VPC ids" }).min(1, { error: "must list at least one VPC id" }), {
            error: 'must be a map of account id to VPC ids, e.g. { "111122223333": [vpc-0a1b2c3d4e5f67890] }',
        })
        .default({})
        .describe(
            "VPCs whose flow logs the stack creates, per listed account id: vpc-… (in the stack's region) or <region>:vpc-…. Every account must be one of accounts.",
        ),
    /** Longest time a flow is aggregated into one record before it is written: 600 (default) or 60 seconds. */
    aggregationIntervalSeconds: z
        .number({ error: "must be 60 or 600" })
        .refine((value) => (AGGREGATION_INTERVALS as readonly number[]).includes(value), { error: "must be 60 or 600 (the only values EC2 accepts)" })
        .default(600)
        .describe("Longest time a flow is aggregated into one record before it is written: 600 (default) or 60 seconds."),
    /**
     * Adopt flow logs that already land elsewhere (Hive-compatible, hourly Parquet): the table reads them
     * there and the stack creates no flow logs. Required with trailMode existing (there is no archive
     * bucket of this stack to deliver to).
     */
    existingLocation: existingLocationSchema
        .optional()
        .describe(
            "Adopt flow logs that already land elsewhere (Hive-compatible, hourly Parquet): the table reads them there and the stack creates no flow logs. Required with trailMode existing.",
        ),
});

export type FlowLogsConfig = z.output<typeof flowLogsSchema>;

/** Keys allowed at a path under `flowLogs` (for "unknown key" messages). */
export function flowLogsAllowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
    if (path[0] !== "flowLogs") return undefined;
    if (path[1] === "existingLocation") return Object.keys(existingLocationSchema.shape);
    return Object.keys(flowLogsSchema.shape);
}

/** One VPC to create a flow log for. */
export interface FlowLogTarget {
    readonly accountId: string;
    readonly region: string;
    readonly vpcId: string;
}

/** The configured VPCs with their regions (the stack's where none is named), sorted, each once. */
export function flowLogTargets(config: FlowLogsConfig, stackRegion: string): FlowLogTarget[] {
    const targets = new Map<string, FlowLogTarget>();
    for (const [accountId, entries] of Object.entries(config.vpcIds)) {
        for (const entry of entries) {
            const match = VPC_ENTRY.exec(entry)!;
            const target = { accountId, region: match[1] ?? stackRegion, vpcId: match[2] };
            targets.set(`${target.accountId}/${target.region}/${target.vpcId}`, target);
        }
    }
    return [...targets.values()].sort((a, b) => `${a.accountId}/${a.region}/${a.vpcId}`.localeCompare(`${b.accountId}/${b.region}/${b.vpcId}`));
}

/**
 * Problems across keys, on the raw values (reported with every other problem): each account of
 * `vpcIds` must be listed, a VPC listed once, and the combination with the trail mode must make sense.
 */
export function flowLogsProblems(values: Record<string, unknown>, keyPath: (path: readonly PropertyKey[]) => string): string[] {
    const flowLogs = values.flowLogs as Record<string, unknown> | undefined;
    if (typeof flowLogs !== "object" || flowLogs === null) return [];
    const problems: string[] = [];
    const accounts = Array.isArray(values.accounts) ? values.accounts.map((account) => String((account as Record<string, unknown> | null)?.id)) : [];
    const vpcIds = flowLogs.vpcIds;
    if (typeof vpcIds === "object" && vpcIds !== null && !Array.isArray(vpcIds)) {
        for (const [accountId, entries] of Object.entries(vpcIds)) {
            if (!/^\d{12}$/.test(accountId)) {
                problems.push(`${keyPath(["flowLogs", "vpcIds", accountId])}: the key must be a 12-digit account id, quoted`);
            } else if (!accounts.includes(accountId)) {
                problems.push(
                    `${keyPath(["flowLogs", "vpcIds", accountId])}: account ${accountId} is not in ${keyPath(["accounts"])}; ` +
                        "flow logs are created only in listed accounts (the archive admits only their deliveries): add the account, or remove its VPCs",
                );
            }
            if (Array.isArray(entries)) {
                const seen = new Set<string>();
                entries.forEach((entry, index) => {
                    const match = typeof entry === "string" ? VPC_ENTRY.exec(entry) : null;
                    if (!match) return;
                    if (seen.has(match[2])) problems.push(`${keyPath(["flowLogs", "vpcIds", accountId, index])} = "${entry}": ${match[2]} is listed twice`);
                    seen.add(match[2]);
                });
            }
        }
    }
    const hasVpcs = typeof vpcIds === "object" && vpcIds !== null && Object.keys(vpcIds).length > 0;
    if (flowLogs.existingLocation !== undefined && hasVpcs) {
        problems.push(
            `${keyPath(["flowLogs", "existingLocation"])} is set with ${keyPath(["flowLogs", "vpcIds"])}: adopted flow logs are read where they are, ` +
                "and this stack creates none; remove one of the two",
        );
    }
    if (values.trailMode === "existing" && hasVpcs) {
        problems.push(
            `${keyPath(["flowLogs", "vpcIds"])} is set but trailMode is existing: this stack has no archive bucket to deliver flow logs to; ` +
                "point flowLogs.existingLocation at the bucket your flow logs already land in",
        );
    }
    if (!hasVpcs && flowLogs.existingLocation === undefined) {
        problems.push(`${keyPath(["flowLogs"])} needs vpcIds (VPCs to log) or existingLocation (flow logs to adopt)`);
    }
    return problems;
}
