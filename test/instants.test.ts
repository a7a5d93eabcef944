import { expect } from "chai";
import { instantSeconds, sinceInstantOrDuration, UsageError } from "../cli/args";
import { parseArguments as parseAlertsArguments } from "../cli/alerts";
import { parseInvestigateArguments } from "../cli/investigate";
import { parseArguments as parseLocalArguments } from "../cli/local";
import { parseQueryArguments } from "../cli/query";

/** Every command's --since/--until reads one grammar (cli/args.ts parseInstant): a date, an offset, milliseconds. */
describe("instants on the command line", () => {
    const now = new Date("2026-12-01T00:00:00Z");

    it("--since 2026-11-25 means midnight UTC in every command", () => {
        const since = "2026-11-25T00:00:00Z";
        expect(parseAlertsArguments(["--input", "logs", "--since", "2026-11-25"]).since).to.equal(since);
        expect(parseInvestigateArguments(["Dev1", "--input", "logs", "--since", "2026-11-25"]).since).to.equal(since);
        expect(parseLocalArguments(["--since", "2026-11-25"]).since).to.equal("2026-11-25T00:00:00.000Z");
        const query = parseQueryArguments(["cloudtrail-tampering", "--since", "2026-11-25"], now);
        expect(query !== "help" && query.window.since).to.equal(since);
        // npm run query -- investigate reads --since through the same function.
        expect(sinceInstantOrDuration("2026-11-25", now)).to.equal(since);
    });

    it("rounds a window outwards to whole seconds, and takes offsets", () => {
        expect(instantSeconds("--since", "2026-11-25T10:00:00.900Z", "down")).to.equal("2026-11-25T10:00:00Z");
        expect(instantSeconds("--until", "2026-11-25T10:00:00.100Z", "up")).to.equal("2026-11-25T10:00:01Z");
        expect(instantSeconds("--since", "2026-11-25T12:00:00+02:00", "down")).to.equal("2026-11-25T10:00:00Z");
        expect(parseAlertsArguments(["--input", "logs", "--until", "2026-11-25T10:00:00.100Z"]).until).to.equal("2026-11-25T10:00:01Z");
        expect(sinceInstantOrDuration("24h", now)).to.equal("2026-11-30T00:00:00Z");
    });

    it("refuses a date that does not exist, or text, in every command, naming the flag", () => {
        for (const parse of [
            () => parseAlertsArguments(["--input", "logs", "--since", "2026-02-30T00:00:00Z"]),
            () => parseInvestigateArguments(["Dev1", "--input", "logs", "--since", "2026-02-30T00:00:00Z"]),
            () => parseLocalArguments(["--since", "2026-02-30T00:00:00Z"]),
            () => parseQueryArguments(["cloudtrail-tampering", "--since", "2026-02-30T00:00:00Z"], now),
        ])
            expect(parse).to.throw(UsageError, /--since must be an ISO-8601 instant/);
        expect(() => parseAlertsArguments(["--input", "logs", "--until", "yesterday"])).to.throw(UsageError, /--until must be an ISO-8601 instant/);
        expect(() => sinceInstantOrDuration("a week", now)).to.throw(UsageError, /--since: .*or an instant/);
    });
});
