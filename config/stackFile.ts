/**
 * The one reader of a Pulumi stack file (`Pulumi.<stack>.yaml`): its `config:` map, keys as written
 * (`cloudtrail-lake:accounts`, `aws:region`). The local commands (`--stack-file`), the offline plan and
 * the tests all read a stack file through it, so a missing file or broken YAML is reported the same way everywhere.
 * https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/
 */
import * as fs from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";

/** The stack file's `config:` values; throws an error naming the file for a missing file or invalid YAML. */
export function readStackFile(file: string): Record<string, unknown> {
    let document: unknown;
    try {
        document = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    } catch (error) {
        const reason = (error as Error).message.split("\n")[0];
        throw new Error(
            !(error instanceof YAMLParseError)
                ? `--stack-file ${file}: cannot read it (${reason.split(",")[0]})`
                : `${file}: not a valid YAML stack file: ${reason}`,
        );
    }
    return ((document as { config?: unknown }).config ?? {}) as Record<string, unknown>;
}
