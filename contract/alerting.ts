/**
 * What the alert functions know at run time, written by the deploy into `alerting.json` beside
 * the bundle (too large for Lambda's 4 KB of environment variables: the catalogue travels with it,
 * so the deployed detections are exactly those the program read from queries/). Shared by the
 * Alerting component (which writes it), the alert Lambdas and the local replay (which read it).
 */
import { Detection, loadDetections, QUERIES_DIR, SEVERITIES, Severity } from "./detections";
import { Suppression } from "./suppressions";

/**
 * The one severity order (contract/detections.ts lists the severities, lowest first): a destination's
 * `minSeverity` compares by it, and the local report sorts findings most severe first by it.
 */
export const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((severity, rank) => [severity, rank])) as Readonly<Record<Severity, number>>;
export type AlertSeverity = Severity;

/** A detection as the alert functions carry it in `alerting.json`. */
export interface AlertDetection {
    readonly id: string;
    readonly title: string;
    readonly severity: AlertSeverity;
    readonly kind: Detection["kind"];
    readonly tactics: string[];
    readonly techniques: string[];
    readonly description: string;
    readonly runbook: string;
    /** The query file as written, header and placeholders included. */
    readonly sql: string;
}

/** The fields of a catalogue {@link Detection} that alerting uses (in this order, the settings file's). */
export function alertDetectionOf(detection: Detection): AlertDetection {
    return {
        id: detection.id,
        title: detection.title,
        severity: detection.severity,
        kind: detection.kind,
        tactics: [...detection.tactics],
        techniques: [...detection.techniques],
        description: detection.description,
        runbook: detection.runbook,
        sql: detection.source,
    };
}

/** Every detection of queries/ (or `dir`), as alerting carries it. */
export function loadAlertDetections(dir: string = QUERIES_DIR): AlertDetection[] {
    return loadDetections(dir).map(alertDetectionOf);
}

export interface AlertingSettings {
    readonly detections: AlertDetection[];
    readonly suppressions: Suppression[];
    /** Account id → name from stack config. */
    readonly accountNames: Record<string, string>;
    readonly dedupMinutes: number;
    readonly scheduleMinutes: number;
    readonly lookbackMinutes: number;
    /** History the first-seen detections compare against, in days; absent: each detection's `-- lookback:` header. */
    readonly firstSeenLookbackDays?: number;
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
