/**
 * The documentation stays true: generated sections are what `npm run generate:docs` writes, every
 * relative link and anchor of the repository's Markdown resolves, docs/README.md indexes every page,
 * the README's commands table (user commands, generated from cli/commands.ts) with CONTRIBUTING's
 * (the repository's own tools, kept by hand) names every npm script, and the README's dependency
 * table every dependency with the licence its package declares.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { GENERATE_COMMAND, renderedDocs } from "../scripts/generate-docs";
import { COMMANDS } from "../cli/commands";

const ROOT = path.join(__dirname, "..");
const SKIPPED_DIRS = new Set(["node_modules", ".git", "out", ".build", ".bench"]);

function markdownFiles(dir = ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full);
        return entry.name.endsWith(".md") ? [full] : [];
    });
}

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const match of text.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const slug = match[1]
            .replace(/`/g, "")
            .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    return anchors;
}

describe("documentation", () => {
    it(`generated sections are up to date (else run: ${GENERATE_COMMAND})`, () => {
        for (const doc of renderedDocs()) {
            expect(doc.stale, `${doc.file}: generated section(s) ${doc.stale.join(", ")} are stale; run: ${GENERATE_COMMAND}`).to.deep.equal([]);
        }
    });

    it("every relative link and anchor of the repository's Markdown resolves", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            const text = fs.readFileSync(file, "utf8");
            for (const match of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
                const target = match[1];
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
                const [filePart, anchor] = target.split("#", 2) as [string, string | undefined];
                const resolved = filePart === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(filePart));
                const where = `${path.relative(ROOT, file)}: (${target})`;
                if (!fs.existsSync(resolved)) {
                    broken.push(`${where} names a file that does not exist`);
                    continue;
                }
                if (anchor !== undefined && resolved.endsWith(".md") && !headingAnchors(fs.readFileSync(resolved, "utf8")).has(anchor)) {
                    broken.push(`${where} names no heading of ${path.relative(ROOT, resolved)}`);
                }
            }
        }
        expect(broken).to.deep.equal([]);
    });

    it("docs/README.md links every page of docs/", () => {
        const index = fs.readFileSync(path.join(ROOT, "docs", "README.md"), "utf8");
        const missing = fs
            .readdirSync(path.join(ROOT, "docs"))
            .filter((name) => name.endsWith(".md") && name !== "README.md")
            .filter((name) => !index.includes(`](${name})`));
        expect(missing, "pages of docs/ not in docs/README.md's table").to.deep.equal([]);
    });

    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = (heading: string) => {
        const start = readme.indexOf(`\n## ${heading}\n`);
        expect(start, `README has a "## ${heading}" section`).to.be.above(-1);
        const end = readme.indexOf("\n## ", start + 1);
        return readme.slice(start, end === -1 ? undefined : end);
    };
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
    };

    const contributing = fs.readFileSync(path.join(ROOT, "CONTRIBUTING.md"), "utf8");
    const contributorCommands = () => {
        const start = contributing.indexOf("\n## Commands\n");
        expect(start, 'CONTRIBUTING.md has a "## Commands" section').to.be.above(-1);
        const end = contributing.indexOf("\n## ", start + 1);
        return contributing.slice(start, end === -1 ? undefined : end);
    };

    it("the README's commands table and CONTRIBUTING's name every npm script", () => {
        const commands = section("Commands") + contributorCommands();
        const named = (script: string) =>
            script === "start" || script === "test"
                ? commands.includes(`\`npm ${script}`)
                : new RegExp(`npm run ${script.replace(/[:.]/g, "\\$&")}\\b(?!:)`).test(commands);
        expect(Object.keys(pkg.scripts).filter((script) => !named(script))).to.deep.equal([]);
    });

    it("the hand-kept commands (README, CONTRIBUTING) name none of the user commands, whose rows are generated from cli/commands.ts", () => {
        const handKept = section("Commands").replace(/<!-- BEGIN GENERATED commands\b[\s\S]*?<!-- END GENERATED commands -->/, "") + contributorCommands();
        const scripts = [...new Set(COMMANDS.map((command) => /^npm (?:run )?([\w:-]+)/.exec(command.npm)![1]))];
        expect(scripts.filter((script) => new RegExp(`npm (run )?${script}\\b(?!:)`).test(handKept))).to.deep.equal([]);
    });

    it("the README's dependency table names every dependency with the licence its package declares", () => {
        const rows = section("Dependencies")
            .split("\n")
            .filter((line) => line.startsWith("| "));
        const problems: string[] = [];
        for (const [name, dev] of [
            ...Object.keys(pkg.dependencies).map((n) => [n, false] as const),
            ...Object.keys(pkg.devDependencies).map((n) => [n, true] as const),
        ]) {
            const row = rows.find((line) => line.includes(`\`${name}\``));
            const licence = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { license: string }).license;
            if (!row) problems.push(`${name}: no row`);
            else if (!row.includes(licence)) problems.push(`${name}: its row does not say ${licence}`);
            else if (row.includes("| dev: ") !== dev) problems.push(`${name}: ${dev ? "a dev dependency" : "a dependency"}, its row says otherwise`);
        }
        expect(problems).to.deep.equal([]);
    });
});
