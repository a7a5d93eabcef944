/**
 * Which version of an archive key CloudTrail delivered: the first one. A later version means
 * someone with s3:PutObject wrote over a log file (docs/architecture.md, "Suspicious archive files"); the normaliser reports it and keeps
 * the lake on the first version's events.
 */
import { ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";

/**
 * The version id of the oldest version of exactly `key` (delete markers aside), or undefined when
 * the key has none. ListObjectVersions lists a key's versions newest first, and keys in order, so
 * the listing of `Prefix: key` starts with `key`'s own versions; the last of them is the oldest.
 */
export async function firstVersionOf(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
    let oldest: string | undefined;
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        let passedKey = false;
        for (const version of page.Versions ?? []) {
            if (version.Key === key) oldest = version.VersionId;
            else if (version.Key !== undefined && version.Key > key) passedKey = true;
        }
        if (passedKey || !page.IsTruncated) return oldest;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
        // Guard against a server that says "truncated" without a marker.
        if (keyMarker === undefined) return oldest;
    }
}
