import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bucketOwnerStatementsFor, ROLE_PLACEHOLDER } from "../cli/bucketOwnerStatements";
import { policyDocumentProblems } from "../policy-pack/policyDocuments";

const roleArn = "arn:aws:iam::999999999999:role/normaliser-role-1a2b3c";
const bucket = "aws-controltower-logs-222233334444-eu-west-1";
const key = "arn:aws:kms:eu-west-1:222233334444:key/0000aaaa-11bb-22cc-33dd-444444eeeeee";

function stackFile(body: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "owner-"));
    const file = path.join(dir, "Pulumi.ct.yaml");
    fs.writeFileSync(file, body);
    return file;
}

const existing = stackFile(`config:
  aws:region: eu-west-1
  cloudtrail-lake:trailMode: existing
  cloudtrail-lake:existingArchive:
    bucketName: ${bucket}
    kmsKeyArn: ${key}
  cloudtrail-lake:accounts:
    - id: "111122223333"
      name: security
`);

describe("npm run bucket-owner-statements (existing archive in another account)", () => {
    const printed = JSON.parse(bucketOwnerStatementsFor(existing, roleArn));
    const document = (statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

    it("grants the deployed role s3:GetObject and s3:GetObjectVersion (the events carry a version-id) on AWSLogs/ and kms:Decrypt through S3 in the bucket's region, nothing more", () => {
        expect(printed["add to the policy of bucket"].statements).to.deep.equal([
            {
                Sid: "CloudTrailLakeNormaliserReadsLogs",
                Effect: "Allow",
                Principal: { AWS: roleArn },
                Action: ["s3:GetObject", "s3:GetObjectVersion"],
                Resource: `arn:aws:s3:::${bucket}/AWSLogs/*`,
            },
        ]);
        expect(printed["add to the policy of key"]).to.deep.equal({
            key,
            statements: [
                {
                    Sid: "CloudTrailLakeNormaliserDecryptsThroughS3",
                    Effect: "Allow",
                    Principal: { AWS: roleArn },
                    Action: "kms:Decrypt",
                    Resource: "*",
                    Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
                },
            ],
        });
    });

    it("prints statements that pass AWS's resource-policy grammar and the pack's check", async () => {
        const eventBus = document([printed["add to this stack account's default event bus policy (only if the bucket is in another account)"].statement]);
        for (const doc of [document(printed["add to the policy of bucket"].statements), document(printed["add to the policy of key"].statements), eventBus]) {
            expect(validateResourcePolicy(doc)).to.deep.equal([]);
            expect(await policyDocumentProblems(doc, "resource")).to.deep.equal([]);
        }
        expect(printed["add to this stack account's default event bus policy (only if the bucket is in another account)"].statement.Principal).to.deep.equal({
            AWS: "arn:aws:iam::222233334444:root",
        });
    });

    it("names a placeholder AWS refuses when no role ARN is given, and refuses a stack in another mode", () => {
        expect(bucketOwnerStatementsFor(existing)).to.include(ROLE_PLACEHOLDER);
        const perAccount = stackFile('config:\n  aws:region: eu-west-1\n  cloudtrail-lake:accounts:\n    - id: "111122223333"\n      name: a\n');
        expect(() => bucketOwnerStatementsFor(perAccount, roleArn)).to.throw(/trailMode is per-account; these statements are for trailMode existing/);
        expect(() => bucketOwnerStatementsFor(existing, "arn:aws:sts::999999999999:assumed-role/x/y")).to.throw(/--role-arn must be an IAM role ARN/);
    });
});
