import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, setPriority, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { declarationOf } from '../infra/functions';
import { startChild } from '../local/childProcess';
import { FIRST_INTEGRATION_ID } from '../local/simulator/accounts';
import { simulatorEndpoints } from '../local/simulator/server';
import { type LocalStack, startLocalStack } from '../local/stack';
import { LOCAL_NAMES, serviceWiring } from '../local/wiring';
import { mapLimit } from '../shared/orders/mapLimit';
import { pythonJsonDumps, signSendcloudPayload } from '../shared/sendcloud';
import { SENDCLOUD_RATE_LIMITS, type WindowRule } from '../shared/sendcloud/RateLimiter';
import { type LambdaFigures, lambdaFigures, node22 } from './bundles';

/**
 * `npm run bench [-- --orders 10000]`: the local stack against the simulator with SendCloud's documented
 * limits and realistic latencies. Prints a table and writes bench/results/latest.json. A script, not a test.
 */
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/results/latest.json' },
    orders: { type: 'string', default: '1000' },
    realtime: { type: 'string', default: '40' },
    /** Real-time orders posted evenly within 60 s: seconds until the last one's label is stored. */
    burst: { type: 'string', default: '1000' },
    webhooks: { type: 'string', default: '1000' },
    /** The SendCloud APIs to run, in order: `v2,v3` (default), or one of them. */
    api: { type: 'string', default: 'v2,v3' },
    /** Internal: measure one API and write its figures to this file (each API runs in a process of its own). */
    'one-api-to': { type: 'string' },
    /** Processes the batch queue's consumers run in (they share the trigger's maximum concurrency). */
    'batch-workers': { type: 'string', default: '2' },
    /**
     * Scheduling priority (nice) of the batch worker processes: in AWS a batch invocation has a CPU share of
     * its own and cannot slow a real-time one; on two shared cores the kernel would split them evenly. 0 to
     * compare.
     */
    'batch-nice': { type: 'string', default: '10' },
    /** The emulators keep their state on disk, fsync'd, as `npm start` does (default: in memory). */
    'durable-emulators': { type: 'boolean', default: false },
    /** v3 only: batches through the Orders API (`orders`, default) or one announce per order (`announce`). */
    'v3-batches': { type: 'string', default: 'orders' },
  },
});
type Api = 'v2' | 'v3';
const APIS = [...new Set(values.api.split(',').map((a) => a.trim()))].map((a) => {
  if (a !== 'v2' && a !== 'v3') throw new Error(`--api: v2, v3 or v2,v3 (not ${a})`);
  return a as Api;
});
const V3_BATCHES = values['v3-batches'] === 'announce' ? 'announce' : 'orders';
const ordersApi = (api: Api) => api === 'v3' && V3_BATCHES === 'orders';
/** The second account, whose end of day runs while the first one's real-time orders are measured. */
const OTHER = 'other';
const N = Number(values.orders);
const root = join(import.meta.dirname, '..');
const example = JSON.parse(readFileSync(join(root, 'docs/examples/order.json'), 'utf8')) as Record<
  string,
  unknown
>;
/** The AWS emulators' request counters (`dynamodb:PutItem` → n), read from their process. */
type Calls = Readonly<Record<string, number>>;
let awsCalls: () => Promise<Calls> = async () => ({});
const snapshot = () => awsCalls();
const since = async (before: Calls) => {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(await awsCalls())) delta[key] = value - (before[key] ?? 0);
  return delta;
};
/** When the n-th of n requests may go at the earliest under these sliding windows, all empty at 0 (ms). */
const lastSlotMs = (n: number, windows: readonly WindowRule[]) =>
  Math.max(0, ...windows.map((w) => Math.floor(Math.max(0, n - 1) / w.limit) * w.windowMs));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

// List prices (eu-west-1, on-demand, USD): what a parcel costs in AWS calls, Lambda compute excluded.
const PRICE = {
  dynamodbWrite: 1.4125e-6,
  dynamodbRead: 0.2825e-6,
  sqs: 0.4e-6,
  s3Put: 0.0053e-3,
  s3Get: 0.00042e-3,
  events: 1e-6,
};
const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

function awsPerParcel(delta: Record<string, number>, parcels: number, events: number) {
  const sum = (filter: (k: string) => boolean) =>
    Object.entries(delta)
      .filter(([k]) => filter(k))
      .reduce((a, [, v]) => a + v, 0);
  const dynamoWrites = sum((k) => k.startsWith('dynamodb:') && DYNAMO_WRITES.has(k.split(':')[1] ?? ''));
  const dynamoReads = sum((k) => k.startsWith('dynamodb:')) - dynamoWrites;
  const sqs = sum((k) => k.startsWith('sqs:'));
  const s3Put = sum((k) => k === 's3:PUT');
  const s3Get = sum((k) => k === 's3:GET' || k === 's3:HEAD');
  const cost =
    dynamoWrites * PRICE.dynamodbWrite +
    dynamoReads * PRICE.dynamodbRead +
    sqs * PRICE.sqs +
    s3Put * PRICE.s3Put +
    s3Get * PRICE.s3Get +
    events * PRICE.events;
  const per = (v: number) => Math.round((v / parcels) * 10) / 10;
  return {
    dynamodbReadsPerParcel: per(dynamoReads),
    dynamodbWritesPerParcel: per(dynamoWrites),
    sqsPerParcel: per(sqs),
    s3PerParcel: per(s3Put + s3Get),
    eventBridgePerParcel: per(events),
    usdPer1000Parcels: Math.round((cost / parcels) * 1000 * 10000) / 10000,
  };
}

/**
 * DynamoDB, SQS and S3 (local/emulatorsProcess.ts) in a child process, as AWS runs them on machines of their
 * own: their work does not take the service's event loop. Counts come over its IPC channel.
 */
async function emulatorsProcess(dataDir: string) {
  const child = await startChild(join(root, 'local/emulatorsProcess.ts'), {
    args: [values['durable-emulators'] ? dataDir : '--memory'],
    schema: z.object({ endpoints: z.object({ dynamodb: z.string(), sqs: z.string(), s3: z.string() }) }),
    ipc: true,
  });
  return {
    endpoints: child.ready.endpoints,
    pid: child.process.pid ?? 0,
    calls: () =>
      new Promise<Calls>((resolve) => {
        const answer = (message: { type?: string; calls?: Calls }) => {
          if (message.type !== 'calls') return;
          child.process.off('message', answer);
          resolve(message.calls ?? {});
        };
        child.process.on('message', answer);
        child.process.send({ type: 'calls' });
      }),
    stop: () => child.stop(),
  };
}

/**
 * Consumers of `queues` (local/consumerProcess.ts) in a child process beside the stack, on its emulators and
 * its EventBridge stand-in (the AWS_ENDPOINT_URL_* this process has set).
 */
const consumerProcess = (queues: readonly string[], wiring: Record<string, unknown>) =>
  startChild(join(root, 'local/consumerProcess.ts'), {
    args: [JSON.stringify({ queues, wiring })],
    schema: z.object({ ready: z.literal(true) }),
    timeoutMs: 60_000,
  });

/**
 * The batch queue's trigger allows `maxConcurrency` invocations at once, each in a Lambda sandbox of its own:
 * here `--batch-workers` processes share that maximum (5 over 2: 3 and 2), never more in all.
 */
function batchConcurrency(): number[] {
  const trigger = declarationOf('order-worker').triggers.find((t) => t.kind === 'batchQueue');
  const max = trigger?.kind === 'batchQueue' ? trigger.maxConcurrency : 1;
  const processes = Math.max(1, Math.min(max, Number(values['batch-workers'])));
  return Array.from(
    { length: processes },
    (_, i) => Math.floor(max / processes) + (i < max % processes ? 1 : 0),
  );
}

/** A running process's peak resident memory (Linux's VmHWM), in MiB; 0 where /proc does not tell. */
function peakRssOf(pid: number): number {
  try {
    const kib = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Math.round(Number(kib) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a running process has used so far; 0 where /proc does not tell. */
function cpuSecondsOf(pid: number): number {
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    // fields after the command's closing parenthesis: state is 3rd, utime 14th and stime 15th
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU seconds each named process spent between `before()` and the answer's call. */
function cpuMeter(pids: Record<string, number>) {
  const read = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  const start = read();
  return () => {
    const end = read();
    return Object.fromEntries(
      Object.entries(end).map(([name, s]) => [name, Math.round((s - (start[name] ?? 0)) * 10) / 10]),
    );
  };
}

/** The simulator in a child process: its PDF rendering gets the other core, as SendCloud's own servers would. */
interface SimulatorHandle {
  readonly url: string;
  readonly pid: number;
  createdCount(reference: string): Promise<number>;
  stop(): Promise<void>;
}
async function simulatorProcess(api: Api): Promise<SimulatorHandle> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'local/simulator/cli.ts'),
      '--read-latency',
      '80',
      '--write-latency',
      '250',
      '--api',
      api,
      '--second-account',
      OTHER,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /SIMULATOR_URL=(\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error('simulator exited')));
  });
  return {
    url,
    pid: child.pid ?? 0,
    createdCount: async (reference) =>
      (
        (await (
          await fetch(`${url}/__sim/counts?external_reference=${encodeURIComponent(reference)}`)
        ).json()) as { created: number }
      ).created,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function api<T>(stack: LocalStack, path: string, body?: unknown): Promise<T> {
  const response = await fetch(
    `${stack.url}${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return (await response.json()) as T;
}

/** N end-of-day orders of an account, accepted (not yet batched). */
async function seedEndOfDay(stack: LocalStack, account: string): Promise<string[]> {
  const stamp = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < N; i += 500) {
    const orders = Array.from({ length: Math.min(500, N - i) }, (_, j) => {
      const orderId = `BENCH-${account}-${stamp}-${i + j}`;
      ids.push(orderId);
      return { ...example, account, orderId, dispatch: 'end_of_day' };
    });
    await api(stack, '/orders/batch', { orders });
  }
  return ids;
}

/** Starts an account's end of day and answers when its batch has completed. */
async function runBatch(stack: LocalStack, account: string, progress: boolean) {
  const { batchId } = await api<{ batchId: string }>(stack, '/batches', { account });
  for (;;) {
    const batch = await api<{
      status: string;
      done: number;
      failed: number;
      total: number;
      files: unknown[];
    }>(stack, `/batches/${batchId}`);
    if (progress)
      process.stdout.write(
        `\r  end of day: ${batch.done + batch.failed}/${batch.total} ${batch.status}      `,
      );
    if (batch.status === 'completed') return batch;
    // A quarter of a second: the figure is the time to completion, give or take this.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The simulator's counters: 429s answered and calls per route (`GET /parcels`, `v3 POST /orders`, …). */
interface SimStats {
  readonly rateLimited: number;
  readonly byRoute: Record<string, number>;
}
const simStats = async (sim: SimulatorHandle) =>
  (await (await fetch(`${sim.url}/__sim/stats`)).json()) as SimStats;
/** Calls between two readings on the routes `filter` keeps. */
const routeDelta = (before: SimStats, after: SimStats, filter: (route: string) => boolean) =>
  Object.entries(after.byRoute)
    .filter(([route]) => filter(route))
    .reduce((sum, [route, n]) => sum + n - (before.byRoute[route] ?? 0), 0);
/** A SendCloud write: any route but a GET, on either API. */
const isWrite = (route: string) => !route.replace(/^v3 /, '').startsWith('GET');

async function endOfDay(
  stack: LocalStack,
  sim: SimulatorHandle,
  apiVersion: Api,
  pids: Record<string, number>,
) {
  const ids = await seedEndOfDay(stack, 'default');
  const cpu = cpuMeter({ ...pids, simulator: sim.pid, stack: process.pid });
  const before = await snapshot();
  const eventsBefore = stack.bus.events.length;
  const simBefore = await simStats(sim);
  const started = performance.now();
  const batch = await runBatch(stack, 'default', true);
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpu();
  const startedAt = Date.now() - seconds * 1000;
  const batchEvents = stack.bus.events.slice(eventsBefore);
  // When the batch's parcels were announced and their labels stored, in seconds from the start.
  const timeline = (detailType: string) => {
    const at = batchEvents
      .filter((e) => e['detail-type'] === detailType)
      .map((e) => (Date.parse(e.time) - startedAt) / 1000);
    return {
      first: Math.round(percentile(at, 0) * 10) / 10,
      p50: Math.round(percentile(at, 50) * 10) / 10,
      last: Math.round(percentile(at, 100) * 10) / 10,
    };
  };
  process.stdout.write('\n');
  const simAfter = await simStats(sim);
  const delta = (filter: (route: string) => boolean) => routeDelta(simBefore, simAfter, filter);
  // routes are `GET /parcels` (v2) or `v3 GET /shipments` (v3)
  const gets = delta((r) => !isWrite(r));
  const writes = delta(isWrite);
  // A few at a time: 10,000 lookups at once reset the simulator's connections.
  const counts = await mapLimit(ids, 32, (id) => sim.createdCount(`webshop:${id}`));
  const duplicates = counts.filter((c) => c > 1).length;
  const lost = counts.filter((c) => c === 0).length + (N - batch.done - batch.failed);
  // The ceiling: when the last of the calls needed may go under SendCloud's sliding windows, fresh at the
  // start (1000 GET/min; 100 writes a minute, 15 a second), were they sent as fast as the windows allow and
  // nothing else took time: labels come in merged calls of 20 parcels (A6; the benchmark's accounts print no
  // ZPL — a ZPL account adds a merged ZPL call per 20 on v3, a GET per parcel on v2, which merges PDFs only),
  // plus the batch's other GETs as measured (methods, v3's shipment reads); writes: v2 one batch create per
  // group of 50, v3 with one announce per order one write each, through the Orders API one upsert per 100
  // orders and one labels call per 20.
  const labelRoute = (r: string) =>
    /^(v3 )?GET \/(labels\/label_printer|parcel-documents\/label|parcels\/\{id\}\/documents\/label)/.test(r);
  const labelGets = delta(labelRoute);
  const bulkLabelGets = delta((r) => /^(v3 )?GET \/(labels\/label_printer|parcel-documents\/label)$/.test(r));
  const neededLabelGets = Math.ceil(N / 20);
  const v3Writes = ordersApi(apiVersion) ? Math.ceil(N / 100) + Math.ceil(N / 20) : N;
  const neededWrites = apiVersion === 'v3' ? v3Writes : Math.ceil(N / 50);
  const ceilingSeconds =
    Math.max(
      lastSlotMs(neededLabelGets + gets - labelGets, SENDCLOUD_RATE_LIMITS.read),
      lastSlotMs(neededWrites, SENDCLOUD_RATE_LIMITS.write),
    ) / 1000;
  return {
    api: apiVersion,
    ...(apiVersion === 'v3' ? { v3Batches: V3_BATCHES } : {}),
    orders: N,
    seconds: Math.round(seconds * 10) / 10,
    ceilingSeconds: Math.round(ceilingSeconds),
    sendcloudGets: gets,
    labelGets: { bulk: bulkLabelGets, single: labelGets - bulkLabelGets },
    sendcloudGetsPerMinute: Math.round((gets / seconds) * 60),
    shareOfGetLimit: `${Math.round(((gets / seconds) * 60 * 100) / 1000)}%`,
    sendcloudWrites: writes,
    http429: simAfter.rateLimited - simBefore.rateLimited,
    duplicates,
    lost,
    files: batch.files.length,
    /** CPU seconds each process spent in the run (2 cores: at most 2 × seconds in all). */
    cpuSeconds,
    /** Seconds from the start until the batch's first, median and last parcel reached each step. */
    timeline: {
      announced: timeline('Parcel Announced'),
      labelStored: timeline('Label Stored'),
      completed: timeline('Batch Completed').last,
    },
    aws: awsPerParcel(await since(before), N, stack.bus.events.length - eventsBefore),
  };
}

async function realtime(stack: LocalStack, label: string) {
  const count = Number(values.realtime);
  // Under SendCloud's write budget (100/min): a faster steady rate only measures the queue in front of it.
  const ratePerSecond = 1;
  const sent = new Map<string, number>();
  const before = await snapshot();
  const eventsBefore = stack.bus.events.length;
  for (let i = 0; i < count; i++) {
    const orderId = `RT-${label}-${Date.now()}-${i}`;
    sent.set(orderId, Date.now());
    void api(stack, '/orders', { ...example, orderId });
    await new Promise((resolve) => setTimeout(resolve, 1000 / ratePerSecond));
  }
  const until = Date.now() + 60_000;
  const stored = () =>
    stack.bus.events.filter(
      (e) => e['detail-type'] === 'Label Stored' && sent.has((e.detail as { orderId: string }).orderId),
    );
  while (stored().length < count && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 200));
  const latencies = stored().map(
    (e) => Date.parse(e.time) - (sent.get((e.detail as { orderId: string }).orderId) ?? 0),
  );
  return {
    orders: count,
    ratePerSecond,
    labelsStored: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    aws: awsPerParcel(await since(before), count, stack.bus.events.length - eventsBefore),
    parcelIds: stored().map((e) => (e.detail as { parcelId: number }).parcelId),
  };
}

/** Checkout lookups as shoppers make them: 20 addresses, each asked 10 times, 8 at a time. */
async function checkout(stack: LocalStack, sim: SimulatorHandle) {
  const postcodes = [
    '1012AB',
    '1017CE',
    '1071DJ',
    '1091GV',
    '3011AA',
    '3511AB',
    '2511CV',
    '5611AA',
    '9711LM',
    '6811AB',
  ];
  const queries = postcodes.flatMap((pc) => [
    `/service-points?country=NL&postalCode=${pc}`,
    `/delivery-options?country=NL&postalCode=${pc}&weightGrams=1200&orderValue=49.95`,
  ]);
  const order = Array.from({ length: 10 }, () => queries).flat();
  const simBefore = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number };
  const seen = new Set<string>();
  const first: number[] = [];
  const repeat: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < order.length) {
        const path = order[next++] ?? '';
        const fresh = !seen.has(path);
        seen.add(path);
        const started = performance.now();
        const response = await fetch(`${stack.url}${path}`);
        await response.arrayBuffer();
        (fresh ? first : repeat).push(performance.now() - started);
      }
    }),
  );
  const simAfter = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number };
  const ms = (values: number[], p: number) => Math.round(percentile(values, p));
  return {
    requests: order.length,
    sendcloudCalls: simAfter.requests - simBefore.requests,
    firstAskP50Ms: ms(first, 50),
    firstAskP99Ms: ms(first, 99),
    cachedP50Ms: ms(repeat, 50),
    cachedP99Ms: ms(repeat, 99),
  };
}

async function webhooks(stack: LocalStack, sim: SimulatorHandle, parcelIds: number[]) {
  const total = Number(values.webhooks);
  const bodies: string[] = [];
  const base = Date.now();
  // Deliveries as SendCloud sends them: the whole parcel (as the simulator holds it) with its new status.
  const authorization = `Basic ${Buffer.from('sim-public-key:sim-secret-key').toString('base64')}`;
  const parcels = new Map<number, Record<string, unknown>>();
  for (const id of new Set(parcelIds)) {
    const response = await fetch(`${simulatorEndpoints(sim.url).baseUrl}/parcels/${id}`, {
      headers: { authorization },
    });
    parcels.set(id, ((await response.json()) as { parcel: Record<string, unknown> }).parcel);
  }
  for (let i = 0; i < total; i++) {
    const parcelId = parcelIds[i % parcelIds.length] ?? 0;
    const step = Math.floor(i / parcelIds.length);
    const status = [22, 3, 7, 5, 91, 92, 11][step % 7] ?? 11;
    const body = pythonJsonDumps({
      action: 'parcel_status_changed',
      timestamp: base + step * 1000,
      parcel: { ...parcels.get(parcelId), status: { id: status, message: 'bench' } },
      carrier_status_change_timestamp: null,
    });
    bodies.push(body);
    if (i % 5 === 4) bodies.push(body); // every fifth delivery arrives twice
  }
  const latencies: number[] = [];
  // Every answer is counted: a rate of rejections would be no figure at all.
  const statuses: Record<string, number> = {};
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] ?? '';
        const t = performance.now();
        const response = await fetch(`${stack.url}/webhooks/sendcloud`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'sendcloud-signature': signSendcloudPayload(body, 'sim-secret-key'),
          },
          body,
        });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    deliveries: bodies.length,
    accepted: Object.entries(statuses)
      .filter(([status]) => status.startsWith('2'))
      .reduce((n, [, count]) => n + count, 0),
    statuses: JSON.stringify(statuses),
    perSecond: Math.round(bodies.length / seconds),
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
  };
}

/**
 * A flash sale: `--burst` real-time orders posted evenly within 60 s. The figure is the time from the first
 * post to the last order's `Label Stored` (every order must get one; the rest are counted as missing).
 */
async function burst(stack: LocalStack, sim: SimulatorHandle, apiVersion: Api) {
  const count = Number(values.burst);
  const simBefore = await simStats(sim);
  const stamp = Date.now();
  const ids = new Set<string>();
  const started = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = `BURST-${stamp}-${i}`;
    ids.add(orderId);
    posts.push(api(stack, '/orders', { ...example, orderId }));
    const due = ((i + 1) * 60_000) / count;
    const wait = due - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(posts);
  const postSeconds = (performance.now() - started) / 1000;
  const stored = () =>
    stack.bus.events.filter(
      (e) => e['detail-type'] === 'Label Stored' && ids.has((e.detail as { orderId: string }).orderId),
    ).length;
  // SendCloud's write budget alone would need count / 100 minutes one write each: wait that long and more.
  const deadline = performance.now() + Math.max(300_000, (count / 80) * 60_000);
  let done = stored();
  while (done < count && performance.now() < deadline) {
    process.stdout.write(`\r  burst: ${done}/${count} labels     `);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    done = stored();
  }
  const secondsToLastLabel = Math.round(((performance.now() - started) / 1000) * 10) / 10;
  process.stdout.write('\n');
  const simAfter = await simStats(sim);
  // Every SendCloud write the burst made (creates, Orders API upserts, label requests): what the budget paid.
  const sendcloudWrites = routeDelta(simBefore, simAfter, isWrite);
  return {
    api: apiVersion,
    orders: count,
    postSeconds: Math.round(postSeconds * 10) / 10,
    secondsToLastLabel,
    labelled: done,
    missing: count - done,
    sendcloudWrites,
    http429: simAfter.rateLimited - simBefore.rateLimited,
  };
}

let peakRssMiB = 0;
const sampler = setInterval(() => {
  peakRssMiB = Math.max(peakRssMiB, Math.round(process.memoryUsage().rss / 2 ** 20));
}, 500);
if (!values['one-api-to'])
  console.log(
    `sendcloud-bridge benchmark — APIs ${APIS.join(', ')}${APIS.includes('v3') ? ` (v3 batches: ${V3_BATCHES})` : ''}, ${N} end-of-day orders, ${values.burst} burst orders, SendCloud limits on, latency 80 ms GET / 250 ms write`,
  );

/** Everything one API's accounts are measured on: two accounts, so one's end of day can run beside the other. */
async function benchApi(apiVersion: Api, first: boolean) {
  console.log(`\n— ${apiVersion} —`);
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const sim = await simulatorProcess(apiVersion);
  const credentials = (publicKey: string, secretKey: string, position: number) => ({
    publicKey,
    secretKey,
    api: apiVersion,
    // the simulator numbers its accounts' API integrations from FIRST_INTEGRATION_ID
    ...(ordersApi(apiVersion) ? { integrationId: FIRST_INTEGRATION_ID + position } : {}),
  });
  const emulators = await emulatorsProcess(join(stateDir, 'aws'));
  awsCalls = emulators.calls;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.endpoints.dynamodb;
  process.env.AWS_ENDPOINT_URL_SQS = emulators.endpoints.sqs;
  process.env.AWS_ENDPOINT_URL_S3 = emulators.endpoints.s3;
  const wiringOptions = {
    stateDir,
    sendcloud: {
      ...simulatorEndpoints(sim.url),
      accounts: {
        default: credentials('sim-public-key', 'sim-secret-key', 0),
        [OTHER]: credentials('sim-public-key-2', 'sim-secret-key-2', 1),
      },
    },
    logLevel: 'ERROR',
    requeue: { everyMs: 0 },
    ordersQueue: { visibilityTimeoutSeconds: 360, retryBaseSeconds: 2 },
    // The checkout figures are for many shoppers; here they all come from 127.0.0.1.
    checkout: { clientLookupsPerMinute: 100_000 },
  };
  // The batch queue's worker in a process of its own (below), as Lambda gives each invocation its own sandbox.
  const stack = await startLocalStack({
    port: 0,
    stateDir,
    consume: [LOCAL_NAMES.ordersQueue],
    wiring: serviceWiring(wiringOptions),
  });
  const batchWorkers = await Promise.all(
    batchConcurrency().map((batchQueue) =>
      consumerProcess([LOCAL_NAMES.batchQueue], { ...wiringOptions, consumerConcurrency: { batchQueue } }),
    ),
  );
  for (const worker of batchWorkers) setPriority(worker.process.pid ?? 0, Number(values['batch-nice']));
  const eod = await endOfDay(stack, sim, apiVersion, {
    emulators: emulators.pid,
    ...Object.fromEntries(batchWorkers.map((w, i) => [`batchWorker${i + 1}`, w.process.pid ?? 0])),
  });
  // Alone means alone: the end of day just run spent most of this account's minute of writes (the ledger
  // grants a batch what the windows hold at once), and real-time orders in that minute share what is left.
  // Measured after SendCloud's window (and the lease) has let the batch's writes go.
  await new Promise((resolve) => setTimeout(resolve, 62_000));
  const alone = await realtime(stack, 'alone');
  // The other account's end of day, running while the first account's real-time orders are measured.
  await seedEndOfDay(stack, OTHER);
  const otherStarted = performance.now();
  const other = runBatch(stack, OTHER, false);
  const beside = await realtime(stack, 'beside');
  const otherBatch = await other;
  const otherSeconds = (performance.now() - otherStarted) / 1000;
  const flash = await burst(stack, sim, apiVersion);
  const hooks = first ? await webhooks(stack, sim, alone.parcelIds) : null;
  const lookups = first ? await checkout(stack, sim) : null;
  const peakRssByProcess = {
    ...Object.fromEntries(batchWorkers.map((w, i) => [`batchWorker${i + 1}`, peakRssOf(w.process.pid ?? 0)])),
    emulators: peakRssOf(emulators.pid),
  };
  await Promise.all(batchWorkers.map((w) => w.stop()));
  await stack.stop();
  await emulators.stop();
  await sim.stop();
  rmSync(stateDir, { recursive: true, force: true });
  const summary = ({ parcelIds: _ids, ...figures }: Awaited<ReturnType<typeof realtime>>) => figures;
  return {
    endOfDay: eod,
    realtime: {
      api: apiVersion,
      alone: summary(alone),
      besideEndOfDay: {
        ...summary(beside),
        otherAccountOrders: N,
        otherAccountSeconds: Math.round(otherSeconds * 10) / 10,
        otherAccountDone: otherBatch.done,
      },
      p95Ratio: alone.p95Ms > 0 ? Math.round((beside.p95Ms / alone.p95Ms) * 100) / 100 : null,
    },
    burst: flash,
    peakRssMiBByProcess: peakRssByProcess,
    webhooks: hooks,
    checkout: lookups,
  };
}

type ApiRun = Awaited<ReturnType<typeof benchApi>> & { readonly peakRssMiB: number };
if (values['one-api-to']) {
  const [only] = APIS;
  if (!only || APIS.length > 1) throw new Error('--one-api-to measures exactly one --api');
  const run = await benchApi(only, values.webhooks !== '0');
  clearInterval(sampler);
  writeFileSync(values['one-api-to'], JSON.stringify({ ...run, peakRssMiB }));
  process.exit(0);
}
// Each API in a process of its own: the functions' modules keep the stack they were first loaded with.
const runs: ApiRun[] = [];
for (const [i, apiVersion] of APIS.entries()) {
  const out = join(tmpdir(), `bench-${process.pid}-${apiVersion}.json`);
  const args = process.argv.slice(2).filter((a, j, all) => a !== '--api' && all[j - 1] !== '--api');
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/run.ts'),
      ...args,
      '--api',
      apiVersion,
      '--one-api-to',
      out,
      ...(i === 0 ? [] : ['--webhooks', '0']),
    ],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) throw new Error(`the ${apiVersion} run failed (exit ${child.status})`);
  runs.push(JSON.parse(readFileSync(out, 'utf8')) as ApiRun);
  rmSync(out, { force: true });
}
clearInterval(sampler);
peakRssMiB = Math.max(...runs.map((r) => r.peakRssMiB));
// Size against budget and cold init under Node 22 (the Lambda runtime's major), after the stacks have stopped.
const runtimeNode = node22();
/** Fresh imports per function: the machine is shared, a median of five holds still better than one of three. */
const COLD_INIT_RUNS = 5;
const lambdas: LambdaFigures[] = await lambdaFigures({ node: runtimeNode.path, runs: COLD_INIT_RUNS });
const lambdasMeasured = `cold init: median of ${COLD_INIT_RUNS} fresh imports under Node ${runtimeNode.version} of the deployed bundles (AWS SDK bundled in)`;
// The merge alone, in a process of its own: its memory is what the worker's memory must hold.
const mergeRun = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--import',
    'tsx',
    join(root, 'bench/merge.ts'),
    // The issue's figure: a 10,000-label end of day, in parts of 1,000 realistic (60 KB) labels.
    '--labels',
    String(Math.max(N, 10_000)),
    '--json',
  ],
  { encoding: 'utf8' },
);
const merge = JSON.parse(mergeRun.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
const results = {
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    at: new Date().toISOString(),
  },
  endOfDay: runs.map((r) => r.endOfDay),
  realtime: runs.map((r) => r.realtime),
  burst: runs.map((r) => r.burst),
  webhooks: runs[0]?.webhooks ?? null,
  checkout: runs[0]?.checkout ?? null,
  peakRssMiB,
  lambdas,
  lambdasMeasured,
  merge,
};

console.log(
  `\nPeak RSS of the service process (workers and merges; the emulators run in a process of their own): ${peakRssMiB} MiB`,
);
console.log('End of day (ceiling: the writes and GETs SendCloud’s limits allow)');
console.table(
  results.endOfDay.map((e) => ({
    ...e,
    aws: undefined,
    labelGets: JSON.stringify(e.labelGets),
    cpuSeconds: JSON.stringify(e.cpuSeconds),
    timeline: JSON.stringify(e.timeline),
  })),
);
console.log('Real time (order → label stored), alone and beside the other account’s end of day');
console.table(
  results.realtime.flatMap((r) => [
    { api: r.api, run: 'alone', ...r.alone, aws: undefined },
    { api: r.api, run: 'beside end of day', ...r.besideEndOfDay, aws: undefined },
  ]),
);
console.log(`Burst (${values.burst} real-time orders posted within 60 s)`);
console.table(results.burst);
console.log('Webhook ingest (with 20% duplicates; every answer counted)');
console.table([results.webhooks]);
console.log('AWS calls per parcel and cost per 1,000 parcels (list prices, Lambda compute excluded)');
console.table(
  Object.fromEntries(
    runs.flatMap((r) => [
      [`${r.endOfDay.api} end of day`, r.endOfDay.aws],
      [`${r.realtime.api} real time`, r.realtime.alone.aws],
    ]),
  ),
);
console.log('Checkout lookups (first ask goes to SendCloud, repeats come from the cache)');
console.table([results.checkout]);
console.log('Merge alone (as the worker runs it, labels on disk in place of S3)');
console.table([merge]);
console.log('Lambdas');
console.log(lambdasMeasured);
console.table(lambdas);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, values.out), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to ${values.out}`);
process.exit(0);
