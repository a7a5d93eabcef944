// The I/O floor: streaming gunzip -> gzip of the same bytes, no parsing. No normaliser can beat it.
// usage: node ioFloor.js IN.json.gz OUT.json.gz
const fs = require("node:fs");
const zlib = require("node:zlib");
const { pipeline } = require("node:stream/promises");
pipeline(
    fs.createReadStream(process.argv[2], { highWaterMark: 1 << 20 }),
    zlib.createGunzip({ chunkSize: 256 * 1024 }),
    zlib.createGzip({ level: 6 }),
    fs.createWriteStream(process.argv[3]),
).catch((error) => {
    console.error(error.message);
    process.exit(1);
});
