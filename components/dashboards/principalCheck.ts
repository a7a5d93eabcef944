/**
 * Before anything QuickSight-related is created: each configured principal must be a user or group of
 * the deploying account's QuickSight. A lookup that fails usually means the account has no QuickSight
 * subscription (which this stack never creates: it is account-wide and billed per user), and
 * `pulumi up` then stops with a message that says so instead of an opaque error from CreateDataSource.
 */
import { QUICKSIGHT_PRINCIPAL_ARN } from "../../config/dashboards";
import { configKeyPath } from "../../config/stackConfig";

export interface QuickSightPrincipal {
    readonly arn: string;
    /** QuickSight's identity region (where users and groups live), from the ARN. */
    readonly region: string;
    readonly accountId: string;
    readonly kind: "user" | "group";
    readonly namespace: string;
    readonly name: string;
}

/** Looks the principal up in QuickSight (DescribeUser / DescribeGroup); rejects when QuickSight cannot find it. */
export type PrincipalLookup = (principal: QuickSightPrincipal) => Promise<unknown>;

export function parseQuickSightPrincipal(arn: string): QuickSightPrincipal {
    const match = QUICKSIGHT_PRINCIPAL_ARN.exec(arn);
    if (!match) throw new Error(`${arn} is not a QuickSight user or group ARN`);
    return { arn, region: match[1], accountId: match[2], kind: match[3] as "user" | "group", namespace: match[4], name: match[5] };
}

/** Thrown by {@link checkDashboardPrincipals}: one line per principal that cannot be shared with. */
export class DashboardSetupError extends Error {
    constructor(readonly problems: string[]) {
        super(`QuickSight dashboards cannot be set up:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
        this.name = "DashboardSetupError";
    }
}

/** Resolves when every principal is in `accountId` and QuickSight knows it; otherwise throws {@link DashboardSetupError}. */
export async function checkDashboardPrincipals(principals: readonly string[], accountId: string, lookup: PrincipalLookup): Promise<void> {
    const problems: string[] = [];
    await Promise.all(
        principals.map(async (arn, index) => {
            const key = `${configKeyPath(["dashboards", "principals", index])} = ${JSON.stringify(arn)}`;
            const principal = parseQuickSightPrincipal(arn);
            if (principal.accountId !== accountId) {
                problems.push(
                    `${key}: is a ${principal.kind} of account ${principal.accountId}, but the dashboards are created in account ${accountId}; QuickSight shares only with its own account's users and groups`,
                );
                return;
            }
            try {
                await lookup(principal);
            } catch (error) {
                const reason = ((error as Error).message ?? String(error)).split("\n")[0];
                const unsubscribed = /sign(ed)?[ -]?up|subscri|not.*(enabled|activated)/i.test(reason);
                problems.push(
                    `${key}: QuickSight has no ${principal.kind} "${principal.name}" in namespace ${principal.namespace} (identity region ${principal.region}): ${reason}. ` +
                        (unsubscribed
                            ? "The account is not subscribed to QuickSight: "
                            : "Check the name, or whether the account is subscribed to QuickSight at all: ") +
                        "this stack does not create the subscription (account-wide, billed per user); enable it as docs/dashboards.md says, or remove cloudtrail-lake:dashboards",
                );
            }
        }),
    );
    if (problems.length > 0) throw new DashboardSetupError(problems.sort());
}
