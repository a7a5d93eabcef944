/**
 * The QuickSight dashboard as plain data, generated from the panel catalogue (contract/panels.ts):
 * one data set per panel, one visual per panel, and filters (time range, account, region,
 * principal) that apply across the data sets that have their column. Pure functions of plain values, so the tests read
 * exactly what is deployed.
 *
 * The definition is deployed as an `AWS::QuickSight::Dashboard` in a CloudFormation stack: @pulumi/aws
 * 7.x declares `aws.quicksight.Dashboard` without its `definition` argument (only `sourceEntity`, a
 * template that would itself need a definition), while CloudFormation takes the whole
 * DashboardVersionDefinition (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-quicksight-dashboard.html).
 * Shapes follow the QuickSight API reference: DashboardVersionDefinition, BarChartVisual,
 * LineChartVisual, FilterGroup, TimeRangeFilter, CategoryFilter
 * (https://docs.aws.amazon.com/quicksight/latest/APIReference/API_DashboardVersionDefinition.html).
 */
import { filterColumnsOf, Panel, QUICKSIGHT_ID } from "../../contract/panels";

/** CloudFormation's limit on a template passed inline (TemplateBody): 51,200 bytes (CloudFormation quotas). */
export const CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES = 51_200;
/** Visuals per sheet: at most 50 (QuickSight API reference, SheetDefinition.Visuals). */
export const QUICKSIGHT_MAX_VISUALS_PER_SHEET = 50;
/** Filter groups per dashboard: at most 2,000 (DashboardVersionDefinition.FilterGroups). */
export const QUICKSIGHT_MAX_FILTER_GROUPS = 2_000;

/** What viewers may do with the dashboard: open and query it, nothing else (QuickSight User Guide, "Sharing dashboards", viewer actions). */
export const DASHBOARD_VIEWER_ACTIONS = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"];

export const SHEET_ID = "cloudtrail-activity";

/** The dashboard's filters: the column every panel carries (contract/panels.ts FILTER_COLUMNS) and the control's title. */
export const DASHBOARD_FILTERS = [
    { id: "time-range", column: "eventtime", title: "Time range" },
    { id: "account", column: "account_name", title: "Account" },
    { id: "region", column: "region", title: "Region" },
    { id: "principal", column: "principal", title: "Principal" },
] as const;

/** QuickSight's column types of a panel's declared types (API reference, InputColumn.Type). */
const INPUT_COLUMN_TYPES = { string: "STRING", datetime: "DATETIME", integer: "INTEGER" } as const;

/** QuickSight's column types of a panel's declared types (API reference, InputColumn.Type). */
export function inputColumns(panel: Pick<Panel, "columns">): { name: string; type: (typeof INPUT_COLUMN_TYPES)[keyof typeof INPUT_COLUMN_TYPES] }[] {
    return panel.columns.map((column) => ({ name: column.name, type: INPUT_COLUMN_TYPES[column.type] }));
}

const column = (panel: Pick<Panel, "id">, name: string) => ({ DataSetIdentifier: panel.id, ColumnName: name });
const title = (text: string) => ({ Visibility: "VISIBLE", FormatText: { PlainText: text } });

/** Every column a visual or filter of `definition` references, with its data set identifier: what the tests check against the data sets' columns. */
export function referencedColumns(definition: unknown): { dataSet: string; column: string }[] {
    const found: { dataSet: string; column: string }[] = [];
    const walk = (value: unknown) => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === "object") {
            const record = value as Record<string, unknown>;
            if (typeof record.DataSetIdentifier === "string" && typeof record.ColumnName === "string")
                found.push({ dataSet: record.DataSetIdentifier, column: record.ColumnName });
            Object.values(record).forEach(walk);
        }
    };
    walk(definition);
    return found;
}

/**
 * The value well of a panel's visual: a count is a measure field of the counted column's kind (a date,
 * categorical or numerical measure counts its non-null values), a sum a numerical measure with SUM
 * (API reference: DateMeasureField, CategoricalMeasureField, NumericalMeasureField, NumericalAggregationFunction).
 */
export function measureField(panel: Pick<Panel, "id" | "columns" | "measure">): Record<string, unknown> {
    const { aggregate, column: name } = panel.measure;
    const type = panel.columns.find((candidate) => candidate.name === name)?.type;
    const field = { FieldId: `${panel.id}.value`, Column: column(panel, name) };
    if (aggregate === "sum") {
        if (type !== "integer") throw new Error(`panel ${panel.id}: sum: ${name} is not an integer column`);
        return { NumericalMeasureField: { ...field, AggregationFunction: { SimpleNumericalAggregation: "SUM" } } };
    }
    if (type === "datetime") return { DateMeasureField: { ...field, AggregationFunction: "COUNT" } };
    if (type === "integer") return { NumericalMeasureField: { ...field, AggregationFunction: { SimpleNumericalAggregation: "COUNT" } } };
    return { CategoricalMeasureField: { ...field, AggregationFunction: "COUNT" } };
}

/** One visual of a panel: a line chart (time-lines) or a stacked bar chart (time-bars, top-bars). */
export function panelVisual(panel: Panel): Record<string, unknown> {
    if (!QUICKSIGHT_ID.test(panel.id)) throw new Error(`panel ${panel.id}: not a QuickSight visual id (1-512 of letters, digits, _ and -)`);
    const timeChart = panel.chart !== "top-bars";
    const category = timeChart
        ? { DateDimensionField: { FieldId: `${panel.id}.x`, Column: column(panel, panel.x), DateGranularity: panel.granularity.toUpperCase() } }
        : { CategoricalDimensionField: { FieldId: `${panel.id}.x`, Column: column(panel, panel.x) } };
    const value = measureField(panel);
    const colours = panel.colour ? [{ CategoricalDimensionField: { FieldId: `${panel.id}.colour`, Column: column(panel, panel.colour) } }] : [];
    const wells = { Category: [category], Values: [value], Colors: colours };
    const common = { VisualId: panel.id, Title: title(panel.title), Subtitle: title(panel.description) };
    if (panel.chart === "time-lines") {
        return { LineChartVisual: { ...common, ChartConfiguration: { FieldWells: { LineChartAggregatedFieldWells: wells } } } };
    }
    return {
        BarChartVisual: {
            ...common,
            ChartConfiguration: {
                FieldWells: { BarChartAggregatedFieldWells: wells },
                Orientation: timeChart ? "VERTICAL" : "HORIZONTAL",
                BarsArrangement: "STACKED",
                SortConfiguration: timeChart
                    ? { CategorySort: [{ FieldSort: { FieldId: `${panel.id}.x`, Direction: "ASC" } }] }
                    : {
                          CategorySort: [{ FieldSort: { FieldId: `${panel.id}.value`, Direction: "DESC" } }],
                          CategoryItemsLimit: { ItemsLimit: panel.limit, OtherCategories: "EXCLUDE" },
                      },
            },
        },
    };
}

/**
 * The DashboardVersionDefinition: the panels' visuals on one sheet in a two-column grid, and one
 * filter group per dashboard filter, applied to every data set that has its column (CrossDataset
 * ALL_DATASETS), each with its control. The time range starts `lookbackDays` back.
 */
export function dashboardDefinition(args: {
    readonly panels: readonly Panel[];
    readonly dataSetArns: Readonly<Record<string, string>>;
    readonly lookbackDays: number;
}) {
    const { panels } = args;
    if (panels.length === 0) throw new Error("no panels: the catalogue (panels/) is empty");
    if (panels.length > QUICKSIGHT_MAX_VISUALS_PER_SHEET)
        throw new Error(`${panels.length} panels: a QuickSight sheet holds at most ${QUICKSIGHT_MAX_VISUALS_PER_SHEET} visuals`);
    for (const panel of panels) {
        if (!args.dataSetArns[panel.id]) throw new Error(`panel ${panel.id} has no data set`);
        for (const filter of filterColumnsOf(panel.source)) {
            if (!panel.columns.some((candidate) => candidate.name === filter.name))
                throw new Error(`panel ${panel.id} lacks ${filter.name}, which the filters need`);
        }
    }
    // A filter applies to the visuals whose data set has its column: the principal filter leaves the flow panels alone
    // (a flow has no principal). Scoping it explicitly does not rely on how QuickSight treats a cross-dataset filter on
    // a data set without the column, which its documentation does not say.
    const filters = DASHBOARD_FILTERS.map((filter) => ({
        ...filter,
        visuals: panels.filter((panel) => panel.columns.some((candidate) => candidate.name === filter.column)),
    })).filter((filter) => filter.visuals.length > 0);
    const filterGroups = filters.map((filter) => ({
        FilterGroupId: `${filter.id}-group`,
        CrossDataset: "ALL_DATASETS",
        Status: "ENABLED",
        ScopeConfiguration: {
            SelectedSheets: {
                SheetVisualScopingConfigurations: [
                    filter.visuals.length === panels.length
                        ? { SheetId: SHEET_ID, Scope: "ALL_VISUALS" }
                        : { SheetId: SHEET_ID, Scope: "SELECTED_VISUALS", VisualIds: filter.visuals.map((panel) => panel.id) },
                ],
            },
        },
        Filters: [
            filter.column === "eventtime"
                ? {
                      TimeRangeFilter: {
                          FilterId: `${filter.id}-filter`,
                          Column: column(filter.visuals[0], filter.column),
                          NullOption: "NON_NULLS_ONLY",
                          IncludeMinimum: true,
                          IncludeMaximum: true,
                          TimeGranularity: "DAY",
                          RangeMinimumValue: { RollingDate: { Expression: `addDateTime(-${args.lookbackDays}, 'DD', truncDate('DD', now()))` } },
                          RangeMaximumValue: { RollingDate: { Expression: "now()" } },
                      },
                  }
                : {
                      CategoryFilter: {
                          FilterId: `${filter.id}-filter`,
                          Column: column(filter.visuals[0], filter.column),
                          Configuration: {
                              FilterListConfiguration: { MatchOperator: "CONTAINS", SelectAllOptions: "FILTER_ALL_VALUES", NullOption: "ALL_VALUES" },
                          },
                      },
                  },
        ],
    }));
    const filterControls = filters.map((filter) =>
        filter.column === "eventtime"
            ? { DateTimePicker: { FilterControlId: `${filter.id}-control`, Title: filter.title, SourceFilterId: `${filter.id}-filter`, Type: "DATE_RANGE" } }
            : { Dropdown: { FilterControlId: `${filter.id}-control`, Title: filter.title, SourceFilterId: `${filter.id}-filter`, Type: "MULTI_SELECT" } },
    );
    // 36 columns wide (GridLayoutElement.ColumnSpan ≤ 36): time charts span the width, top charts two to a row.
    let row = 0;
    let column0 = 0;
    const elements = panels.map((panel) => {
        const wide = panel.chart !== "top-bars";
        if (wide && column0 !== 0) {
            row += 12;
            column0 = 0;
        }
        const element = { ElementId: panel.id, ElementType: "VISUAL", ColumnIndex: column0, ColumnSpan: wide ? 36 : 18, RowIndex: row, RowSpan: 12 };
        if (wide || column0 === 18) {
            row += 12;
            column0 = 0;
        } else column0 = 18;
        return element;
    });
    return {
        DataSetIdentifierDeclarations: panels.map((panel) => ({ Identifier: panel.id, DataSetArn: args.dataSetArns[panel.id] })),
        Sheets: [
            {
                SheetId: SHEET_ID,
                Name: panels.some((panel) => panel.source === "flow_traffic") ? "CloudTrail activity and network traffic" : "CloudTrail activity",
                Visuals: panels.map(panelVisual),
                FilterControls: filterControls,
                Layouts: [{ Configuration: { GridLayout: { Elements: elements } } }],
            },
        ],
        FilterGroups: filterGroups,
    };
}

/** The CloudFormation template holding the dashboard, shared read-only with `principals`. */
export function dashboardTemplate(args: {
    readonly accountId: string;
    readonly dashboardId: string;
    readonly name: string;
    readonly principals: readonly string[];
    readonly definition: ReturnType<typeof dashboardDefinition>;
    readonly versionDescription: string;
}): { AWSTemplateFormatVersion: string; Description: string; Resources: Record<string, unknown>; Outputs: Record<string, unknown> } {
    return {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: "cloudtrail-lake: the QuickSight dashboard generated from the panel catalogue (panels/). Managed by Pulumi: do not edit.",
        Resources: {
            Dashboard: {
                Type: "AWS::QuickSight::Dashboard",
                Properties: {
                    AwsAccountId: args.accountId,
                    DashboardId: args.dashboardId,
                    Name: args.name,
                    VersionDescription: args.versionDescription,
                    Definition: args.definition,
                    Permissions: args.principals.map((principal) => ({ Principal: principal, Actions: DASHBOARD_VIEWER_ACTIONS })),
                    DashboardPublishOptions: {
                        AdHocFilteringOption: { AvailabilityStatus: "DISABLED" },
                        ExportToCSVOption: { AvailabilityStatus: "ENABLED" },
                        SheetControlsOption: { VisibilityState: "EXPANDED" },
                    },
                },
            },
        },
        Outputs: { DashboardArn: { Value: { "Fn::GetAtt": ["Dashboard", "Arn"] } } },
    };
}
