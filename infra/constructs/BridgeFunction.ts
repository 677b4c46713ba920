import { join } from 'node:path';
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Code, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleFunctionSync } from '../../esbuild.config.mjs';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const FUNCTIONS_DIR = join(PROJECT_ROOT, 'functions');

/** Builds one function's asset with the project's esbuild (CDK's local bundling; no Docker). */
class EsbuildBundling implements ILocalBundling {
  // A field, not a closure: CDK keys its asset cache on the bundling options' JSON, so the entry must show in
  // it, or every function would get the first one's asset.
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(this.entry, outputDir);
    return true;
  }
}

/**
 * The function's asset as esbuild.config.mjs builds it (the build `npm run build` checks against the budgets):
 * index.mjs and the chunks it imports lazily, which NodejsFunction's own bundling cannot make (it writes one
 * file). Hashed by its output, so the project folder is never fingerprinted.
 */
function bundledCode(entry: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Used only if local bundling declined, which it never does: it builds or throws.
      image: Runtime.NODEJS_22_X.bundlingImage,
      local: new EsbuildBundling(entry),
    },
  });
}

export interface BridgeFunctionProps {
  /** Kebab-case name of the entry file `functions/<entry>.ts`. */
  readonly entry: string;
  readonly description: string;
  readonly logRetention: RetentionDays;
  readonly logLevel: string;
  /** Default 256 MB. */
  readonly memorySize?: number;
  /** Default 10 s. */
  readonly timeout?: Duration;
  readonly environment?: Readonly<Record<string, string>>;
  /** Override the entry directory (tests). */
  readonly functionsDir?: string;
}

/**
 * The house Lambda: Node.js 22 on arm64, X-Ray tracing, JSON logs in a log group with retention, source
 * maps, ESM bundle (esbuild.config.mjs: AWS SDK left to the runtime, lazy chunks beside index.mjs), and
 * Powertools configured by environment.
 */
export class BridgeFunction extends Construct {
  readonly fn: NodejsFunction;
  /** Any invocation error in five minutes (handler crash, timeout, out of memory). */
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      code: bundledCode(join(props.functionsDir ?? FUNCTIONS_DIR, `${props.entry}.ts`)),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'sendcloud-bridge',
        POWERTOOLS_METRICS_NAMESPACE: 'SendcloudBridge',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
    });
    const findings: ReadonlyArray<readonly [string, string]> = [
      [
        'AwsSolutions-L1',
        'nodejs22.x is the runtime this service is built and tested for; upgrades are deliberate.',
      ],
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "AWS's managed basic execution policy only lets the function write its own logs.",
      ],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords accept no resource narrower than *.',
      ],
    ];
    for (const [id, reason] of findings) Validations.of(this.fn).acknowledge({ id, reason });
    // The local stack finds each function's role by this tag to enforce its policies (local/iam).
    Tags.of(this).add('sendcloud-bridge:function', props.entry);
    this.errorsAlarm = new Alarm(this, 'Errors', {
      alarmDescription: `${props.entry} failed (crash, timeout or out of memory). Check its log group for ERROR lines.`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Grants the table and hands its name to the function in one call. */
  bindTable(
    table: Pick<ITable, 'tableName' | 'grantReadData' | 'grantReadWriteData'>,
    options: { readonly env: string; readonly access: 'read' | 'readWrite' },
  ): this {
    this.fn.addEnvironment(options.env, table.tableName);
    if (options.access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    return this;
  }
}
