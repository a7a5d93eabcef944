import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { declareProd, PLAN_SNAPSHOT, planSnapshotOf, ProdDeclaration } from "../testing/planSnapshot";
import { engineAliasUrns, engineUrns, UrnNode } from "../testing/engineUrns";

/** What a stack deployed from an earlier commit holds (its README says which): each must survive an update. */
const DEPLOYED = path.join(__dirname, "fixtures", "plan", "deployed-resources.json");

describe("the prod stack's resources, URNs, inputs and outputs", () => {
    let declared: ProdDeclaration;

    before(async () => {
        declared = await declareProd();
    });

    it("are those of test/fixtures/plan/prod-resources.json (after a deliberate change: npm run generate:plan-snapshot, and review the diff)", async () => {
        const expected = JSON.parse(fs.readFileSync(PLAN_SNAPSHOT, "utf8"));
        const actual = JSON.parse(JSON.stringify(await planSnapshotOf(declared)));
        expect(actual.resources.map((resource: { urn: string }) => resource.urn)).to.deep.equal(
            expected.resources.map((resource: { urn: string }) => resource.urn),
        );
        expect(actual).to.deep.equal(expected);
    });

    it("keep every resource of a stack deployed before the last moves: each of its URNs is still declared, or is an alias of one declared resource of the same type", async () => {
        const project = pulumi.getProject();
        const stack = pulumi.getStack();
        const deployed: UrnNode[] = JSON.parse(fs.readFileSync(DEPLOYED, "utf8")).resources;
        const before = await engineUrns(deployed, project, stack);
        const now = await engineUrns(declared.resources, project, stack);
        const declaredUrns = new Set(now.values());
        const claims = new Map<string, string[]>();
        for (const resource of declared.resources) {
            for (const alias of await engineAliasUrns(resource, now, project, stack)) {
                // The engine refuses an alias that names a resource still declared: two resources would claim one state.
                expect(declaredUrns.has(alias), `${now.get(resource.urn)} has an alias to ${alias}, which is still declared`).to.equal(false);
                claims.set(alias, [...(claims.get(alias) ?? []), now.get(resource.urn)!]);
            }
        }
        const problems: string[] = [];
        for (const old of deployed) {
            const urn = before.get(old.urn)!;
            if (declaredUrns.has(urn)) continue;
            const heirs = claims.get(urn) ?? [];
            if (heirs.length === 0)
                problems.push(`${urn} is neither declared nor the alias of a declared resource: an update would delete it and create its heir`);
            else if (heirs.length > 1) problems.push(`${urn} is claimed by ${heirs.length} resources' aliases: ${heirs.join(", ")}`);
            else if (declared.resources.find((resource) => now.get(resource.urn) === heirs[0])!.type !== old.type)
                problems.push(`${urn} is aliased by ${heirs[0]}, a resource of another type`);
        }
        expect(problems, "remove a URN from test/fixtures/plan/deployed-resources.json only when its resource is meant to be deleted").to.deep.equal([]);
    });
});
