import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsOrderQueue } from '../orders/OrderQueue';
import type { Adapter } from './Runtime';

export const orderQueue: Adapter<SqsOrderQueue> = (runtime) =>
  new SqsOrderQueue(new SQSClient({}), { queueUrl: runtime.bound('ORDERS_QUEUE_URL') });
