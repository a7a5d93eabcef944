import * as pulumi from "@pulumi/pulumi";

/** A bucket another component reads or writes: its name (for S3 calls and settings) and ARN (for policies). */
export interface BucketRef {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
}
