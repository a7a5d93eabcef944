/**
 * A minimal zip writer for tests (the project reads zips, it never writes them): stored or
 * deflated members with the sizes in the local headers, a central directory and its end record,
 * as APPNOTE.TXT (PKWARE's .ZIP File Format Specification, sections 4.3.7, 4.3.12, 4.3.16) lays
 * them out. Names are given as bytes or text; `flags` lets a test mark a member encrypted (bit 0).
 */
import * as zlib from "node:zlib";

export interface ZipMember {
    readonly name: string | Buffer;
    readonly content: Buffer | string;
    /** Default: deflate (8); 0 stores. */
    readonly method?: 0 | 8;
    /** General purpose bit flags (bit 0: encrypted; bit 11: the name is UTF-8). */
    readonly flags?: number;
}

export function zipOf(members: readonly ZipMember[]): Buffer {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const member of members) {
        const name = Buffer.isBuffer(member.name) ? member.name : Buffer.from(member.name, "utf8");
        const content = Buffer.isBuffer(member.content) ? member.content : Buffer.from(member.content, "utf8");
        const method = member.method ?? 8;
        const data = method === 8 ? zlib.deflateRawSync(content) : content;
        const crc = zlib.crc32(content);
        const flags = member.flags ?? (Buffer.isBuffer(member.name) ? 0 : 0x800);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4);
        local.writeUInt16LE(flags, 6);
        local.writeUInt16LE(method, 8);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(data.length, 18);
        local.writeUInt32LE(content.length, 22);
        local.writeUInt16LE(name.length, 26);
        locals.push(local, name, data);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE(20, 4);
        central.writeUInt16LE(20, 6);
        central.writeUInt16LE(flags, 8);
        central.writeUInt16LE(method, 10);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(data.length, 20);
        central.writeUInt32LE(content.length, 24);
        central.writeUInt16LE(name.length, 28);
        central.writeUInt32LE(offset, 42);
        centrals.push(central, name);
        offset += local.length + name.length + data.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, end]);
}
