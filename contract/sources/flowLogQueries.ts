/**
 * The hunting queries over `flow_logs` that are not detections: deployed as Athena named queries
 * beside the detections, and run by the local mode for the report's traffic summary. Column names
 * are part of the contract (dashboards build on them): see docs/flow-logs.md, "Table".
 * The seed's "top talkers" (rejected sources, top 25) is {@link FLOW_LOG_NAMED_QUERIES} `flow-rejected-by-port-and-source`.
 */
import { FLOW_LOG_WINDOW } from "./flowLogs";

export interface FlowLogQuery {
    /** Named-query name, unique among the stack's named queries. */
    readonly name: string;
    readonly description: string;
    /** Trino SQL with `${since}` and `${until}` to fill in, as the detections' named queries. */
    readonly sql: string;
}

const q = (name: string, description: string, body: string): FlowLogQuery => ({ name, description, sql: body.replaceAll("${window}", FLOW_LOG_WINDOW).trim() });

/** A Trino regular expression (as a quoted literal) matching the addresses docs/flow-logs.md calls private: RFC 1918, 100.64/10, loopback, link-local, IPv6 unique-local. */
export const PRIVATE_ADDRESS = String.raw`'^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)'`;

export const FLOW_LOG_NAMED_QUERIES: readonly FlowLogQuery[] = [
    q(
        "flow-top-talkers",
        "Address pairs with the most bytes in the window (accepted and rejected), with packets and flows.",
        `
SELECT srcaddr, dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows
FROM flow_logs
WHERE \${window} AND log_status = 'OK'
GROUP BY srcaddr, dstaddr
ORDER BY bytes DESC, srcaddr, dstaddr
LIMIT 25`,
    ),
    q(
        "flow-rejected-by-port-and-source",
        "Rejected traffic by destination port and source address: what is knocking, and where.",
        `
SELECT dstport, srcaddr, count(*) AS flows, sum(packets) AS packets, count(DISTINCT dstaddr) AS targets
FROM flow_logs
WHERE \${window} AND action = 'REJECT' AND log_status = 'OK'
GROUP BY dstport, srcaddr
ORDER BY flows DESC, dstport, srcaddr
LIMIT 100`,
    ),
    q(
        "flow-traffic-over-time",
        "Bytes, packets and flows per hour, accepted and rejected.",
        `
SELECT concat(year, '-', month, '-', day, 'T', hour, ':00:00Z') AS hour_start, action,
       sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows
FROM flow_logs
WHERE \${window} AND log_status = 'OK'
GROUP BY 1, action
ORDER BY hour_start, action`,
    ),
    q(
        "flow-bytes-out-per-external-address",
        "Bytes sent from private addresses to each public address (AWS service ranges named by pkt-dst-aws-service left out).",
        `
SELECT dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(DISTINCT srcaddr) AS senders, count(*) AS flows
FROM flow_logs
WHERE \${window} AND action = 'ACCEPT' AND log_status = 'OK'
  AND coalesce(pkt_dst_aws_service, '-') = '-'
  AND regexp_like(srcaddr, ${PRIVATE_ADDRESS})
  AND NOT regexp_like(dstaddr, ${PRIVATE_ADDRESS})
GROUP BY dstaddr
ORDER BY bytes DESC, dstaddr
LIMIT 100`,
    ),
];
