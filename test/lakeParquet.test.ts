import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFiles } from "../local/files";
import { ingestFiles } from "../local/ingest";
import { EventIdSet } from "../local/dedup";
import { createCloudTrailView, holdLakeInMemory, planParquetRebuild, parquetFilesSource, partitionDirectory, rebuildParquet } from "../local/lake";
import { runLocal } from "../local/run";
import { Engine, literal } from "../lambda/shared/engine";

const ROOT = path.join(__dirname, "..");
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ctl-${name}-`));

/** Every file under `dir`, relative to it, sorted. */
const filesUnder = (dir: string): string[] =>
    fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
        .sort();

describe("local lake: Parquet conversion", () => {
    it("writes the same files and rows whether a partition gets a COPY of its own or shares a partitioned one", async () => {
        const batched = tmp("parquet-batched");
        const single = tmp("parquet-single");
        const inputs = (await findFiles([path.join(ROOT, "samples")], [".json", ".json.gz"])).slice(0, 40);
        const ingested = await ingestFiles(inputs, batched, { shapes: "any" });
        const partitions = [...new Set(ingested.flatMap((file) => file.objects).map(partitionDirectory))].sort();
        expect(partitions.length).to.be.greaterThan(1);
        fs.cpSync(path.join(batched, "normalised"), path.join(single, "normalised"), { recursive: true });
        const engine = await Engine.open();
        try {
            await rebuildParquet(engine, batched, partitions, { singleCopyBytes: Infinity });
            await rebuildParquet(engine, single, partitions, { singleCopyBytes: 0 });
            expect(filesUnder(path.join(single, "parquet"))).to.deep.equal(filesUnder(path.join(batched, "parquet")));
            const rows = (dir: string) =>
                `SELECT * FROM read_parquet(${literal(path.join(dir, "parquet", "**", "*.parquet"))}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`;
            const [counts] = await engine.all(`SELECT
                (SELECT count(*) FROM (${rows(batched)}))::INTEGER AS total,
                (SELECT count(*) FROM (${rows(batched)} EXCEPT ALL ${rows(single)}))::INTEGER AS onlyBatched,
                (SELECT count(*) FROM (${rows(single)} EXCEPT ALL ${rows(batched)}))::INTEGER AS onlySingle`);
            expect(counts.total).to.be.greaterThan(0);
            expect(counts).to.deep.include({ onlyBatched: 0, onlySingle: 0 });
            const describe = async (dir: string) => JSON.stringify(await engine.all(`SELECT column_name, column_type FROM (DESCRIBE ${rows(dir)})`));
            expect(await describe(single)).to.equal(await describe(batched));
        } finally {
            engine.close();
        }
    });

    it("reads a lake whose files were written with different columns (an older version's partitions beside this one's)", async () => {
        const lake = tmp("parquet-mixed");
        const engine = await Engine.open();
        try {
            const write = (partition: string, select: string) => {
                fs.mkdirSync(path.join(lake, "parquet", partition), { recursive: true });
                return engine.run(`COPY (${select}) TO ${literal(path.join(lake, "parquet", partition, "part-0.parquet"))} (FORMAT parquet)`);
            };
            await write("account=111122223333/region=us-east-1/date=2026-11-01", "SELECT 'a' AS eventid, 'CreateUser' AS eventname");
            await write(
                "account=111122223333/region=us-east-1/date=2026-11-02",
                "SELECT 'b' AS eventid, 'iam.amazonaws.com' AS eventsource, 'CreateRole' AS eventname",
            );
            expect(await parquetFilesSource(engine, path.join(lake, "parquet"))).to.include("union_by_name = true");
            expect(await createCloudTrailView(engine, lake)).to.equal(true);
            expect(await engine.all("SELECT eventid, eventsource, eventname, date FROM cloudtrail ORDER BY eventid")).to.deep.equal([
                { eventid: "a", eventsource: null, eventname: "CreateUser", date: "2026-11-01" },
                { eventid: "b", eventsource: "iam.amazonaws.com", eventname: "CreateRole", date: "2026-11-02" },
            ]);
            // Files of one layout are read by position, which DuckDB binds without comparing every file's schema for each query.
            fs.rmSync(path.join(lake, "parquet", "account=111122223333/region=us-east-1/date=2026-11-01"), { recursive: true });
            expect(await parquetFilesSource(engine, path.join(lake, "parquet"))).to.include("union_by_name = false");
            fs.rmSync(path.join(lake, "parquet", "account=111122223333"), { recursive: true });
            expect(await createCloudTrailView(engine, lake)).to.equal(false);
        } finally {
            engine.close();
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });

    it("stores eventIDs as Parquet UUIDs when all are canonical UUIDs, as text otherwise, and the view gives the same text", async () => {
        const lake = tmp("parquet-uuid");
        const engine = await Engine.open();
        const canonical = ["0b8b2e6e-1d1f-4c5a-9a51-6b0a3c1f2d4e", "9f0e6c1d-2b3a-4c5d-8e7f-0a1b2c3d4e5f"];
        const event = (eventID: string | undefined, day: string) => ({
            eventVersion: "1.08",
            ...(eventID === undefined ? {} : { eventID }),
            eventTime: `2026-11-${day}T10:00:00Z`,
            eventSource: "iam.amazonaws.com",
            eventName: "CreateUser",
            awsRegion: "us-east-1",
            recipientAccountId: "111122223333",
        });
        const ingest = async (name: string, records: object[]) => {
            const file = path.join(tmp("parquet-uuid-in"), name);
            fs.writeFileSync(file, JSON.stringify({ Records: records }));
            const seen = new EventIdSet();
            const [result] = await ingestFiles([file], lake, { shapes: "any", seenEventIds: seen, keepExisting: true });
            return { partitions: result.objects.map(partitionDirectory), seen };
        };
        const eventIdTypes = async () =>
            (
                await engine.all(
                    `SELECT DISTINCT duckdb_type FROM parquet_schema(${literal(path.join(lake, "parquet", "**", "*.parquet"))}) WHERE name = 'eventid'`,
                )
            ).map((row) => row.duckdb_type);
        try {
            // CloudTrail's ids, and an event without one: UUIDs.
            const first = await ingest("a.json", [event(canonical[0], "01"), event(undefined, "01"), event(canonical[1], "02")]);
            expect(first.seen.allCanonicalUuids()).to.equal(true);
            const plan = await planParquetRebuild(engine, lake, first.partitions, first.seen.allCanonicalUuids());
            expect(plan).to.deep.equal({ partitions: first.partitions, eventIds: "uuid" });
            expect(await rebuildParquet(engine, lake, first.partitions, { eventIds: plan.eventIds })).to.equal("uuid");
            expect(await eventIdTypes()).to.deep.equal(["UUID"]);
            await createCloudTrailView(engine, lake);
            expect(await engine.all("SELECT eventid, typeof(eventid) AS type FROM cloudtrail ORDER BY eventid NULLS LAST")).to.deep.equal([
                { eventid: canonical[0], type: "VARCHAR" },
                { eventid: canonical[1], type: "VARCHAR" },
                { eventid: null, type: "VARCHAR" },
            ]);
            expect(await engine.all(`SELECT count(*)::INTEGER AS n FROM cloudtrail WHERE eventid = ${literal(canonical[1])}`)).to.deep.equal([{ n: 1 }]);
            // A COPY of its own per partition (large partitions) writes the same.
            const shared = await engine.all("SELECT * FROM cloudtrail ORDER BY ALL");
            expect(await rebuildParquet(engine, lake, first.partitions, { eventIds: "uuid", singleCopyBytes: 0 })).to.equal("uuid");
            expect(await eventIdTypes()).to.deep.equal(["UUID"]);
            expect(await engine.all("SELECT * FROM cloudtrail ORDER BY ALL")).to.deep.equal(shared);

            // Upper case, braces, a placeholder: kept as written, so the files keep text.
            const odd = ["0B8B2E6E-1D1F-4C5A-9A51-6B0A3C1F2D4F", "{0b8b2e6e-1d1f-4c5a-9a51-6b0a3c1f2d50}", "EXAMPLE-1"];
            const second = await ingest(
                "b.json",
                odd.map((id) => event(id, "03")),
            );
            expect(second.seen.allCanonicalUuids()).to.equal(false);
            // Told wrongly that they are UUIDs, the rebuild finds out and writes text.
            expect(await rebuildParquet(engine, lake, second.partitions, { eventIds: "uuid" })).to.equal("text");
            // A lake of both forms (an --append across an upgrade) reads as one.
            await createCloudTrailView(engine, lake);
            expect((await engine.all("SELECT eventid FROM cloudtrail WHERE eventid IS NOT NULL ORDER BY eventid")).map((row) => row.eventid)).to.deep.equal(
                [...canonical, ...odd].sort(),
            );
            // Appending UUIDs to a lake that holds text keeps text; appending other ids to a lake of UUIDs rebuilds it as text.
            expect(await planParquetRebuild(engine, lake, first.partitions, true)).to.deep.equal({ partitions: first.partitions, eventIds: "text" });
            expect(await planParquetRebuild(engine, lake, second.partitions, false)).to.deep.equal({
                partitions: [...first.partitions, ...second.partitions].sort(),
                eventIds: "text",
            });
            expect(await planParquetRebuild(engine, lake, [...first.partitions, ...second.partitions], true)).to.deep.include({ eventIds: "uuid" });
        } finally {
            engine.close();
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });

    it("finds the same hits, panels and warnings whether the detections read the lake from its Parquet or from a copy in memory", async () => {
        const files = await findFiles([path.join(ROOT, "samples")], [".json", ".json.gz"]);
        const run = async (inMemoryLakeMaxEvents: number) => {
            const outDir = tmp("in-memory");
            try {
                const result = await runLocal({ files, outDir, now: new Date("2026-12-01T00:00:00Z"), inMemoryLakeMaxEvents });
                return JSON.stringify({ findings: result.findings, panels: result.panels, warnings: result.warnings, window: result.window });
            } finally {
                fs.rmSync(outDir, { recursive: true, force: true });
            }
        };
        const fromParquet = await run(0);
        expect(fromParquet).to.match(/"count":[1-9]/);
        expect(await run(1_000_000)).to.equal(fromParquet);
    });

    it("copies a lake into memory only up to the number of events it is given", async () => {
        const lake = tmp("in-memory-limit");
        const engine = await Engine.open();
        try {
            const partition = path.join(lake, "parquet", "account=111122223333/region=us-east-1/date=2026-11-01");
            fs.mkdirSync(partition, { recursive: true });
            await engine.run(`COPY (SELECT 'id-' || range AS eventid FROM range(3)) TO ${literal(path.join(partition, "part-0.parquet"))} (FORMAT parquet)`);
            expect(await createCloudTrailView(engine, lake)).to.equal(true);
            expect(await holdLakeInMemory(engine, 2)).to.equal(false);
            expect(await holdLakeInMemory(engine, 3)).to.equal(true);
            expect(await engine.all("SELECT count(*)::INTEGER AS n, min(account) AS account FROM cloudtrail")).to.deep.equal([
                { n: 3, account: "111122223333" },
            ]);
        } finally {
            engine.close();
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });
});
