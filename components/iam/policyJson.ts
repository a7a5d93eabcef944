import * as pulumi from "@pulumi/pulumi";

/**
 * The JSON text of a policy document built from resolved values: every component serialises its
 * policies this way, `policyJson(pulumi.all([a, b]), ([a, b]) => builder({ a, b }))`, so a policy
 * property is always exactly `JSON.stringify` of what the pure builder returned.
 */
export function policyJson<T>(values: pulumi.Output<T>, build: (values: T) => pulumi.Input<object>): pulumi.Output<string> {
    return values.apply((resolved) => pulumi.output(build(resolved))).apply((document) => JSON.stringify(document));
}
