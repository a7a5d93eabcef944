/**
 * One CloudTrail event in, one record of the schema out. Pure and synchronous: the hot path of
 * the normaliser. Values are coerced only where nothing is lost (`"true"` → true, a numeric id →
 * "123…", a space-separated time → ISO-8601 UTC); anything else is kept verbatim in
 * `extrafields` under its source path, and its column is null.
 */
import { hasRealDateTime } from "../../contract/instants";
import { COLUMNS, EXTRA_FIELDS_COLUMN, Field, FieldType } from "../../contract/schema";

/** A normalised record: the columns of the schema that have a value, in schema order. */
export type NormalisedRecord = Record<string, unknown>;

/** Per struct: its fields by source key, as a prototype-less object (the fastest lookup V8 offers here). */
const lookups = new WeakMap<readonly Field[], Record<string, Field>>();
function lookupOf(fields: readonly Field[]): Record<string, Field> {
    let lookup = lookups.get(fields);
    if (!lookup) {
        lookup = Object.create(null) as Record<string, Field>;
        for (const f of fields) lookup[f.source] = f;
        lookups.set(fields, lookup);
    }
    return lookup;
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const LOOSE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d{1,9})?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?$/;

/**
 * `2026-11-25T10:00:00Z` stays as it is; `2026-11-25 10:00:00`, `…T10:00:00` (CloudTrail times are
 * UTC) and offsets become ISO-8601 UTC. Returns null for text that is not a time, and for a date
 * or time of day that does not exist (`2024-02-30`, `25:00:00`; contract/instants.ts): those are
 * kept verbatim in `extrafields`, as every other unreadable time is.
 */
export function isoUtc(text: string): string | null {
    if (!hasRealDateTime(text)) return null;
    if (CANONICAL_TIME.test(text)) return Number.isNaN(Date.parse(text)) ? null : text;
    const match = LOOSE_TIME.exec(text);
    if (!match) return null;
    const [, date, time, fraction = "", zone] = match;
    if (zone === undefined || /^(z|utc)$/i.test(zone)) {
        const iso = `${date}T${time}${fraction}Z`;
        return Number.isNaN(Date.parse(iso)) ? null : iso;
    }
    const instant = Date.parse(`${date}T${time}${fraction.slice(0, 4)}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
    if (Number.isNaN(instant)) return null;
    const iso = new Date(instant).toISOString();
    return fraction ? iso : iso.replace(".000Z", "Z");
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

class EventNormaliser {
    extras: Record<string, unknown> | undefined;

    /** Keeps a value verbatim under its source path (`parent` + `key`, joined only here: the hot path never builds paths). */
    keep(parent: string, key: string, value: unknown): null {
        // No prototype: a key named `__proto__` (JSON.parse keeps it as an own key) stays a key, not a prototype.
        (this.extras ??= Object.create(null) as Record<string, unknown>)[parent + key] = value;
        return null;
    }

    value(value: unknown, type: FieldType, parent: string, key: string): unknown {
        if (value === null || value === undefined) return null;
        switch (type.kind) {
            case "string":
                if (typeof value === "string") return value;
                if (typeof value === "number" || typeof value === "boolean") return String(value);
                return this.keep(parent, key, value);
            case "boolean":
                if (typeof value === "boolean") return value;
                if (value === "true") return true;
                if (value === "false") return false;
                return this.keep(parent, key, value);
            case "timestamp":
                return (typeof value === "string" && isoUtc(value)) || this.keep(parent, key, value);
            case "json":
                return JSON.stringify(value);
            case "struct":
                return isObject(value) ? this.struct(value, type.fields, `${parent}${key}.`) : this.keep(parent, key, value);
            case "array": {
                if (!Array.isArray(value)) return this.keep(parent, key, value);
                const path = parent + key;
                return value.map((element, index) => this.value(element, type.element, path, `[${index}]`));
            }
        }
    }

    /**
     * Fields in schema order; absent and null fields are left out of the output (readers take a missing
     * field as null), which keeps records small: most events set a third of the columns.
     */
    struct(source: Record<string, unknown>, fields: readonly Field[], prefix: string): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++) {
            const f = fields[i];
            const value = source[f.source];
            if (value === undefined || value === null) continue;
            const converted = this.value(value, f.type, prefix, f.source);
            if (converted !== null) out[f.name] = converted;
        }
        const lookup = lookupOf(fields);
        for (const key in source) {
            if (lookup[key] === undefined) this.keep(prefix, key, source[key]);
        }
        return out;
    }
}

/**
 * Normalises one event (a parsed JSON object). `evidence`: what JSON.parse lost from its text
 * (./hostile.ts), added to `extrafields` over the normaliser's own entries.
 */
export function normaliseEvent(event: Record<string, unknown>, evidence?: Record<string, unknown>): NormalisedRecord {
    const normaliser = new EventNormaliser();
    const record = normaliser.struct(event, COLUMNS, "");
    if (evidence !== undefined) {
        for (const path in evidence) normaliser.keep(path, "", evidence[path]);
    }
    if (normaliser.extras !== undefined) record[EXTRA_FIELDS_COLUMN] = JSON.stringify(normaliser.extras);
    return record;
}
