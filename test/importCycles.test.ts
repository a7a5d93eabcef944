/**
 * No module of the project imports itself through others, type-only imports included: the project's
 * one check of import cycles. eslint's `import-x/no-cycle` skips `import type` altogether, on the
 * importing side and while following a chain (node_modules/eslint-plugin-import-x/lib/rules/no-cycle.js),
 * so two modules that need each other's types passed it: local/ingest.ts and local/workerPool.ts did,
 * until their shared contract moved to local/filePreparation.ts. It was also 41 of lint's 98 s, and is
 * no longer enabled. This reads every import with the TypeScript compiler's pre-processor (no
 * type-checking) and looks for a strongly connected set of files.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
/** Not the project's modules: installed packages, build outputs, data. */
const SKIPPED = new Set(["node_modules", ".git", ".build", ".bench", "out", "samples", "fixtures", "glue", "queries", "panels", "data"]);

function projectModules(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (SKIPPED.has(entry.name)) return [];
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return projectModules(full);
        return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The project files a module imports (`import`, `import type`, `export … from`, `import()`, `require`), resolved as Node resolves them. */
function importsOf(file: string): string[] {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return importedFiles.flatMap(({ fileName }) => {
        if (!fileName.startsWith(".")) return [];
        const base = path.resolve(path.dirname(file), fileName);
        const found = [`${base}.ts`, path.join(base, "index.ts"), base].find((candidate) => candidate.endsWith(".ts") && fs.existsSync(candidate));
        return found ? [found] : [];
    });
}

/** The sets of two or more modules that reach each other (Tarjan's strongly connected components). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    let counter = 0;
    const order = new Map<string, number>();
    const lowest = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (module: string) => {
        order.set(module, counter);
        lowest.set(module, counter++);
        stack.push(module);
        onStack.add(module);
        for (const next of graph.get(module) ?? []) {
            if (!order.has(next)) {
                visit(next);
                lowest.set(module, Math.min(lowest.get(module)!, lowest.get(next)!));
            } else if (onStack.has(next)) lowest.set(module, Math.min(lowest.get(module)!, order.get(next)!));
        }
        if (lowest.get(module) !== order.get(module)) return;
        const component: string[] = [];
        let member: string;
        do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
        } while (member !== module);
        if (component.length > 1 || (graph.get(module) ?? []).includes(module)) found.push(component.sort());
    };
    for (const module of graph.keys()) if (!order.has(module)) visit(module);
    return found;
}

describe("the project's import graph", () => {
    it("has no cycle, counting type-only imports", () => {
        const modules = projectModules(ROOT);
        expect(modules.length).to.be.greaterThan(100);
        const graph = new Map(modules.map((module) => [module, importsOf(module)]));
        expect(cycles(graph).map((component) => component.map((module) => path.relative(ROOT, module)).join(" ⇄ "))).to.deep.equal([]);
    });

    it("the check sees a cycle made of a type-only import, and none in a chain", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-cycles-"));
        try {
            fs.writeFileSync(
                path.join(dir, "ingest.ts"),
                'import { Pool } from "./pool";\nimport { read } from "./shapes";\nexport const run = () => [Pool, read];\n',
            );
            fs.writeFileSync(path.join(dir, "pool.ts"), 'import type { Prepared } from "./ingest";\nexport class Pool { last?: Prepared; }\n');
            fs.writeFileSync(path.join(dir, "shapes.ts"), "export const read = 1;\n");
            const graph = new Map(projectModules(dir).map((module) => [module, importsOf(module)]));
            expect(cycles(graph).map((component) => component.map((module) => path.basename(module)))).to.deep.equal([["ingest.ts", "pool.ts"]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
