/**
 * Writes every policy document the program declares (with Pulumi.prod.yaml, under the offline
 * mocks) to test/fixtures/policies/, one literal JSON file each, so that a pull request changing a
 * policy shows the change to its reviewer. `npm test` fails until the fixtures match the program.
 *
 *   npm run generate:policy-fixtures
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { collectPolicyDocuments, declareProdStack, FIXTURE_DIR, fixtureFileName } from "../testing/policyHarness";

async function main(): Promise<void> {
    const documents = collectPolicyDocuments(await declareProdStack());
    fs.rmSync(FIXTURE_DIR, { recursive: true, force: true });
    fs.mkdirSync(FIXTURE_DIR, { recursive: true });
    for (const document of documents) {
        fs.writeFileSync(path.join(FIXTURE_DIR, fixtureFileName(document)), `${JSON.stringify(document.document, null, 2)}\n`);
    }
    console.log(`wrote ${documents.length} policy documents to ${path.relative(process.cwd(), FIXTURE_DIR)}/`);
    process.exit(0); // the mocked Pulumi runtime keeps handles open
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
