/** The alert tests' fixtures (test/fixtures/alerts, see its SOURCE.md) and settings. */
import * as path from "node:path";
import { AlertingSettings, loadAlertDetections, RECENT_TABLE } from "../contract/alerting";

export const ALERT_FIXTURES = path.join(__dirname, "fixtures", "alerts");
export const FIXTURE_DETECTIONS = loadAlertDetections(path.join(ALERT_FIXTURES, "queries"));
export const DEPLOY_ROLE_SUPPRESSION = {
    detection: "*",
    principalArn: "arn:aws:sts::*:assumed-role/cloudtrail-lake-deploy/*",
    reason: "the stack's own deploy role (pulumi up)",
};

export function fixtureSettings(overrides: Partial<AlertingSettings> = {}): AlertingSettings {
    return {
        detections: FIXTURE_DETECTIONS,
        suppressions: [DEPLOY_ROLE_SUPPRESSION],
        accountNames: { "111122223333": "prod" },
        dedupMinutes: 60,
        scheduleMinutes: 15,
        lookbackMinutes: 15,
        sns: { minSeverity: "high" },
        eventBridge: { busName: "security", minSeverity: "low" },
        recentTable: RECENT_TABLE,
        ...overrides,
    };
}
