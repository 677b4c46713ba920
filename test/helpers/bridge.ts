import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ACCOUNT,
  type RunningSimulator,
  type SimAccountInput,
  type SimulatorServerOptions,
  simulatorEndpoints,
  startSimulator,
} from '../../local/simulator';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ServiceWiringOptions, serviceWiring } from '../../local/wiring';
import type { EventSubscriptionAuth } from '../../shared/config';

/** The SendCloud API versions every suite that matters runs over (an account on each). */
export const API_VERSIONS = ['v2', 'v3'] as const;

/** The README's example order (docs/examples/order.json). */
export const exampleOrder = (): Record<string, unknown> & { recipient: Record<string, unknown> } =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/examples/order.json'), 'utf8'));

export interface Bridge {
  readonly sim: RunningSimulator;
  readonly stack: LocalStack;
  readonly stateDir: string;
  stop(): Promise<void>;
}

/** The simulator and the service's local stack wired to it, as the integration tests run them. */
export async function startBridge(
  options: {
    readonly simulator?: SimulatorServerOptions;
    readonly wiring?: Omit<ServiceWiringOptions, 'stateDir' | 'sendcloud'>;
    /** Accounts besides `default`, known to both the simulator and the service (same keys in both). */
    readonly extraAccounts?: readonly SimAccountInput[];
    /**
     * The API of the `default` account, in the simulator and in its credentials. Default v2 (an account from
     * before 13 April 2026); suites that matter run over both (`API_VERSIONS`).
     */
    readonly api?: 'v2' | 'v3';
    /**
     * How v3 accounts announce batches (end of day, `POST /orders/batch`): `orders` (default) — the Orders
     * API, their credentials name the simulator account's integration — or `announce`, one synchronous
     * announce per order (no integration id).
     */
    readonly v3Batches?: 'orders' | 'announce';
    /** The `default` account's `eventSubscription` credentials (v3 event subscriptions); default none. */
    readonly eventSubscription?: EventSubscriptionAuth;
    /** `eventSubscription` credentials of `extraAccounts`, by account id; default none. */
    readonly extraEventSubscriptions?: Readonly<Record<string, EventSubscriptionAuth>>;
  } = {},
): Promise<Bridge> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bridge-'));
  const api = options.api ?? 'v2';
  // Each account's API integration, known to the simulator and (for the Orders API path) to the service.
  const extra = (options.extraAccounts ?? []).map((a, i) => ({ integrationId: 7002 + i, ...a }));
  const integration = (account: { readonly api?: 'v2' | 'v3'; readonly integrationId: number }) =>
    account.api === 'v3' && (options.v3Batches ?? 'orders') === 'orders'
      ? { integrationId: account.integrationId }
      : {};
  const sim = await startSimulator({
    port: 0,
    rateLimits: false,
    accounts: [{ ...DEFAULT_ACCOUNT, api, integrationId: 7001 }, ...extra],
    ...options.simulator,
  });
  const stack = await startLocalStack({
    port: 0,
    stateDir,
    wiring: serviceWiring({
      stateDir,
      sendcloud: {
        ...simulatorEndpoints(sim.url),
        accounts: {
          default: {
            publicKey: 'sim-public-key',
            secretKey: 'sim-secret-key',
            api,
            ...integration({ api, integrationId: 7001 }),
            ...(options.eventSubscription ? { eventSubscription: options.eventSubscription } : {}),
          },
          ...Object.fromEntries(
            extra.map((a) => [
              a.id,
              {
                publicKey: a.publicKey,
                secretKey: a.secretKey,
                api: a.api ?? 'v2',
                ...integration(a),
                ...(a.webhookSecret ? { webhookSecrets: [a.webhookSecret] } : {}),
                ...(options.extraEventSubscriptions?.[a.id]
                  ? { eventSubscription: options.extraEventSubscriptions[a.id] }
                  : {}),
              },
            ]),
          ),
        },
      },
      logLevel: 'ERROR',
      requeue: { everyMs: 0 },
      // Suites that count SendCloud's calls would see the refresh's; the catalogue suite asks for it.
      catalogRefresh: { everyMs: 0, runAtStart: false },
      ...options.wiring,
    }),
  });
  return {
    sim,
    stack,
    stateDir,
    stop: async () => {
      await stack.stop();
      await sim.stop();
    },
  };
}
