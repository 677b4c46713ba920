import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ACCOUNT,
  type RunningSimulator,
  type SimAccountInput,
  type SimulatorServerOptions,
  startSimulator,
} from '../../local/simulator';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type ServiceWiringOptions, serviceWiring } from '../../local/wiring';

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
  } = {},
): Promise<Bridge> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bridge-'));
  const extra = options.extraAccounts ?? [];
  const sim = await startSimulator({
    port: 0,
    rateLimits: false,
    ...(extra.length > 0 ? { accounts: [DEFAULT_ACCOUNT, ...extra] } : {}),
    ...options.simulator,
  });
  const stack = await startLocalStack({
    port: 0,
    stateDir,
    wiring: serviceWiring({
      stateDir,
      sendcloud: {
        baseUrl: sim.baseUrl,
        servicePointsBaseUrl: sim.servicePointsBaseUrl,
        accounts: {
          default: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
          ...Object.fromEntries(
            extra.map((a) => [
              a.id,
              {
                publicKey: a.publicKey,
                secretKey: a.secretKey,
                ...(a.webhookSecret ? { webhookSecrets: [a.webhookSecret] } : {}),
              },
            ]),
          ),
        },
      },
      logLevel: 'ERROR',
      requeue: { everyMs: 0 },
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
