/**
 * The detection catalogue as the alert functions run it: contract/detections.ts parses the files
 * and expands `${window}`; this only points the query at another table (the scheduled runs read
 * `cloudtrail_recent`, the JSON not yet converted to Parquet).
 */
import { AlertDetection } from "../../contract/alerting";
import { queryForWindow } from "../../contract/detections";

export { isoSeconds } from "../../contract/detections";

export interface Window {
    readonly since: string;
    readonly until: string;
}

/**
 * The detection's SQL over [since, until) (contract/detections.ts {@link queryForWindow}) without
 * its `-- key: value` header; `table` replaces the table the query reads (`cloudtrail`).
 */
export function sqlForWindow(detection: Pick<AlertDetection, "id" | "sql">, window: Window, table = "cloudtrail", lookbackMs?: number): string {
    // A first-seen detection's ${history} is read from the same table: normalised files are kept, so it holds the lookback.
    const sql = queryForWindow({ name: detection.id, source: detection.sql }, window, {
        lookbackMs: /\$\{history\}/.test(detection.sql) ? lookbackMs : undefined,
    })
        .replace(/^(--[^\n]*\n)*/, "")
        .trim();
    return table === "cloudtrail" ? sql : sql.replace(/\b(FROM|JOIN)(\s+)cloudtrail\b/gi, `$1$2${table}`);
}
