import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFiles } from "../local/files";
import { ingestFiles } from "../local/ingest";
import { partitionDirectory, rebuildParquet } from "../local/lake";
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
            await rebuildParquet(engine, batched, partitions, Infinity);
            await rebuildParquet(engine, single, partitions, 0);
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
});
