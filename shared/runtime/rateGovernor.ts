import { DynamoRateGovernor } from '../governor/DynamoRateGovernor';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

/** The DynamoDB token buckets, one per account and request kind (built whatever RATE_GOVERNOR says). */
export const dynamoRateGovernor: Adapter<DynamoRateGovernor> = (runtime) =>
  new DynamoRateGovernor(runtime.use(documentClient), {
    ...serviceTable(runtime),
    limits: runtime.env.SENDCLOUD_RATE_LIMITS,
  });

/**
 * Every worker and job of an account shares one DynamoDB token bucket per request kind; undefined with
 * RATE_GOVERNOR=local (one in-process limiter per account instead). One per function: the SendCloud clients
 * and the worker's admission share its leases.
 */
export const rateGovernor: Adapter<DynamoRateGovernor | undefined> = (runtime) =>
  runtime.env.RATE_GOVERNOR === 'dynamodb' ? runtime.use(dynamoRateGovernor) : undefined;
