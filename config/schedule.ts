/**
 * AWS cron expressions (the six-field form EventBridge and Glue use) and the plan of Glue
 * triggers that start one job per account. Pure functions: config validation, the Schedule
 * component and the tests call them.
 *
 * Facts relied on (https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html,
 * https://docs.aws.amazon.com/glue/latest/dg/trigger-job.html; the concurrent-runs default is second-hand,
 * docs/architecture.md "Facts relied on"): `cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)` in UTC; one of day-of-month and day-of-week must be `?`; Glue runs schedules
 * at most every 5 minutes; a trigger starts at most 50 jobs; an account runs 200 concurrent job
 * runs by default in many regions (a quota that varies, hence a config value).
 */

/** Glue's limit of actions (jobs started) per trigger (service quota L-EEC98450). */
export const MAX_ACTIONS_PER_TRIGGER = 50;

const MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC";
const DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT";

interface FieldRule {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: string;
    /** Extra tokens allowed (`?`, `L`, `W`, `#`). */
    readonly extra?: RegExp;
}

const FIELDS: readonly FieldRule[] = [
    { name: "minutes", min: 0, max: 59 },
    { name: "hours", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31, extra: /^(\?|L|LW|\d{1,2}W)$/ },
    { name: "month", min: 1, max: 12, names: MONTHS },
    { name: "day-of-week", min: 1, max: 7, names: DAYS, extra: /^(\?|L|\d L|[1-7]#[1-5]|[A-Z]{3}#[1-5]|[1-7]L)$/ },
    { name: "year", min: 1970, max: 2199 },
];

/** The six fields of a valid expression. */
export interface AwsCron {
    readonly fields: readonly string[];
}

/** Checks one comma-separated part: `*`, `n`, `n-m`, `*\/s`, `n/s`, `n-m/s`, or a name. */
function validPart(part: string, rule: FieldRule): boolean {
    if (rule.extra?.test(part)) return true;
    const value = (token: string) => {
        if (/^\d+$/.test(token)) return Number(token);
        const index = rule.names ? rule.names.split("|").indexOf(token) : -1;
        return index >= 0 ? index + rule.min : NaN;
    };
    const inRange = (token: string) => {
        const number = value(token);
        return Number.isInteger(number) && number >= rule.min && number <= rule.max;
    };
    const [range, step] = part.split("/");
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
    if (range === "*") return true;
    const bounds = range.split("-");
    return bounds.length <= 2 && bounds.every(inRange);
}

/** Minutes of the hour the minutes field fires at. */
function minutesOf(field: string): number[] {
    const minutes = new Set<number>();
    for (const part of field.split(",")) {
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        const [start, end] =
            range === "*" ? [0, 59] : range.includes("-") ? range.split("-").map(Number) : [Number(range), stepText === undefined ? Number(range) : 59];
        for (let minute = start; minute <= end; minute += step) minutes.add(minute);
    }
    return [...minutes].sort((a, b) => a - b);
}

/**
 * Parses and validates an AWS cron expression. Returns the problems found (empty when valid),
 * each saying what is wrong and what is allowed.
 */
export function cronProblems(expression: string): string[] {
    const match = /^cron\((.*)\)$/.exec(expression.trim());
    if (!match) return ["must be an AWS cron expression, cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 */6 * * ? *)"];
    const fields = match[1].trim().split(/\s+/);
    if (fields.length !== 6) return [`has ${fields.length} fields; AWS cron has six: Minutes Hours Day-of-month Month Day-of-week Year`];
    const problems: string[] = [];
    fields.forEach((field, index) => {
        const rule = FIELDS[index];
        if (
            !field
                .toUpperCase()
                .split(",")
                .every((part) => validPart(part, rule))
        ) {
            problems.push(
                `field ${index + 1} (${rule.name}) "${field}" is not valid: use *, ?, numbers ${rule.min}-${rule.max}${rule.names ? ` or names` : ""}, ranges a-b, lists a,b and steps */n`,
            );
        }
    });
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
        problems.push("exactly one of day-of-month (field 3) and day-of-week (field 5) must be ?, e.g. cron(0 12 * * ? *)");
    }
    if (problems.length === 0) {
        const minutes = minutesOf(fields[0]);
        const gaps = minutes.map((minute, i) => (i === 0 ? minute + 60 - minutes[minutes.length - 1] : minute - minutes[i - 1]));
        if (minutes.length > 1 && Math.min(...gaps) < 5) problems.push("fires more often than every 5 minutes, which Glue schedules do not support");
    }
    return problems;
}

/** The same schedule `offset` minutes later; the minutes field must be a single number and stay within the hour. */
export function staggeredCron(expression: string, offset: number): string {
    if (offset === 0) return expression;
    const fields = /^cron\((.*)\)$/.exec(expression.trim())![1].trim().split(/\s+/);
    if (!/^\d+$/.test(fields[0])) throw new Error("the minutes field must be a single number to stagger waves");
    const minute = Number(fields[0]) + offset;
    if (minute > 59) throw new Error(`a wave ${offset} minutes after minute ${fields[0]} would fall past the hour`);
    return `cron(${[String(minute), ...fields.slice(1)].join(" ")})`;
}

/** One scheduled trigger and the jobs it starts. */
export interface PlannedTrigger {
    /** Stable name: wave and position, so adding an account changes actions, not triggers. */
    readonly name: string;
    readonly schedule: string;
    readonly wave: number;
    readonly jobs: readonly string[];
}

export interface TriggerPlanOptions {
    /** Base schedule of wave 0. */
    readonly schedule: string;
    /** Job runs the account may have at once (Glue's concurrent-runs quota). */
    readonly concurrentRunsQuota: number;
    /** Minutes between waves; a wave's runs should finish within it. */
    readonly staggerMinutes: number;
    /** Default {@link MAX_ACTIONS_PER_TRIGGER}. */
    readonly actionsPerTrigger?: number;
}

/**
 * Spreads the jobs over as few triggers as possible, at most 50 per trigger, every job in
 * exactly one; triggers are grouped in waves of at most `concurrentRunsQuota` jobs, each wave
 * `staggerMinutes` after the previous one. Jobs are sorted, so config order does not matter.
 * Throws when the waves do not fit in the hour of the base schedule.
 */
export function planTriggers(jobs: readonly string[], options: TriggerPlanOptions): PlannedTrigger[] {
    const perTrigger = options.actionsPerTrigger ?? MAX_ACTIONS_PER_TRIGGER;
    // A wave is a whole number of triggers that together stay within the quota.
    const triggersPerWave = Math.max(1, Math.floor(options.concurrentRunsQuota / perTrigger));
    const perWave = Math.min(options.concurrentRunsQuota, triggersPerWave * perTrigger);
    const sorted = [...new Set(jobs)].sort();
    const plan: PlannedTrigger[] = [];
    for (let waveStart = 0, wave = 0; waveStart < sorted.length; waveStart += perWave, wave++) {
        const waveJobs = sorted.slice(waveStart, waveStart + perWave);
        const schedule = staggeredCron(options.schedule, wave * options.staggerMinutes);
        const size = Math.min(perTrigger, perWave);
        for (let start = 0, index = 0; start < waveJobs.length; start += size, index++) {
            plan.push({ name: `wave${wave}-${index}`, schedule, wave, jobs: waveJobs.slice(start, start + size) });
        }
    }
    return plan;
}
