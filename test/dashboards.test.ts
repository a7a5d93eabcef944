/**
 * The QuickSight dashboards in the stack (`cloudtrail-lake:dashboards`): config, what is declared under
 * the mocks, the data source role's policy (AWS's grammar and exact scope), the policy pack's sharing
 * rule, and the message `pulumi up` stops with when QuickSight is not there.
 */
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { expect } from "chai";
import * as path from "node:path";
import { checkDashboardPrincipals, DashboardSetupError } from "../components/dashboards/principalCheck";
import {
    CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES,
    DASHBOARD_FILTERS,
    DASHBOARD_VIEWER_ACTIONS,
    QUICKSIGHT_MAX_VISUALS_PER_SHEET,
    referencedColumns,
} from "../components/dashboards/quickSightDefinition";
import { ConfigError, parseLakeConfig } from "../config/stackConfig";
import { loadPanels, QUICKSIGHT_ID, QUICKSIGHT_MAX_SQL } from "../contract/panels";
import { policyDocumentProblems } from "../policy-pack/policyDocuments";
import { quickSightNotPublic } from "../policy-pack/rules";
import { declareMockStack, DeclaredResource, MOCK_CENTRAL_ACCOUNT_ID, readStackFile } from "../testing/mockProgram";
import { collectPolicyDocuments, runPolicies } from "../testing/policyHarness";

const ACCOUNTS = [{ id: "111122223333", name: "security" }];
const GROUP = `arn:aws:quicksight:us-east-1:${MOCK_CENTRAL_ACCOUNT_ID}:group/default/security-team`;
const USER = `arn:aws:quicksight:us-east-1:${MOCK_CENTRAL_ACCOUNT_ID}:user/default/SecurityAudit/alice`;
const PROD = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
/** Flow logs of two VPCs of one listed account, in the stack's region and another (docs/flow-logs.md). */
const FLOW_LOGS = { vpcIds: { "444455556666": ["vpc-0a1b2c3d4e5f67890", "eu-west-1:vpc-0fedcba9876543210"] } };
const prodValues = () => Object.fromEntries(Object.entries(PROD).filter(([key]) => key.startsWith("cloudtrail-lake:")));
const isQuickSight = (resource: DeclaredResource) =>
    resource.type.startsWith("aws:quicksight") || resource.type === "aws:cloudformation/stack:Stack" || /dashboards/.test(resource.name);

const problemsOf = (values: Record<string, unknown>): string[] => {
    try {
        parseLakeConfig({ accounts: ACCOUNTS, ...values });
        return [];
    } catch (error) {
        return (error as ConfigError).problems;
    }
};

describe("dashboards config (cloudtrail-lake:dashboards)", () => {
    it("defaults to direct queries, a daily 03:00 UTC refresh and 30 days", () => {
        const config = parseLakeConfig({ accounts: ACCOUNTS, dashboards: { principals: [GROUP] } });
        expect(config.dashboards).to.deep.equal({ principals: [GROUP], mode: "direct", refresh: { interval: "DAILY", timeOfDay: "03:00" }, lookbackDays: 30 });
        expect(parseLakeConfig({ accounts: ACCOUNTS }).dashboards).to.equal(undefined);
    });

    it("names the key, the value and what is allowed for each mistake", () => {
        expect(problemsOf({ dashboards: { principals: ["arn:aws:iam::123456789012:user/alice"] } })).to.deep.equal([
            'cloudtrail-lake:dashboards.principals[0] = "arn:aws:iam::123456789012:user/alice": must be a QuickSight user or group ARN such as arn:aws:quicksight:us-east-1:123456789012:group/default/security-team',
        ]);
        expect(problemsOf({ dashboards: { principals: [] } })[0]).to.match(/^cloudtrail-lake:dashboards.principals = \[\]: must list at least one/);
        expect(problemsOf({ dashboards: { principals: [GROUP], mode: "SPICE" } })[0]).to.equal(
            'cloudtrail-lake:dashboards.mode = "SPICE": must be one of direct, spice',
        );
        expect(problemsOf({ dashboards: { principals: [GROUP], refresh: { timeOfDay: "3am" } } })[0]).to.match(
            /dashboards.refresh.timeOfDay = "3am": must be a time of day HH:MM/,
        );
        expect(problemsOf({ dashboards: { principals: [GROUP], sharedWith: [] } })).to.deep.equal([
            "cloudtrail-lake:dashboards.sharedWith: unknown key (a typo?); allowed here: principals, mode, refresh, lookbackDays",
        ]);
        // Namespace-wide sharing ("everyone") is not a user or group.
        expect(problemsOf({ dashboards: { principals: [`arn:aws:quicksight:us-east-1:${MOCK_CENTRAL_ACCOUNT_ID}:namespace/default`] } })).to.have.length(1);
    });
});

describe("dashboards unset: nothing QuickSight-related", () => {
    it("the prod stack (dashboards off) declares no QuickSight resource, role or CloudFormation stack, with or without flow logs", async () => {
        for (const values of [prodValues(), { ...prodValues(), "cloudtrail-lake:flowLogs": FLOW_LOGS }]) {
            const resources = await declareMockStack(values);
            expect(resources.filter(isQuickSight).map((resource) => `${resource.type} ${resource.name}`)).to.deep.equal([]);
        }
    });
});

/** The statements of the data source role's identity policy, whatever the stack. */
type Statement = { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };

describe("QuickSight dashboard under the mocks", () => {
    let resources: DeclaredResource[];
    // Without flow logs, the flow panels are not declared.
    const panels = loadPanels().filter((panel) => panel.source !== "flow_traffic");
    const ofType = (type: string) => resources.filter((resource) => resource.type === type);

    before(async () => {
        resources = await declareMockStack({ ...prodValues(), "cloudtrail-lake:dashboards": { principals: [GROUP, USER] } });
    });

    it("an Athena data source on the lake's workgroup, SSL on, running as its own role", () => {
        const [source] = ofType("aws:quicksight/dataSource:DataSource");
        expect(source.inputs.type).to.equal("ATHENA");
        expect(source.inputs.sslProperties).to.deep.equal({ disableSsl: false });
        const [workgroup] = ofType("aws:athena/workgroup:Workgroup");
        expect(source.inputs.parameters.athena.workGroup).to.equal(workgroup.inputs.name);
        const role = resources.find((resource) => resource.type === "aws:iam/role:Role" && resource.name === "dashboards-role")!;
        expect(source.inputs.parameters.athena.roleArn).to.equal(role.outputs.arn);
    });

    it("one data set per panel, custom SQL over the flattened views within QuickSight's length, detection hits always in SPICE with a refresh", () => {
        const dataSets = ofType("aws:quicksight/dataSet:DataSet");
        expect(dataSets.map((set) => set.inputs.physicalTableMaps[0].customSql.name).sort()).to.deep.equal(panels.map((panel) => panel.id).sort());
        for (const set of dataSets) {
            const sql: string = set.inputs.physicalTableMaps[0].customSql.sqlQuery;
            expect(sql.length, set.name).to.be.below(QUICKSIGHT_MAX_SQL);
            expect(sql, set.name).to.match(/FROM "cloudtrail_lake_prod"\."cloudtrail"/);
            // The panel's own rows are flat: no struct column reaches QuickSight (the hits view's branches read whole detections).
            const outer = sql.slice(sql.lastIndexOf("\n)\n"));
            expect(outer, set.name).not.to.match(/useridentity|SELECT \*/);
            expect(QUICKSIGHT_ID.test(set.inputs.dataSetId), set.inputs.dataSetId).to.equal(true);
        }
        const spice = dataSets.filter((set) => set.inputs.importMode === "SPICE").map((set) => set.name);
        expect(spice).to.deep.equal(["dashboards-detection-hits-over-time"]);
        const [refresh] = ofType("aws:quicksight/refreshSchedule:RefreshSchedule");
        expect(refresh.inputs.schedule).to.deep.equal({
            refreshType: "FULL_REFRESH",
            scheduleFrequency: { interval: "DAILY", timeOfTheDay: "03:00", timezone: "UTC" },
        });
        // The hits view runs every detection of the catalogue, each over the lookback only.
        const hits = dataSets.find((set) => set.name === "dashboards-detection-hits-over-time")!.inputs.physicalTableMaps[0].customSql.sqlQuery as string;
        expect(hits.match(/UNION ALL/g)!.length).to.be.greaterThan(50);
        expect(hits).not.to.contain("${");
    });

    it("the dashboard: every field a visual or filter references is a column of its data set, ids unique and within QuickSight's limits", () => {
        const [stack] = ofType("aws:cloudformation/stack:Stack");
        expect(Buffer.byteLength(stack.inputs.templateBody)).to.be.below(CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES);
        const template = JSON.parse(stack.inputs.templateBody);
        const dashboard = template.Resources.Dashboard;
        expect(dashboard.Type).to.equal("AWS::QuickSight::Dashboard");
        const definition = dashboard.Properties.Definition;
        const dataSets = ofType("aws:quicksight/dataSet:DataSet");
        const columnsByArn = new Map(
            dataSets.map((set) => [set.outputs.arn, set.inputs.physicalTableMaps[0].customSql.columns.map((c: { name: string }) => c.name)]),
        );
        const columnsById = new Map<string, string[]>(
            definition.DataSetIdentifierDeclarations.map((declaration: { Identifier: string; DataSetArn: string }) => [
                declaration.Identifier,
                columnsByArn.get(declaration.DataSetArn),
            ]),
        );
        const references = referencedColumns(definition);
        expect(references.length).to.be.greaterThan(panels.length * 2);
        for (const reference of references) expect(columnsById.get(reference.dataSet), `${reference.dataSet}.${reference.column}`).to.include(reference.column);
        // The cross-dataset filters find their column in every data set.
        for (const filter of DASHBOARD_FILTERS)
            for (const [id, columns] of columnsById) expect(columns, `${id} lacks ${filter.column}`).to.include(filter.column);
        const visuals = definition.Sheets.flatMap((sheet: { Visuals: Record<string, { VisualId: string }>[] }) =>
            sheet.Visuals.map((visual) => Object.values(visual)[0].VisualId),
        );
        expect(visuals.length).to.equal(panels.length).and.to.be.at.most(QUICKSIGHT_MAX_VISUALS_PER_SHEET);
        const ids = [
            ...visuals,
            ...definition.DataSetIdentifierDeclarations.map((declaration: { Identifier: string }) => declaration.Identifier),
            ...definition.FilterGroups.map((group: { FilterGroupId: string }) => group.FilterGroupId),
            ...definition.Sheets.map((sheet: { SheetId: string }) => sheet.SheetId),
        ];
        for (const id of ids) expect(QUICKSIGHT_ID.test(id), id).to.equal(true);
        expect(new Set(visuals).size).to.equal(visuals.length);
        expect(new Set(dataSets.map((set) => set.inputs.dataSetId)).size).to.equal(dataSets.length);
        // Filters: time range, account, region, principal, each with its control, over every visual.
        expect(definition.FilterGroups.map((group: { CrossDataset: string }) => group.CrossDataset)).to.deep.equal(Array(4).fill("ALL_DATASETS"));
        for (const group of definition.FilterGroups)
            expect(group.ScopeConfiguration.SelectedSheets.SheetVisualScopingConfigurations, group.FilterGroupId).to.deep.equal([
                { SheetId: "cloudtrail-activity", Scope: "ALL_VISUALS" },
            ]);
        expect(definition.Sheets[0].FilterControls.map((control: Record<string, { Title: string }>) => Object.values(control)[0].Title)).to.deep.equal([
            "Time range",
            "Account",
            "Region",
            "Principal",
        ]);
    });

    it("shares the dashboard read-only with exactly the configured principals, and nothing else with anyone", () => {
        const [stack] = ofType("aws:cloudformation/stack:Stack");
        const permissions = JSON.parse(stack.inputs.templateBody).Resources.Dashboard.Properties.Permissions;
        expect(permissions).to.deep.equal([GROUP, USER].map((principal) => ({ Principal: principal, Actions: DASHBOARD_VIEWER_ACTIONS })));
        for (const resource of [...ofType("aws:quicksight/dataSource:DataSource"), ...ofType("aws:quicksight/dataSet:DataSet")])
            expect(resource.inputs.permissions ?? [], resource.name).to.deep.equal([]);
    });

    it("the data source's role reads exactly the lake's Parquet, its key through S3, the catalog table and the workgroup's results", async () => {
        const documents = collectPolicyDocuments(resources).filter((document) => /dashboards/.test(document.name));
        expect(documents.map((document) => `${document.kind} ${document.name}`)).to.deep.equal(["trust dashboards-role", "identity dashboards-role-policy"]);
        for (const document of documents) {
            const errors = document.kind === "trust" ? validateTrustPolicy(document.document) : validateIdentityPolicy(document.document);
            expect(errors, document.name).to.deep.equal([]);
            expect(await policyDocumentProblems(document.document, document.kind), document.name).to.deep.equal([]);
        }
        const policy = documents[1].document as { Statement: Statement[] };
        const lake = ofType("aws:s3/bucket:Bucket").find((bucket) => bucket.inputs.tags?.["cloudtrail-lake:bucket"] === "lake")!.outputs.arn;
        const [workgroup] = ofType("aws:athena/workgroup:Workgroup");
        // The lake key: the one the workgroup encrypts results with.
        const key = workgroup.inputs.configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn;
        expect(key).to.match(/^arn:aws:kms:/);
        const resourcesOf = (sid: string) => [policy.Statement.find((statement) => statement.Sid === sid)!.Resource].flat();
        expect(resourcesOf("ReadParquet")).to.deep.equal([`${lake}/parquet/*`]);
        expect(resourcesOf("QueryResults")).to.deep.equal([`${lake}/athena-results/*`]);
        expect(resourcesOf("UseLakeKeyThroughS3")).to.deep.equal([key]);
        expect(resourcesOf("RunQueriesInLakeWorkgroup")).to.deep.equal([
            `arn:aws:athena:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:workgroup/${workgroup.inputs.name}`,
        ]);
        expect(resourcesOf("ReadLakeTable")).to.deep.equal([
            `arn:aws:glue:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:catalog`,
            `arn:aws:glue:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:database/cloudtrail_lake_prod`,
            `arn:aws:glue:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:table/cloudtrail_lake_prod/cloudtrail`,
        ]);
        // Every S3 object resource is under the two prefixes; no statement reaches another bucket or key.
        const all = policy.Statement.flatMap((statement) => [statement.Resource].flat());
        for (const resource of all.filter((arn) => arn.startsWith("arn:aws:s3:::")))
            expect(resource === lake || resource.startsWith(`${lake}/parquet/`) || resource.startsWith(`${lake}/athena-results/`), resource).to.equal(true);
        expect(all.filter((arn) => arn.includes(":kms:"))).to.deep.equal([key]);
        expect(all).not.to.include("*");
    });

    it("passes the whole policy pack, whose quicksight-not-public rule refuses a namespace, `*`, viewer write actions and SSL off", async () => {
        expect(await runPolicies(resources)).to.deep.equal([]);
        const tampered = resources.map((resource) => {
            if (resource.type === "aws:quicksight/dataSource:DataSource")
                return {
                    ...resource,
                    outputs: {
                        ...resource.outputs,
                        sslProperties: { disableSsl: true },
                        permissions: [
                            {
                                principal: `arn:aws:quicksight:us-east-1:${MOCK_CENTRAL_ACCOUNT_ID}:namespace/default`,
                                actions: ["quicksight:DescribeDataSource"],
                            },
                        ],
                    },
                };
            if (resource.type === "aws:cloudformation/stack:Stack") {
                const template = JSON.parse(resource.outputs.templateBody);
                template.Resources.Dashboard.Properties.Permissions = [
                    { Principal: "*", Actions: ["quicksight:DescribeDashboard"] },
                    { Principal: GROUP, Actions: ["quicksight:UpdateDashboardPermissions"] },
                ];
                return { ...resource, outputs: { ...resource.outputs, templateBody: JSON.stringify(template) } };
            }
            return resource;
        });
        const messages = (await runPolicies(tampered, {}, [quickSightNotPublic])).map((violation) => violation.message);
        expect(messages).to.have.length(4);
        expect(messages.join("\n")).to.contain("namespace/default").and.to.contain('"*"').and.to.contain("UpdateDashboardPermissions").and.to.contain("SSL");
    });
});

describe("QuickSight dashboard with VPC flow logs (flowLogs set)", () => {
    let resources: DeclaredResource[];
    const panels = loadPanels();
    const flowPanels = panels.filter((panel) => panel.source === "flow_traffic");
    const ofType = (type: string) => resources.filter((resource) => resource.type === type);
    const dataSetOf = (id: string) => ofType("aws:quicksight/dataSet:DataSet").find((set) => set.name === `dashboards-${id}`)!;
    const definition = () => JSON.parse(ofType("aws:cloudformation/stack:Stack")[0].inputs.templateBody).Resources.Dashboard.Properties.Definition;

    before(async () => {
        resources = await declareMockStack({ ...prodValues(), "cloudtrail-lake:flowLogs": FLOW_LOGS, "cloudtrail-lake:dashboards": { principals: [GROUP] } });
    });

    it("declares a data set per flow panel over the qualified flow_logs table, bytes as an INTEGER column, no principal", () => {
        expect(flowPanels.map((panel) => panel.id).sort()).to.deep.equal([
            "egress-to-public-addresses",
            "rejected-by-port",
            "top-talkers",
            "traffic-over-time",
        ]);
        expect(ofType("aws:quicksight/dataSet:DataSet")).to.have.length(panels.length);
        for (const panel of flowPanels) {
            const table = dataSetOf(panel.id).inputs.physicalTableMaps[0].customSql;
            expect(table.sqlQuery, panel.id).to.match(/FROM "cloudtrail_lake_prod"\."flow_logs"\nWHERE concat\(year, '-', month, '-', day\) >= /);
            expect(table.sqlQuery, panel.id).not.to.match(/"cloudtrail_lake_prod"\."cloudtrail"/);
            expect(
                table.columns.map((column: { name: string }) => column.name),
                panel.id,
            ).not.to.include("principal");
            expect(dataSetOf(panel.id).inputs.importMode, panel.id).to.equal("DIRECT_QUERY");
        }
        expect(dataSetOf("top-talkers").inputs.physicalTableMaps[0].customSql.columns).to.deep.include({ name: "bytes", type: "INTEGER" });
        // The hits include the flow-log detections, reading the qualified flow table too.
        const hits: string = dataSetOf("detection-hits-over-time").inputs.physicalTableMaps[0].customSql.sqlQuery;
        expect(hits).to.contain("'flow-port-scan' AS detection").and.to.contain('FROM "cloudtrail_lake_prod"."flow_logs"');
        expect(hits).not.to.match(/\b(FROM|JOIN)\s+flow_logs\b/);
    });

    it("sums bytes in the traffic visuals, and every field a visual or filter references is a column of its data set", () => {
        const found = definition();
        const dataSets = ofType("aws:quicksight/dataSet:DataSet");
        const columnsByArn = new Map(
            dataSets.map((set) => [set.outputs.arn, set.inputs.physicalTableMaps[0].customSql.columns.map((c: { name: string }) => c.name)]),
        );
        const columnsById = new Map<string, string[]>(
            found.DataSetIdentifierDeclarations.map((declaration: { Identifier: string; DataSetArn: string }) => [
                declaration.Identifier,
                columnsByArn.get(declaration.DataSetArn),
            ]),
        );
        for (const reference of referencedColumns(found))
            expect(columnsById.get(reference.dataSet), `${reference.dataSet}.${reference.column}`).to.include(reference.column);
        const visuals = found.Sheets[0].Visuals as Record<
            string,
            { VisualId: string; ChartConfiguration: { FieldWells: Record<string, { Values: unknown[] }> } }
        >[];
        expect(visuals.length).to.equal(panels.length).and.to.be.at.most(QUICKSIGHT_MAX_VISUALS_PER_SHEET);
        const valueOf = (id: string) => {
            const visual = Object.values(visuals.find((candidate) => Object.values(candidate)[0].VisualId === id)!)[0];
            return Object.values(visual.ChartConfiguration.FieldWells)[0].Values[0];
        };
        expect(valueOf("top-talkers")).to.deep.equal({
            NumericalMeasureField: {
                FieldId: "top-talkers.value",
                Column: { DataSetIdentifier: "top-talkers", ColumnName: "bytes" },
                AggregationFunction: { SimpleNumericalAggregation: "SUM" },
            },
        });
        expect(valueOf("rejected-by-port")).to.have.key("DateMeasureField");
        const traffic = Object.values(visuals.find((candidate) => Object.values(candidate)[0].VisualId === "traffic-over-time")!)[0] as unknown as {
            ChartConfiguration: { FieldWells: { BarChartAggregatedFieldWells: { Category: { DateDimensionField: { DateGranularity: string } }[] } } };
        };
        expect(traffic.ChartConfiguration.FieldWells.BarChartAggregatedFieldWells.Category[0].DateDimensionField.DateGranularity).to.equal("HOUR");
        expect(Buffer.byteLength(ofType("aws:cloudformation/stack:Stack")[0].inputs.templateBody)).to.be.below(CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES);
    });

    it("applies time, account and region to every panel, and the principal filter to the panels that have a principal only", () => {
        const groups = definition().FilterGroups as {
            FilterGroupId: string;
            ScopeConfiguration: { SelectedSheets: { SheetVisualScopingConfigurations: { Scope: string; VisualIds?: string[] }[] } };
        }[];
        const scopeOf = (id: string) =>
            groups.find((group) => group.FilterGroupId === `${id}-group`)!.ScopeConfiguration.SelectedSheets.SheetVisualScopingConfigurations;
        for (const id of ["time-range", "account", "region"]) expect(scopeOf(id), id).to.deep.equal([{ SheetId: "cloudtrail-activity", Scope: "ALL_VISUALS" }]);
        expect(scopeOf("principal")).to.deep.equal([
            {
                SheetId: "cloudtrail-activity",
                Scope: "SELECTED_VISUALS",
                VisualIds: panels.filter((panel) => panel.source !== "flow_traffic").map((panel) => panel.id),
            },
        ]);
        // Each filter's column is in every data set it scopes.
        for (const filter of DASHBOARD_FILTERS) {
            const scope = scopeOf(filter.id)[0];
            const scoped = scope.Scope === "ALL_VISUALS" ? panels.map((panel) => panel.id) : scope.VisualIds!;
            for (const id of scoped)
                expect(
                    dataSetOf(id).inputs.physicalTableMaps[0].customSql.columns.map((c: { name: string }) => c.name),
                    id,
                ).to.include(filter.column);
        }
    });

    it("lets the data source's role read exactly the flow_logs table and the flow-log prefix of the archive, beside the lake", async () => {
        const documents = collectPolicyDocuments(resources).filter((document) => /dashboards/.test(document.name));
        const identity = documents.find((document) => document.kind === "identity")!;
        expect(validateIdentityPolicy(identity.document)).to.deep.equal([]);
        expect(await policyDocumentProblems(identity.document, identity.kind)).to.deep.equal([]);
        const statements = (identity.document as { Statement: Statement[] }).Statement;
        const archive = ofType("aws:s3/bucket:Bucket").find((bucket) => bucket.inputs.tags?.["cloudtrail-lake:bucket"] === "archive")!.outputs.arn;
        const lake = ofType("aws:s3/bucket:Bucket").find((bucket) => bucket.inputs.tags?.["cloudtrail-lake:bucket"] === "lake")!.outputs.arn;
        const bySid = (sid: string) => statements.find((statement) => statement.Sid === sid)!;
        expect([bySid("ReadFlowLogs").Resource].flat()).to.deep.equal([`${archive}/flow-logs/AWSLogs/*`]);
        expect(bySid("ListFlowLogs").Condition).to.deep.equal({ StringLike: { "s3:prefix": "flow-logs/AWSLogs/*" } });
        expect([bySid("ReadFlowLogTable").Resource].flat()).to.include(
            `arn:aws:glue:ap-northeast-1:${MOCK_CENTRAL_ACCOUNT_ID}:table/cloudtrail_lake_prod/flow_logs`,
        );
        // Of the archive, only the flow-log prefix (and the bucket itself, to list and locate it): never the CloudTrail logs under AWSLogs/.
        for (const resource of statements.flatMap((statement) => [statement.Resource].flat()).filter((arn) => arn.startsWith("arn:aws:s3:::")))
            expect(
                resource === lake ||
                    resource === archive ||
                    resource.startsWith(`${lake}/parquet/`) ||
                    resource.startsWith(`${lake}/athena-results/`) ||
                    resource === `${archive}/flow-logs/AWSLogs/*`,
                resource,
            ).to.equal(true);
        expect(await runPolicies(resources)).to.deep.equal([]);
    });
});

describe("pulumi up without QuickSight: a message that says so", () => {
    it("names the key, the principal and the missing subscription when QuickSight cannot find the principal", async () => {
        const notSignedUp = async () => {
            throw new Error(`ResourceNotFoundException: The account ${MOCK_CENTRAL_ACCOUNT_ID} is not signed up with QuickSight.`);
        };
        const error = await checkDashboardPrincipals([GROUP], MOCK_CENTRAL_ACCOUNT_ID, notSignedUp).catch((caught) => caught);
        expect(error).to.be.instanceOf(DashboardSetupError);
        expect(error.message).to.contain(`cloudtrail-lake:dashboards.principals[0] = "${GROUP}"`);
        expect(error.message).to.contain('no group "security-team" in namespace default (identity region us-east-1)');
        expect(error.message).to.contain("The account is not subscribed to QuickSight").and.to.contain("docs/dashboards.md");
    });

    it("refuses a principal of another account before asking QuickSight, and passes known principals", async () => {
        const lookups: string[] = [];
        const error = await checkDashboardPrincipals(
            [GROUP.replace(MOCK_CENTRAL_ACCOUNT_ID, "123456789012"), USER],
            MOCK_CENTRAL_ACCOUNT_ID,
            async (principal) => lookups.push(`${principal.kind} ${principal.namespace} ${principal.name}`),
        ).catch((caught) => caught);
        expect(error.problems).to.have.length(1);
        expect(error.problems[0]).to.contain("is a group of account 123456789012, but the dashboards are created in account 999999999999");
        expect(lookups).to.deep.equal(["user default SecurityAudit/alice"]);
        await checkDashboardPrincipals([USER], MOCK_CENTRAL_ACCOUNT_ID, async () => ({}));
    });
});
