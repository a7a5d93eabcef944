import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TRAIL_RECORDING, trailAccountProvider, trailRoleArn } from "./trailSettings";
import { advancedEventSelectors, DataEventsConfig } from "../../config/dataEvents";

/** Arguments of {@link OrganizationTrail}. */
export interface OrganizationTrailArgs {
    /** `o-…`, for tags and the key layout the trail writes (`AWSLogs/<id>/<account>/…`). */
    readonly organizationId: string;
    /** 12-digit id of the organization's management account: an organization trail can only be created there. */
    readonly managementAccountId: string;
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Home region of the trail; it records all regions. The archive's policies name its ARN in this region. */
    readonly region: string;
    /**
     * How the program acts in the management account: the role it assumes there (must trust the
     * deploying principal), or a named AWS profile of that account's credentials.
     */
    readonly access: { readonly roleName: string } | { readonly profile: string };
    /** Trail name; the archive's policies are pinned to the trail's exact ARN. */
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

/**
 * The one organization trail (multi-region, global events, log-file validation, the archive's key),
 * created in the management account as CloudTrail requires ("For an organization trail, this resource
 * must be in the master account of the organization", Pulumi aws.cloudtrail.Trail). It delivers every
 * member account's logs, including accounts that join later, under `AWSLogs/<org id>/<account>/`.
 */
export class OrganizationTrail extends pulumi.ComponentResource {
    public readonly trailArn: pulumi.Output<string>;
    /** The role assumed in the management account; unset with a profile. */
    public readonly roleArn?: string;

    constructor(name: string, args: OrganizationTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:trails:OrganizationTrail", name, {}, opts);
        const where = { partition: args.partition, region: args.region, accountId: args.managementAccountId };
        const account = "roleName" in args.access ? { ...where, roleName: args.access.roleName } : { ...where, profile: args.access.profile };
        this.roleArn = "roleName" in account ? trailRoleArn(account) : undefined;

        const provider = trailAccountProvider(`${name}-provider`, account, this);

        const trail = new aws.cloudtrail.Trail(
            name,
            {
                name: args.trailName,
                s3BucketName: args.bucketName,
                kmsKeyId: args.kmsKeyArn,
                isOrganizationTrail: true,
                ...TRAIL_RECORDING,
                advancedEventSelectors: args.dataEvents && advancedEventSelectors(args.dataEvents, args.partition),
                tags: { ...args.tags, "cloudtrail-lake:organization": args.organizationId },
            },
            { parent: this, provider, dependsOn: args.dependsOn },
        );

        this.trailArn = trail.arn;
        this.registerOutputs({ trailArn: this.trailArn, roleArn: this.roleArn });
    }
}
