import { expect } from "chai";
import { loadDetections, parseDetection, parseDuration, queryForWindow } from "../components/detections";

describe("detection queries", () => {
    const detections = loadDetections();

    it("are at least 15, each with a name, title, severity, MITRE technique and description", () => {
        expect(detections.length).to.be.at.least(15);
        for (const detection of detections) {
            expect(detection.title, detection.name).to.not.equal("");
            expect(detection.mitre, detection.name).to.match(/^T\d{4}/);
        }
    });

    it("include the seeds' three detections", () => {
        expect(detections.map((detection) => detection.name)).to.include.members(["iam-user-created", "iam-policy-attached", "console-switch-role"]);
    });

    it("each read a bounded window through the date partition", () => {
        for (const detection of detections) {
            expect(detection.sql, detection.name).to.contain(`"date" BETWEEN substr('\${since}', 1, 10) AND substr('\${until}', 1, 10)`);
            expect(detection.sql, detection.name).to.match(/FROM cloudtrail\b/);
        }
    });

    it("fill the window with ISO-8601 instants only, so nothing else reaches the SQL", () => {
        const sql = queryForWindow(detections[0], { since: "2026-11-24T00:00:00Z", until: "2026-11-25T00:00:00Z" });
        expect(sql).to.contain("'2026-11-24T00:00:00Z'").and.not.contain("${");
        expect(() => queryForWindow(detections[0], { since: "2026-11-24' OR 1=1 --", until: "2026-11-25T00:00:00Z" })).to.throw(/since must be an ISO-8601 UTC instant/);
        expect(() => queryForWindow(detections[0], { since: "2026-11-25T00:00:00Z", until: "2026-11-24T00:00:00Z" })).to.throw(/must be before until/);
    });

    it("name the file and the field when a header is wrong", () => {
        expect(() => parseDetection("queries/x.sql", "-- name: x\n-- title: X\n-- severity: urgent\n-- mitre: T1078 Valid Accounts\n-- description: d\nSELECT 1"))
            .to.throw("x.sql: severity \"urgent\" must be one of low, medium, high, critical");
        expect(() => parseDetection("queries/y.sql", "-- name: y\nSELECT 1")).to.throw('y.sql: header line "-- title: …" is missing');
    });

    it("parse durations for --since", () => {
        expect(parseDuration("24h")).to.equal(86_400_000);
        expect(parseDuration("7d")).to.equal(7 * 86_400_000);
        expect(() => parseDuration("1w")).to.throw(/not a duration/);
    });
});
