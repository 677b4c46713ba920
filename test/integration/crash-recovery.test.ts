import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type Child, startChild } from '../../local/childProcess';
import {
  DEFAULT_ACCOUNT,
  type RunningSimulator,
  simulatorEndpoints,
  startSimulator,
} from '../../local/simulator';
import { exampleOrder } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * Issue 13: the whole stack killed with SIGKILL in the middle of an end-of-day batch, and in the middle of its
 * merge, then started again on the same state (no `--fresh`). SendCloud (the simulator, in this process) carries
 * on meanwhile. Every order must end labelled, every label must still be there, no reference may have two
 * shipments — the simulator takes a duplicate reference here, so only the service's discipline keeps it at
 * one — and every merged file must hold every label it claims.
 */
const N = 36;
const PART = 16;
const Ready = z.object({ ready: z.literal(true), url: z.string() });
type Ready = z.infer<typeof Ready>;
const script = join(import.meta.dirname, '../../local/stackProcess.ts');
const example = exampleOrder();
let sim: RunningSimulator;
let stack: Child<Ready> | undefined;
const stateDirs: string[] = [];
const newStateDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  stateDirs.push(dir);
  return dir;
};

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    rateLimits: false,
    accounts: [{ ...DEFAULT_ACCOUNT, api: 'v2' }],
    duplicateExternalReference: 'accept',
  });
});
afterEach(async () => {
  await stack?.kill();
  stack = undefined;
  await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await sim.stop();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

async function startStack(stateDir: string): Promise<string> {
  stack = await startChild(script, {
    args: [
      JSON.stringify({
        stateDir,
        sendcloud: {
          ...simulatorEndpoints(sim.url),
          account: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key', api: 'v2' },
        },
        mergePartSize: PART,
        // The account's printers take ZPL: each batch part gets a ZPL stream too.
        zplAccounts: ['default'],
        // A message left in flight by the crash comes back after 8 s (360 s as deployed).
        ordersQueue: { visibilityTimeoutSeconds: 8, maxReceiveCount: 5, retryBaseSeconds: 1 },
        requeue: { everyMs: 5_000, afterSeconds: 10 },
      }),
    ],
    schema: Ready,
  });
  return stack.ready.url;
}

const BatchView = z.object({
  batchId: z.string(),
  status: z.string(),
  total: z.number().nullable(),
  done: z.number(),
  failed: z.number(),
  files: z.array(
    z.object({
      split: z.string(),
      format: z.string(),
      part: z.number(),
      labels: z.number(),
      href: z.string(),
    }),
  ),
});
const batchOf = async (url: string, batchId: string) =>
  BatchView.parse(await (await fetch(`${url}/batches/${batchId}`)).json());
const faultHits = async () =>
  z
    .array(z.object({ hits: z.number() }))
    .parse(await (await fetch(`${sim.url}/__sim/faults`)).json())
    .reduce((sum, f) => sum + f.hits, 0);
const slow = (path: string, delayMs: number) =>
  fetch(`${sim.url}/__sim/faults`, {
    method: 'POST',
    body: JSON.stringify({ method: 'GET', path, kind: 'slow', delayMs }),
  });

/** Accepts N end-of-day orders and starts their batch; answers the batch id. */
async function endOfDay(url: string, prefix: string): Promise<{ batchId: string; orderIds: string[] }> {
  const orderIds = Array.from({ length: N }, (_, i) => `${prefix}-${Date.now()}-${i}`);
  const accepted = await fetch(`${url}/orders/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      orders: orderIds.map((orderId) => ({ ...example, orderId, dispatch: 'end_of_day' })),
    }),
  });
  expect(accepted.status).toBe(202);
  const started = await fetch(`${url}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: 'default' }),
  });
  return { batchId: BatchView.parse(await started.json()).batchId, orderIds };
}

/** Everything the issue asks of a batch that lived through a crash. */
async function assertRecovered(url: string, stateDir: string, batchId: string, orderIds: readonly string[]) {
  const batch = await until(
    () => batchOf(url, batchId),
    (b) => b.status === 'completed',
    90_000,
  );
  expect({ total: batch.total, done: batch.done, failed: batch.failed }).toEqual({
    total: N,
    done: N,
    failed: 0,
  });

  for (const orderId of orderIds) {
    const view = z
      .object({ processing: z.string() })
      .parse(await (await fetch(`${url}/orders/${orderId}`)).json());
    expect([orderId, view.processing]).toEqual([orderId, 'shipped']);
    const label = await fetch(`${url}/orders/${orderId}/label`);
    expect([orderId, label.status]).toEqual([orderId, 200]);
    expect((await PDFDocument.load(await label.arrayBuffer())).getPageCount()).toBe(1);
    const counts = z
      .object({ created: z.number() })
      .parse(
        await (
          await fetch(
            `${sim.url}/__sim/counts?external_reference=${encodeURIComponent(`webshop:${orderId}`)}`,
          )
        ).json(),
      );
    expect([orderId, counts.created]).toEqual([orderId, 1]);
  }

  // Every merged file holds the labels it claims: pages of the A6 file, `^XA` in the ZPL, four to an A4 page.
  for (const [index, file] of batch.files.entries()) {
    const bytes = new Uint8Array(
      await (await fetch(`${url}/batches/${batchId}/files/${index}`)).arrayBuffer(),
    );
    if (file.format === 'zpl') expect(Buffer.from(bytes).toString().match(/\^XA/g)?.length).toBe(file.labels);
    else
      expect((await PDFDocument.load(bytes)).getPageCount()).toBe(
        file.format === 'a6' ? file.labels : Math.ceil(file.labels / 4),
      );
  }
  const labelsIn = (format: string) =>
    batch.files.filter((f) => f.format === format).reduce((sum, f) => sum + f.labels, 0);
  expect([labelsIn('a6'), labelsIn('a4'), labelsIn('zpl')]).toEqual([N, N, N]);

  // The event is the truth a consumer prints from: once, with the counts the files hold.
  const completed = readFileSync(join(stateDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => z.object({ 'detail-type': z.string(), detail: z.unknown() }).parse(JSON.parse(line)))
    .filter((e) => e['detail-type'] === 'Batch Completed')
    .map((e) => z.object({ batchId: z.string(), succeeded: z.number() }).loose().parse(e.detail))
    .filter((d) => d.batchId === batchId);
  expect(completed.map((d) => d.succeeded)).toEqual([N]);
}

describe('SIGKILL of the whole stack, then a restart on the same state', () => {
  it('in the middle of an end-of-day batch: every order labelled once, every label and file complete', async () => {
    // Prepare: label downloads slowed — merged files (20 parcels each) by 5 s — so the kill lands while the
    // batch's parcels exist at SendCloud and their labels are being fetched
    const stateDir = newStateDir('crash-batch-');
    const url = await startStack(stateDir);
    await slow('^/labels/label_printer/\\d+', 300);
    await slow('^/labels/label_printer$', 5_000);
    const { batchId, orderIds } = await endOfDay(url, 'CRASH-B');
    await until(faultHits, (hits) => hits >= 1, 60_000);

    // Act
    await stack?.kill();
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    const restarted = await startStack(stateDir);

    // Assess
    expect((await batchOf(restarted, batchId)).done).toBeLessThan(N);
    await assertRecovered(restarted, stateDir, batchId, orderIds);
  }, 180_000);

  it('in the middle of the merge: the batch is merged after the restart, every file complete', async () => {
    // Prepare: the merge fetches each ZPL from SendCloud; slowed, the kill lands inside it
    const stateDir = newStateDir('crash-merge-');
    const url = await startStack(stateDir);
    await slow('^/parcels/\\d+/documents/', 400);
    const { batchId, orderIds } = await endOfDay(url, 'CRASH-M');
    await until(
      async () => ({ batch: await batchOf(url, batchId), hits: await faultHits() }),
      (v) => v.batch.status === 'merging' && v.hits >= 2,
      60_000,
    );

    // Act
    await stack?.kill();
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    const restarted = await startStack(stateDir);

    // Assess
    expect((await batchOf(restarted, batchId)).status).toBe('merging');
    await assertRecovered(restarted, stateDir, batchId, orderIds);
  }, 180_000);
});
