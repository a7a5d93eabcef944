// The naive Node approach: gunzip -> JSON.parse of the whole file -> JSON.stringify per record -> gzip.
// It cannot read a file whose JSON exceeds V8's maximum string length (~512 MB).
// usage: node naive.js IN.json.gz OUT.json.gz
const fs = require("node:fs");
const zlib = require("node:zlib");
try {
    const text = zlib.gunzipSync(fs.readFileSync(process.argv[2])).toString("utf8");
    const lines = JSON.parse(text)
        .Records.map((record) => JSON.stringify(record))
        .join("\n");
    fs.writeFileSync(process.argv[3], zlib.gzipSync(lines));
} catch (error) {
    console.error(error.message);
    process.exit(1);
}
