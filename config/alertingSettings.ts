/**
 * The alert functions' settings from validated stack config: the one mapping the deploy (Alerting
 * component) and the replay (`npm run alerts`) share, so both evaluate the same way.
 */
import { AlertDetection, AlertingSettings, RECENT_TABLE } from "../contract/alerting";
import { accountNamesOf, CONFIG_NAMESPACE, LakeConfig } from "./stackConfig";

/** Suppressions naming a detection that does not exist would silently do nothing: refuse them. */
export function unknownDetectionProblems(config: Pick<LakeConfig, "suppressions">, detections: readonly { id: string }[]): string[] {
    const ids = new Set(detections.map((detection) => detection.id));
    return config.suppressions.flatMap((suppression, index) =>
        suppression.detection === "*" || ids.has(suppression.detection)
            ? []
            : [`${CONFIG_NAMESPACE}:suppressions[${index}].detection = "${suppression.detection}": no such detection in queries/ (a typo?)`],
    );
}

export function alertingSettings(config: LakeConfig, detections: AlertDetection[]): AlertingSettings {
    const problems = unknownDetectionProblems(config, detections);
    if (problems.length > 0) throw new Error(`invalid stack config:\n  - ${problems.join("\n  - ")}`);
    const alerts = config.alerts;
    return {
        detections,
        suppressions: config.suppressions.map((suppression) => ({ ...suppression })),
        accountNames: accountNamesOf(config.accounts),
        dedupMinutes: alerts?.dedupMinutes ?? 60,
        scheduleMinutes: alerts?.scheduleMinutes ?? 15,
        lookbackMinutes: alerts?.lookbackMinutes ?? 15,
        ...(alerts?.firstSeenLookbackDays === undefined ? {} : { firstSeenLookbackDays: alerts.firstSeenLookbackDays }),
        ...(alerts?.snsTopic?.enabled ? { sns: { minSeverity: alerts.snsTopic.minSeverity } } : {}),
        ...(alerts?.eventBridge ? { eventBridge: { ...alerts.eventBridge } } : {}),
        recentTable: RECENT_TABLE,
    };
}
