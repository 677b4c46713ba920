import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { FUNCTION_DEFAULTS } from './limits';

export interface LambdaContextOptions {
  /** The function's timeout: `getRemainingTimeInMillis()` counts down from it. Default 30 s. */
  readonly timeoutMs?: number;
  /** The function's configured memory, as `memoryLimitInMB`. Default 256. */
  readonly memoryMb?: number;
  readonly awsRequestId?: string;
}

/** The Lambda context a handler sees locally: real shape, a fresh request id per invocation. */
export function lambdaContext(functionName: string, options: LambdaContextOptions = {}): Context {
  const deadline = Date.now() + (options.timeoutMs ?? FUNCTION_DEFAULTS.timeoutSeconds * 1000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'eu-west-1'}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? FUNCTION_DEFAULTS.memoryMb),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
