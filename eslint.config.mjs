// @ts-check
/**
 * Lint (typescript-eslint's recommended rules) and the import boundaries of the layout
 * (CONTRIBUTING.md, "How it is built"): each zone below is one rule of that table, and its message names it.
 */
import js from "@eslint/js";
import globals from "globals";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const ALL = ["contract", "config", "components", "lambda", "local", "cli", "testing", "policy-pack", "scripts", "bench", "test", "index.ts", "program.ts"];
const but = (...allowed) => ALL.filter((folder) => !allowed.includes(folder)).map((folder) => `./${folder}`);

/** [importing folder, folders it may import, the rule as CONTRIBUTING.md states it] */
const BOUNDARIES = [
    ["contract", ["contract"], "contract/ imports nothing of the project"],
    ["config", ["config", "contract"], "config/ imports only contract/"],
    [
        "components",
        ["components", "contract", "config"],
        "components/ imports only contract/, config/ and components/ (never lambda/ local/ cli/: it reaches the Lambda code only through the bundle builder's entry path)",
    ],
    ["lambda", ["lambda", "contract"], "lambda/ imports only contract/ and lambda/ (never components/ local/ cli/ config/)"],
    ["local", ["local", "contract", "config", "lambda"], "local/ imports only contract/, config/, lambda/ and local/"],
    [
        "testing",
        ["testing", "contract", "config", "components", "policy-pack", "program.ts"],
        "testing/ imports only contract/, config/, components/, program.ts and policy-pack/",
    ],
    [
        "policy-pack",
        ["policy-pack"],
        "policy-pack/ stands alone (pulumi policy publish uploads that folder only): it imports nothing of the project; programConventions.ts restates what it needs and test/policyPackConventions.test.ts compares",
    ],
    ["program.ts", ["contract", "config", "components"], "program.ts imports only contract/, config/ and components/"],
    ["index.ts", ["program.ts", "config", "contract"], "index.ts only reads the config and calls program.ts"],
];

const zones = [
    ...BOUNDARIES.map(([target, allowed, message]) => ({ target: `./${target}`, from: but(...allowed), message })),
    // test/ tests the entry points' exported functions too: it is exempt from the next two rules.
    { target: but("cli", "test", "scripts"), from: "./cli", message: "nothing imports cli/ (entry points only)" },
    {
        target: "./scripts",
        from: "./cli",
        except: ["./commands.ts"],
        message: "scripts/ imports of cli/ only the command table, cli/commands.ts (the generated docs)",
    },
    { target: but("scripts", "test"), from: "./scripts", message: "nothing imports scripts/ (entry points)" },
    { target: but("bench"), from: "./bench", message: "nothing imports bench/ (entry points)" },
    { target: but("test"), from: "./test", message: "nothing imports test/" },
    { target: but(), from: "./index.ts", message: "nothing imports index.ts (the Pulumi entry point; declare the stack with program.ts)" },
];

export default tseslint.config(
    { ignores: ["**/node_modules/", ".build/", ".bench/", "out/", "glue/", "samples/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        plugins: { "import-x": importX },
        settings: { "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })] },
        rules: { "import-x/no-restricted-paths": ["error", { zones }] },
    },
    {
        // Type-aware rules: a promise nobody awaits loses its error (and, in a test, its assertion); a promise
        // passed where a value is expected (a condition, a void callback) is always truthy or never awaited.
        // The project service reads each file's nearest tsconfig.json (the root's, or policy-pack's).
        // https://typescript-eslint.io/getting-started/typed-linting
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
        },
    },
    {
        // What runs in the deployed stack, the Lambda bundles and `npm start` must be a run-time dependency
        // (`npm ci --omit=dev` leaves the rest out); tests, their harness, scripts and benchmarks may use dev ones.
        // Each file is checked against its nearest package.json (policy-pack/ has its own).
        rules: {
            "import-x/no-extraneous-dependencies": [
                "error",
                { devDependencies: ["test/**", "testing/**", "scripts/**", "bench/**", "policy-pack/**/*.test.ts", "eslint.config.mjs"] },
            ],
            // Import cycles are test/importCycles.test.ts's: it follows `import type` and import() too, which
            // import-x/no-cycle skips, and takes a second where that rule took 41 of lint's 98 s.
        },
    },
    {
        // The plain-JavaScript files (the bin, the benchmark's contenders, .mocharc.cjs) are CommonJS run by node: require is their module system.
        files: ["**/*.js", "**/*.cjs"],
        languageOptions: { sourceType: "commonjs", globals: globals.node },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
