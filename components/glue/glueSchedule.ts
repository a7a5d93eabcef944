import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planTriggers, TriggerPlanOptions } from "../../config/schedule";

/** Arguments of {@link GlueSchedule}. */
export interface GlueScheduleArgs {
    /** Glue job name by account id. */
    readonly jobs: Readonly<Record<string, pulumi.Input<string>>>;
    /** Base schedule, concurrent-runs quota, minutes between waves. */
    readonly plan: TriggerPlanOptions;
    /** Tags of every trigger. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * Scheduled Glue triggers that start every account's job exactly once per schedule: at most 50
 * jobs per trigger (Glue's limit), in waves that stay within the concurrent-runs quota.
 */
export class GlueSchedule extends pulumi.ComponentResource {
    /** Trigger names, in plan order. */
    public readonly triggerNames: pulumi.Output<string>[];

    constructor(name: string, args: GlueScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:glue:GlueSchedule", name, {}, opts);
        // Planned over account ids (stable, sorted), then mapped to job names.
        const plan = planTriggers(Object.keys(args.jobs), args.plan);
        this.triggerNames = plan.map(
            (trigger) =>
                new aws.glue.Trigger(
                    `${name}-${trigger.name}`,
                    {
                        type: "SCHEDULED",
                        schedule: trigger.schedule,
                        startOnCreation: true,
                        description: `cloudtrail-lake: wave ${trigger.wave}, ${trigger.jobs.length} account job(s)`,
                        actions: trigger.jobs.map((accountId) => ({ jobName: args.jobs[accountId] })),
                        tags: args.tags,
                    },
                    { parent: this },
                ).name,
        );
        this.registerOutputs({ triggerNames: this.triggerNames });
    }
}
