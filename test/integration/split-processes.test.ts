import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type Child, startChild } from '../../local/childProcess';
import {
  DEFAULT_ACCOUNT,
  type RunningSimulator,
  simulatorEndpoints,
  startSimulator,
} from '../../local/simulator';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { LOCAL_NAMES, type ServiceWiringOptions, serviceWiring } from '../../local/wiring';
import { exampleOrder } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * The service in three processes, as the benchmark runs it: the emulators in one (local/emulatorsProcess.ts),
 * the batch queue's worker in another (local/consumerProcess.ts), the stack with the gateway, the real-time
 * worker and the EventBridge stand-in in this one. An end of day is done by the other process alone — this
 * one does not consume the batch queue — and its events reach this process's bus.
 */
const Endpoints = z.object({ dynamodb: z.string(), sqs: z.string(), s3: z.string() });
const EmulatorsReady = z.object({ ready: z.literal(true), endpoints: Endpoints });
const Ready = z.object({ ready: z.literal(true) });
const here = import.meta.dirname;
const stateDir = mkdtempSync(join(tmpdir(), 'split-'));
const example = exampleOrder();
let sim: RunningSimulator;
let emulators: Child<z.infer<typeof EmulatorsReady>>;
let stack: LocalStack;
let batchWorker: Child<z.infer<typeof Ready>>;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    rateLimits: false,
    accounts: [{ ...DEFAULT_ACCOUNT, api: 'v3', integrationId: 7001 }],
  });
  emulators = await startChild(join(here, '../../local/emulatorsProcess.ts'), {
    args: [join(stateDir, 'aws')],
    schema: EmulatorsReady,
  });
  const endpoints = emulators.ready.endpoints;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  process.env.AWS_ENDPOINT_URL_SQS = endpoints.sqs;
  process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  const options: ServiceWiringOptions = {
    stateDir,
    sendcloud: {
      ...simulatorEndpoints(sim.url),
      accounts: {
        default: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key', api: 'v3', integrationId: 7001 },
      },
    },
    logLevel: 'ERROR',
    requeue: { everyMs: 0 },
    catalogRefresh: { everyMs: 0, runAtStart: false },
  };
  stack = await startLocalStack({
    port: 0,
    stateDir,
    consume: [LOCAL_NAMES.ordersQueue],
    wiring: serviceWiring(options),
  });
  batchWorker = await startChild(join(here, '../../local/consumerProcess.ts'), {
    args: [JSON.stringify({ queues: [LOCAL_NAMES.batchQueue], wiring: options })],
    env: { AWS_ENDPOINT_URL_EVENTBRIDGE: stack.endpoints.eventbridge ?? '' },
    schema: Ready,
    timeoutMs: 60_000,
  });
}, 90_000);
afterAll(async () => {
  await batchWorker?.stop();
  await stack?.stop();
  await emulators?.stop();
  await sim?.stop();
  for (const key of ['DYNAMODB', 'SQS', 'S3', 'EVENTBRIDGE']) delete process.env[`AWS_ENDPOINT_URL_${key}`];
  rmSync(stateDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const labelStored = (orderIds: readonly string[]) =>
  stack.bus.events.filter(
    (e) =>
      e['detail-type'] === 'Label Stored' && orderIds.includes((e.detail as { orderId: string }).orderId),
  );

describe('the service in three processes', () => {
  it('labels an end of day in the batch worker process, with its events on this process’s bus', async () => {
    const orderIds = Array.from({ length: 12 }, (_, i) => `SPLIT-EOD-${i}`);
    const accepted = await post('/orders/batch', {
      orders: orderIds.map((orderId) => ({ ...example, orderId, dispatch: 'end_of_day' })),
    });
    expect(accepted.status).toBe(202);
    const started = await post('/batches', { account: 'default' });
    expect(started.status).toBe(202);
    const { batchId } = z.object({ batchId: z.string() }).parse(await started.json());
    const batch = await until(
      async () =>
        z
          .object({ status: z.string(), done: z.number(), failed: z.number() })
          .parse(await (await fetch(`${stack.url}/batches/${batchId}`)).json()),
      (b) => b.status === 'completed',
      60_000,
    );
    expect(batch).toMatchObject({ done: 12, failed: 0 });
    expect(labelStored(orderIds)).toHaveLength(12);
    // This process polls only the orders queue: the batch was the other process's work.
    expect(stack.runner.queueNames).toEqual([LOCAL_NAMES.ordersQueue]);
  }, 90_000);

  it('labels a real-time order in this process', async () => {
    expect((await post('/orders', { ...example, orderId: 'SPLIT-RT-1' })).status).toBe(202);
    await until(
      async () => labelStored(['SPLIT-RT-1']).length,
      (n) => n === 1,
      30_000,
    );
  });
});
