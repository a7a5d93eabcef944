import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam/policyJson";
import { serviceTrustPolicy } from "./iam/servicePolicies";
import { queueNotEmptyAlarmArgs } from "./alarms";

/** A log group a function writes into when it shares one with another function. */
export interface LogGroupRef {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
}

/** What the role's policy may name of the component's own resources. */
export interface QueueFedResources {
    readonly queueArn: pulumi.Output<string>;
    readonly logGroupArn: pulumi.Output<string>;
}

/** The children of a {@link QueueFedFunction}, by role. */
export type QueueFedChild = "deadLetterQueue" | "queue" | "deadLetterAlarm" | "logGroup" | "role" | "rolePolicy" | "function" | "trigger";

/** The names the children take unless {@link QueueFedFunctionArgs.childNames} says otherwise. */
export function defaultChildNames(name: string): Record<QueueFedChild, string> {
    return {
        deadLetterQueue: `${name}-dlq`,
        queue: `${name}-queue`,
        deadLetterAlarm: `${name}-dlq-not-empty`,
        logGroup: `${name}-logs`,
        role: `${name}-role`,
        rolePolicy: `${name}-role-policy`,
        function: `${name}-function`,
        trigger: `${name}-trigger`,
    };
}

/** Arguments of {@link QueueFedFunction}. */
export interface QueueFedFunctionArgs {
    /** Id of the central account: the role may be assumed by Lambda only on behalf of its functions (aws:SourceAccount). */
    readonly centralAccountId: pulumi.Input<string>;
    /** The function's description in the Lambda console. */
    readonly description: string;
    /** Lambda runtime, e.g. `nodejs22.x` (the policy pack's lambda-supported-runtime rule lists those accepted). */
    readonly runtime: string;
    /** Instruction set of the code: a native addon (DuckDB) ties a bundle to the machine that installed it. */
    readonly architecture: "arm64" | "x86_64";
    /** `file.export` of the handler in `code`. */
    readonly handler: string;
    /** The deployment package. */
    readonly code: pulumi.asset.Archive;
    /** Memory of the function, in MB (Lambda gives CPU in proportion). */
    readonly memoryMb: number;
    /** Also sets the queue's visibility timeout (six times this). */
    readonly timeoutSeconds: number;
    /** Size of /tmp. @default 512 (Lambda's default) */
    readonly ephemeralStorageMb?: number;
    /** Environment variables of the function. @default none */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /** Receives of a message before it moves to the dead-letter queue (redrive policy `maxReceiveCount`). */
    readonly maxReceiveCount: number;
    /** Messages per invocation (event source mapping). */
    readonly batchSize: number;
    /** Seconds Lambda gathers messages before invoking with fewer than `batchSize`. @default unset: Lambda's default (0, no wait) */
    readonly maximumBatchingWindowSeconds?: number;
    /** Most concurrent invocations the queue may start. @default unset: as many as the account's unreserved concurrency allows */
    readonly maximumConcurrency?: number;
    /**
     * The role's inline policy, as JSON: it must let the function consume the queue and write its logs
     * (both ARNs are given), besides whatever the function does.
     */
    readonly rolePolicy: (own: QueueFedResources) => pulumi.Input<string>;
    /** What the alarm on a non-empty dead-letter queue means, for its description. */
    readonly deadLetterAlarmDescription: string;
    /** SNS topic the dead-letter alarm notifies. @default none: the alarm shows in CloudWatch only */
    readonly alarmTopicArn?: string;
    /** A log group shared with other functions. @default a log group of its own, kept `logRetentionDays` */
    readonly logGroup?: LogGroupRef;
    /** Retention of the function's own log group (not with `logGroup`). @default 90 */
    readonly logRetentionDays?: number;
    /**
     * Logical names of children whose URNs predate this component and so do not follow `<name>-<role>`:
     * a name is part of the URN, and a changed URN would replace the resource.
     * @default {@link defaultChildNames}
     */
    readonly childNames?: Partial<Record<QueueFedChild, string>>;
    /**
     * The component the children were declared in before this one grouped them: each child gets an alias
     * to its URN there, so that a deployed stack adopts its queues and function instead of replacing them
     * (a replaced queue loses the messages waiting in it and in its dead-letter queue).
     * https://www.pulumi.com/docs/iac/concepts/options/aliases/
     * @default none: a new stack has nothing to adopt
     */
    readonly formerParent?: pulumi.Resource;
    /** Tags of every resource. @default none */
    readonly tags?: Record<string, string>;
}

/**
 * A Lambda function fed by an SQS queue: the queue with its dead-letter queue (redrive after
 * `maxReceiveCount` receives) and an alarm while that one holds a message; the function with its
 * role, the role's policy and its logs; the event source mapping, reporting partial batch failures
 * so that one bad message does not retry its batch-mates. What feeds the queue (an S3 notification,
 * an EventBridge rule) and its queue policy are the caller's.
 */
export class QueueFedFunction extends pulumi.ComponentResource {
    public readonly queueArn: pulumi.Output<string>;
    public readonly queueUrl: pulumi.Output<string>;
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    public readonly deadLetterAlarmName: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;
    /** The function's role: a topic or bucket policy that admits the function names it. */
    public readonly roleArn: pulumi.Output<string>;

    private readonly names: Record<QueueFedChild, string>;
    private readonly childOptions: pulumi.CustomResourceOptions;

    constructor(name: string, args: QueueFedFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudtrail-lake:index:QueueFedFunction", name, {}, opts);
        if (args.logGroup && args.logRetentionDays !== undefined) {
            throw new Error(`${name}: logRetentionDays applies to the function's own log group; a shared logGroup keeps its own retention`);
        }
        this.names = { ...defaultChildNames(name), ...args.childNames };
        this.childOptions = { parent: this, ...(args.formerParent ? { aliases: [{ parent: args.formerParent }] } : {}) };

        const { deadLetterQueue, queue } = this.queues(args);
        const logGroup = args.logGroup ?? this.ownLogGroup(args);
        const { role, rolePolicy } = this.role(args, queue, logGroup);
        const fn = this.function(args, role, rolePolicy, logGroup);
        new aws.lambda.EventSourceMapping(
            this.names.trigger,
            {
                eventSourceArn: queue.arn,
                functionName: fn.arn,
                batchSize: args.batchSize,
                maximumBatchingWindowInSeconds: args.maximumBatchingWindowSeconds,
                functionResponseTypes: ["ReportBatchItemFailures"],
                scalingConfig: args.maximumConcurrency === undefined ? undefined : { maximumConcurrency: args.maximumConcurrency },
            },
            { ...this.childOptions, dependsOn: [rolePolicy] },
        );
        const alarm = new aws.cloudwatch.MetricAlarm(
            this.names.deadLetterAlarm,
            {
                ...queueNotEmptyAlarmArgs(deadLetterQueue.name, args.deadLetterAlarmDescription),
                alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
                tags: args.tags,
            },
            this.childOptions,
        );

        this.queueArn = queue.arn;
        this.queueUrl = queue.url;
        this.deadLetterQueueUrl = deadLetterQueue.url;
        this.deadLetterAlarmName = alarm.name;
        this.functionName = fn.name;
        this.roleArn = role.arn;
        this.registerOutputs({
            queueArn: this.queueArn,
            queueUrl: this.queueUrl,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            deadLetterAlarmName: this.deadLetterAlarmName,
            functionName: this.functionName,
            roleArn: this.roleArn,
        });
    }

    /** The queue and its dead-letter queue, which keeps a message 14 days (SQS's longest) for someone to look at it. */
    private queues(args: QueueFedFunctionArgs) {
        const deadLetterQueue = new aws.sqs.Queue(
            this.names.deadLetterQueue,
            { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600, tags: args.tags },
            this.childOptions,
        );
        const queue = new aws.sqs.Queue(
            this.names.queue,
            {
                sqsManagedSseEnabled: true,
                // At least six times the function timeout, so that Lambda has time to retry a throttled batch before the message
                // shows again (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html).
                visibilityTimeoutSeconds: 6 * args.timeoutSeconds,
                messageRetentionSeconds: 4 * 24 * 3600,
                redrivePolicy: deadLetterQueue.arn.apply((deadLetterTargetArn) =>
                    JSON.stringify({ deadLetterTargetArn, maxReceiveCount: args.maxReceiveCount }),
                ),
                tags: args.tags,
            },
            this.childOptions,
        );
        return { deadLetterQueue, queue };
    }

    private ownLogGroup(args: QueueFedFunctionArgs): aws.cloudwatch.LogGroup {
        return new aws.cloudwatch.LogGroup(this.names.logGroup, { retentionInDays: args.logRetentionDays ?? 90, tags: args.tags }, this.childOptions);
    }

    /** The role Lambda assumes for the function, and its inline policy. */
    private role(args: QueueFedFunctionArgs, queue: aws.sqs.Queue, logGroup: LogGroupRef) {
        const role = new aws.iam.Role(
            this.names.role,
            {
                assumeRolePolicy: policyJson(pulumi.output(args.centralAccountId), (centralAccountId) =>
                    serviceTrustPolicy("lambda.amazonaws.com", centralAccountId),
                ),
                tags: args.tags,
            },
            this.childOptions,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            this.names.rolePolicy,
            { role: role.id, policy: args.rolePolicy({ queueArn: queue.arn, logGroupArn: pulumi.output(logGroup.arn) }) },
            this.childOptions,
        );
        return { role, rolePolicy };
    }

    /** The function: created after its role's policy, so that its first invocation may already read the queue. */
    private function(args: QueueFedFunctionArgs, role: aws.iam.Role, rolePolicy: aws.iam.RolePolicy, logGroup: LogGroupRef) {
        return new aws.lambda.Function(
            this.names.function,
            {
                description: args.description,
                runtime: args.runtime,
                architectures: [args.architecture],
                handler: args.handler,
                code: args.code,
                role: role.arn,
                memorySize: args.memoryMb,
                timeout: args.timeoutSeconds,
                ephemeralStorage: args.ephemeralStorageMb === undefined ? undefined : { size: args.ephemeralStorageMb },
                environment: args.environment ? { variables: args.environment } : undefined,
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                tags: args.tags,
            },
            { ...this.childOptions, dependsOn: [rolePolicy] },
        );
    }
}
