import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DashboardsConfig } from "../../config/dashboards";
import { Detection } from "../../contract/detections";
import {
    activityViewSql,
    detectionHitsSql,
    flowRollingWindow,
    flowTrafficViewSql,
    loadPanels,
    Panel,
    panelQuery,
    PanelSource,
    QUICKSIGHT_MAX_SQL,
    rollingWindow,
} from "../../contract/panels";
import { policyJson } from "../iam/policyJson";
import { DASHBOARD_TABLE, quickSightDataSourcePolicy, quickSightTrustPolicy } from "./dashboardPolicies";
import { checkDashboardPrincipals, PrincipalLookup } from "./principalCheck";
import { CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES, dashboardDefinition, dashboardTemplate, inputColumns } from "./quickSightDefinition";

/** Arguments of {@link QuickSightDashboard}. */
export interface QuickSightDashboardArgs {
    readonly partition: string;
    /** Region of the lake, its workgroup and the dashboard. */
    readonly region: string;
    readonly centralAccountId: pulumi.Input<string>;
    readonly lakeBucket: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
    /** Encrypts the Parquet and Athena's results. */
    readonly lakeKeyArn: pulumi.Input<string>;
    readonly databaseName: pulumi.Input<string>;
    /** The lake's workgroup: its results location, encryption and scan limit apply to QuickSight's queries too. */
    readonly workgroupName: pulumi.Input<string>;
    /** `cloudtrail-lake:dashboards`. */
    readonly config: DashboardsConfig;
    /** Account id → name from stack config, shown instead of ids. */
    readonly accountNames: Readonly<Record<string, string>>;
    /** The detections the `detection_hits` source runs. */
    readonly detections: readonly Detection[];
    /**
     * The `flow_logs` table and where its objects are (`cloudtrail-lake:flowLogs` set): the flow panels
     * read it, the flow-log detections among the hits too, and the data source's role may read exactly that prefix.
     * @default none: the flow panels are not declared
     */
    readonly flowLogs?: DashboardFlowLogs;
    /** @default every file in panels/ */
    readonly panels?: readonly Panel[];
    /** How a principal is looked up in QuickSight. @default DescribeUser / DescribeGroup through the AWS provider */
    readonly lookupPrincipal?: PrincipalLookup;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/** Where the dashboards find VPC flow logs (components/flowlogs/flowLogCatalog.ts). */
export interface DashboardFlowLogs {
    /** The `flow_logs` table in the lake's database. */
    readonly tableName: pulumi.Input<string>;
    /** The bucket the flow logs land in (the archive, or an adopted location). */
    readonly bucketName: pulumi.Input<string>;
    /** The prefix before `AWSLogs/` in that bucket. */
    readonly prefix: string;
}

/** QuickSight's DescribeUser / DescribeGroup through the provider's invokes. */
const describePrincipal: PrincipalLookup = (principal) =>
    principal.kind === "user"
        ? aws.quicksight.getQuicksightUser({
              userName: principal.name,
              namespace: principal.namespace,
              awsAccountId: principal.accountId,
              region: principal.region,
          })
        : aws.quicksight.getQuicksightGroup({
              groupName: principal.name,
              namespace: principal.namespace,
              awsAccountId: principal.accountId,
              region: principal.region,
          });

/**
 * The lake in QuickSight: an Athena data source on the lake's workgroup (SSL on) running as a role that
 * reads only the lake's Parquet (and the flow-log prefix, where the stack has flow logs), one data set
 * per panel of the catalogue (custom SQL over the flattened views of contract/panels.ts; the flow
 * panels only with flow logs), and a dashboard generated from the same catalogue, shared read-only with
 * the configured users and groups. The detection-hits data set is always imported into SPICE on the
 * refresh schedule, since its view runs every detection (docs/dashboards.md).
 */
export class QuickSightDashboard extends pulumi.ComponentResource {
    public readonly dashboardId: pulumi.Output<string>;
    public readonly dataSourceArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    /** Data set id by panel id. */
    public readonly dataSetIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: QuickSightDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:dashboards:QuickSightDashboard", name, {}, opts);
        const parent = { parent: this };
        const { config } = args;
        // The flow panels exist only where there is a flow_logs table to read.
        const panels = (args.panels ?? loadPanels()).filter((panel) => panel.source !== "flow_traffic" || args.flowLogs);
        const flowLogs = args.flowLogs;
        const prefix = `cloudtrail-lake-${pulumi.getStack().replace(/[^A-Za-z0-9-]/g, "-")}`;

        // Nothing of QuickSight is created until every principal is known to QuickSight: the data source's id waits for the check.
        const checked = pulumi
            .output(args.centralAccountId)
            .apply(async (accountId) => (await checkDashboardPrincipals(config.principals, accountId, args.lookupPrincipal ?? describePrincipal), accountId));

        const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(quickSightTrustPolicy()), tags: args.tags }, parent);
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.id,
                policy: policyJson(
                    pulumi.all([
                        args.centralAccountId,
                        args.workgroupName,
                        args.databaseName,
                        args.lakeBucket.arn,
                        args.lakeKeyArn,
                        flowLogs ? pulumi.all([flowLogs.tableName, flowLogs.bucketName]) : undefined,
                    ]),
                    ([centralAccountId, workgroupName, databaseName, lakeBucketArn, lakeKeyArn, flow]) =>
                        quickSightDataSourcePolicy({
                            partition: args.partition,
                            region: args.region,
                            centralAccountId,
                            workgroupName,
                            databaseName,
                            lakeBucketArn,
                            lakeKeyArn,
                            flowLogs:
                                flow && flowLogs
                                    ? { tableName: flow[0], bucketArn: `arn:${args.partition}:s3:::${flow[1]}`, prefix: `${flowLogs.prefix}AWSLogs/` }
                                    : undefined,
                        }),
                ),
            },
            parent,
        );

        const dataSource = new aws.quicksight.DataSource(
            `${name}-athena`,
            {
                dataSourceId: checked.apply(() => `${prefix}-athena`),
                name: "cloudtrail-lake (Athena)",
                type: "ATHENA",
                parameters: { athena: { workGroup: args.workgroupName, roleArn: role.arn } },
                sslProperties: { disableSsl: false },
                tags: args.tags,
            },
            // QuickSight checks the role when it creates the data source.
            { parent: this, dependsOn: [rolePolicy] },
        );

        const table = pulumi.output(args.databaseName).apply((database) => `"${database}"."${DASHBOARD_TABLE}"`);
        const flowTable: pulumi.Output<string | undefined> = flowLogs
            ? pulumi.all([args.databaseName, flowLogs.tableName]).apply(([database, tableName]) => `"${database}"."${tableName}"`)
            : pulumi.output(undefined);
        const sources: Partial<Record<PanelSource, pulumi.Output<string>>> = {
            cloudtrail_activity: table.apply((qualified) =>
                activityViewSql({ accountNames: args.accountNames, window: rollingWindow(config.lookbackDays), table: qualified }),
            ),
            detection_hits: pulumi.all([table, flowTable]).apply(([qualified, qualifiedFlows]) =>
                detectionHitsSql({
                    detections: args.detections,
                    accountNames: args.accountNames,
                    lookbackDays: config.lookbackDays,
                    table: qualified,
                    flowTable: qualifiedFlows,
                }),
            ),
            ...(flowLogs
                ? {
                      flow_traffic: flowTable.apply((qualified: string | undefined) =>
                          flowTrafficViewSql({ accountNames: args.accountNames, window: flowRollingWindow(config.lookbackDays), table: qualified }),
                      ),
                  }
                : {}),
        };
        const dataSetIds: Record<string, pulumi.Output<string>> = {};
        const dataSetArns: Record<string, pulumi.Output<string>> = {};
        for (const panel of panels) {
            const spice = config.mode === "spice" || panel.source === "detection_hits";
            const dataSet = new aws.quicksight.DataSet(
                `${name}-${panel.id}`,
                {
                    dataSetId: `${prefix}-${panel.id}`,
                    name: `cloudtrail-lake: ${panel.title}`.slice(0, 128),
                    importMode: spice ? "SPICE" : "DIRECT_QUERY",
                    physicalTableMaps: [
                        {
                            physicalTableMapId: "rows",
                            customSql: {
                                dataSourceArn: dataSource.arn,
                                name: panel.id.slice(0, 128),
                                sqlQuery: sources[panel.source]!.apply((source) => {
                                    const sql = panelQuery(panel, source);
                                    if (sql.length > QUICKSIGHT_MAX_SQL)
                                        throw new Error(`panel ${panel.id}: its query is ${sql.length} characters, over QuickSight's ${QUICKSIGHT_MAX_SQL}`);
                                    return sql;
                                }),
                                columns: inputColumns(panel),
                            },
                        },
                    ],
                    tags: args.tags,
                },
                parent,
            );
            if (spice) {
                new aws.quicksight.RefreshSchedule(
                    `${name}-${panel.id}-refresh`,
                    {
                        dataSetId: dataSet.dataSetId,
                        scheduleId: `${panel.id}-refresh`,
                        schedule: {
                            refreshType: "FULL_REFRESH",
                            scheduleFrequency: {
                                interval: config.refresh.interval,
                                ...(config.refresh.interval === "DAILY" ? { timeOfTheDay: config.refresh.timeOfDay } : {}),
                                timezone: "UTC",
                            },
                        },
                    },
                    parent,
                );
            }
            dataSetIds[panel.id] = dataSet.dataSetId;
            dataSetArns[panel.id] = dataSet.arn;
        }

        const dashboardId = `${prefix}-dashboard`;
        const templateBody = pulumi.all([pulumi.all(dataSetArns), checked]).apply(([arns, accountId]) => {
            const body = JSON.stringify(
                dashboardTemplate({
                    accountId,
                    dashboardId,
                    name: `cloudtrail-lake (${pulumi.getStack()})`,
                    principals: config.principals,
                    definition: dashboardDefinition({ panels, dataSetArns: arns, lookbackDays: config.lookbackDays }),
                    versionDescription: `panels: ${panels.map((panel) => panel.id).join(", ")}`.slice(0, 512),
                }),
            );
            if (Buffer.byteLength(body) > CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES)
                throw new Error(
                    `the dashboard's template is ${Buffer.byteLength(body)} bytes, over CloudFormation's ${CLOUDFORMATION_TEMPLATE_BODY_MAX_BYTES} for a template body`,
                );
            return body;
        });
        // A CloudFormation stack: @pulumi/aws's Dashboard has no `definition` (components/dashboards/quickSightDefinition.ts).
        new aws.cloudformation.Stack(`${name}-dashboard`, { name: `${prefix}-dashboard`, templateBody, tags: args.tags }, parent);

        this.dashboardId = pulumi.output(dashboardId);
        this.dataSourceArn = dataSource.arn;
        this.roleArn = role.arn;
        this.dataSetIds = dataSetIds;
        this.registerOutputs({ dashboardId: this.dashboardId, dataSourceArn: this.dataSourceArn, roleArn: this.roleArn });
    }
}
