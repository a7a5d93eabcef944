import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    addressKey,
    awsIpRangesCsv,
    awsRangeOf,
    compactIpRanges,
    formatCompactIpRanges,
    ipRangesDate,
    rangeKeys,
    referenceRows,
    shippedIpRanges,
    SQL_ADDRESS_KEY,
} from "../contract/awsIpRanges";
import { Engine, literal } from "../lambda/shared/engine";

/** The shape AWS publishes (https://ip-ranges.amazonaws.com/ip-ranges.json), a few real entries of the 2026-08-22 file. */
const SAMPLE = {
    syncToken: "1787411825",
    createDate: "2026-08-22-15-17-05",
    prefixes: [
        { ip_prefix: "52.94.0.0/22", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
        { ip_prefix: "54.210.0.0/15", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
        { ip_prefix: "54.210.0.0/15", region: "us-east-1", service: "EC2", network_border_group: "us-east-1" },
        { ip_prefix: "52.94.1.0/24", region: "us-east-1", service: "DYNAMODB", network_border_group: "us-east-1" },
        { ip_prefix: "3.2.0.0/24", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1-iah-1" },
    ],
    ipv6_prefixes: [
        { ipv6_prefix: "2600:1f18::/33", region: "us-east-1", service: "EC2", network_border_group: "us-east-1" },
        { ipv6_prefix: "2600:1f18::/33", region: "us-east-1", service: "AMAZON", network_border_group: "us-east-1" },
    ],
};

describe("AWS IP ranges (reference data)", () => {
    it("compacts AWS's file: one row per prefix with its services merged (AMAZON last), in address order, with AWS's date", () => {
        const compact = compactIpRanges(SAMPLE);
        expect(compact.createDate).to.equal("2026-08-22-15-17-05");
        expect(compact.syncToken).to.equal("1787411825");
        expect(compact.ranges).to.deep.equal([
            ["3.2.0.0/24", "us-east-1", "us-east-1-iah-1", "AMAZON"],
            ["52.94.0.0/22", "us-east-1", "us-east-1", "AMAZON"],
            ["52.94.1.0/24", "us-east-1", "us-east-1", "DYNAMODB"],
            ["54.210.0.0/15", "us-east-1", "us-east-1", "EC2 AMAZON"],
            ["2600:1f18::/33", "us-east-1", "us-east-1", "EC2 AMAZON"],
        ]);
        // What the refresh script writes reads back as the same data, one range per line.
        const text = formatCompactIpRanges(compact);
        expect(JSON.parse(text)).to.deep.equal(compact);
        expect(text.split("\n").filter((line) => line.startsWith('  ["'))).to.have.length(5);
    });

    it("refuses a file that is not AWS's, naming the entry", () => {
        expect(() => compactIpRanges({ ...SAMPLE, createDate: undefined })).to.throw(/createDate is missing/);
        expect(() => compactIpRanges({ ...SAMPLE, prefixes: [{ ip_prefix: "52.94.0.0/33", region: "x", service: "AMAZON" }] })).to.throw(
            'prefixes[0]: "52.94.0.0/33" is not a CIDR prefix',
        );
        expect(() => compactIpRanges({ ...SAMPLE, prefixes: [{ ip_prefix: "52.0.0.0/7", region: "x", service: "AMAZON" }] })).to.throw(
            /prefixes\[0\] 52.0.0.0\/7 is wider than \/8/,
        );
        expect(() => compactIpRanges({ ...SAMPLE, ipv6_prefixes: [{ ipv6_prefix: "2600::/16", region: "x", service: "AMAZON" }] })).to.throw(/wider than \/32/);
    });

    it("names the most specific range of an address, null outside AWS, undefined for what is not an address", () => {
        const sample = compactIpRanges(SAMPLE);
        expect(awsRangeOf("52.94.1.7", sample)).to.deep.include({ prefix: "52.94.1.0/24", services: ["DYNAMODB"] });
        expect(awsRangeOf("52.94.2.7", sample)).to.deep.include({ prefix: "52.94.0.0/22", services: ["AMAZON"] });
        expect(awsRangeOf("54.211.255.255", sample)).to.deep.include({ prefix: "54.210.0.0/15", region: "us-east-1" });
        expect(awsRangeOf("54.212.0.0", sample)).to.equal(null);
        expect(awsRangeOf("2600:1F18:7FFF:FFFF::1", sample)).to.deep.include({ prefix: "2600:1f18::/33" });
        expect(awsRangeOf("2600:1f18:8000::1", sample)).to.equal(null);
        expect(awsRangeOf("::ffff:52.94.1.7", sample)).to.deep.include({ prefix: "52.94.1.0/24" });
        for (const text of ["AWS Internal", "ec2.amazonaws.com", "203.0.113.5, 54.210.1.1", "1.2.3.256", "1::2::3", ""])
            expect(awsRangeOf(text, sample), text).to.equal(undefined);
    });

    it("ships AWS's file of 2026-08-22 (syncToken 1787411825) and knows real AWS and non-AWS addresses", () => {
        const shipped = shippedIpRanges();
        expect(ipRangesDate()).to.equal("2026-08-22");
        expect(shipped.syncToken).to.equal("1787411825");
        expect(shipped.ranges.length).to.be.greaterThan(10_000);
        expect(awsRangeOf("54.210.1.20")).to.deep.include({ prefix: "54.210.0.0/15", region: "us-east-1" });
        expect(awsRangeOf("2600:1f18:4000:aa00::25")).to.deep.include({ region: "us-east-1" });
        for (const outside of ["203.0.113.50", "198.51.100.23", "2001:db8:4a::1f", "8.8.8.8"]) expect(awsRangeOf(outside), outside).to.equal(null);
        // The refresh script leaves the file as it would write it.
        const file = fs.readFileSync(path.join(__dirname, "..", "data", "aws-ip-ranges.json"), "utf8");
        expect(formatCompactIpRanges(shipped)).to.equal(file);
    });

    it("keys an IPv4 range in plain numbers as the exact path keys it (that path reached through IPv4-mapped IPv6)", () => {
        const prefixes = shippedIpRanges()
            .ranges.map(([prefix]) => prefix)
            .filter((prefix) => !prefix.includes(":"));
        expect(prefixes.length).to.be.greaterThan(7000);
        for (const prefix of [...prefixes, "0.0.0.0/0", "255.255.255.255/32", "10.0.0.7/8", "1.2.3.5/31", "001.002.003.000/24"]) {
            expect(rangeKeys(prefix), prefix).to.deep.equal(rangeKeys(`::ffff:${prefix}`));
        }
        expect(rangeKeys("10.0.0.0/8")).to.deep.equal({ bucket: "010", first: "010000000000", last: "010255255255" });
        expect(() => rangeKeys("10.0.0.256/24")).to.throw('"10.0.0.256/24" is not a CIDR prefix');
        expect(() => rangeKeys("10.0.0.0/33")).to.throw('"10.0.0.0/33" is not a CIDR prefix');
    });

    it("gives Athena a CSV of the table with a header and one line per range", () => {
        const csv = awsIpRangesCsv(compactIpRanges(SAMPLE)).trimEnd().split("\n");
        expect(csv[0]).to.equal("bucket,first_key,last_key,prefix,region,network_border_group,services");
        expect(csv[1]).to.equal("003,003002000000,003002000255,3.2.0.0/24,us-east-1,us-east-1-iah-1,AMAZON");
        expect(csv.at(-1)).to.equal("26001f18,26001f18000000000000000000000000,26001f187fffffffffffffffffffffff,2600:1f18::/33,us-east-1,us-east-1,EC2 AMAZON");
    });

    describe("in SQL (DuckDB; the same functions on Athena)", () => {
        let engine: Engine;
        before(async () => {
            engine = await Engine.open();
        });
        after(() => engine?.close());

        const ADDRESSES = [
            "54.210.1.20",
            "3.2.0.9",
            "0.0.0.0",
            "255.255.255.255",
            "::ffff:52.94.1.7",
            "2600:1f18:4000:aa00::25",
            "2600:1F18::",
            "::",
            "::1",
            "fe80::1",
            "2001:db8:4a::1f",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "1::8",
            "2a05:d07f:f000:0:0:0:0:1",
        ];

        it("computes the same key as the TypeScript for every form of address", async () => {
            const rows = await engine.all(`
                WITH input AS (SELECT * FROM (VALUES ${ADDRESSES.map((address) => `(${literal(address)})`).join(", ")}) AS t(sourceipaddress)),
                addressed AS (SELECT *, ${SQL_ADDRESS_KEY.address} AS address FROM input),
                padded AS (SELECT *, ${SQL_ADDRESS_KEY.address_padded} AS address_padded FROM addressed),
                expanded AS (SELECT *, ${SQL_ADDRESS_KEY.address_expanded} AS address_expanded FROM padded)
                SELECT sourceipaddress, ${SQL_ADDRESS_KEY.address_key} AS address_key FROM expanded`);
            const keys = Object.fromEntries(rows.map((row) => [row.sourceipaddress, row.address_key]));
            for (const address of ADDRESSES) expect(keys[address], address).to.equal(addressKey(address));
        });

        it("creates aws_ip_ranges on first use, and its range join agrees with the TypeScript lookup", async () => {
            const sample = ["54.210.1.20", "52.94.5.10", "203.0.113.50", "2600:1f18:4000::1", "2001:db8::1", "8.8.8.8"];
            const rows = await engine.all(`
                SELECT a.address, count(r.prefix) AS ranges
                FROM (VALUES ${sample.map((address) => `(${literal(address)}, ${literal(addressKey(address)!)})`).join(", ")}) AS a(address, address_key)
                LEFT JOIN aws_ip_ranges r ON r.bucket = substr(a.address_key, 1, CASE WHEN length(a.address_key) = 12 THEN 3 ELSE 8 END)
                                          AND a.address_key BETWEEN r.first_key AND r.last_key
                GROUP BY a.address`);
            const inside = Object.fromEntries(rows.map((row) => [row.address, Number(row.ranges) > 0]));
            for (const address of sample) expect(inside[address], address).to.equal(awsRangeOf(address) !== null);
            const [count] = await engine.all("SELECT count(*) AS n FROM aws_ip_ranges");
            expect(Number(count.n)).to.equal(referenceRows().length);
        });

        it("the detections that match addresses carry the contract's key expressions verbatim", () => {
            for (const id of ["workload-credentials-used-outside-aws", "service-credentials-used-elsewhere"]) {
                const sql = fs.readFileSync(path.join(__dirname, "..", "queries", `${id}.sql`), "utf8");
                for (const [column, expression] of Object.entries(SQL_ADDRESS_KEY)) expect(sql, `${id}: ${column}`).to.contain(`${expression} AS ${column}`);
            }
        });
    });
});
