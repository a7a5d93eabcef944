/**
 * The S3 clients of the functions. The AWS SDK for JavaScript v3 does not follow S3's region
 * redirects unless told to (`followRegionRedirects`, default false): a GetObject on a bucket in
 * another region than the client's answers 301 PermanentRedirect and fails. An existing archive
 * (trailMode existing) may live in any region, so every client follows them; the archive's client
 * is also created in the archive's region when the stack knows it, which spares the redirect's
 * extra round trip on every read.
 */
import { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";

/** A client that follows S3's region redirects; `region` unset: the function's own region. */
export function s3Client(config: S3ClientConfig = {}): S3Client {
    return new S3Client({ ...config, followRegionRedirects: true });
}
