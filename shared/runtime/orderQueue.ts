import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsOrderQueue } from '../orders/OrderQueue';
import type { Adapter } from './Runtime';

/** Real-time messages on the orders queue, end-of-day work on the batch queue (each bound where declared). */
export const orderQueue: Adapter<SqsOrderQueue> = (runtime) =>
  new SqsOrderQueue(new SQSClient({}), {
    queueUrl: () => runtime.bound('ORDERS_QUEUE_URL'),
    batchQueueUrl: () => runtime.bound('BATCH_QUEUE_URL'),
  });
