import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambdaContext';
import { FUNCTION_DEFAULTS, LIMITS, utf8Bytes } from './limits';

/** One Lambda function as the local stack runs it: a route, a queue subscription or a job. */
export interface LambdaFunction<E> {
  readonly name: string;
  readonly handler: (event: E, context: Context) => Promise<unknown>;
  /** The function's configured timeout. Default 30 s. */
  readonly timeoutSeconds?: number;
  /** The function's configured memory. Default 256 MB. */
  readonly memoryMb?: number;
}

/** Wraps every invocation, e.g. in an async context that enforces the function's IAM policy. */
export type InvocationHook = (functionName: string, run: () => Promise<unknown>) => Promise<unknown>;

/** Stack-wide invocation settings, the same for the gateway, the queue runner and the scheduler. */
export interface InvocationOptions {
  readonly around?: InvocationHook;
  /** Fail an invocation whose estimated memory exceeds the function's, as Lambda would; default: only warn. */
  readonly strictMemory?: boolean;
}

/** Lambda's own error types for each way an invocation fails. */
export const INVOCATION_ERROR_CODES = {
  requestTooLarge: 'RequestEntityTooLargeException',
  responseTooLarge: 'Function.ResponseSizeTooLarge',
  timedOut: 'Sandbox.Timedout',
  outOfMemory: 'Runtime.OutOfMemory',
  unhandled: 'Unhandled',
} as const;
export type InvocationErrorCode = (typeof INVOCATION_ERROR_CODES)[keyof typeof INVOCATION_ERROR_CODES];

/** The invocation failed as it would in Lambda; the handler's own error, if any, is the `cause`. */
export class LambdaInvocationError extends Error {
  override readonly name = 'LambdaInvocationError' as const;
  readonly code: InvocationErrorCode;
  readonly retryable: boolean;
  readonly functionName: string;

  constructor(
    functionName: string,
    detail: { readonly code: InvocationErrorCode; readonly message: string },
    options?: ErrorOptions,
  ) {
    super(`${functionName}: ${detail.message}`, options);
    this.functionName = functionName;
    this.code = detail.code;
    // The same payload is refused again; a timeout, a crash or memory pressure may pass next time.
    this.retryable =
      detail.code !== INVOCATION_ERROR_CODES.requestTooLarge &&
      detail.code !== INVOCATION_ERROR_CODES.responseTooLarge;
  }
}

const MIB = 1024 * 1024;

/**
 * Invokes a handler the way Lambda does: the event within the request limit, a fresh context, the handler
 * abandoned at its timeout (it may still run on in this process — Lambda would freeze it), memory sampled
 * and reported, and the response within the response limit and returned as Lambda returns it: parsed JSON.
 */
export async function invoke<E>(
  fn: LambdaFunction<E>,
  event: E,
  options: InvocationOptions = {},
): Promise<unknown> {
  const timeoutSeconds = fn.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds;
  const memoryMb = fn.memoryMb ?? FUNCTION_DEFAULTS.memoryMb;
  const requestBytes = utf8Bytes(JSON.stringify(event) ?? 'null');
  if (requestBytes >= LIMITS.lambdaRequestBytes)
    throw new LambdaInvocationError(fn.name, {
      code: INVOCATION_ERROR_CODES.requestTooLarge,
      message: `Request must be smaller than ${LIMITS.lambdaRequestBytes} bytes for the InvokeFunction operation (was ${requestBytes})`,
    });

  const context = lambdaContext(fn.name, {
    timeoutMs: timeoutSeconds * 1000,
    memoryMb,
    awsRequestId: randomUUID(),
  });
  const run = () => fn.handler(event, context);
  const memory = sampleMemory();
  let timer: NodeJS.Timeout | undefined;
  let outcome: { ok: true; value: unknown } | { ok: false; error: LambdaInvocationError };
  try {
    const running = Promise.resolve().then(() => (options.around ? options.around(fn.name, run) : run()));
    // Once abandoned at its timeout, whatever the handler does later is nobody's answer.
    running.catch(() => undefined);
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaInvocationError(fn.name, {
              code: INVOCATION_ERROR_CODES.timedOut,
              message: `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
            }),
          ),
        timeoutSeconds * 1000,
      );
    });
    outcome = { ok: true, value: await Promise.race([running, timedOut]) };
  } catch (error) {
    outcome = {
      ok: false,
      error:
        error instanceof LambdaInvocationError && error.functionName === fn.name
          ? error
          : new LambdaInvocationError(
              fn.name,
              {
                code: INVOCATION_ERROR_CODES.unhandled,
                message: error instanceof Error ? error.name : 'handler failed',
              },
              { cause: error },
            ),
    };
  } finally {
    clearTimeout(timer);
  }

  const usedMb = Math.round(FUNCTION_DEFAULTS.runtimeBaselineMb + memory.stop() / MIB);
  if (usedMb > memoryMb) {
    console.warn(
      `[lambda ${fn.name}] memory: ≈${usedMb} MB used of ${memoryMb} MB configured (in-process estimate: ` +
        `${FUNCTION_DEFAULTS.runtimeBaselineMb} MB runtime + growth during the invocation)`,
    );
    if (options.strictMemory)
      throw new LambdaInvocationError(fn.name, {
        code: INVOCATION_ERROR_CODES.outOfMemory,
        message: `Runtime exited with error: signal: killed (≈${usedMb} MB of ${memoryMb} MB)`,
      });
  }
  if (!outcome.ok) throw outcome.error;

  let response: string;
  try {
    response = JSON.stringify(outcome.value) ?? 'null';
  } catch (error) {
    throw new LambdaInvocationError(
      fn.name,
      { code: INVOCATION_ERROR_CODES.unhandled, message: 'the response is not serializable to JSON' },
      { cause: error },
    );
  }
  const responseBytes = utf8Bytes(response);
  if (responseBytes > LIMITS.lambdaResponseBytes)
    throw new LambdaInvocationError(fn.name, {
      code: INVOCATION_ERROR_CODES.responseTooLarge,
      message: `Response payload size (${responseBytes} bytes) exceeded maximum allowed payload size (${LIMITS.lambdaResponseBytes} bytes).`,
    });
  // What the caller of a Lambda function receives is the JSON, not the handler's objects.
  return JSON.parse(response);
}

/**
 * Peak resident memory growth while an invocation runs, in bytes: sampled on a timer, plus the process's
 * lifetime peak (`maxRSS`) when it rose meanwhile, which catches synchronous spikes the timer cannot see.
 */
function sampleMemory(): { stop(): number } {
  const startRss = process.memoryUsage.rss();
  const startMaxRss = process.resourceUsage().maxRSS * 1024;
  let peak = startRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const maxRss = process.resourceUsage().maxRSS * 1024;
      peak = Math.max(peak, process.memoryUsage.rss(), maxRss > startMaxRss ? maxRss : 0);
      return Math.max(0, peak - startRss);
    },
  };
}
