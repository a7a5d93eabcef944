/**
 * The one definition of a normalised CloudTrail record. The normaliser writes it, the Glue job
 * reads with it (`glue/schema.json`, generated from here), the catalog table declares it, and
 * the local mode creates its tables from it. Nothing else defines a column.
 *
 * Reference: the columns of AWS's current Athena table for CloudTrail ("Create the table for
 * CloudTrail logs in Athena using partition projection"), lower-cased as Athena does, with these
 * decisions:
 * - `readonly`, `managementevent` and `sessioncredentialfromconsole` are booleans (AWS: string).
 * - `eventtime` is an ISO-8601 UTC string, `YYYY-MM-DDTHH:MM:SS[.fff]Z`, whatever the input's form.
 * - Free-form parts are JSON text: requestparameters, responseelements, additionaleventdata,
 *   serviceeventdetails, edgedevicedetails, insightdetails, and
 *   useridentity.sessioncontext.webidfederationdata.attributes (AWS: map<string,string>, which
 *   cannot hold the non-string values some identity providers send).
 * - `extrafields`: JSON object of everything the schema does not know, or that does not fit its
 *   column, keyed by its path in the source event (`@timestamp`, `userIdentity.inScopeOf`,
 *   `resources[0].ARNPrefix`). Nothing is dropped.
 */

/** A column's type. `json` columns hold JSON text (Athena: string, read with json_extract). */
export type FieldType =
    | { readonly kind: "string" }
    | { readonly kind: "boolean" }
    | { readonly kind: "timestamp" }
    | { readonly kind: "json" }
    | { readonly kind: "struct"; readonly fields: readonly Field[] }
    | { readonly kind: "array"; readonly element: FieldType };

/** A column, or a field of a struct column. */
export interface Field {
    /** Output name: the source key lower-cased, as Athena names it. */
    readonly name: string;
    /** Key in the CloudTrail event. */
    readonly source: string;
    readonly type: FieldType;
}

const string: FieldType = { kind: "string" };
const boolean: FieldType = { kind: "boolean" };
const json: FieldType = { kind: "json" };
const struct = (...fields: Field[]): FieldType => ({ kind: "struct", fields });
const field = (source: string, type: FieldType = string): Field => ({ name: source.toLowerCase(), source, type });

const sessionIssuer = struct(field("type"), field("principalId"), field("arn"), field("accountId"), field("userName"));

const userIdentity = struct(
    field("type"),
    field("principalId"),
    field("arn"),
    field("accountId"),
    field("invokedBy"),
    field("accessKeyId"),
    field("userName"),
    field("onBehalfOf", struct(field("userId"), field("identityStoreArn"))),
    field(
        "sessionContext",
        struct(
            field("attributes", struct(field("mfaAuthenticated"), field("creationDate"))),
            field("sessionIssuer", sessionIssuer),
            field("ec2RoleDelivery"),
            field("sourceIdentity"),
            field("webIdFederationData", struct(field("federatedProvider"), field("attributes", json))),
        ),
    ),
    field("identityProvider"),
    field("credentialId"),
);

/** The record's columns, in output order. */
export const COLUMNS: readonly Field[] = [
    field("eventVersion"),
    field("userIdentity", userIdentity),
    field("eventTime", { kind: "timestamp" }),
    field("eventSource"),
    field("eventName"),
    field("awsRegion"),
    field("sourceIPAddress"),
    field("userAgent"),
    field("errorCode"),
    field("errorMessage"),
    field("requestParameters", json),
    field("responseElements", json),
    field("additionalEventData", json),
    field("requestID"),
    field("eventID"),
    field("readOnly", boolean),
    // CloudTrail spells the ARN key of a resource in capitals.
    field("resources", { kind: "array", element: struct({ name: "arn", source: "ARN", type: string }, field("accountId"), field("type")) }),
    field("eventType"),
    field("apiVersion"),
    field("managementEvent", boolean),
    field("recipientAccountId"),
    field("serviceEventDetails", json),
    field("sharedEventID"),
    field("vpcEndpointId"),
    field("vpcEndpointAccountId"),
    field("eventCategory"),
    field("addendum", struct(field("reason"), field("updatedFields"), field("originalRequestID"), field("originalEventID"))),
    field("sessionCredentialFromConsole", boolean),
    field("edgeDeviceDetails", json),
    field("tlsDetails", struct(field("tlsVersion"), field("cipherSuite"), field("clientProvidedHostHeader"))),
    field("insightDetails", json),
];

/** Column holding what the schema does not know or what does not fit its column. */
export const EXTRA_FIELDS_COLUMN = "extrafields";

/** Partition columns of the lake, in path order. They are not stored in the files. */
export const PARTITION_COLUMNS = ["account", "region", "date"] as const;

/** Every column name in output order, `extrafields` last. */
export const COLUMN_NAMES: readonly string[] = [...COLUMNS.map((column) => column.name), EXTRA_FIELDS_COLUMN];

/** Hive/Athena type of a field: `struct<type:string,…>`, `array<…>`, `boolean`, `string`. */
export function hiveType(type: FieldType): string {
    switch (type.kind) {
        case "boolean":
            return "boolean";
        case "struct":
            return `struct<${type.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(",")}>`;
        case "array":
            return `array<${hiveType(type.element)}>`;
        default:
            // timestamp: ISO-8601 text, read with from_iso8601_timestamp; the text form survives every engine.
            return "string";
    }
}

/** Columns with their Hive types, as the Glue catalog table declares them. */
export function hiveColumns(): { name: string; type: string }[] {
    return [...COLUMNS.map((column) => ({ name: column.name, type: hiveType(column.type) })), { name: EXTRA_FIELDS_COLUMN, type: "string" }];
}

/** Spark's JSON form of a type (`StructType.fromJson` reads it), for the Glue job. */
export function sparkType(type: FieldType): unknown {
    switch (type.kind) {
        case "boolean":
            return "boolean";
        case "struct":
            return { type: "struct", fields: type.fields.map((f) => ({ name: f.name, type: sparkType(f.type), nullable: true, metadata: {} })) };
        case "array":
            return { type: "array", elementType: sparkType(type.element), containsNull: true };
        default:
            return "string";
    }
}

/** The whole record as a Spark schema (JSON), including the partition columns the job adds. */
export function sparkSchema(): unknown {
    return sparkType({
        kind: "struct",
        fields: [...COLUMNS, { name: EXTRA_FIELDS_COLUMN, source: EXTRA_FIELDS_COLUMN, type: json }],
    });
}

/** DuckDB type of a field, for the local mode. */
export function duckdbType(type: FieldType): string {
    switch (type.kind) {
        case "boolean":
            return "BOOLEAN";
        case "struct":
            return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(", ")})`;
        case "array":
            return `${duckdbType(type.element)}[]`;
        default:
            return "VARCHAR";
    }
}
