/**
 * cloudtrail-lake bucket-owner-statements, npm run bucket-owner-statements (options and exit codes:
 * cli/commands.ts BUCKET_OWNER_STATEMENTS).
 *
 * For `trailMode: existing` when the archive bucket lives in another account: prints, as JSON, the exact
 * statements its owner adds to the bucket policy and the key policy for the deployed normaliser role, the
 * EventBridge rule that forwards the bucket's events to this stack's account, and the statement this
 * account's default event bus needs to accept them. The role ARN is `pulumi stack output normaliserRoleArn`;
 * without --role-arn a placeholder stands in its place (AWS refuses it, so nothing half-right gets applied).
 */
import * as path from "node:path";
import { CONFIG_NAMESPACE, configKeyPath, parseLakeConfig } from "../config/stackConfig";
import { partitionOf } from "../components/archive/archivePolicies";
import { bucketOwnerStatements } from "../components/normaliser/existingArchivePolicies";
import { readStackFile } from "../config/stackFile";
import { parseCommand, runTableCommand, stackFileArgument, UsageError } from "./args";
import { BUCKET_OWNER_STATEMENTS, exitCodesOf } from "./commands";

const EXIT = exitCodesOf(BUCKET_OWNER_STATEMENTS);

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
export const ROLE_PLACEHOLDER = "<normaliserRoleArn: pulumi stack output normaliserRoleArn>";

/** The statements as one JSON document, for the stack file's config and the role ARN. */
export function bucketOwnerStatementsFor(stackFile: string, roleArn?: string): string {
    const values = readStackFile(stackFile);
    const prefix = `${CONFIG_NAMESPACE}:`;
    const config = parseLakeConfig(
        Object.fromEntries(
            Object.entries(values)
                .filter(([key]) => key.startsWith(prefix))
                .map(([key, value]) => [key.slice(prefix.length), value]),
        ),
    );
    if (config.trailMode !== "existing" || !config.existingArchive) {
        throw new UsageError(
            `${path.basename(stackFile)}: ${configKeyPath(["trailMode"])} is ${config.trailMode}; these statements are for trailMode existing`,
        );
    }
    const region = values["aws:region"];
    if (typeof region !== "string") throw new UsageError(`${path.basename(stackFile)}: aws:region is not set; the stack's region is needed for its event bus`);
    const role = roleArn ? ROLE_ARN.exec(roleArn) : undefined;
    if (roleArn && !role)
        throw new UsageError(`--role-arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/normaliser-role-1a2b3c, not "${roleArn}"`);
    const statements = bucketOwnerStatements({
        partition: partitionOf(region),
        bucketName: config.existingArchive.bucketName,
        kmsKeyArn: config.existingArchive.kmsKeyArn,
        normaliserRoleArn: roleArn ?? ROLE_PLACEHOLDER,
        centralAccountId: role?.[1] ?? "<this stack's account id>",
        region,
    });
    return JSON.stringify(
        {
            "add to the policy of bucket": { bucket: config.existingArchive.bucketName, statements: statements.bucketPolicy },
            ...(config.existingArchive.kmsKeyArn
                ? { "add to the policy of key": { key: config.existingArchive.kmsKeyArn, statements: statements.keyPolicy } }
                : {}),
            "turn on on the bucket":
                "Amazon EventBridge notifications (S3 console: Properties → Event notifications → Amazon EventBridge: On; or put-bucket-notification-configuration with EventBridgeConfiguration: {}, keeping the existing configurations)",
            "add on the bucket account's default event bus (only if the bucket is in another account or region than this stack)": {
                rule: { eventPattern: statements.eventForwarding.eventPattern, target: statements.eventForwarding.targetEventBusArn },
            },
            "add to this stack account's default event bus policy (only if the bucket is in another account)": {
                statement: statements.centralEventBusPolicy,
            },
        },
        null,
        2,
    );
}

export async function main(argv: readonly string[]): Promise<number> {
    const { values } = parseCommand(BUCKET_OWNER_STATEMENTS, argv);
    if (!values["role-arn"])
        console.error(`note: no --role-arn: the statements name ${ROLE_PLACEHOLDER}; rerun with --role-arn "$(pulumi stack output normaliserRoleArn)"`);
    console.log(stackFileArgument(values["stack-file"], (file) => bucketOwnerStatementsFor(file, values["role-arn"])));
    return EXIT.ok;
}

if (require.main === module) runTableCommand(BUCKET_OWNER_STATEMENTS, main);
