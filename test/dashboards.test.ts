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
    it("the prod stack (dashboards off) declares no QuickSight resource, role or CloudFormation stack", async () => {
        const resources = await declareMockStack(prodValues());
        expect(resources.filter(isQuickSight).map((resource) => `${resource.type} ${resource.name}`)).to.deep.equal([]);
    });
});

describe("QuickSight dashboard under the mocks", () => {
    let resources: DeclaredResource[];
    const panels = loadPanels();
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
        // Filters: time range, account, region, principal, each with its control.
        expect(definition.FilterGroups.map((group: { CrossDataset: string }) => group.CrossDataset)).to.deep.equal(Array(4).fill("ALL_DATASETS"));
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
        const policy = documents[1].document as { Statement: { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[] };
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
