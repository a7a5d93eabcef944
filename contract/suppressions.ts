/**
 * Tuning suppressions: which detection rows are expected noise (the stack's own deploy role, a
 * scanner, a build network, a sandbox account). One pure module, applied as a post-filter on the
 * ten output columns of every detection (contract: DETECTIONS-FORMAT.md), by every path that
 * runs a detection: the alert functions, the alert replay, the local mode and the Athena runner.
 *
 * Why a post-filter and not a generated SQL predicate: CIDR containment and glob matching would
 * need engine-specific SQL (Trino's `contains(cidr, ipaddress)` has no DuckDB twin without the
 * `inet` extension, which cannot be downloaded offline or in Lambda), and one JavaScript function
 * is, by construction, applied the same way everywhere. The cost is that Athena still scans and
 * returns the suppressed rows; they are few (a detection flags well under 2% of events).
 */
import { BlockList, isIP } from "node:net";

/** One suppression as written in stack config (`cloudtrail-lake:suppressions`). */
export interface Suppression {
    /** Detection id, or `*` (the default) for every detection. */
    readonly detection?: string;
    /** Glob over the principal ARN: `*` any run of characters (slashes included), `?` one character. */
    readonly principalArn?: string;
    /** Glob over the user agent. */
    readonly userAgent?: string;
    /** IPv4 or IPv6 CIDR the source IP must fall in. */
    readonly sourceCidr?: string;
    /** 12-digit account id. */
    readonly account?: string;
    /** Why this is not worth an alert; shown by the replay for every row it suppresses. */
    readonly reason: string;
}

/** The columns a suppression looks at (a detection row has them all, contract: DETECTIONS-FORMAT.md). */
export interface SuppressibleRow {
    readonly account?: unknown;
    readonly principal?: unknown;
    readonly sourceipaddress?: unknown;
    readonly useragent?: unknown;
}

/** `arn:aws:iam::*:role/deploy-*` → an anchored, case-sensitive RegExp (ARNs are case-sensitive). */
export function globToRegExp(glob: string): RegExp {
    const escaped = glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, "s");
}

/** Problems with a CIDR, or an empty list: `10.0.0.0/8`, `2001:db8::/32`. */
export function cidrProblems(cidr: string): string[] {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    if (!match) return ["must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32"];
    const version = isIP(match[1]);
    if (version === 0) return [`"${match[1]}" is not an IPv4 or IPv6 address`];
    const max = version === 4 ? 32 : 128;
    if (Number(match[2]) > max) return [`prefix length /${match[2]} is longer than ${max}, the most an IPv${version} address has`];
    return [];
}

interface CompiledSuppression {
    readonly source: Suppression;
    readonly index: number;
    readonly test: (detection: string, row: SuppressibleRow) => boolean;
}

const text = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

function compile(suppression: Suppression, index: number): CompiledSuppression {
    const tests: ((row: SuppressibleRow) => boolean)[] = [];
    if (suppression.principalArn !== undefined) {
        const pattern = globToRegExp(suppression.principalArn);
        tests.push((row) => {
            const value = text(row.principal);
            return value !== undefined && pattern.test(value);
        });
    }
    if (suppression.userAgent !== undefined) {
        const pattern = globToRegExp(suppression.userAgent);
        tests.push((row) => {
            const value = text(row.useragent);
            return value !== undefined && pattern.test(value);
        });
    }
    if (suppression.sourceCidr !== undefined) {
        const problems = cidrProblems(suppression.sourceCidr);
        if (problems.length > 0) throw new Error(`suppressions[${index}].sourceCidr = "${suppression.sourceCidr}": ${problems[0]}`);
        const [address, prefix] = suppression.sourceCidr.split("/");
        const family = isIP(address) === 4 ? "ipv4" : "ipv6";
        const block = new BlockList();
        block.addSubnet(address, Number(prefix), family);
        tests.push((row) => {
            // sourceIPAddress is a service name (`ec2.amazonaws.com`) for calls AWS makes: never in a CIDR.
            const value = text(row.sourceipaddress);
            const version = value === undefined ? 0 : isIP(value);
            return version !== 0 && block.check(value!, version === 4 ? "ipv4" : "ipv6");
        });
    }
    if (suppression.account !== undefined) {
        const account = suppression.account;
        tests.push((row) => text(row.account) === account);
    }
    const detection = suppression.detection ?? "*";
    return {
        source: suppression,
        index,
        // Every condition given must hold (AND); a suppression with no condition is refused by the config schema.
        test: (detectionId, row) => (detection === "*" || detection === detectionId) && tests.every((condition) => condition(row)),
    };
}

/** What {@link Suppressions.partition} returns: the rows kept, and each suppressed row with the suppression that matched. */
export interface Partitioned<T> {
    readonly kept: T[];
    readonly suppressed: { readonly row: T; readonly by: Suppression; readonly index: number }[];
}

/** Compiled suppressions; build once, apply to many rows. */
export class Suppressions {
    private readonly compiled: CompiledSuppression[];

    constructor(suppressions: readonly Suppression[] = []) {
        this.compiled = suppressions.map(compile);
    }

    get size(): number {
        return this.compiled.length;
    }

    /** The first suppression that matches the row, or undefined. */
    match(detection: string, row: SuppressibleRow): { by: Suppression; index: number } | undefined {
        const hit = this.compiled.find((candidate) => candidate.test(detection, row));
        return hit ? { by: hit.source, index: hit.index } : undefined;
    }

    /** Splits a detection's rows into kept and suppressed, keeping their order. */
    partition<T extends object>(detection: string, rows: readonly T[]): Partitioned<T> {
        const kept: T[] = [];
        const suppressed: Partitioned<T>["suppressed"][number][] = [];
        for (const row of rows) {
            const hit = this.match(detection, row as SuppressibleRow);
            if (hit) suppressed.push({ row, ...hit });
            else kept.push(row);
        }
        return { kept, suppressed };
    }
}
