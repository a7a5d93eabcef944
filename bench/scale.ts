/**
 * npm run bench:scale — declares the whole program under Pulumi's mocks for 10, 100 and 1,000
 * accounts and prints, per size, the time, peak memory, resource count and both policy sizes,
 * so the cost of growth is visible. Each size runs in its own process, so peak RSS is its own.
 */
import { execFileSync } from "node:child_process";
import { declareStack } from "../program";
import { lakeConfigFromPulumi } from "../config/stackConfig";
import { KMS_KEY_POLICY_MAX_BYTES, S3_BUCKET_POLICY_MAX_BYTES } from "../components/archive/archivePolicies";
import { MOCK_CENTRAL_ACCOUNT_ID, recordDeclarations } from "../testing/mockProgram";

const SIZES = [10, 100, 1000];

async function measure(count: number): Promise<void> {
    const accounts = Array.from({ length: count }, (_, i) => ({ id: String(200000000000 + i * 104729), name: `account-${i}` }));
    const started = process.hrtime.bigint();
    const config = lakeConfigFromPulumi({ "cloudtrail-lake:accounts": JSON.stringify(accounts) });
    const resources = await recordDeclarations((opts) => declareStack(config, { region: "ap-northeast-1", centralAccountId: MOCK_CENTRAL_ACCOUNT_ID }, opts));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const size = (type: string, field: string, name: string) =>
        Buffer.byteLength(resources.find((resource) => resource.type === type && resource.name === name)!.inputs[field]);
    process.stdout.write(
        JSON.stringify({
            count,
            seconds,
            peakRssMb: process.resourceUsage().maxRSS / 1024,
            resources: resources.filter((resource) => resource.custom).length,
            bucketPolicyBytes: size("aws:s3/bucketPolicy:BucketPolicy", "policy", "archive-policy"),
            keyPolicyBytes: size("aws:kms/key:Key", "policy", "archive-key"),
        }),
    );
}

function main(): void {
    const child = process.argv.indexOf("--child");
    if (child >= 0) {
        measure(Number(process.argv[child + 1])).then(
            () => process.exit(0),
            (error) => {
                console.error(error);
                process.exit(1);
            },
        );
        return;
    }
    console.log("Declaring the program under mocks (no AWS), one process per size\n");
    const header = [
        "accounts",
        "time (s)",
        "peak RSS (MB)",
        "resources",
        "bucket policy (B)",
        `% of ${S3_BUCKET_POLICY_MAX_BYTES}`,
        "key policy (B)",
        `% of ${KMS_KEY_POLICY_MAX_BYTES}`,
    ];
    console.log(header.map((cell) => cell.padStart(18)).join(""));
    for (const count of SIZES) {
        const out = execFileSync(process.execPath, ["--import", "tsx", __filename, "--child", String(count)], { encoding: "utf8", maxBuffer: 1 << 26 });
        const row = JSON.parse(out);
        console.log(
            [
                row.count,
                row.seconds.toFixed(2),
                row.peakRssMb.toFixed(0),
                row.resources,
                row.bucketPolicyBytes,
                ((100 * row.bucketPolicyBytes) / S3_BUCKET_POLICY_MAX_BYTES).toFixed(1),
                row.keyPolicyBytes,
                ((100 * row.keyPolicyBytes) / KMS_KEY_POLICY_MAX_BYTES).toFixed(1),
            ]
                .map((cell) => String(cell).padStart(18))
                .join(""),
        );
    }
}

main();
