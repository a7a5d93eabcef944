/**
 * `investigate`: who is behind an identity, and what did every identity of that chain do.
 *
 * The chain is resolved from what CloudTrail records, nothing else:
 * - An STS call that starts a session (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
 *   GetFederationToken) names the session it created in `responseElements.assumedRoleUser.arn`
 *   (`federatedUser.arn`) and the temporary key it issued in `responseElements.credentials`;
 *   its `userIdentity` is the caller. Every later event of that session carries the session ARN
 *   and (for API sessions) that key in `userIdentity.accessKeyId`, and the creation date of the
 *   session in `sessionContext.attributes.creationDate`.
 * - A cross-account AssumeRole is logged twice: in the caller's account with the caller's full
 *   identity, and in the role's account with only `type: AWSAccount`, the caller's account and
 *   principal id (IAM UG, "Logging sign-in events for temporary credentials"). The copy with the
 *   caller's ARN is preferred; with only the other, the chain says what is known and stops.
 * - A console role switch is a `SwitchRole` sign-in event whose userIdentity is the new session
 *   and whose `additionalEventData.SwitchFrom` is the identity switched from. Console sessions
 *   use other keys than the one the AssumeRole issued, so they are followed by ARN, not key.
 * - Federation origins (SAML, web identity) have no ARN: their entry names the identity
 *   provider, the note names the subject the provider asserted.
 * When the event that started a session is not in the input, the entry says so (`via: null` and
 * a note with what the session's own events tell: creation date, source identity); nothing is guessed.
 *
 * Pure but for the queries, which go through {@link RunQuery}: the same SQL runs on the local
 * DuckDB lake and on Athena (local/investigateSql.ts).
 */
import {
    issuingEventsSql,
    namedPrincipalsSql,
    principalsSql,
    sessionFactsSql,
    sessionNameSql,
    startedSessionsSql,
    TimelineSelection,
    timelineSql,
    Window,
} from "./investigateSql";

export type QueryRow = Record<string, string | null>;
/** Runs one query and returns its rows, every value as text or null (what Athena returns). */
export type RunQuery = (sql: string) => Promise<QueryRow[]>;

export interface ChainEntry {
    /** The identity's ARN; for federation origins the identity provider; null when CloudTrail recorded none. */
    readonly arn: string | null;
    readonly account: string | null;
    /** CloudTrail's `userIdentity.type` vocabulary: IAMUser, Root, AssumedRole, FederatedUser, SAMLUser, WebIdentityUser, AWSService, AWSAccount. */
    readonly type: string;
    /** The event that started this identity's session; null for the origin, and for a session whose start is not in the input. */
    readonly via: { readonly eventId: string | null; readonly eventName: string } | null;
    /**
     * For a session (AssumedRole, FederatedUser): what tells it apart from other sessions with the
     * same ARN, as its events record it. `otherSessionsWithThisArn` counts the others in the input.
     */
    readonly session?: {
        readonly accessKeyIds: string[];
        readonly createdAt: string[];
        readonly sourceIdentity: string | null;
        readonly otherSessionsWithThisArn: number;
    };
    /** What else is known, or why the chain stops here. */
    readonly note?: string;
}

export interface TimelineEvent {
    readonly eventTime: string;
    readonly eventName: string | null;
    readonly eventSource: string | null;
    readonly account: string | null;
    readonly region: string | null;
    readonly principal: string | null;
    readonly sourceIPAddress: string | null;
    readonly userAgent: string | null;
    readonly errorCode: string | null;
    /** Null when the event has none (CloudTrail always writes one; some exports and tools drop it). */
    readonly eventId: string | null;
    readonly detections: string[];
    /** Set when the log cannot tell which of several sessions with this ARN made the event, and why. */
    readonly ambiguous?: string;
}

export interface Investigation {
    readonly subject: string;
    /** What the subject was taken as, and the identity it named. */
    readonly matched: { readonly as: string; readonly identity: string | null };
    /** Origin first; then, after the subject, the sessions the subject started (and theirs). */
    readonly chain: ChainEntry[];
    /** Index of the subject in {@link chain}. */
    readonly subjectIndex: number;
    readonly timeline: TimelineEvent[];
    /** True when the timeline stopped at `maxEvents`. */
    readonly truncated: boolean;
    /** Where the resolution stopped short (the hop limit, the started-sessions limit), and what the timeline cannot show. */
    readonly notes: string[];
    readonly window: Window;
}

/** A subject that names no identity in the input, or more than one. */
export class SubjectError extends Error {
    constructor(
        message: string,
        readonly candidates: string[] = [],
    ) {
        super(message);
        this.name = "SubjectError";
    }
}

/** A subject the command cannot read at all (exit code 2). */
export class SubjectSyntaxError extends Error {}

export interface InvestigateOptions {
    readonly window: Window;
    /** Timeline rows kept; default 50,000 (a busy automation role can have millions). */
    readonly maxEvents?: number;
    /** Hops followed in each direction; default {@link DEFAULT_MAX_HOPS}. */
    readonly maxHops?: number;
    /** Detections that flagged the given events: event id → detection names. */
    readonly detections?: (selection: TimelineSelection) => Promise<Map<string, string[]>>;
}

/** Hops followed in each direction unless `--max-hops` says otherwise; role chains are a few hops in practice. */
export const DEFAULT_MAX_HOPS = 10;
/** The most `--max-hops` takes: beyond it, a typo rather than a chain. */
export const MAX_HOPS_LIMIT = 1000;
/** Sessions started by the subject (and theirs) followed at most. */
const MAX_STARTED_SESSIONS = 100;
/** Sessions named in a "which one?" answer. */
const CANDIDATES_SHOWN = 20;
export const DEFAULT_MAX_EVENTS = 50_000;

const SESSION_TYPES = new Set(["AssumedRole", "FederatedUser"]);
/** Identities whose own events belong in the timeline (an AWS service or an IdP has only its link event). */
const ACTING_TYPES = new Set(["IAMUser", "Root", "AssumedRole", "FederatedUser"]);

/** A row of the link queries (local/investigateSql.ts `linkEvents`). */
type Link = QueryRow;

/**
 * One session: the events made with what one start event issued. Sessions that share an ARN are
 * told apart by what CloudTrail records, never by the ARN: the access key the events carry (and
 * the start's `responseElements.credentials.accessKeyId`), and the creation date (which is the
 * start event's time). Events or starts that share a key or a creation date are one session.
 */
interface Session {
    readonly arn: string;
    readonly keys: Set<string>;
    readonly created: Set<string>;
    readonly sourceIdentities: Set<string>;
    /** The calls that started it, each as the copies CloudTrail logged of it (caller's and role's account). */
    readonly starts: Link[][];
    firstSeen?: string;
    /** Why the log cannot tell who started it, or which start its events belong to. */
    ambiguous?: string;
}

interface SessionsOfArn {
    readonly sessions: Session[];
    /** Events of the ARN with neither access key nor creation date: with several sessions, no one can say whose. */
    readonly unattributed: number;
}

interface Node {
    arn: string | null;
    account: string | null;
    type: string;
    keys: Set<string>;
    via: { eventId: string | null; eventName: string } | null;
    notes: string[];
    linkEventIds: string[];
    session?: Session;
    /** Sessions in the input with this node's ARN (1 when it is the only one). */
    sessionsWithArn?: number;
    firstSeen?: string;
}

interface Parsed {
    readonly kind: "arn" | "role" | "key" | "name";
    readonly type?: string;
    readonly account?: string;
}

const ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/;

/** What kind of identity an ARN names, or undefined when it names none this command can follow. */
export function identityOfArn(arn: string): { type: string; account: string; role?: boolean } | undefined {
    const match = ARN.exec(arn);
    if (!match) return undefined;
    const [, service, account, resource] = match;
    if (service === "sts" && /^assumed-role\/[^/]+\/.+$/.test(resource)) return { type: "AssumedRole", account };
    if (service === "sts" && /^federated-user\/.+$/.test(resource)) return { type: "FederatedUser", account };
    if (service === "iam" && /^user\/.+$/.test(resource)) return { type: "IAMUser", account };
    if (service === "iam" && resource === "root") return { type: "Root", account };
    if (service === "iam" && /^role\/.+$/.test(resource)) return { type: "Role", account, role: true };
    return undefined;
}

/** Reads the subject argument: a principal ARN, an access key id, or a bare name (user, role, role session or federated user). */
export function parseSubject(subject: string): Parsed {
    if (subject.startsWith("arn:")) {
        const identity = identityOfArn(subject);
        if (!identity) {
            throw new SubjectSyntaxError(
                `"${subject}" is not the ARN of a principal: give an IAM user (arn:aws:iam::<account>:user/<name>), root, a role, an assumed-role session (arn:aws:sts::<account>:assumed-role/<role>/<session>) or a federated user`,
            );
        }
        return identity.role ? { kind: "role", account: identity.account } : { kind: "arn", type: identity.type, account: identity.account };
    }
    // Access key ids: AKIA… (an IAM user's or root's long-term key), ASIA… (temporary, issued by STS).
    if (/^(AKIA|ASIA)[A-Z0-9]{12,124}$/.test(subject)) return { kind: "key" };
    // IAM user and role names are 1 to 64 of [\w+=,.@-] (IAM API Reference, CreateUser/CreateRole); session names 2 to 64 of the same.
    if (/^[\w+=,.@-]{1,64}$/.test(subject)) return { kind: "name" };
    throw new SubjectSyntaxError(
        `"${subject}" is neither a principal ARN, an access key id (AKIA…/ASIA…) nor a user, role or role session name (1 to 64 of letters, digits and +=,.@_-)`,
    );
}

const text = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === "" ? undefined : value);
const second = (time: string | null | undefined) => text(time)?.slice(0, 19);

/**
 * An access key id as AWS issues them (16 to 128 of A-Z0-9, IAM API Reference, AccessKey), not
 * the "REDACTED" or "" of sanitised exports: only such a key tells sessions apart.
 */
const realKey = (key: string | null | undefined): string | undefined => (key && /^[A-Z0-9]{16,128}$/.test(key) ? key : undefined);

/** Who made a start event: the identity switched from, or the caller. */
const callerOf = (link: Link): string | null => (link.event_name === "SwitchRole" ? link.switch_from : link.identity_arn);

/** Disjoint sets over 0..n-1. */
function unionFind(n: number) {
    const parent = [...Array(n).keys()];
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    return { find, union: (a: number, b: number) => void (parent[find(a)] = find(b)) };
}

/** Groups items that share any of the values `keysOf` gives them. */
function groupBy<T>(items: readonly T[], keysOf: (item: T) => (string | undefined)[]): T[][] {
    const sets = unionFind(items.length);
    const first = new Map<string, number>();
    items.forEach((item, index) => {
        for (const key of keysOf(item)) {
            if (key === undefined) continue;
            const seen = first.get(key);
            if (seen === undefined) first.set(key, index);
            else sets.union(index, seen);
        }
    });
    const groups = new Map<number, T[]>();
    items.forEach((item, index) => groups.set(sets.find(index), [...(groups.get(sets.find(index)) ?? []), item]));
    return [...groups.values()];
}

/**
 * The sessions behind each ARN, from the ARN's events and start events in the window; cached, so
 * that every hop and direction sees the same sessions.
 */
class Sessions {
    private readonly cache = new Map<string, SessionsOfArn>();
    constructor(
        private readonly query: RunQuery,
        private readonly window: Window,
    ) {}

    async of(arn: string): Promise<SessionsOfArn> {
        await this.load([arn]);
        return this.cache.get(arn)!;
    }

    async load(arns: readonly string[]): Promise<void> {
        const missing = [...new Set(arns)].filter((arn) => !this.cache.has(arn));
        if (missing.length === 0) return;
        const facts = await this.query(sessionFactsSql(this.window, missing));
        const keys = facts.map((row) => text(row.identity_key)).filter((key): key is string => !!key);
        const links = await this.query(issuingEventsSql(this.window, missing, keys));
        for (const arn of missing) {
            const rows = facts.filter((row) => row.identity_arn === arn);
            const rowKeys = new Set(rows.map((row) => text(row.identity_key)).filter(Boolean));
            // A key links only where the response names no session: documentation examples (and sanitised
            // exports) reuse placeholder keys, a session ARN is what AWS itself returns.
            const starts = links.filter((link) => link.issued_arn === arn || (!text(link.issued_arn) && rowKeys.has(text(link.issued_key))));
            this.cache.set(arn, sessionsFrom(arn, rows, starts));
        }
    }
}

/** Builds the sessions of one ARN (see {@link Session}). */
function sessionsFrom(arn: string, rows: readonly QueryRow[], links: readonly Link[]): SessionsOfArn {
    // The copies of one call share its request id and issued key; a console switch logs SwitchRole
    // and the console's AssumeRole in the same second, neither with the other's key.
    const calls = groupBy(links, (link) => [
        text(link.request_id) && `request ${link.request_id}`,
        realKey(link.issued_key) && `key ${link.issued_key}`,
        second(link.event_time) && `time ${second(link.event_time)}`,
    ]);
    const attributed = rows.filter((row) => realKey(row.identity_key) || text(row.created));
    const unattributed = rows.filter((row) => !realKey(row.identity_key) && !text(row.created)).reduce((sum, row) => sum + Number(row.events ?? 0), 0);
    type Item = { call?: Link[]; row?: QueryRow };
    const items: Item[] = [...calls.map((call) => ({ call })), ...attributed.map((row) => ({ row }))];
    const groups = groupBy(items, (item) =>
        item.call
            ? item.call.flatMap((link) => [realKey(link.issued_key) && `key ${link.issued_key}`, second(link.event_time) && `time ${second(link.event_time)}`])
            : [realKey(item.row!.identity_key) && `key ${item.row!.identity_key}`, text(item.row!.created) && `time ${item.row!.created}`],
    );
    const sessions = groups.map((group): Session => {
        const starts = group.filter((item) => item.call).map((item) => item.call!);
        const session: Session = { arn, keys: new Set(), created: new Set(), sourceIdentities: new Set(), starts };
        for (const { row } of group) {
            if (!row) continue;
            if (realKey(row.identity_key)) session.keys.add(row.identity_key!);
            if (text(row.created)) session.created.add(row.created!);
            if (text(row.source_identity)) session.sourceIdentities.add(row.source_identity!);
            if (row.first_seen && (!session.firstSeen || row.first_seen < session.firstSeen)) session.firstSeen = row.first_seen;
        }
        for (const call of starts) for (const link of call) if (realKey(link.issued_key)) session.keys.add(link.issued_key!);
        const callers = [...new Set(starts.flatMap((call) => call.map(callerOf)).filter((caller): caller is string => !!caller))];
        if (starts.length > 1) {
            session.ambiguous =
                `${starts.length} start events (${starts.map((call) => `${call[0].event_name} ${call[0].event_id ?? "(no eventID)"} at ${call[0].event_time}`).join(", ")}) ` +
                `share an access key id or a creation date with this session's events: the log cannot tell which start, ` +
                `and so which caller${callers.length ? ` (${callers.join(", ")})` : ""}, each event belongs to`;
        } else if (callers.length > 1) {
            session.ambiguous = `started in the same second by ${callers.join(" and ")}: the log cannot tell which of them made its events`;
        }
        return session;
    });
    sessions.sort((a, b) => (a.firstSeen ?? a.starts[0]?.[0]?.event_time ?? "").localeCompare(b.firstSeen ?? b.starts[0]?.[0]?.event_time ?? ""));
    return { sessions, unattributed };
}

/** The session of `sessions` that an event (or a start's caller) with this key and creation date belongs to. */
function sessionWith(sessions: readonly Session[], key: string | null | undefined, created: string | null | undefined): Session | undefined {
    return sessions.find((session) => (realKey(key) && session.keys.has(key!)) || (text(created) && session.created.has(second(created)!)));
}

/** A one-line description of a session, to tell it from the others with its ARN. */
function sessionLabel(session: Session): string {
    const keys = [...session.keys].sort();
    const start = session.starts[0]?.[0];
    const caller = start ? callerOf(start) : undefined;
    return [
        keys.length ? keys.join(", ") : "(no access key recorded)",
        `session ${session.arn}`,
        session.created.size ? `created ${[...session.created].sort().join(", ")}` : start ? `started ${start.event_time}` : undefined,
        caller ? `started by ${caller}` : session.starts.length === 0 ? "start not in the input" : undefined,
        session.sourceIdentities.size ? `source identity ${[...session.sourceIdentities].join(", ")}` : undefined,
    ]
        .filter(Boolean)
        .join("  ");
}

const sessionNode = (session: Session, sessionsWithArn: number): Node => {
    const identity = identityOfArn(session.arn);
    return {
        arn: session.arn,
        account: identity?.account ?? null,
        type: identity?.type ?? "Unknown",
        keys: new Set(session.keys),
        via: null,
        notes: session.ambiguous ? [session.ambiguous] : [],
        linkEventIds: [],
        session,
        sessionsWithArn,
        firstSeen: session.firstSeen,
    };
};

/** Kinds of principal a bare name can name, for the answer. */
function kindsOfName(name: string, arn: string): string[] {
    const kinds: string[] = [];
    const resource = ARN.exec(arn)?.[3] ?? "";
    if (resource.startsWith("user/") && resource.split("/").at(-1) === name) kinds.push("IAM user name");
    if (resource.startsWith("assumed-role/") && resource.split("/")[2] === name) kinds.push("role session name");
    if (resource.startsWith("federated-user/") && resource.slice("federated-user/".length) === name) kinds.push("federated user name");
    return kinds;
}

/** Finds the one identity (and, for a session, the one session) the subject names. */
async function resolveSubject(
    subject: string,
    query: RunQuery,
    window: Window,
    sessions: Sessions,
): Promise<{ node: Node; matched: Investigation["matched"] }> {
    const parsed = parseSubject(subject);
    const absent = () => new SubjectError(`no event between ${window.since} and ${window.until} in the input names ${subject}`);
    const listRole = async (roleArn: string, as: string): Promise<never> => {
        const found = (await query(principalsSql(window, { roleArn }))).map((row) => row.identity_arn);
        const unique = [...new Set(found.filter((arn): arn is string => !!arn))];
        throw new SubjectError(
            unique.length === 0
                ? `${subject} is ${as}, and no session of it is in the input between ${window.since} and ${window.until}`
                : `${subject} is ${as}; investigate one of its ${unique.length} session(s) in the input:`,
            unique,
        );
    };
    let arn: string;
    let as: string;
    const keys: string[] = [];
    if (parsed.kind === "arn") {
        arn = subject;
        as = "ARN";
    } else if (parsed.kind === "role") {
        return listRole(subject, "a role");
    } else if (parsed.kind === "key") {
        keys.push(subject);
        const users = (await query(principalsSql(window, { accessKeys: [subject] }))).map((row) => row.identity_arn);
        const issued = (await query(issuingEventsSql(window, [], [subject]))).map((row) => row.issued_arn);
        const arns = [...new Set([...users, ...issued].filter((found): found is string => !!found))];
        if (arns.length === 0) throw absent();
        // The same key on two principals: AWS issues each key once, so the input is not what AWS logged (or is sanitised).
        if (arns.length > 1)
            throw new SubjectError(`access key ${subject} is used by ${arns.length} identities in the input; investigate one of them:`, arns.sort());
        arn = arns[0];
        as = "access key id";
    } else {
        const issued = (await query(sessionNameSql(window, subject))).map((row) => ({ identity_arn: row.issued_arn, issuer_arn: null }));
        const seen = await query(namedPrincipalsSql(window, subject));
        const principals = new Map<string, string[]>();
        const roles = new Set<string>();
        for (const row of [...issued, ...seen]) {
            if (row.identity_arn) {
                const kinds = kindsOfName(subject, row.identity_arn);
                if (kinds.length) principals.set(row.identity_arn, kinds);
            }
            const role = text(row.issuer_arn);
            if (role && role.split("/").at(-1) === subject) roles.add(role);
        }
        const candidates = [
            ...[...principals].map(([found, kinds]) => `${found}  (${kinds.join(", ")} ${subject})`),
            ...[...roles].map((role) => `${role}  (role name ${subject}: give one of its sessions)`),
        ].sort();
        if (candidates.length === 0) throw absent();
        if (candidates.length > 1)
            throw new SubjectError(`${subject} names ${candidates.length} identities in the input; give the ARN of the one to investigate:`, candidates);
        if (roles.size === 1) return listRole([...roles][0], `the name of role ${[...roles][0]}`);
        [[arn, [as]]] = [...principals].map(([found, kinds]) => [found, kinds] as const);
    }
    const identity = identityOfArn(arn);
    let node: Node;
    if (identity && SESSION_TYPES.has(identity.type)) {
        const { sessions: all } = await sessions.of(arn);
        const chosen = keys.length ? all.filter((session) => session.keys.has(keys[0])) : all;
        if (chosen.length > 1) {
            throw new SubjectError(
                `${subject} is ${chosen.length} different sessions in the input (${arn}: the session name is chosen by the caller, and was reused); ` +
                    `investigate one of them by its access key id:`,
                [
                    ...chosen.slice(0, CANDIDATES_SHOWN).map(sessionLabel),
                    ...(chosen.length > CANDIDATES_SHOWN ? [`… and ${chosen.length - CANDIDATES_SHOWN} more`] : []),
                ],
            );
        }
        if (chosen.length === 0) throw absent();
        node = sessionNode(chosen[0], all.length);
    } else {
        node = { arn, account: identity?.account ?? null, type: identity?.type ?? "Unknown", keys: new Set(keys), via: null, notes: [], linkEventIds: [] };
        await describe(node, query, window);
        // An identity may be in the input only through what it started (a user seen only in SwitchFrom).
        if (!node.firstSeen && (await query(startedSessionsSql(window, [arn], []))).length === 0) throw absent();
    }
    return { node, matched: { as, identity: arn } };
}

/** Adds the keys an identity that is not a session used, and when it was first seen. */
async function describe(node: Node, query: RunQuery, window: Window): Promise<void> {
    if (!node.arn) return;
    for (const row of await query(principalsSql(window, { arns: [node.arn] }))) {
        if (text(row.identity_key)) node.keys.add(row.identity_key!);
        if (row.first_seen && (!node.firstSeen || row.first_seen < node.firstSeen)) node.firstSeen = row.first_seen;
    }
}

/** SwitchRole names the identity switched from; an STS copy with the caller's ARN names the caller; the role account's copy only its account. */
function linkRank(link: Link): number {
    if (link.event_name === "SwitchRole") return text(link.switch_from) ? 0 : 3;
    return text(link.identity_arn) ? 1 : 2;
}

/** The identity a link came from. */
function parentOf(link: Link, links: readonly Link[]): Node {
    const node = (arn: string | null, type: string, account: string | null, notes: string[] = []): Node => ({
        arn,
        type,
        account,
        keys: new Set(),
        via: null,
        notes,
        linkEventIds: [],
    });
    if (link.event_name === "SwitchRole") {
        const from = link.switch_from!;
        const parent = node(from, identityOfArn(from)?.type ?? "Unknown", identityOfArn(from)?.account ?? null);
        // The STS copy in the caller's account carries the key the console session of the caller used.
        for (const other of links) if (other.identity_arn === from && text(other.identity_key)) parent.keys.add(other.identity_key!);
        return parent;
    }
    const type = link.identity_type ?? "Unknown";
    if (text(link.identity_arn)) {
        const parent = node(link.identity_arn, type, link.identity_account ?? identityOfArn(link.identity_arn!)?.account ?? null);
        if (text(link.identity_key)) parent.keys.add(link.identity_key!);
        return parent;
    }
    switch (type) {
        case "SAMLUser": {
            const provider = text(link.provider_arn) ?? text(link.identity_provider) ?? null;
            return node(provider, type, (provider && identityOfArn(provider)?.account) || (provider && ARN.exec(provider)?.[2]) || link.account, [
                `SAML subject "${link.federated_subject ?? link.identity_user_name ?? "?"}"${link.federated_issuer ? ` asserted by ${link.federated_issuer}` : ""}`,
            ]);
        }
        case "WebIdentityUser":
            return node(text(link.identity_provider) ?? text(link.federated_issuer) ?? null, type, null, [
                `web identity subject "${link.federated_subject ?? link.identity_user_name ?? "?"}"`,
            ]);
        case "AWSService":
            return node(text(link.identity_invoked_by) ?? null, type, null, ["an AWS service assumed the role"]);
        case "AWSAccount":
            return node(null, type, link.identity_account, [
                `the caller is known only as principal ${link.identity_principal_id ?? "?"}${describePrincipalId(link.identity_principal_id)} of account ${link.identity_account ?? "?"}: ` +
                    `the copy of ${link.event_name} ${link.event_id} logged in that account (with the caller's ARN) is not in the input`,
            ]);
        default:
            return node(null, type, link.identity_account, [`CloudTrail recorded no ARN for the caller (principal ${link.identity_principal_id ?? "?"})`]);
    }
}

/** IAM unique id prefixes (IAM UG, "Unique identifiers"): AIDA user, AROA role. */
function describePrincipalId(principalId: string | null): string {
    if (principalId?.startsWith("AIDA")) return " (an IAM user)";
    if (principalId?.startsWith("AROA")) return " (a role session)";
    return "";
}

/** The copy of a start call the chain names: the one that says most about the caller. */
const bestCopy = (call: readonly Link[]): Link => call.reduce((best, link) => (linkRank(link) < linkRank(best) ? link : best));

function missingStartNote(node: Node, window: Window): string {
    const session = node.session;
    const facts = [
        session?.created.size ? `its events say it was created at ${[...session.created].sort().join(", ")}Z` : undefined,
        session?.sourceIdentities.size ? `with source identity "${[...session.sourceIdentities].join('", "')}" (set by whoever started the chain)` : undefined,
    ].filter(Boolean);
    return (
        `the event that started this session (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetFederationToken or SwitchRole) ` +
        `is not in the input between ${window.since} and ${window.until}${facts.length ? `; ${facts.join(" ")}` : ""}`
    );
}

/** The node of a start's caller; for a session, the caller's own session, told apart by the key and creation date the start event recorded. */
async function callerNode(call: readonly Link[], sessions: Sessions): Promise<{ node: Node; ambiguous?: string }> {
    const chosen = bestCopy(call);
    const parent = parentOf(chosen, call);
    if (!parent.arn || !SESSION_TYPES.has(parent.type)) return { node: parent };
    const { sessions: all } = await sessions.of(parent.arn);
    const withCaller = call.filter((link) => link.identity_arn === parent.arn);
    const matches = [
        ...new Set(withCaller.map((link) => sessionWith(all, link.identity_key, link.identity_created)).filter((found): found is Session => !!found)),
    ];
    if (matches.length === 1) return { node: sessionNode(matches[0], all.length) };
    if (matches.length === 0 && all.length <= 1) {
        const node = all[0] ? sessionNode(all[0], 1) : parent;
        return { node };
    }
    return {
        node: parent,
        ambiguous:
            `its caller ${parent.arn} was ${all.length} different sessions in the input, and ${chosen.event_name} ${chosen.event_id ?? "(no eventID)"} ` +
            `records ${chosen.event_name === "SwitchRole" ? "only the ARN switched from" : "no access key or creation date that matches one of them"}: the chain stops here rather than guess`,
    };
}

/** Walks from the subject back to its origin. Returns the chain origin first. */
async function ancestors(subject: Node, sessions: Sessions, window: Window, maxHops: number, notes: string[], query: RunQuery): Promise<Node[]> {
    const chain = [subject];
    const visited = new Set<unknown>([subject.session ?? subject.arn]);
    let node = subject;
    for (let hop = 0; ; hop++) {
        if (!SESSION_TYPES.has(node.type) || !node.session) break;
        const session = node.session;
        if (session.starts.length === 0) {
            node.notes.push(missingStartNote(node, window));
            break;
        }
        if (session.ambiguous) {
            // session.ambiguous (already in the notes) says why; any caller named would be a guess.
            node.notes.push("the chain stops here rather than guess");
            break;
        }
        const call = session.starts[0];
        const chosen = bestCopy(call);
        if (hop === maxHops) {
            const message = `stopped after ${maxHops} hop(s) towards the origin (--max-hops): ${node.arn} was started by ${callerOf(chosen) ?? chosen.identity_account ?? "?"} (${chosen.event_name} ${chosen.event_id ?? "(no eventID)"}), not followed`;
            node.notes.push(message);
            notes.push(message);
            break;
        }
        node.via = { eventId: text(chosen.event_id) ?? null, eventName: chosen.event_name! };
        node.linkEventIds.push(...call.map((link) => link.event_id).filter((id): id is string => !!id));
        const { node: parent, ambiguous } = await callerNode(call, sessions);
        if (ambiguous) {
            node.notes.push(ambiguous);
            break;
        }
        if (visited.has(parent.session ?? parent.arn) && parent.arn) {
            node.notes.push(`its caller ${parent.arn} is already in the chain (a loop of role assumptions)`);
            break;
        }
        visited.add(parent.session ?? parent.arn);
        if (ACTING_TYPES.has(parent.type) && !parent.session) await describe(parent, query, window);
        chain.unshift(parent);
        node = parent;
    }
    return chain;
}

/** Whether a start event was made by this node (for a session: by this very session). */
function startedBy(link: Link, node: Node): boolean {
    const caller = callerOf(link);
    if (!caller) return !!text(link.identity_key) && node.keys.has(link.identity_key!);
    if (caller !== node.arn) return false;
    if (!node.session || (node.sessionsWithArn ?? 1) <= 1) return true;
    return sessionWith([node.session], link.identity_key, link.identity_created) !== undefined;
}

/** The sessions the subject started, and those they started, breadth first. */
async function descendants(subject: Node, known: Set<unknown>, sessions: Sessions, window: Window, maxHops: number, notes: string[], query: RunQuery) {
    const found: Node[] = [];
    let level = [subject];
    for (let depth = 0; level.length > 0; depth++) {
        const arns = level.map((node) => node.arn).filter((arn): arn is string => !!arn);
        const keys = level.flatMap((node) => [...node.keys]);
        const links = (await query(startedSessionsSql(window, arns, keys))).filter((link) => text(link.issued_arn));
        const byCaller = new Map<Node, Link[]>();
        const unclear: Link[] = [];
        for (const link of links) {
            const callers = level.filter((node) => startedBy(link, node));
            if (callers.length === 1) byCaller.set(callers[0], [...(byCaller.get(callers[0]) ?? []), link]);
            // Made with this ARN, by a session the start event does not tell apart from the others with it.
            else if (
                callers.length === 0 &&
                level.some((node) => node.arn === callerOf(link) && node.session && !realKey(link.identity_key) && !text(link.identity_created))
            )
                unclear.push(link);
        }
        for (const link of unclear)
            notes.push(
                `${link.event_name} ${link.event_id ?? "(no eventID)"} at ${link.event_time} started ${link.issued_arn} from ${callerOf(link)}, ` +
                    `but records no access key or creation date telling which of that ARN's sessions made it: not followed`,
            );
        const started = [...byCaller.values()].flat();
        if (started.length === 0) break;
        if (depth === maxHops) {
            const message = `stopped after ${maxHops} hop(s) from the subject (--max-hops): ${[...byCaller.keys()].map((node) => node.arn).join(", ")} started ${started.length} more session(s), not followed`;
            notes.push(message);
            break;
        }
        await sessions.load(started.map((link) => link.issued_arn!));
        const next: Node[] = [];
        for (const [caller, callerLinks] of byCaller) {
            for (const link of callerLinks) {
                const { sessions: all } = await sessions.of(link.issued_arn!);
                const session = all.find((candidate) =>
                    candidate.starts.some((call) => call.some((start) => start.event_id === link.event_id && start.event_time === link.event_time)),
                );
                if (!session || known.has(session)) continue;
                if (found.length >= MAX_STARTED_SESSIONS) {
                    notes.push(`more than ${MAX_STARTED_SESSIONS} sessions were started from the subject; the first ${MAX_STARTED_SESSIONS} are shown`);
                    return found;
                }
                known.add(session);
                const child = sessionNode(session, all.length);
                const call =
                    session.starts.find((candidate) => candidate.includes(link)) ??
                    session.starts.find((candidate) => candidate.some((start) => start.event_id === link.event_id))!;
                const chosen = bestCopy(call);
                child.via = { eventId: text(chosen.event_id) ?? null, eventName: chosen.event_name! };
                child.linkEventIds.push(
                    ...session.starts
                        .flat()
                        .map((start) => start.event_id)
                        .filter((id): id is string => !!id),
                );
                child.notes.push(`started by ${caller.arn ?? link.identity_key ?? "?"}`);
                found.push(child);
                next.push(child);
            }
        }
        level = next;
    }
    return found;
}

/** A readable name for whoever made an event, when CloudTrail recorded no ARN. */
export function principalOf(row: QueryRow): string | null {
    if (text(row.identity_arn)) return row.identity_arn;
    switch (row.identity_type) {
        case "AWSService":
            return row.identity_invoked_by ?? "AWSService";
        case "AWSAccount":
            return `account ${row.identity_account ?? "?"} principal ${row.identity_principal_id ?? "?"}`;
        case "SAMLUser":
        case "WebIdentityUser":
            return `${row.identity_type} ${row.identity_user_name ?? "?"} (${row.identity_provider ?? "?"})`;
        default:
            return text(row.identity_type) ? `${row.identity_type} ${row.identity_principal_id ?? ""}`.trim() : null;
    }
}

const entryOf = (node: Node): ChainEntry => ({
    arn: node.arn,
    account: node.account,
    type: node.type,
    via: node.via,
    ...(node.session
        ? {
              session: {
                  accessKeyIds: [...node.session.keys].sort(),
                  createdAt: [...node.session.created].sort().map((created) => `${created}Z`),
                  sourceIdentity: [...node.session.sourceIdentities].sort().join(", ") || null,
                  otherSessionsWithThisArn: (node.sessionsWithArn ?? 1) - 1,
              },
          }
        : {}),
    ...(node.notes.length > 0 ? { note: node.notes.join("; ") } : {}),
});

/** Resolves the chain behind `subject` and the timeline of every identity in it. */
export async function investigate(subject: string, query: RunQuery, options: InvestigateOptions): Promise<Investigation> {
    const window = options.window;
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
    const sessions = new Sessions(query, window);
    const notes: string[] = [];
    const { node: subjectNode, matched } = await resolveSubject(subject, query, window, sessions);
    const lineage = await ancestors(subjectNode, sessions, window, maxHops, notes, query);
    const started = await descendants(subjectNode, new Set(lineage.map((node) => node.session ?? node.arn)), sessions, window, maxHops, notes, query);
    const nodes = [...lineage, ...started];

    // By ARN, not key: every event of an identity carries its ARN, and keys are only as unique as the logs are real;
    // by key and creation date as well where other sessions in the input share the ARN.
    const acting = nodes.filter((node) => node.arn && ACTING_TYPES.has(node.type));
    const shared = acting.filter((node) => node.session && (node.sessionsWithArn ?? 1) > 1);
    const selection: TimelineSelection = {
        arns: acting.filter((node) => !shared.includes(node)).map((node) => node.arn!),
        sessions: shared.map((node) => ({ arn: node.arn!, keys: [...node.session!.keys], created: [...node.session!.created] })),
        eventIds: nodes.flatMap((node) => node.linkEventIds),
    };
    const rows = await query(timelineSql(window, selection, maxEvents + 1));
    const detections = options.detections ? await options.detections(selection) : new Map<string, string[]>();
    // Why an event of a chain session cannot be pinned on it.
    const ambiguityOf = (row: QueryRow): string | undefined => {
        const node = acting.find((candidate) => candidate.arn === row.identity_arn && candidate.session);
        if (!node?.session) return undefined;
        if (node.session.starts.length > 1 || node.session.ambiguous) return node.session.ambiguous;
        if (
            (node.sessionsWithArn ?? 1) > 1 &&
            !realKey(row.identity_key) &&
            !text(row.identity_created) &&
            !(row.event_id && node.linkEventIds.includes(row.event_id))
        )
            return `it records no access key id or session creation date, and ${node.sessionsWithArn} different sessions named ${node.arn} are in the input: the log cannot tell which of them made it`;
        return undefined;
    };
    const seen = new Set<string>();
    const timeline: TimelineEvent[] = [];
    let withoutId = 0;
    for (const row of rows.slice(0, maxEvents)) {
        // The same event can be in the input twice (a global event in two regions' trails, an overlapping
        // export); keyed by more than the id, which sanitised and test data reuse for different events.
        // Events without an id cannot be matched, and are all kept (as the lake keeps them).
        if (row.event_id) {
            const key = [row.event_id, row.event_time, row.event_source, row.event_name].join("\u0000");
            if (seen.has(key)) continue;
            seen.add(key);
        } else withoutId++;
        const ambiguous = ambiguityOf(row);
        timeline.push({
            eventTime: row.event_time ?? "",
            eventName: row.event_name,
            eventSource: row.event_source,
            account: row.account,
            region: row.region,
            principal: principalOf(row),
            sourceIPAddress: row.source_ip,
            userAgent: row.user_agent,
            errorCode: text(row.error_code) ?? null,
            eventId: text(row.event_id) ?? null,
            detections: row.event_id ? [...new Set(detections.get(row.event_id) ?? [])].sort() : [],
            ...(ambiguous ? { ambiguous } : {}),
        });
    }
    if (withoutId > 0)
        notes.push(`${withoutId} event(s) of the timeline have no eventID: they are shown, but the detections that flagged them cannot be matched to them`);
    const ambiguousEvents = timeline.filter((event) => event.ambiguous).length;
    if (ambiguousEvents > 0) notes.push(`${ambiguousEvents} event(s) of the timeline cannot be attributed to one session: each says why`);
    return {
        subject,
        matched,
        chain: nodes.map(entryOf),
        subjectIndex: lineage.length - 1,
        timeline,
        truncated: rows.length > maxEvents,
        notes,
        window,
    };
}

/** The `--json` document: what the subject was taken as, the chain, the timeline and what limits them; with `input`, what the run read and left out. */
export function investigationJson(investigation: Investigation, input?: object) {
    return {
        subject: { given: investigation.subject, matchedAs: investigation.matched.as, identity: investigation.matched.identity },
        window: investigation.window,
        chain: investigation.chain,
        timeline: investigation.timeline,
        truncated: investigation.truncated,
        notes: investigation.notes,
        ...(input ? { input } : {}),
    };
}

/** For each timeline row, whether its source IP / user agent is seen for the first time in the timeline. */
export function firstSeen(timeline: readonly TimelineEvent[]): { ip: boolean; userAgent: boolean }[] {
    const ips = new Set<string>();
    const agents = new Set<string>();
    return timeline.map((event) => {
        const ip = !!event.sourceIPAddress && !ips.has(event.sourceIPAddress);
        const userAgent = !!event.userAgent && !agents.has(event.userAgent);
        if (event.sourceIPAddress) ips.add(event.sourceIPAddress);
        if (event.userAgent) agents.add(event.userAgent);
        return { ip, userAgent };
    });
}

/** Event id → names of the detections that flagged it, from findings that list their event ids. */
export function detectionsByEvent(findings: readonly { readonly query: string; readonly eventIds: readonly string[] }[]): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const finding of findings) {
        // A hit without an eventID ("") names no event.
        for (const id of finding.eventIds) if (id) map.set(id, [...(map.get(id) ?? []), finding.query]);
    }
    return map;
}

/** Whether an entry without `via` is where the chain really starts (a user, root, an IdP, a service), not a gap in the input. */
export function isKnownOrigin(entry: ChainEntry): boolean {
    return !entry.via && !!entry.arn && !SESSION_TYPES.has(entry.type);
}

/** The terminal text: the chain, origin first, then the timeline with first-seen marks. */
export function investigationText(investigation: Investigation): string {
    const lines: string[] = [];
    lines.push(`${investigation.subject} taken as ${investigation.matched.as}: ${investigation.matched.identity ?? "?"}`);
    lines.push(`Chain of ${investigation.subject} (origin first), ${investigation.window.since} .. ${investigation.window.until}:`);
    investigation.chain.forEach((entry, index) => {
        const role = index < investigation.subjectIndex ? "" : index === investigation.subjectIndex ? " <- subject" : "";
        const via = entry.via ? `via ${entry.via.eventName} ${entry.via.eventId}` : isKnownOrigin(entry) ? "origin" : "chain stops here: see the note";
        lines.push(
            `  ${String(index + 1).padStart(2)}. ${entry.type.padEnd(15)} ${entry.arn ?? "(no ARN recorded)"}  account ${entry.account ?? "?"}  ${via}${role}`,
        );
        if (entry.session && (entry.session.otherSessionsWithThisArn > 0 || entry.session.accessKeyIds.length > 0))
            lines.push(
                `      session: key ${entry.session.accessKeyIds.join(", ") || "none recorded"}, created ${entry.session.createdAt.join(", ") || "?"}` +
                    `${entry.session.otherSessionsWithThisArn ? `; ${entry.session.otherSessionsWithThisArn} other session(s) in the input share this ARN, their events are not shown` : ""}`,
            );
        if (entry.note) lines.push(`      ${entry.note}`);
    });
    for (const note of investigation.notes) lines.push(`  note: ${note}`);
    const accounts = new Set(investigation.timeline.map((event) => event.account));
    const regions = new Set(investigation.timeline.map((event) => event.region));
    lines.push(
        "",
        `Timeline: ${investigation.timeline.length} event(s) in ${accounts.size} account(s) and ${regions.size} region(s)` +
            `${investigation.truncated ? ` (stopped at ${investigation.timeline.length}; narrow with --since/--until)` : ""}; * = first time this source IP / user agent appears`,
    );
    const cell = (value: string | null, width: number) => {
        const textValue = value ?? "";
        return (textValue.length > width ? `${textValue.slice(0, width - 1)}…` : textValue).padEnd(width);
    };
    lines.push(
        `${cell("time", 20)} ${cell("account", 12)} ${cell("region", 14)} ${cell("principal", 64)} ${cell("event", 28)} ${cell("source IP", 17)} ${cell("user agent", 30)} ${cell("error", 16)} detections`,
    );
    const marks = firstSeen(investigation.timeline);
    investigation.timeline.forEach((event, index) => {
        const ip = `${marks[index].ip ? "*" : " "}${event.sourceIPAddress ?? ""}`;
        const agent = `${marks[index].userAgent ? "*" : " "}${event.userAgent ?? ""}`;
        lines.push(
            `${cell(event.eventTime.slice(0, 19) + "Z", 20)} ${cell(event.account, 12)} ${cell(event.region, 14)} ${cell(event.principal, 64)} ${cell(`${event.ambiguous ? "? " : ""}${event.eventName ?? ""}`, 28)} ${cell(ip, 17)} ${cell(agent, 30)} ${cell(event.errorCode, 16)} ${event.detections.join(", ")}`,
        );
        if (event.ambiguous) lines.push(`${" ".repeat(22)}? ${event.eventId ?? "(no eventID)"}: ${event.ambiguous}`);
    });
    return lines.join("\n");
}
