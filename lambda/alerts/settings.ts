/**
 * What the alert functions know at run time, written by the deploy into `alerting.json` beside
 * the bundle (too large for Lambda's 4 KB of environment variables: the catalogue travels with it,
 * so the deployed detections are exactly those the program read from queries/).
 */
import { Suppression } from "../../contract/suppressions";
import { AlertDetection, AlertSeverity } from "./catalogue";

export interface AlertingSettings {
    readonly detections: AlertDetection[];
    readonly suppressions: Suppression[];
    /** Account id → name from stack config. */
    readonly accountNames: Record<string, string>;
    readonly dedupMinutes: number;
    readonly scheduleMinutes: number;
    readonly lookbackMinutes: number;
    /** Absent: no SNS destination. */
    readonly sns?: { readonly minSeverity: AlertSeverity };
    /** Absent: no EventBridge destination. */
    readonly eventBridge?: { readonly busName?: string; readonly minSeverity: AlertSeverity };
    /** Athena table over the normalised JSON (the alert's query and the scheduled runs read it). */
    readonly recentTable: string;
}

export const SETTINGS_FILE = "alerting.json";
/** Name of the Glue table over `normalised/`. */
export const RECENT_TABLE = "cloudtrail_recent";
