/** npm run generate:glue-schema — writes glue/schema.json from contract/schema.ts (the only definition of the columns). */
import * as fs from "node:fs";
import * as path from "node:path";
import { sparkSchema } from "../contract/schema";

export const GLUE_SCHEMA_FILE = path.join(__dirname, "..", "glue", "schema.json");

export function glueSchemaText(): string {
    return `${JSON.stringify(sparkSchema(), null, 2)}\n`;
}

if (require.main === module) {
    fs.writeFileSync(GLUE_SCHEMA_FILE, glueSchemaText());
    console.log(`wrote ${path.relative(process.cwd(), GLUE_SCHEMA_FILE)}`);
}
