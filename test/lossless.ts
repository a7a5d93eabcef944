/**
 * The losslessness check: every value of a source event can be found in its normalised record,
 * either in its column (coerced only where nothing is lost) or verbatim in `extrafields`.
 * Written against the schema's field list, independently of the normaliser's code path.
 */
import { expect } from "chai";
import { COLUMNS, Field, FieldType } from "../contract/schema";

type Json = unknown;

function sameAfterCoercion(input: Json, output: Json, type: FieldType): boolean {
    if (type.kind === "timestamp")
        return (
            typeof input === "string" &&
            typeof output === "string" &&
            Date.parse(output) === Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(input) ? input.replace(" ", "T") : `${input.replace(" ", "T")}Z`)
        );
    if (type.kind === "boolean") return output === input || (typeof output === "boolean" && String(output) === input);
    return output === input || (typeof input !== "object" && String(input) === output);
}

/** Asserts that `event` is fully contained in `record`. */
export function expectLossless(event: Record<string, unknown>, record: Record<string, unknown>, where: string): void {
    const extras: Record<string, Json> = record.extrafields == null ? {} : JSON.parse(record.extrafields as string);
    const found = new Set<string>();

    const check = (value: Json, output: Json, type: FieldType, sourcePath: string): void => {
        if (value === null || value === undefined) {
            expect(output ?? null, `${where}: ${sourcePath}`).to.equal(null);
            return;
        }
        if (sourcePath in extras) {
            // Did not fit its column: kept verbatim, column empty.
            expect(extras[sourcePath], `${where}: ${sourcePath} kept verbatim`).to.deep.equal(value);
            expect(output ?? null, `${where}: ${sourcePath} column`).to.equal(null);
            found.add(sourcePath);
            return;
        }
        switch (type.kind) {
            case "json":
                expect(JSON.parse(output as string), `${where}: ${sourcePath}`).to.deep.equal(value);
                return;
            case "struct":
                expect(output, `${where}: ${sourcePath}`).to.be.an("object");
                checkStruct(value as Record<string, Json>, output as Record<string, Json>, type.fields, `${sourcePath}.`);
                return;
            case "array":
                expect(output, `${where}: ${sourcePath}`)
                    .to.be.an("array")
                    .with.length((value as Json[]).length);
                (value as Json[]).forEach((element, i) => check(element, (output as Json[])[i], type.element, `${sourcePath}[${i}]`));
                return;
            default:
                expect(sameAfterCoercion(value, output, type), `${where}: ${sourcePath}: ${JSON.stringify(value)} became ${JSON.stringify(output)}`).to.equal(
                    true,
                );
        }
    };

    const checkStruct = (source: Record<string, Json>, output: Record<string, Json>, fields: readonly Field[], prefix: string): void => {
        for (const [key, value] of Object.entries(source)) {
            const field = fields.find((f) => f.source === key);
            const sourcePath = prefix + key;
            if (!field) {
                expect(extras, `${where}: unknown field ${sourcePath} kept in extrafields`).to.have.property(sourcePath);
                expect(extras[sourcePath]).to.deep.equal(value);
                found.add(sourcePath);
            } else {
                check(value, output[field.name], field.type, sourcePath);
            }
        }
    };

    checkStruct(event, record, COLUMNS, "");
    // And extrafields holds nothing that is not in the source.
    expect([...found].sort(), `${where}: extrafields`).to.deep.equal(Object.keys(extras).sort());
}
