/**
 * npm run generate:docs — rewrites every generated section of the documentation: in docs/deploy.md the
 * stack-config reference (from the zod schema of config/stackConfig.ts, its `.describe()` texts and
 * defaults) and the stack outputs (from program.ts's StackOutputs doc comments, with the values of the
 * mocked prod stack recorded in test/fixtures/plan/prod-resources.json); in docs/detections.md the
 * ATT&CK coverage and the catalogue (from queries/); from the command table (cli/commands.ts) the
 * README's commands table, the command reference of docs/commands.md and the exit codes of
 * docs/respond.md and docs/alerts-replay.md. A section sits between
 * `<!-- BEGIN GENERATED <name> … -->` and `<!-- END GENERATED <name> -->`; test/docs.test.ts fails
 * while one is stale. `--check` only reports stale sections (exit 1).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { z } from "zod";
import { catalogueMarkdown, coverageMarkdown } from "../contract/coverage";
import { loadDetections } from "../contract/detections";
import { CONFIG_NAMESPACE, STACK_CONFIG_SCHEMA } from "../config/stackConfig";
import { ALERTS, BIN, COMMANDS, CommandSpec, HELP_OPTION, OptionSpec, START } from "../cli/commands";

const ROOT = path.join(__dirname, "..");

/** A JSON Schema node as zod's toJSONSchema writes it (the parts read here). */
interface JsonSchema {
    type?: string;
    description?: string;
    default?: unknown;
    enum?: unknown[];
    minimum?: number;
    maximum?: number;
    minItems?: number;
    maxItems?: number;
    pattern?: string;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    additionalProperties?: JsonSchema | boolean;
}

/** A table cell: pipes escaped, line breaks flattened. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const code = (text: string) => `\`${text}\``;

function defaultText(value: unknown): string {
    if (Array.isArray(value) && value.length > 3) return `${code(JSON.stringify(value.slice(0, 2)).replace(/\]$/, ", …]"))} (${value.length} items)`;
    return code(typeof value === "string" ? value : JSON.stringify(value));
}

function allowsText(schema: JsonSchema): string {
    if (schema.enum) return schema.enum.map((value) => code(String(value))).join(", ");
    switch (schema.type) {
        case "integer":
            return `whole number ${schema.minimum ?? "…"} to ${schema.maximum ?? "…"}`;
        case "number":
            return "number";
        case "boolean":
            return "`true`, `false`";
        case "string":
            return schema.pattern ? `text matching ${code(schema.pattern)}` : "text";
        case "array": {
            const bounds = [
                schema.minItems !== undefined ? `at least ${schema.minItems}` : "",
                schema.maxItems !== undefined ? `at most ${schema.maxItems}` : "",
            ]
                .filter(Boolean)
                .join(", ");
            const item = schema.items?.properties ? "entries (keys below)" : `of ${allowsText(schema.items ?? {})}`;
            return `list ${item}${bounds ? `, ${bounds}` : ""}`;
        }
        case "object":
            return schema.properties ? "object (keys below)" : `map of names to ${allowsText((schema.additionalProperties as JsonSchema) ?? {})}`;
        default:
            return "any";
    }
}

interface ConfigKeyRow {
    readonly key: string;
    readonly required: boolean;
    readonly schema: JsonSchema;
}

/** Every key of the stack config, depth first, with its JSON Schema node. */
export function stackConfigKeys(): ConfigKeyRow[] {
    const root = z.toJSONSchema(STACK_CONFIG_SCHEMA, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const rows: ConfigKeyRow[] = [];
    const walk = (node: JsonSchema, prefix: string) => {
        for (const [name, child] of Object.entries(node.properties ?? {})) {
            const key = prefix ? `${prefix}.${name}` : name;
            rows.push({ key, required: (node.required ?? []).includes(name), schema: child });
            if (child.properties) walk(child, key);
            if (child.type === "array" && child.items?.properties) walk(child.items, `${key}[]`);
        }
    };
    walk(root, "");
    return rows;
}

/** The reference table of docs/deploy.md; throws naming every key without a `.describe()` text. */
export function stackConfigReference(): string {
    const rows = stackConfigKeys();
    const undescribed = rows.filter((row) => !row.schema.description).map((row) => `${CONFIG_NAMESPACE}:${row.key}`);
    if (undescribed.length > 0) {
        throw new Error(`config keys without a description (add .describe("…") to their schema in config/): ${undescribed.join(", ")}`);
    }
    const lines = [
        `Keys under \`${CONFIG_NAMESPACE}:\`; \`a.b\` is key \`b\` of the object \`a\`, \`a[].b\` key \`b\` of every entry of the list \`a\`.`,
        "",
        "| key | default | allows | what |",
        "|---|---|---|---|",
    ];
    for (const row of rows) {
        const isContainer = Boolean(row.schema.properties) || (row.schema.type === "array" && Boolean(row.schema.items?.properties));
        const fallback = row.required ? "(required)" : "unset";
        const defaultCell =
            row.schema.default === undefined ? fallback : isContainer && row.schema.type === "object" ? "each key's default" : defaultText(row.schema.default);
        lines.push(`| ${code(row.key)} | ${cell(defaultCell)} | ${cell(allowsText(row.schema))} | ${cell(row.schema.description!)} |`);
    }
    return lines.join("\n");
}

/** The members of program.ts's StackOutputs with their doc comments, in declaration order. */
export function stackOutputDocs(): { name: string; optional: boolean; doc: string }[] {
    const file = path.join(ROOT, "program.ts");
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const outputs = source.statements.find((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === "StackOutputs");
    if (!outputs) throw new Error("program.ts: interface StackOutputs not found");
    return outputs.members.filter(ts.isPropertySignature).map((member) => {
        const name = member.name.getText(source);
        const doc = ts
            .getJSDocCommentsAndTags(member)
            .map((tag) => ts.getTextOfJSDocComment(tag.comment) ?? "")
            .join(" ")
            .trim();
        if (!doc) throw new Error(`program.ts: StackOutputs.${name} has no doc comment (/** what it is, when it is set */)`);
        return { name, optional: member.questionToken !== undefined, doc };
    });
}

/** The outputs table of docs/deploy.md. */
export function stackOutputsReference(): string {
    const snapshot = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "fixtures", "plan", "prod-resources.json"), "utf8")) as {
        outputs: Record<string, unknown>;
    };
    const lines = ["| output | what | in the mocked prod stack |", "|---|---|---|"];
    for (const output of stackOutputDocs()) {
        const value = snapshot.outputs[output.name];
        const shown = value === undefined || value === null ? "unset" : typeof value === "string" ? code(value) : code(JSON.stringify(value));
        lines.push(`| ${code(output.name)} | ${cell(output.doc)} | ${cell(shown)} |`);
    }
    return lines.join("\n");
}

/** A command's words in the bin, with what it cannot run without: `cloudtrail-lake investigate <subject> --input …`. */
function commandWithRequired(command: CommandSpec, words: string): string {
    const required = [
        ...command.positionals.filter((positional) => positional.required).map((positional) => positional.name),
        ...Object.entries(command.options)
            .filter(([, option]) => option.required)
            .map(([name]) => `--${name} …`),
    ];
    return [words.replace(/ --$/, ""), ...(required.length > 0 && words.endsWith(" --") ? ["--"] : []), ...required].join(" ");
}

/** Every user command, each seen as any command (the table's literal types differ per command). */
const commands: readonly CommandSpec[] = COMMANDS;

/** Where docs/commands.md has the command: GitHub's anchor of its heading. */
const commandAnchor = (command: CommandSpec) => `${BIN} ${command.name}`.replace(/\s/g, "-");

/** The README's table of the user commands: each with its npm script, what it does, and where to read more. */
export function commandsTable(): string {
    const lines = ["| command | npm script | does |", "|---|---|---|"];
    for (const command of commands) {
        const more = command.docs ? ` ([${path.basename(command.docs).replace(/\.md(#.*)?$/, "")}](${command.docs}))` : "";
        lines.push(
            `| [${code(commandWithRequired(command, `${BIN} ${command.name}`))}](docs/commands.md#${commandAnchor(command)}) | ${code(commandWithRequired(command, command.npm))} | ${cell(command.summary)}${more} |`,
        );
    }
    return lines.join("\n");
}

/** An exit-code table. */
export function exitCodesTable(command: CommandSpec): string {
    const codes = Object.values(command.exitCodes).sort((a, b) => a.code - b.code);
    return ["| code | meaning |", "|---:|---|", ...codes.map((exit) => `| ${exit.code} | ${cell(exit.meaning)} |`)].join("\n");
}

/** The reference of every command for docs/commands.md: synopsis, what it does, arguments, options, exit codes, examples. */
export function commandReference(): string {
    const option = (name: string, spec: OptionSpec) => {
        const value = spec.type === "boolean" ? "" : spec.choices ? spec.choices.map(code).join(", ") : code(spec.value ?? "<value>");
        const fallback = spec.required ? "(required)" : spec.default !== undefined ? code(spec.default) : (spec.defaultText ?? "");
        const form = `${spec.short ? `${code(`-${spec.short}`)}, ` : ""}${code(`--${name}`)}`;
        return `| ${form} | ${cell(value)}${spec.multiple && !spec.greedy ? " (repeatable)" : ""} | ${cell(fallback)} | ${cell(spec.description)} |`;
    };
    const sections = commands.map((command) => {
        const synopsis = [
            ...command.positionals.map((positional) => (positional.required ? positional.name : `[${positional.name}]`)),
            ...Object.entries(command.options).map(([name, spec]) => {
                const form = spec.type === "boolean" ? `--${name}` : `--${name} ${spec.choices ? spec.choices.join("|") : spec.value}`;
                return spec.required ? form : `[${form}]`;
            }),
        ].join(" ");
        const lines = [
            `### ${code(`${BIN} ${command.name}`)}`,
            "",
            "```",
            `${BIN} ${command.name} ${synopsis}`.trimEnd(),
            `${command.npm} ${synopsis}`.replace(/ --$/, "").trimEnd(),
            "```",
            "",
            command.description,
            "",
        ];
        if (command.positionals.length > 0) {
            lines.push(
                "| argument | what |",
                "|---|---|",
                ...command.positionals.map((positional) => `| ${code(positional.name)} | ${cell(positional.description)} |`),
                "",
            );
        }
        lines.push("| option | value | default | what |", "|---|---|---|---|");
        for (const [name, spec] of Object.entries({ ...command.options, help: HELP_OPTION })) lines.push(option(name, spec));
        lines.push("", exitCodesTable(command));
        if (command.examples?.length) lines.push("", "```sh", ...command.examples, "```");
        if (command.docs) lines.push("", `More: [${command.docs.replace(/^docs\//, "")}](${command.docs.replace(/^docs\//, "")}).`);
        return lines.join("\n");
    });
    return sections.join("\n\n");
}

export interface GeneratedSection {
    /** Path from the repository root. */
    readonly file: string;
    readonly name: string;
    readonly render: () => string;
}

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
    { file: "docs/deploy.md", name: "stack-config", render: stackConfigReference },
    { file: "docs/deploy.md", name: "stack-outputs", render: stackOutputsReference },
    {
        file: "docs/detections.md",
        name: "detection-coverage",
        render: () => {
            const detections = loadDetections();
            return `${coverageMarkdown(detections)}\n\n${catalogueMarkdown(detections)}`;
        },
    },
    { file: "README.md", name: "commands", render: commandsTable },
    { file: "docs/commands.md", name: "command-reference", render: commandReference },
    { file: "docs/respond.md", name: "exit-codes-start", render: () => exitCodesTable(START) },
    { file: "docs/alerts-replay.md", name: "exit-codes-alerts", render: () => exitCodesTable(ALERTS) },
];

/** The command a stale section names. */
export const GENERATE_COMMAND = "npm run generate:docs";

/** `text` with the section replaced by `body`; throws when its markers are missing. */
export function withSection(text: string, file: string, name: string, body: string): string {
    const begin = new RegExp(`<!-- BEGIN GENERATED ${name}\\b[^>]*-->\\n`);
    const end = `<!-- END GENERATED ${name} -->`;
    const start = begin.exec(text);
    const stop = text.indexOf(end);
    if (!start || stop < start.index)
        throw new Error(`${file}: markers of the generated section "${name}" are missing (<!-- BEGIN GENERATED ${name} … --> … ${end})`);
    return text.slice(0, start.index + start[0].length) + body.trimEnd() + "\n" + text.slice(stop);
}

/** Each documentation file as it should be, with its current text. */
export function renderedDocs(): { file: string; current: string; wanted: string; stale: string[] }[] {
    const files = [...new Set(GENERATED_SECTIONS.map((section) => section.file))];
    return files.map((file) => {
        const current = fs.readFileSync(path.join(ROOT, file), "utf8");
        let wanted = current;
        const stale: string[] = [];
        for (const section of GENERATED_SECTIONS.filter((candidate) => candidate.file === file)) {
            const next = withSection(wanted, file, section.name, section.render());
            if (next !== wanted) stale.push(section.name);
            wanted = next;
        }
        return { file, current, wanted, stale };
    });
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    let staleCount = 0;
    for (const doc of renderedDocs()) {
        if (doc.stale.length === 0) continue;
        staleCount += doc.stale.length;
        if (check) console.log(`${doc.file}: stale generated section(s) ${doc.stale.join(", ")}`);
        else {
            fs.writeFileSync(path.join(ROOT, doc.file), doc.wanted);
            console.log(`${doc.file}: rewrote ${doc.stale.join(", ")}`);
        }
    }
    if (staleCount === 0) console.log("generated sections are up to date");
    else if (check) {
        console.log(`run: ${GENERATE_COMMAND}`);
        process.exitCode = 1;
    }
}
