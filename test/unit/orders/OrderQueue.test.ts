import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type OrderMessage, queueOf, SqsOrderQueue } from '../../../shared/orders/OrderQueue';
import { UnboundResourceError } from '../../../shared/runtime/UnboundResourceError';

const ORDERS = 'https://sqs.eu-west-1.amazonaws.com/000000000000/orders';
const BATCHES = 'https://sqs.eu-west-1.amazonaws.com/000000000000/batches';
const order = (orderId: string): OrderMessage => ({ kind: 'order', channel: 'webshop', orderId });
const group = (batchId?: string): OrderMessage => ({
  kind: 'batch',
  account: 'default',
  ...(batchId ? { batchId } : {}),
  orders: [{ channel: 'webshop', orderId: 'A-1' }],
});

describe('which queue a message travels on', () => {
  it('puts end-of-day work on the batch queue and everything real time on the orders queue', () => {
    expect(queueOf(order('A-1'))).toBe('orders');
    // POST /orders/batch: real-time orders sent as one group
    expect(queueOf(group())).toBe('orders');
    expect(queueOf({ kind: 'catalog-refresh', account: 'default', trigger: 'webhook' })).toBe('orders');
    expect(queueOf(group('eod-1'))).toBe('batches');
    expect(queueOf({ kind: 'merge', batchId: 'eod-1' })).toBe('batches');
  });

  it('sends each message to its queue, ten an SQS call', async () => {
    // Prepare
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsOrderQueue(new SQSClient({}), { queueUrl: ORDERS, batchQueueUrl: BATCHES });

    // Act
    await queue.send([...Array.from({ length: 12 }, (_, i) => order(`A-${i}`)), group('eod-1'), group()]);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => ({
      url: c.args[0].input.QueueUrl,
      bodies: (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? '{}').kind),
    }));
    expect(calls).toEqual([
      { url: ORDERS, bodies: Array(10).fill('order') },
      { url: ORDERS, bodies: ['order', 'order', 'batch'] },
      { url: BATCHES, bodies: ['batch'] },
    ]);
    sqs.restore();
  });

  it('needs the batch queue bound only by a function that sends end-of-day work', async () => {
    // Prepare: bound to the orders queue only, as create-order is
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsOrderQueue(new SQSClient({}), {
      queueUrl: () => ORDERS,
      batchQueueUrl: () => {
        throw new UnboundResourceError('BATCH_QUEUE_URL');
      },
    });

    // Act / Assess
    await queue.send([order('A-1')]);
    await expect(queue.send([group('eod-1')])).rejects.toThrow(/BATCH_QUEUE_URL is not set/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    sqs.restore();
  });
});
