/**
 * Deduplication state: one window per (detection, account, principal). The first evaluation that
 * claims a window sends the alert; later ones (repeats, redeliveries of the same file, the
 * schedule's overlapping lookback) only add their event ids, and the count is the number of
 * DISTINCT event ids, so at-least-once delivery never inflates it nor sends twice.
 *
 * A claim is not "sent" until the destinations accepted it: a send that fails releases the claim
 * (the retry claims again), and a claimant that died mid-send (Lambda timeout) leaves a claim that
 * the next evaluation takes over once it is older than `staleClaimMs`.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";

export interface Claim {
    /** True: this call opened the window (or took over a stale claim) and must send. */
    readonly opened: boolean;
    /** Distinct event ids in the window so far. */
    readonly count: number;
    /** Identifies this claim for markSent/release. */
    readonly token: string;
}

export interface DedupStore {
    record(key: string, eventIds: readonly string[], nowMs: number, windowMs: number): Promise<Claim>;
    markSent(key: string, token: string): Promise<void>;
    release(key: string, token: string): Promise<void>;
}

/**
 * DynamoDB holds at most 400 KB per item: ids beyond this many are not stored, so in a window
 * with more events the count is a lower bound (the alert was sent long before).
 */
export const MAX_STORED_EVENT_IDS = 5_000;

interface MemoryEntry {
    ids: Set<string>;
    expiresAt: number;
    sent: boolean;
    claimedAt: number;
    token: string;
}

/** The replay's store: same semantics, in memory, clock given by the caller (event time). */
export class MemoryDedupStore implements DedupStore {
    private readonly entries = new Map<string, MemoryEntry>();
    private sequence = 0;

    constructor(private readonly staleClaimMs = 15 * 60_000) {}

    async record(key: string, eventIds: readonly string[], nowMs: number, windowMs: number): Promise<Claim> {
        const entry = this.entries.get(key);
        if (!entry || entry.expiresAt <= nowMs || (!entry.sent && nowMs - entry.claimedAt > this.staleClaimMs)) {
            const token = String(++this.sequence);
            const ids = new Set([...(entry && entry.expiresAt > nowMs ? entry.ids : []), ...eventIds.slice(0, MAX_STORED_EVENT_IDS)]);
            this.entries.set(key, { ids, expiresAt: nowMs + windowMs, sent: false, claimedAt: nowMs, token });
            return { opened: true, count: ids.size, token };
        }
        for (const id of eventIds) if (entry.ids.size < MAX_STORED_EVENT_IDS) entry.ids.add(id);
        return { opened: false, count: entry.ids.size, token: entry.token };
    }

    async markSent(key: string, token: string): Promise<void> {
        const entry = this.entries.get(key);
        if (entry?.token === token) entry.sent = true;
    }

    async release(key: string, token: string): Promise<void> {
        if (this.entries.get(key)?.token === token && !this.entries.get(key)!.sent) this.entries.delete(key);
    }
}

/**
 * The Lambdas' store. Table: partition key `alertKey` (S); TTL attribute `expiresAt` (epoch
 * seconds). DynamoDB deletes expired items up to days late, so every condition also compares
 * `expiresAt` with now: an expired item is treated as absent.
 */
export class DynamoDedupStore implements DedupStore {
    constructor(
        private readonly client: DynamoDBClient,
        private readonly tableName: string,
        private readonly staleClaimMs = 15 * 60_000,
    ) {}

    async record(key: string, eventIds: readonly string[], nowMs: number, windowMs: number): Promise<Claim> {
        const ids = [...new Set(eventIds)].slice(0, MAX_STORED_EVENT_IDS);
        const token = `${nowMs}-${Math.random().toString(36).slice(2, 10)}`;
        const nowSeconds = Math.floor(nowMs / 1000);
        try {
            await this.client.send(
                new PutItemCommand({
                    TableName: this.tableName,
                    Item: {
                        alertKey: { S: key },
                        eventIds: { SS: ids.length > 0 ? ids : ["-"] },
                        expiresAt: { N: String(Math.ceil((nowMs + windowMs) / 1000)) },
                        claimedAt: { N: String(nowMs) },
                        claimToken: { S: token },
                        sent: { BOOL: false },
                    },
                    ConditionExpression: "attribute_not_exists(alertKey) OR expiresAt <= :now OR (sent = :false AND claimedAt < :stale)",
                    ExpressionAttributeValues: {
                        ":now": { N: String(nowSeconds) },
                        ":false": { BOOL: false },
                        ":stale": { N: String(nowMs - this.staleClaimMs) },
                    },
                }),
            );
            return { opened: true, count: ids.length, token };
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
        if (ids.length === 0) return { opened: false, count: 0, token: "" };
        try {
            const updated = await this.client.send(
                new UpdateItemCommand({
                    TableName: this.tableName,
                    Key: { alertKey: { S: key } },
                    UpdateExpression: "ADD eventIds :ids",
                    // Keeps the item under DynamoDB's 400 KB item limit.
                    ConditionExpression: "attribute_exists(alertKey) AND size(eventIds) < :max",
                    ExpressionAttributeValues: { ":ids": { SS: ids }, ":max": { N: String(MAX_STORED_EVENT_IDS) } },
                    ReturnValues: "ALL_NEW",
                }),
            );
            const stored = updated.Attributes?.eventIds?.SS ?? [];
            return { opened: false, count: stored.filter((id) => id !== "-").length, token: updated.Attributes?.claimToken?.S ?? "" };
        } catch (error) {
            if (error instanceof ConditionalCheckFailedException) return { opened: false, count: MAX_STORED_EVENT_IDS, token: "" };
            throw error;
        }
    }

    async markSent(key: string, token: string): Promise<void> {
        await this.client
            .send(
                new UpdateItemCommand({
                    TableName: this.tableName,
                    Key: { alertKey: { S: key } },
                    UpdateExpression: "SET sent = :true",
                    ConditionExpression: "claimToken = :token",
                    ExpressionAttributeValues: { ":true": { BOOL: true }, ":token": { S: token } },
                }),
            )
            .catch((error) => {
                if (!(error instanceof ConditionalCheckFailedException)) throw error;
            });
    }

    async release(key: string, token: string): Promise<void> {
        await this.client
            .send(
                new DeleteItemCommand({
                    TableName: this.tableName,
                    Key: { alertKey: { S: key } },
                    ConditionExpression: "claimToken = :token AND sent = :false",
                    ExpressionAttributeValues: { ":token": { S: token }, ":false": { BOOL: false } },
                }),
            )
            .catch((error) => {
                if (!(error instanceof ConditionalCheckFailedException)) throw error;
            });
    }
}
