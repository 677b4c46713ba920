import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and metrics per function (service name and namespace come from the environment the house
 * construct sets). Log keys, never payloads: no addresses, e-mails, phone numbers or label bytes.
 *
 * No Powertools Tracer: nothing here opens subsegments or wraps clients, and Lambda's active tracing records
 * each invocation without it, so the X-Ray SDK (≈ 85 KiB with cls-hooked and semver) would be dead weight
 * in every bundle. A function that comes to trace something creates its own Tracer.
 */
export function observability(functionName: string) {
  const logger = functionLogger(functionName);
  const metrics = new Metrics({
    defaultDimensions: { function: functionName },
    logger: metricsNotices(logger),
  });
  return { logger, metrics };
}

type MetricsLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;
const NOTHING_TO_PUBLISH = 'No application metrics to publish';

/**
 * Metrics' own notices (an invalid dimension, a metric CloudWatch would skip) as the function's structured log
 * lines at its level, instead of bare console output — except that an invocation counted nothing, which
 * Powertools prints on every such invocation (a webhook that was a duplicate, a read, a sweep with nothing to do).
 */
export function metricsNotices(logger: Logger): MetricsLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...content: unknown[]) => {
      const [message] = content;
      if (typeof message === 'string' && message.startsWith(NOTHING_TO_PUBLISH)) return;
      logger[level](String(message));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

/** The logger alone, for a function that counts nothing (its bundle then carries no Metrics). */
export function functionLogger(functionName: string): Logger {
  return new Logger({ persistentKeys: { function: functionName } });
}

export { MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * An error as a log field: name, code, retryable and the cause chain (names, codes and messages only —
 * errors in this codebase never hold payloads or personal data; SDK messages name actions and ARNs).
 */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const fields: Record<string, unknown> = { name: error.name, message: error.message.slice(0, 500) };
  for (const key of ['code', 'retryable', 'status', 'Code'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  if (error.cause !== undefined && depth < 4) fields.cause = errorFields(error.cause, depth + 1);
  return fields;
}
