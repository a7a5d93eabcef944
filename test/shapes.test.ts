/**
 * The local mode's other input shapes are streamed: generated inputs only.
 */
import { expect } from "chai";
import * as zlib from "node:zlib";
import { decompressed } from "../lambda/normaliser/core";
import { StreamCounts, streamEvents } from "../local/shapes";

async function* chunks(bytes: Buffer, size = 64 * 1024, onChunk?: () => void): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += size) {
        onChunk?.();
        yield bytes.subarray(i, i + size);
    }
}

async function read(bytes: Buffer, cap?: number, onChunk?: () => void) {
    const counts: StreamCounts = { events: 0, digests: 0, others: 0 };
    const events: Record<string, unknown>[] = [];
    const evidence: unknown[] = [];
    for await (const batch of streamEvents(decompressed(chunks(bytes, 64 * 1024, onChunk), cap), counts)) {
        if (Array.isArray(batch)) throw new Error("expected events with evidence");
        events.push(...(batch.events as Record<string, unknown>[]));
        evidence.push(...(batch.evidence ?? []));
    }
    return { counts, events, evidence };
}

const event = (name: string) => ({ eventVersion: "1.08", eventTime: "2026-01-01T00:00:00Z", eventSource: "iam.amazonaws.com", eventName: name });

describe("local shapes, streamed", function () {
    it("reads every shape without reading the file whole: NDJSON, arrays, lookup-events, EventBridge, CloudWatch Logs", async () => {
        const text = [
            JSON.stringify(event("A")),
            JSON.stringify([event("B"), event("C")]),
            JSON.stringify({ Events: [{ EventId: "1", CloudTrailEvent: JSON.stringify(event("D")) }], NextToken: "x" }),
            JSON.stringify({ "version": "0", "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam", "detail": event("E") }),
            JSON.stringify({ messageType: "DATA_MESSAGE", logGroup: "g", logEvents: [{ id: "1", timestamp: 1, message: JSON.stringify(event("F")) }] }),
            JSON.stringify({ digestStartTime: "2026-01-01T00:00:00Z", logFiles: [] }),
        ].join("\n");
        const { counts, events } = await read(Buffer.from(text));
        expect(events.map((e) => e.eventName)).to.deep.equal(["A", "B", "C", "D", "E", "F"]);
        expect(counts).to.deep.equal({ events: 6, digests: 1, others: 0 });
    });

    it("keeps what JSON.parse would lose from an NDJSON line (a duplicated eventName hiding StopLogging)", async () => {
        const text = `${JSON.stringify(event("A"))}\n{"eventVersion":"1.08","eventName":"StopLogging","eventName":"DescribeTrails"}\n`;
        const { events, evidence } = await read(Buffer.from(text));
        expect(events[1].eventName).to.equal("DescribeTrails");
        expect(evidence[0]).to.equal(undefined);
        expect(evidence[1]).to.deep.equal({ $duplicateKeys: { eventName: ['"StopLogging"', '"DescribeTrails"'] } });
    });

    it("names the record and line of a malformed NDJSON record", async () => {
        const text = `${JSON.stringify(event("A"))}\n${JSON.stringify(event("B"))}\n{"eventName": nope}\n`;
        let message = "";
        try {
            await read(Buffer.from(text));
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).to.match(/record 2 \(line 3\) is not valid JSON/);
    });

    it("reads a small gzip of an array with 200 MB of whitespace in bounded memory, and stops at the decompressed-size cap", async () => {
        const whitespace = Buffer.alloc(200 * 1024 * 1024, 0x20);
        const bytes = zlib.gzipSync(Buffer.concat([Buffer.from(`[${JSON.stringify(event("A"))},`), whitespace, Buffer.from(`${JSON.stringify(event("B"))}]`)]));
        expect(bytes.length).to.be.below(1024 * 1024);
        const base = process.memoryUsage().rss;
        let peak = 0;
        const { events } = await read(bytes, undefined, () => {
            peak = Math.max(peak, process.memoryUsage().rss);
        });
        expect(events.map((e) => e.eventName)).to.deep.equal(["A", "B"]);
        expect((peak - base) / 1024 / 1024, "MB of RSS grown").to.be.below(100);

        let message = "";
        try {
            await read(bytes, 32 * 1024 * 1024);
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).to.match(/larger than 33554432 bytes once decompressed \(the cap, CTL_MAX_DECOMPRESSED_BYTES\)/);
    });
});
