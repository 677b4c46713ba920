import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsOrderQueue } from '../orders/OrderQueue';
import type { Adapter } from './Runtime';

/**
 * Real-time messages on the orders queue, end-of-day work on the batch queue. A function bound to neither
 * fails when it builds the queue; one bound to one of them fails only if it sends to the other.
 */
export const orderQueue: Adapter<SqsOrderQueue> = (runtime) => {
  if (!runtime.env.BATCH_QUEUE_URL) runtime.bound('ORDERS_QUEUE_URL');
  return new SqsOrderQueue(new SQSClient({}), {
    queueUrl: () => runtime.bound('ORDERS_QUEUE_URL'),
    batchQueueUrl: () => runtime.bound('BATCH_QUEUE_URL'),
  });
};
