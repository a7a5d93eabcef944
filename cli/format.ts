/** Rendering query results for people (table) and programs (CSV, JSON). */

export type Format = "table" | "csv" | "json";

export function formatRows(columns: readonly string[], rows: readonly (readonly (string | null)[])[], format: Format): string {
    switch (format) {
        case "json":
            return JSON.stringify(
                rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]]))),
                null,
                2,
            );
        case "csv": {
            const cell = (value: string | null) => (value === null ? "" : /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
            return [columns.map(cell), ...rows.map((row) => row.map(cell))].map((line) => line.join(",")).join("\n");
        }
        case "table": {
            const text = (value: string | null) => (value === null ? "" : value.length > 60 ? `${value.slice(0, 57)}...` : value);
            const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => text(row[i]).length)));
            const line = (cells: readonly (string | null)[]) =>
                cells
                    .map((value, i) => text(value).padEnd(widths[i]))
                    .join("  ")
                    .trimEnd();
            return [line(columns), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
        }
    }
}
