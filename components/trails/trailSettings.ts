import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What every trail of the stack records and how it protects it: all regions, global events, validation, logging on. */
export const TRAIL_RECORDING = {
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableLogFileValidation: true,
    enableLogging: true,
} as const;

/** Where a trail is created: one account, through a role the program assumes there. */
export interface TrailAccount {
    /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** Home region of the trail. */
    readonly region: string;
    /** 12-digit id of the account. */
    readonly accountId: string;
    /** Role the program assumes there (must trust the central account). */
    readonly roleName: string;
}

/** ARN of the role the program assumes in that account. */
export function trailRoleArn(account: TrailAccount): string {
    return `arn:${account.partition}:iam::${account.accountId}:role/${account.roleName}`;
}

/**
 * A provider assuming the account's role, or using a named profile of that account's own credentials,
 * locked to that account (`allowedAccountIds`): credentials that resolve to another account fail
 * instead of creating a trail there.
 */
export function trailAccountProvider(
    name: string,
    account: TrailAccount | (Omit<TrailAccount, "roleName"> & { readonly profile: string }),
    parent: pulumi.Resource,
): aws.Provider {
    return new aws.Provider(
        name,
        {
            region: account.region as aws.Region,
            ...("profile" in account ? { profile: account.profile } : { assumeRoles: [{ roleArn: trailRoleArn(account), sessionName: "cloudtrail-lake" }] }),
            allowedAccountIds: [account.accountId],
        },
        { parent },
    );
}
