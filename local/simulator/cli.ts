import { parseArgs } from 'node:util';
import * as z from 'zod';
import { RateLimitsSetting, windowsFor } from '../../shared/governor/limits';
import { DUPLICATE_REFERENCE_MODES } from './accounts';
import { BULK_PAGE_ORDERS } from './bulkPageOrder';
import { startSimulator } from './server';

/**
 * The simulator as its own process (the benchmark runs it so, like the real SendCloud, its rendering does not
 * share an event loop with the service). Prints `SIMULATOR_URL=<url>` once listening.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'read-latency': { type: 'string', default: '0' },
    'write-latency': { type: 'string', default: '0' },
    'webhook-url': { type: 'string' },
    'no-rate-limits': { type: 'boolean', default: false },
    /** The account's budget as `SENDCLOUD_RATE_LIMITS` gives it, e.g. `default=420:100` (or `*=420:100`). */
    'rate-limits': { type: 'string', default: '' },
    /** accept | reject | return-existing: how a reused external reference is answered. */
    'duplicate-external-reference': { type: 'string', default: 'reject' },
    /** requested | reversed | shuffled: the page order of merged label files (SendCloud documents none). */
    'bulk-page-order': { type: 'string', default: 'requested' },
    /** v2 | v3: the API the `default` account stands for (v3: its v2 creates are refused, as SendCloud does). */
    api: { type: 'string', default: 'v2' },
    /** The `default` account's API integration id (Orders API); default 241526. */
    'integration-id': { type: 'string' },
    /** How long an order's label request stays ANNOUNCING (ms on the simulator's clock); default 300. */
    'async-announce-ms': { type: 'string' },
    /** A second account of the same API (keys `sim-public-key-2` / `sim-secret-key-2`), e.g. `other`. */
    'second-account': { type: 'string' },
  },
});
const integrationId =
  values['integration-id'] === undefined
    ? undefined
    : z.coerce.number().int().positive().parse(values['integration-id']);
const asyncAnnounceMs =
  values['async-announce-ms'] === undefined
    ? undefined
    : z.coerce.number().int().min(0).parse(values['async-announce-ms']);
const duplicateExternalReference = z
  .enum(DUPLICATE_REFERENCE_MODES)
  .parse(values['duplicate-external-reference']);
const rateLimits = windowsFor(RateLimitsSetting.parse(values['rate-limits']).of('default'));
const read = Number(values['read-latency']);
const write = Number(values['write-latency']);
const sim = await startSimulator({
  port: Number(values.port),
  ...(values['no-rate-limits'] ? { rateLimits: false as const } : {}),
  ...(read || write ? { latencyMs: { read, write } } : {}),
  accounts: [
    {
      id: 'default',
      publicKey: 'sim-public-key',
      secretKey: 'sim-secret-key',
      webhookUrl: values['webhook-url'] ?? null,
      duplicateExternalReference,
      bulkPageOrder: z.enum(BULK_PAGE_ORDERS).parse(values['bulk-page-order']),
      api: z.enum(['v2', 'v3']).parse(values.api),
      ...(integrationId === undefined ? {} : { integrationId }),
      ...(asyncAnnounceMs === undefined ? {} : { asyncAnnounceMs }),
      ...(values['rate-limits'] ? { rateLimits } : {}),
    },
    ...(values['second-account']
      ? [
          {
            id: values['second-account'],
            publicKey: 'sim-public-key-2',
            secretKey: 'sim-secret-key-2',
            webhookUrl: null,
            duplicateExternalReference,
            api: z.enum(['v2', 'v3']).parse(values.api),
            ...(asyncAnnounceMs === undefined ? {} : { asyncAnnounceMs }),
          },
        ]
      : []),
  ],
});
console.log(`SIMULATOR_URL=${sim.url}`);
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
