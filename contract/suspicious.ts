/**
 * Names shared by the normaliser Lambda (which reports suspicious archive files) and
 * components/normaliser/normaliserFunction.ts (which alarms on them).
 */

/** Service name of the logs and the metric dimension `service`. */
export const SERVICE_NAME = "cloudtrail-lake-normaliser";
/** CloudWatch namespace and metric (count, dimension `service`) of suspicious archive files; components/normaliser/normaliserFunction.ts alarms on it. */
export const METRICS_NAMESPACE = "CloudTrailLake";
export const SUSPICIOUS_METRIC = "SuspiciousLogFiles";

/**
 * Why a file in the archive is suspicious (docs/architecture.md, "The normaliser" and "Security model"):
 * - `not-encrypted-under-archive-key`: not SSE-KMS under the archive's key, for example a member
 *   trail pointed at a key its admin owns (and may delete). The file is still normalised: it is evidence.
 * - `overwritten-log-version`: a later version of an existing log key, i.e. someone wrote over a
 *   delivered log. Not normalised: the lake keeps the first version's events.
 */
export type SuspiciousReason = "not-encrypted-under-archive-key" | "overwritten-log-version";

/** File beside the deployed handler listing the configured account ids (a JSON array); components/normaliser writes it. */
export const ACCOUNTS_FILE = "accounts.json";
