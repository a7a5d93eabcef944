/** A real S3-compatible server (s3rver) on 127.0.0.1 for the tests, and a client for it. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

export interface LocalS3 {
    readonly client: S3Client;
    stop(): Promise<void>;
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "ctl-s3rver-"));
    const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
    const { port } = await server.run();
    const client = new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        // s3rver predates S3's flexible checksums (aws-chunked uploads); real S3 accepts both.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
    });
    return {
        client,
        async stop() {
            client.destroy();
            await server.close();
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}
