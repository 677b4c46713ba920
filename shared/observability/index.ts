import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, metrics and tracer per function (service name and namespace come from the environment the
 * house construct sets). Log keys, never payloads: no addresses, e-mails, phone numbers or label bytes.
 */
export function observability(functionName: string) {
  const logger = new Logger({ persistentKeys: { function: functionName } });
  const metrics = new Metrics({ defaultDimensions: { function: functionName } });
  const tracer = new Tracer();
  return { logger, metrics, tracer };
}

export { MetricUnit } from '@aws-lambda-powertools/metrics';
