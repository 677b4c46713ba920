import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IamDecision, withoutGrant } from '../../local/iam';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';

/**
 * The canary: the local stack runs every function under the IAM policies of the synthesized template, so a
 * grant missing there fails here as it would in AWS. With the worker's `sqs:SendMessage` removed (the
 * defect that kept end-of-day batches from ever finishing in AWS; its groups go to the batch queue), the end of day that
 * test/integration/batches.test.ts completes under the real template is denied and never completes.
 */
let bridge: Bridge;
const decisions: IamDecision[] = [];

beforeAll(async () => {
  bridge = await startBridge({
    wiring: {
      iam: {
        template: (template) => withoutGrant(template, 'order-worker', 'sqs:SendMessage'),
        onDecision: (decision) => decisions.push(decision),
      },
      ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 },
    },
  });
}, 60_000);
afterAll(() => bridge?.stop());

const denied = () =>
  decisions.filter(
    (d) => d.functionName === 'order-worker' && d.action === 'sqs:SendMessage' && d.result !== 'Allowed',
  );

describe('IAM enforcement canary (a grant removed from the template)', () => {
  it('denies the worker the SendMessage it needs to start a batch, so the end of day never completes', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${bridge.stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const stamp = Date.now();
    const orders = [1, 2, 3].map((i) => ({
      ...exampleOrder(),
      orderId: `CANARY-${stamp}-${i}`,
      dispatch: 'end_of_day',
    }));
    expect((await post('/orders/batch', { orders })).status).toBe(202);
    // the intake functions keep their own grants: the orders are held, ready for the end of day
    const held = (await (await fetch(`${bridge.stack.url}/orders/${orders[0]?.orderId}`)).json()) as {
      status: string;
    };
    expect(held.status).toBe('ready');

    const start = await post('/batches', { account: 'default' });
    expect(start.status).toBe(202);
    const { batchId } = (await start.json()) as { batchId: string };

    const until = Date.now() + 20_000;
    while (denied().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(denied()[0]).toMatchObject({
      functionName: 'order-worker',
      action: 'sqs:SendMessage',
      resource: expect.stringMatching(/^arn:aws:sqs:[^:]+:000000000000:sendcloud-bridge-batches$/),
    });
    const batch = (await (await fetch(`${bridge.stack.url}/batches/${batchId}`)).json()) as {
      status: string;
    };
    expect(batch.status).not.toBe('completed');
    // every other call the worker made was allowed: only the removed grant is missing
    expect(
      decisions
        .filter((d) => d.functionName === 'order-worker' && d.result !== 'Allowed')
        .map((d) => d.action),
    ).toEqual(denied().map(() => 'sqs:SendMessage'));
  });
});
