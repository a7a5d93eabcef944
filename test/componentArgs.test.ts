/**
 * Every optional member of a component's Args says what happens when it is left out: a `@default`
 * JSDoc tag with a value, as the AWS CDK's design guidelines ask of construct props: the default value,
 * or the behaviour when it is absent, even when AWS rather than the code decides it
 * (https://github.com/aws/aws-cdk/blob/main/docs/DESIGN_GUIDELINES.md#defaults). Read with the
 * TypeScript compiler's parser, without type-checking, so it takes milliseconds.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const COMPONENTS = path.join(__dirname, "..", "components");

function typeScriptFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) =>
            entry.isDirectory() ? typeScriptFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
        );
}

/** A ComponentResource of a file and the name of its Args interface (the constructor's second parameter). */
interface ComponentArgs {
    readonly component: string;
    readonly args: string;
    /** `<member>` of the Args (or of an interface it extends in the same file) that is optional and has no `@default` value. */
    readonly withoutDefault: string[];
    /** The Args interface is not declared in the component's file. */
    readonly elsewhere: boolean;
}

/** The components a source file declares, with the optional Args members that lack a `@default`. */
function componentArgsOf(fileName: string, text: string): ComponentArgs[] {
    const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    });
    const withoutDefault = (declaration: ts.InterfaceDeclaration, seen: Set<string>): string[] => {
        if (seen.has(declaration.name.text)) return [];
        seen.add(declaration.name.text);
        const own = declaration.members
            .filter((member): member is ts.PropertySignature => ts.isPropertySignature(member) && member.questionToken !== undefined)
            .filter((member) => !ts.getJSDocTags(member).some((tag) => tag.tagName.text === "default" && ts.getTextOfJSDocComment(tag.comment)?.trim()))
            .map((member) => member.name.getText(source));
        const inherited = (declaration.heritageClauses ?? [])
            .flatMap((clause) => clause.types.map((type) => interfaces.get(type.expression.getText(source))))
            .flatMap((parent) => (parent ? withoutDefault(parent, seen) : []));
        return [...own, ...inherited];
    };
    const components: ComponentArgs[] = [];
    source.forEachChild((node) => {
        if (!ts.isClassDeclaration(node) || !node.name) return;
        const bases = (node.heritageClauses ?? []).flatMap((clause) => clause.types.map((type) => type.expression.getText(source)));
        if (!bases.some((base) => /(^|\.)ComponentResource$/.test(base))) return;
        const argsType = node.members.find(ts.isConstructorDeclaration)?.parameters[1]?.type;
        if (!argsType) return;
        const args = ts.isTypeReferenceNode(argsType) ? argsType.typeName.getText(source) : argsType.getText(source);
        const declaration = interfaces.get(args);
        components.push({
            component: node.name.text,
            args,
            withoutDefault: declaration ? withoutDefault(declaration, new Set()) : [],
            elsewhere: !declaration,
        });
    });
    return components;
}

describe("components' Args", () => {
    const files = typeScriptFiles(COMPONENTS);
    const found = files.flatMap((file) =>
        componentArgsOf(file, fs.readFileSync(file, "utf8")).map((component) => ({ ...component, file: path.relative(path.join(__dirname, ".."), file) })),
    );

    it("give every optional member a @default with its value", () => {
        expect(found.length, "components found under components/").to.be.greaterThan(15);
        const missing = found.flatMap(({ file, args, withoutDefault }) => withoutDefault.map((member) => `${file}: ${args}.${member}`));
        expect(missing, "optional Args members without a `@default <value>` JSDoc tag").to.deep.equal([]);
    });

    it("are declared in their component's file", () => {
        expect(found.filter((component) => component.elsewhere).map(({ file, component, args }) => `${file}: ${component} takes ${args}`)).to.deep.equal([]);
    });

    it("the check names a member without @default, or with an empty one, and follows extended interfaces", () => {
        const source = `
            interface BaseArgs { /** Tags. */ readonly tags?: Record<string, string>; }
            export interface ThingArgs extends BaseArgs {
                readonly name: string;
                /** Size. @default 3 */
                readonly size?: number;
                /** Colour. @default */
                readonly colour?: string;
                readonly shape?: string;
            }
            export class Thing extends pulumi.ComponentResource {
                constructor(name: string, args: ThingArgs, opts?: pulumi.ComponentResourceOptions) { super("t:t:Thing", name, {}, opts); }
            }`;
        expect(componentArgsOf("thing.ts", source)).to.deep.equal([
            { component: "Thing", args: "ThingArgs", withoutDefault: ["colour", "shape", "tags"], elsewhere: false },
        ]);
    });
});
