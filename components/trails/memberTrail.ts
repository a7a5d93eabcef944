import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TRAIL_RECORDING, trailAccountProvider, trailRoleArn } from "./trailSettings";
import { advancedEventSelectors, DataEventsConfig } from "../../config/dataEvents";

/** Arguments of {@link MemberTrail}. */
export interface MemberTrailArgs {
    /** 12-digit id of the member account. */
    readonly accountId: string;
    /** Human name of the account, for tags. */
    readonly accountName: string;
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Home region of the trail; it records all regions. */
    readonly region: string;
    /** Role the program assumes in the member account (must trust the central account). */
    readonly roleName: string;
    /** Trail name; the archive's policies are pinned to it. */
    readonly trailName: string;
    /** Archive bucket the trail writes into. */
    readonly bucketName: pulumi.Input<string>;
    /** The archive's KMS key. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Resources the trail must wait for: CloudTrail checks the bucket and key policies on create. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
    /** Tags of the trail. @default none */
    readonly tags?: Record<string, string>;
    /**
     * Data events to record besides every management event (advanced event selectors).
     * @default none: CloudTrail's default selectors, all management events and no data events
     */
    readonly dataEvents?: DataEventsConfig;
}

/** One multi-region, validated, encrypted trail in one member account, delivering to the archive. */
export class MemberTrail extends pulumi.ComponentResource {
    public readonly trailArn: pulumi.Output<string>;
    public readonly roleArn: string;

    constructor(name: string, args: MemberTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:trails:MemberTrail", name, {}, opts);
        const account = { partition: args.partition, region: args.region, accountId: args.accountId, roleName: args.roleName };
        this.roleArn = trailRoleArn(account);

        const provider = trailAccountProvider(`${name}-provider`, account, this);

        const trail = new aws.cloudtrail.Trail(
            name,
            {
                name: args.trailName,
                s3BucketName: args.bucketName,
                kmsKeyId: args.kmsKeyArn,
                ...TRAIL_RECORDING,
                advancedEventSelectors: args.dataEvents && advancedEventSelectors(args.dataEvents, args.partition),
                tags: { ...args.tags, "cloudtrail-lake:account-name": args.accountName },
            },
            { parent: this, provider, dependsOn: args.dependsOn },
        );

        this.trailArn = trail.arn;
        this.registerOutputs({ trailArn: this.trailArn, roleArn: this.roleArn });
    }
}
