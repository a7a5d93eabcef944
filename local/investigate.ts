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
import { issuingEventsSql, principalsSql, sessionNameSql, startedSessionsSql, TimelineSelection, timelineSql, Window } from "./investigateSql";

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
    readonly via: { readonly eventId: string; readonly eventName: string } | null;
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
    readonly eventId: string;
    readonly detections: string[];
}

export interface Investigation {
    readonly subject: string;
    /** Origin first; then, after the subject, the sessions the subject started (and theirs). */
    readonly chain: ChainEntry[];
    /** Index of the subject in {@link chain}. */
    readonly subjectIndex: number;
    readonly timeline: TimelineEvent[];
    /** True when the timeline stopped at `maxEvents`. */
    readonly truncated: boolean;
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
    /** Detections that flagged the given events: event id → detection names. */
    readonly detections?: (selection: TimelineSelection) => Promise<Map<string, string[]>>;
}

/** Hops followed in each direction; role chains are limited to a few hops by AWS in practice. */
const MAX_HOPS = 10;
/** Sessions started by the subject (and theirs) followed at most. */
const MAX_STARTED_SESSIONS = 100;
export const DEFAULT_MAX_EVENTS = 50_000;

const SESSION_TYPES = new Set(["AssumedRole", "FederatedUser"]);
/** Identities whose own events belong in the timeline (an AWS service or an IdP has only its link event). */
const ACTING_TYPES = new Set(["IAMUser", "Root", "AssumedRole", "FederatedUser"]);

interface Node {
    arn: string | null;
    account: string | null;
    type: string;
    keys: Set<string>;
    via: { eventId: string; eventName: string } | null;
    notes: string[];
    linkEventIds: string[];
    created?: string;
    sourceIdentity?: string;
    firstSeen?: string;
}

interface Parsed {
    readonly kind: "arn" | "role" | "key" | "session-name";
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

/** Reads the subject argument: a principal ARN, an access key id, or a role session name. */
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
    // STS: a role session name is 2 to 64 characters of [\w+=,.@-].
    if (/^[\w+=,.@-]{2,64}$/.test(subject)) return { kind: "session-name" };
    throw new SubjectSyntaxError(
        `"${subject}" is neither a principal ARN, an access key id (AKIA…/ASIA…) nor a role session name (2 to 64 of letters, digits and +=,.@_-)`,
    );
}

const text = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === "" ? undefined : value);
const second = (time: string | undefined) => time?.slice(0, 19);

/** Finds the one identity the subject names. */
async function resolveSubject(subject: string, query: RunQuery, window: Window): Promise<Node> {
    const parsed = parseSubject(subject);
    let arns: string[] = [];
    const keys: string[] = [];
    if (parsed.kind === "arn") {
        arns = [subject];
    } else if (parsed.kind === "role") {
        const sessions = (await query(principalsSql(window, { roleArn: subject }))).map((row) => row.identity_arn);
        const unique = [...new Set(sessions.filter((arn): arn is string => !!arn))];
        throw new SubjectError(
            unique.length === 0
                ? `${subject} is a role, and no session of it is in the input between ${window.since} and ${window.until}`
                : `${subject} is a role; investigate one of its ${unique.length} session(s) in the input:`,
            unique,
        );
    } else if (parsed.kind === "key") {
        keys.push(subject);
        const users = (await query(principalsSql(window, { accessKeys: [subject] }))).map((row) => row.identity_arn);
        const issued = (await query(issuingEventsSql(window, [], [subject]))).map((row) => row.issued_arn);
        arns = [...new Set([...users, ...issued].filter((arn): arn is string => !!arn))];
    } else {
        const issued = (await query(sessionNameSql(window, subject))).map((row) => row.issued_arn);
        const seen = (await query(principalsSql(window, { sessionName: subject }))).map((row) => row.identity_arn);
        arns = [...new Set([...issued, ...seen].filter((arn): arn is string => !!arn && arn.endsWith(`/${subject}`)))];
    }
    if (arns.length === 0) throw new SubjectError(`no event between ${window.since} and ${window.until} in the input names ${subject}`);
    if (arns.length > 1) throw new SubjectError(`${subject} names ${arns.length} identities in the input; investigate one of them:`, arns.sort());
    const identity = identityOfArn(arns[0]);
    const node: Node = {
        arn: arns[0],
        account: identity?.account ?? null,
        type: identity?.type ?? "Unknown",
        keys: new Set(keys),
        via: null,
        notes: [],
        linkEventIds: [],
    };
    await describe(node, query, window);
    // An identity may be in the input only through what it started (a user seen only in SwitchFrom) or what started it.
    if (
        parsed.kind === "arn" &&
        !node.firstSeen &&
        (await query(issuingEventsSql(window, [subject], []))).length === 0 &&
        (await query(startedSessionsSql(window, [subject], []))).length === 0
    ) {
        throw new SubjectError(`no event between ${window.since} and ${window.until} in the input names ${subject}`);
    }
    return node;
}

/** Adds what the identity's own events say: the keys it used, when its session was created, its source identity. */
async function describe(node: Node, query: RunQuery, window: Window): Promise<void> {
    if (!node.arn) return;
    for (const row of await query(principalsSql(window, { arns: [node.arn] }))) {
        if (text(row.identity_key)) node.keys.add(row.identity_key!);
        node.created ??= text(row.created);
        node.sourceIdentity ??= text(row.source_identity);
        if (row.first_seen && (!node.firstSeen || row.first_seen < node.firstSeen)) node.firstSeen = row.first_seen;
    }
}

/** A row of the link queries (local/investigateSql.ts `linkEvents`). */
type Link = QueryRow;

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

/** The link that started a node's session, and every copy of it, from the links that issued its ARN or keys. */
function chooseLink(node: Node, links: readonly Link[]): { chosen: Link; copies: Link[]; others: Link[] } | undefined {
    if (links.length === 0) return undefined;
    // A session ARN is reused by every session with the same role and name: the one whose
    // creation date the node's events carry is the one they belong to.
    const created = second(node.created);
    const sameStart = created ? links.filter((link) => second(link.event_time ?? undefined) === created) : [];
    const pool = sameStart.length > 0 ? sameStart : links;
    const best = Math.min(...pool.map(linkRank));
    const ranked = pool.filter((link) => linkRank(link) === best);
    // Without a creation date: the latest start before the node's first event, else the first.
    const before = node.firstSeen ? ranked.filter((link) => (link.event_time ?? "") <= node.firstSeen!) : [];
    const chosen = before.length > 0 ? before[before.length - 1] : ranked[0];
    const near = (link: Link) => Math.abs(Date.parse(link.event_time ?? "") - Date.parse(chosen.event_time ?? "")) <= 60_000;
    const copies = links.filter(
        (link) => link === chosen || (link.request_id && link.request_id === chosen.request_id) || (link.issued_arn === chosen.issued_arn && near(link)),
    );
    const others = links.filter((link) => !copies.includes(link));
    return { chosen, copies, others };
}

function missingStartNote(node: Node, window: Window): string {
    const facts = [
        node.created ? `its events say it was created at ${node.created}` : undefined,
        node.sourceIdentity ? `with source identity "${node.sourceIdentity}" (set by whoever started the chain)` : undefined,
    ].filter(Boolean);
    return (
        `the event that started this session (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetFederationToken or SwitchRole) ` +
        `is not in the input between ${window.since} and ${window.until}${facts.length ? `; ${facts.join(" ")}` : ""}`
    );
}

/** Walks from the subject back to its origin. Returns the chain origin first. */
async function ancestors(subject: Node, query: RunQuery, window: Window): Promise<Node[]> {
    const chain = [subject];
    const visited = new Set([subject.arn]);
    let node = subject;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
        if (!SESSION_TYPES.has(node.type) || !node.arn) break;
        // A key links only where the response names no session: documentation examples (and
        // sanitised exports) reuse placeholder keys, a session ARN is what AWS itself returns.
        const links = (await query(issuingEventsSql(window, [node.arn], [...node.keys]))).filter(
            (link) => link.issued_arn === node.arn || !text(link.issued_arn),
        );
        const choice = chooseLink(node, links);
        if (!choice) {
            node.notes.push(missingStartNote(node, window));
            break;
        }
        node.via = { eventId: choice.chosen.event_id!, eventName: choice.chosen.event_name! };
        node.linkEventIds.push(...choice.copies.map((link) => link.event_id!));
        const parent = parentOf(choice.chosen, choice.copies);
        const otherCallers = [...new Set(choice.others.map((link) => parentOf(link, choice.others).arn ?? link.identity_account ?? "?"))].filter(
            (arn) => arn !== parent.arn,
        );
        if (otherCallers.length > 0) node.notes.push(`other sessions with this ARN in the input were started by ${otherCallers.join(", ")}`);
        if (parent.arn && visited.has(parent.arn)) {
            node.notes.push(`its caller ${parent.arn} is already in the chain (a loop of role assumptions)`);
            break;
        }
        visited.add(parent.arn);
        if (ACTING_TYPES.has(parent.type)) await describe(parent, query, window);
        chain.unshift(parent);
        node = parent;
        if (hop === MAX_HOPS - 1) node.notes.push(`stopped after ${MAX_HOPS} hops`);
    }
    return chain;
}

/** The sessions the subject started, and those they started, breadth first. */
async function descendants(subject: Node, known: Set<string | null>, query: RunQuery, window: Window): Promise<{ nodes: Node[]; note?: string }> {
    const found: Node[] = [];
    let level = [subject];
    for (let depth = 0; depth < MAX_HOPS && level.length > 0; depth++) {
        const arns = level.map((node) => node.arn).filter((arn): arn is string => !!arn);
        const keys = level.flatMap((node) => [...node.keys]);
        const links = await query(startedSessionsSql(window, arns, keys));
        const byChild = new Map<string, Link[]>();
        for (const link of links) {
            const child = text(link.issued_arn);
            if (!child || known.has(child)) continue;
            // The caller must be one of this level's identities by ARN; by key only when the event names no ARN.
            const caller = link.event_name === "SwitchRole" ? link.switch_from : link.identity_arn;
            if (caller ? !arns.includes(caller) : !(link.identity_key && keys.includes(link.identity_key))) continue;
            byChild.set(child, [...(byChild.get(child) ?? []), link]);
        }
        const next: Node[] = [];
        for (const [arn, childLinks] of byChild) {
            if (found.length >= MAX_STARTED_SESSIONS)
                return {
                    nodes: found,
                    note: `more than ${MAX_STARTED_SESSIONS} sessions were started from the subject; the first ${MAX_STARTED_SESSIONS} are shown`,
                };
            const identity = identityOfArn(arn);
            const child: Node = {
                arn,
                account: identity?.account ?? null,
                type: identity?.type ?? "Unknown",
                keys: new Set(),
                via: null,
                notes: [],
                linkEventIds: [],
            };
            const choice = chooseLink(child, childLinks)!;
            child.via = { eventId: choice.chosen.event_id!, eventName: choice.chosen.event_name! };
            child.linkEventIds.push(...childLinks.map((link) => link.event_id!));
            for (const link of childLinks) if (text(link.issued_key)) child.keys.add(link.issued_key!);
            const parent = choice.chosen.event_name === "SwitchRole" ? choice.chosen.switch_from : choice.chosen.identity_arn;
            child.notes.push(`started by ${parent ?? choice.chosen.identity_key ?? "?"}`);
            known.add(arn);
            found.push(child);
            next.push(child);
        }
        level = next;
    }
    return { nodes: found };
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
    ...(node.notes.length > 0 ? { note: node.notes.join("; ") } : {}),
});

/** Resolves the chain behind `subject` and the timeline of every identity in it. */
export async function investigate(subject: string, query: RunQuery, options: InvestigateOptions): Promise<Investigation> {
    const window = options.window;
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    const subjectNode = await resolveSubject(subject, query, window);
    const lineage = await ancestors(subjectNode, query, window);
    const started = await descendants(subjectNode, new Set(lineage.map((node) => node.arn)), query, window);
    if (started.note) subjectNode.notes.push(started.note);
    const nodes = [...lineage, ...started.nodes];

    // By ARN, not key: every event of an identity carries its ARN, and keys are only as unique as the logs are real.
    const selection: TimelineSelection = {
        arns: nodes.filter((node) => node.arn && ACTING_TYPES.has(node.type)).map((node) => node.arn!),
        eventIds: nodes.flatMap((node) => node.linkEventIds),
    };
    const rows = await query(timelineSql(window, selection, maxEvents + 1));
    const detections = options.detections ? await options.detections(selection) : new Map<string, string[]>();
    const seen = new Set<string>();
    const timeline: TimelineEvent[] = [];
    for (const row of rows.slice(0, maxEvents)) {
        // The same event can be in the input twice (a global event in two regions' trails, an overlapping
        // export); keyed by more than the id, which sanitised and test data reuse for different events.
        const key = [row.event_id, row.event_time, row.event_source, row.event_name].join("\u0000");
        if (!row.event_id || seen.has(key)) continue;
        seen.add(key);
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
            eventId: row.event_id,
            detections: [...new Set(detections.get(row.event_id) ?? [])].sort(),
        });
    }
    return { subject, chain: nodes.map(entryOf), subjectIndex: lineage.length - 1, timeline, truncated: rows.length > maxEvents, window };
}

/** The `--json` document: exactly the chain and the timeline. */
export function investigationJson(investigation: Investigation): { chain: ChainEntry[]; timeline: TimelineEvent[] } {
    return { chain: investigation.chain, timeline: investigation.timeline };
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
        for (const id of finding.eventIds) map.set(id, [...(map.get(id) ?? []), finding.query]);
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
    lines.push(`Chain of ${investigation.subject} (origin first), ${investigation.window.since} .. ${investigation.window.until}:`);
    investigation.chain.forEach((entry, index) => {
        const role = index < investigation.subjectIndex ? "" : index === investigation.subjectIndex ? " <- subject" : "";
        const via = entry.via ? `via ${entry.via.eventName} ${entry.via.eventId}` : isKnownOrigin(entry) ? "origin" : "chain stops here: see the note";
        lines.push(
            `  ${String(index + 1).padStart(2)}. ${entry.type.padEnd(15)} ${entry.arn ?? "(no ARN recorded)"}  account ${entry.account ?? "?"}  ${via}${role}`,
        );
        if (entry.note) lines.push(`      ${entry.note}`);
    });
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
            `${cell(event.eventTime.slice(0, 19) + "Z", 20)} ${cell(event.account, 12)} ${cell(event.region, 14)} ${cell(event.principal, 64)} ${cell(`${event.eventName ?? ""}`, 28)} ${cell(ip, 17)} ${cell(agent, 30)} ${cell(event.errorCode, 16)} ${event.detections.join(", ")}`,
        );
    });
    return lines.join("\n");
}
