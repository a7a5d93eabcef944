/**
 * Data events the stack's trails record (`cloudtrail-lake:dataEvents`): object-level S3 calls of the
 * listed buckets and Lambda Invoke calls, with advanced event selectors. Off by default: data events
 * are billed from the first copy ($0.10 per 100,000 events, docs/data-events.md).
 *
 * Why advanced selectors and what they must keep (CloudTrail API reference, PutEventSelectors):
 * "You can use either AdvancedEventSelectors or EventSelectors, but not both. If you apply
 * AdvancedEventSelectors to a trail, any existing EventSelectors are overwritten", so the management
 * events the trail records by default need their own selector; and "a maximum of 500 total values for
 * all conditions in all advanced event selectors is allowed" per trail (CloudTrail quotas: "Advanced
 * event selectors: 500 conditions across all advanced event selectors. This quota cannot be increased").
 */
import { z } from "zod";

/** CloudTrail's cap on the values of all conditions of all advanced event selectors of one trail. */
export const MAX_ADVANCED_SELECTOR_VALUES = 500;

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const bucketArn = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;

export const dataEventsSchema = z.strictObject({
    /**
     * Buckets whose object-level calls (GetObject, PutObject, CopyObject, DeleteObject, ListObjects…) are
     * recorded: a bucket name, a bucket ARN, or a bucket ARN with a key prefix (`arn:aws:s3:::name/prefix/`).
     * @default []
     */
    s3Buckets: z
        .array(
            z.string({ error: "must be a bucket name or an S3 ARN (a string)" }).refine((value) => bucketName.test(value) || bucketArn.test(value), {
                error: "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-') or an S3 ARN such as arn:aws:s3:::my-bucket or arn:aws:s3:::my-bucket/prefix/",
            }),
            { error: "must be a list of bucket names or S3 ARNs" },
        )
        .default([])
        .describe(
            "Buckets whose object-level calls (GetObject, PutObject, CopyObject, DeleteObject, ListObjects…) are recorded: a bucket name, a bucket ARN, or a bucket ARN with a key prefix (arn:aws:s3:::name/prefix/).",
        ),
    /**
     * Record Lambda Invoke calls of every function in the account (data events of `AWS::Lambda::Function`).
     * @default false
     */
    lambda: z
        .boolean({ error: "must be true or false" })
        .default(false)
        .describe("Record Lambda Invoke calls of every function in the account (data events of AWS::Lambda::Function)."),
});

export type DataEventsConfig = z.output<typeof dataEventsSchema>;

/** One advanced event selector, as CloudTrail (and Pulumi's aws.cloudtrail.Trail) takes it. */
export interface AdvancedEventSelector {
    readonly name: string;
    readonly fieldSelectors: { readonly field: string; readonly equals?: string[]; readonly startsWiths?: string[] }[];
}

/** `my-bucket` or `arn:…:s3:::my-bucket` → `arn:<partition>:s3:::my-bucket/` (every object); an ARN with a key prefix stays as written. */
export function s3ObjectArnPrefix(entry: string, partition: string): string {
    if (bucketName.test(entry)) return `arn:${partition}:s3:::${entry}/`;
    const match = bucketArn.exec(entry);
    if (!match) throw new Error(`"${entry}" is not an S3 bucket name or ARN`);
    return match[2] ? entry : `${entry}/`;
}

/**
 * The trail's advanced event selectors, or undefined when no data event is asked for (the trail then
 * keeps CloudTrail's default: all management events). With data events, the first selector keeps
 * every management event, read and write.
 */
export function advancedEventSelectors(dataEvents: DataEventsConfig, partition: string): AdvancedEventSelector[] | undefined {
    if (dataEvents.s3Buckets.length === 0 && !dataEvents.lambda) return undefined;
    const selectors: AdvancedEventSelector[] = [{ name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }];
    if (dataEvents.s3Buckets.length > 0) {
        selectors.push({
            name: "S3 data events of the listed buckets",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: [...new Set(dataEvents.s3Buckets.map((entry) => s3ObjectArnPrefix(entry, partition)))] },
            ],
        });
    }
    if (dataEvents.lambda) {
        selectors.push({
            name: "Lambda invocations",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::Lambda::Function"] },
            ],
        });
    }
    return selectors;
}

/** The values CloudTrail counts against {@link MAX_ADVANCED_SELECTOR_VALUES}. */
export function advancedSelectorValueCount(selectors: readonly AdvancedEventSelector[]): number {
    return selectors.reduce(
        (sum, selector) => sum + selector.fieldSelectors.reduce((inner, field) => inner + (field.equals?.length ?? 0) + (field.startsWiths?.length ?? 0), 0),
        0,
    );
}

/** Problems of a valid-shaped dataEvents value: duplicates, and CloudTrail's cap on selector values. Each names its key. */
export function dataEventsProblems(dataEvents: DataEventsConfig, keyPath: (path: readonly PropertyKey[]) => string): string[] {
    const problems: string[] = [];
    const first = new Map<string, number>();
    dataEvents.s3Buckets.forEach((entry, index) => {
        const arn = s3ObjectArnPrefix(entry, "aws").replace(/^arn:aws[a-z-]*:/, "");
        const seen = first.get(arn);
        if (seen === undefined) first.set(arn, index);
        else
            problems.push(
                `${keyPath(["dataEvents", "s3Buckets", index])} = ${JSON.stringify(entry)}: names the same objects as s3Buckets[${seen}]; list each bucket once`,
            );
    });
    const values = advancedSelectorValueCount(advancedEventSelectors(dataEvents, "aws") ?? []);
    if (values > MAX_ADVANCED_SELECTOR_VALUES) {
        problems.push(
            `${keyPath(["dataEvents", "s3Buckets"])} lists ${dataEvents.s3Buckets.length} buckets: with the other selectors that is ${values} condition values, ` +
                `but CloudTrail allows at most ${MAX_ADVANCED_SELECTOR_VALUES} across all advanced event selectors of a trail (a quota that cannot be raised); ` +
                "list fewer buckets",
        );
    }
    return problems;
}
