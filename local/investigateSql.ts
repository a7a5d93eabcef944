/**
 * The SQL `investigate` runs, written once in Athena's dialect (Trino) like the detections, so
 * the same text runs on the deployed lake and, through the compatibility layer of
 * lambda/shared/engine.ts, on the local DuckDB lake. Every query reads a bounded window through the
 * `date` partition (what keeps Athena's scan small) and `eventtime`.
 *
 * Only scalar strings come out (Athena returns every value as text), and only values that came
 * from the command line or from earlier results go in, each as an escaped string literal.
 */
import { queryForWindow, Detection, windowPredicate } from "../contract/detections";

export interface Window {
    readonly since: string;
    readonly until: string;
}

/** A SQL string literal (both engines double the quote). */
export function sqlString(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/** `column IN ('a', 'b')`, or FALSE for an empty list (`IN ()` is a syntax error in both engines). */
export function inList(column: string, values: Iterable<string>): string {
    const unique = [...new Set(values)].filter((value) => value !== "").sort();
    return unique.length === 0 ? "FALSE" : `${column} IN (${unique.map(sqlString).join(", ")})`;
}

/**
 * The session's creation date to the second (`sessionContext.attributes.creationDate`): the same
 * instant as the eventTime of the call that started the session, written with or without
 * milliseconds (CloudTrail UG, "CloudTrail userIdentity element").
 */
const CREATED = "substr(useridentity.sessioncontext.attributes.creationdate, 1, 19)";

/** Who made an event, as the timeline and the links need it. */
const IDENTITY_COLUMNS = `useridentity.type AS identity_type, useridentity.arn AS identity_arn, useridentity.accountid AS identity_account,
       useridentity.principalid AS identity_principal_id, useridentity.accesskeyid AS identity_key, useridentity.username AS identity_user_name,
       useridentity.invokedby AS identity_invoked_by, useridentity.identityprovider AS identity_provider,
       ${CREATED} AS identity_created`;

/**
 * When a response names no session (redacted or trimmed exports), the session ARN still follows
 * from the request: an assumed-role ARN is `arn:<partition>:sts::<account>:assumed-role/<role
 * name without its path>/<roleSessionName>` (IAM UG, "IAM identifiers").
 */
const ROLE_ARN = String.raw`'^arn:([^:]+):iam::([0-9]{12}):role/(.*/)?([^/]+)$'`;
const DERIVED_SESSION_ARN = `CASE WHEN eventname LIKE 'AssumeRole%' AND regexp_like(json_extract_scalar(requestparameters, '$.roleArn'), ${ROLE_ARN})
                AND json_extract_scalar(requestparameters, '$.roleSessionName') IS NOT NULL
           THEN 'arn:' || regexp_extract(json_extract_scalar(requestparameters, '$.roleArn'), ${ROLE_ARN}, 1) || ':sts::'
                || regexp_extract(json_extract_scalar(requestparameters, '$.roleArn'), ${ROLE_ARN}, 2) || ':assumed-role/'
                || regexp_extract(json_extract_scalar(requestparameters, '$.roleArn'), ${ROLE_ARN}, 4) || '/'
                || json_extract_scalar(requestparameters, '$.roleSessionName') END`;

/**
 * The events that start a session or name where one came from: STS's AssumeRole,
 * AssumeRoleWithSAML, AssumeRoleWithWebIdentity and GetFederationToken (what they issued is in
 * responseElements), and the console's SwitchRole (the new session is its userIdentity, the
 * identity switched from is additionalEventData.SwitchFrom). Failed calls issued nothing.
 */
function linkEvents(window: Window): string {
    return `SELECT eventid AS event_id, eventtime AS event_time, eventname AS event_name, account, region, requestid AS request_id,
       ${IDENTITY_COLUMNS},
       CASE WHEN eventname = 'SwitchRole' THEN useridentity.arn
            ELSE coalesce(json_extract_scalar(responseelements, '$.assumedRoleUser.arn'), json_extract_scalar(responseelements, '$.federatedUser.arn'),
                          ${DERIVED_SESSION_ARN}) END AS issued_arn,
       json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS issued_key,
       json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name,
       json_extract_scalar(requestparameters, '$.sourceIdentity') AS source_identity,
       json_extract_scalar(requestparameters, '$.principalArn') AS provider_arn,
       coalesce(json_extract_scalar(responseelements, '$.subject'), json_extract_scalar(responseelements, '$.subjectFromWebIdentityToken')) AS federated_subject,
       coalesce(json_extract_scalar(responseelements, '$.issuer'), json_extract_scalar(responseelements, '$.provider')) AS federated_issuer,
       json_extract_scalar(additionaleventdata, '$.SwitchFrom') AS switch_from
FROM cloudtrail
WHERE ${windowPredicate(window)}
  AND errorcode IS NULL
  AND ((eventsource = 'sts.amazonaws.com' AND eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetFederationToken'))
       OR (eventsource = 'signin.amazonaws.com' AND eventname = 'SwitchRole'))`;
}

/** The events that started the sessions with these ARNs, or issued these temporary keys. */
export function issuingEventsSql(window: Window, sessionArns: readonly string[], accessKeys: readonly string[]): string {
    return `SELECT * FROM (
${linkEvents(window)}
) links
WHERE ${inList("issued_arn", sessionArns)} OR ${inList("issued_key", accessKeys)}
ORDER BY event_time, event_id`;
}

/** The sessions these identities started: their STS calls, and console switches away from them. */
export function startedSessionsSql(window: Window, arns: readonly string[], accessKeys: readonly string[]): string {
    return `SELECT * FROM (
${linkEvents(window)}
) links
WHERE (event_name <> 'SwitchRole' AND (${inList("identity_arn", arns)} OR ${inList("identity_key", accessKeys)}))
   OR ${inList("switch_from", arns)}
ORDER BY event_time, event_id`;
}

/** Link events whose requested session name is this (`requestParameters.roleSessionName`). */
export function sessionNameSql(window: Window, sessionName: string): string {
    return `SELECT * FROM (
${linkEvents(window)}
) links
WHERE session_name = ${sqlString(sessionName)}
ORDER BY event_time, event_id`;
}

/**
 * What the events of some principals say about them: one row per principal and access key,
 * with the session's creation date and source identity (both set when the session started).
 */
export function principalsSql(
    window: Window,
    predicate: { arns?: readonly string[]; accessKeys?: readonly string[]; sessionName?: string; roleArn?: string },
): string {
    const conditions = [
        ...(predicate.arns ? [inList("useridentity.arn", predicate.arns)] : []),
        ...(predicate.accessKeys ? [inList("useridentity.accesskeyid", predicate.accessKeys)] : []),
        // A session name has no % (STS allows [\w+=,.@-]); its _ matches itself too, and the caller checks the exact end.
        ...(predicate.sessionName ? [`useridentity.arn LIKE ${sqlString(`arn:%:sts::%:assumed-role/%/${predicate.sessionName}`)}`] : []),
        ...(predicate.roleArn ? [`useridentity.sessioncontext.sessionissuer.arn = ${sqlString(predicate.roleArn)}`] : []),
    ];
    return `SELECT useridentity.arn AS identity_arn, useridentity.type AS identity_type, useridentity.accountid AS identity_account,
       useridentity.accesskeyid AS identity_key,
       min(useridentity.sessioncontext.attributes.creationdate) AS created,
       min(useridentity.sessioncontext.sourceidentity) AS source_identity,
       min(eventtime) AS first_seen, count(*) AS events
FROM cloudtrail
WHERE ${windowPredicate(window)}
  AND (${conditions.join(" OR ") || "FALSE"})
GROUP BY 1, 2, 3, 4
ORDER BY 1, 4`;
}

/**
 * What tells apart the sessions that share one ARN (a role session name is chosen by the caller,
 * so two people can both be `assumed-role/DevRole/admin`): one row per access key, creation date
 * and source identity the ARN's events carry. SwitchRole events are left out: they carry neither,
 * and are linked to their session as start events.
 */
export function sessionFactsSql(window: Window, arns: readonly string[]): string {
    return `SELECT useridentity.arn AS identity_arn, useridentity.accesskeyid AS identity_key, ${CREATED} AS created,
       useridentity.sessioncontext.sourceidentity AS source_identity, min(eventtime) AS first_seen, count(*) AS events
FROM cloudtrail
WHERE ${windowPredicate(window)}
  AND ${inList("useridentity.arn", arns)}
  AND NOT (eventsource = 'signin.amazonaws.com' AND eventname = 'SwitchRole')
GROUP BY 1, 2, 3, 4
ORDER BY 1, 5, 2, 3, 4`;
}

/**
 * The principals a bare name can mean: an IAM user name, a role session name, a federated user
 * name, or the name of the role a session belongs to (with or without a path). LIKE's `_` matches
 * any character: the caller keeps the exact matches.
 */
export function namedPrincipalsSql(window: Window, name: string): string {
    return `SELECT DISTINCT useridentity.type AS identity_type, useridentity.arn AS identity_arn,
       useridentity.sessioncontext.sessionissuer.arn AS issuer_arn
FROM cloudtrail
WHERE ${windowPredicate(window)}
  AND (useridentity.arn LIKE ${sqlString(`arn:%:iam::%:user/%${name}`)}
       OR useridentity.arn LIKE ${sqlString(`arn:%:sts::%:assumed-role/%/${name}`)}
       OR useridentity.arn LIKE ${sqlString(`arn:%:sts::%:federated-user/${name}`)}
       OR useridentity.sessioncontext.sessionissuer.arn LIKE ${sqlString(`arn:%:iam::%:role/%${name}`)})
ORDER BY 2, 3`;
}

/** Every event of these identities, and the events that linked them, in time order. */
export function timelineSql(window: Window, selection: TimelineSelection, limit: number): string {
    return `SELECT eventtime AS event_time, eventname AS event_name, eventsource AS event_source, account, region,
       ${IDENTITY_COLUMNS},
       sourceipaddress AS source_ip, useragent AS user_agent, errorcode AS error_code, eventid AS event_id
FROM cloudtrail
WHERE ${windowPredicate(window)}
  AND (${timelinePredicate(selection)})
ORDER BY eventtime, eventid
LIMIT ${Math.floor(limit)}`;
}

export interface TimelineSelection {
    /** Identities whose every event is in the timeline. */
    readonly arns: readonly string[];
    /**
     * Sessions whose ARN other sessions in the input share: only the events with one of their
     * access keys or creation dates, and those with neither (which the log cannot attribute).
     */
    readonly sessions?: readonly { readonly arn: string; readonly keys: readonly string[]; readonly created: readonly string[] }[];
    /** Events that linked them (an AssumeRole copy logged with only the caller's account has no ARN). */
    readonly eventIds: readonly string[];
}

function timelinePredicate(selection: TimelineSelection): string {
    const sessions = (selection.sessions ?? []).map(
        (session) =>
            `(useridentity.arn = ${sqlString(session.arn)} AND (${inList("useridentity.accesskeyid", session.keys)} OR ${inList(CREATED, session.created)}
     OR (NOT regexp_like(coalesce(useridentity.accesskeyid, ''), '^[A-Z0-9]{16,128}$') AND useridentity.sessioncontext.attributes.creationdate IS NULL)))`,
    );
    return [inList("useridentity.arn", selection.arns), ...sessions, inList("eventid", selection.eventIds)].join(" OR ");
}

/**
 * Which detections flagged which of the timeline's events, in one query: every detection of the
 * catalogue over the window (they need the whole window: a burst is counted across principals),
 * kept only for the timeline's events. Used on Athena, where one query costs one round trip.
 */
export function detectionHitsSql(detections: readonly Pick<Detection, "name" | "source">[], window: Window, selection: TimelineSelection): string {
    // A detection may end with a comment line or a semicolon: each goes in on its own lines, without it.
    const parts = detections.map(
        (detection) =>
            `SELECT ${sqlString(detection.name)} AS detection, eventid AS event_id FROM (\n${queryForWindow(detection, window).replace(/;\s*$/, "")}\n) hits`,
    );
    return `SELECT detection, event_id FROM (
${parts.join("\nUNION ALL\n")}
) all_hits
WHERE event_id IN (SELECT eventid FROM cloudtrail WHERE ${windowPredicate(window)} AND (${timelinePredicate(selection)}))
ORDER BY event_id, detection`;
}
