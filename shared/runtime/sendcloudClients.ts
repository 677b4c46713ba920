import { windowsFor } from '../governor/limits';
import { type Priority, SendcloudClients, type SharedClientOptions } from '../sendcloud/accounts';
import type { SendcloudPort } from '../sendcloud/port';
import { accountDirectory } from './accountDirectory';
import type { Adapter, Runtime } from './Runtime';

/** One SendCloud client per account, all under the account's rate budget. */
export const sendcloudClients: Adapter<SendcloudClients> = (runtime) => clientsOf(runtime, {});

/**
 * The SendCloud clients of a function that serves A4 labels: `composeA4` (pdf-lib) is passed in by the
 * caller (`a4SendcloudPorts`), so every other function's bundle leaves pdf-lib out.
 */
export function clientsOf(runtime: Runtime, extra: Pick<SharedClientOptions, 'composeA4'>): SendcloudClients {
  const { env, options } = runtime;
  // Every worker and job of an account shares one DynamoDB token bucket (RATE_GOVERNOR=local: per process,
  // as `rateGovernor` decides).
  return new SendcloudClients(runtime.use(accountDirectory), {
    ...(env.RATE_GOVERNOR === 'dynamodb'
      ? {
          limiterFor: async (account: string, priority: Priority) =>
            (await governorOf(runtime)).limiter(account, priority),
        }
      : { rateLimitsFor: (account: string) => windowsFor(env.SENDCLOUD_RATE_LIMITS.of(account)) }),
    ...(env.SENDCLOUD_BASE_URL ? { baseUrl: env.SENDCLOUD_BASE_URL } : {}),
    ...(env.SENDCLOUD_V3_BASE_URL ? { v3BaseUrl: env.SENDCLOUD_V3_BASE_URL } : {}),
    ...(env.SENDCLOUD_SERVICE_POINTS_BASE_URL
      ? { servicePointsBaseUrl: env.SENDCLOUD_SERVICE_POINTS_BASE_URL }
      : {}),
    ...(options.onSendcloudAttempt ? { onAttempt: options.onSendcloudAttempt } : {}),
    ...(options.onMethodGone ? { onMethodGone: options.onMethodGone } : {}),
    ...extra,
  });
}

/**
 * The DynamoDB governor, loaded with the first SendCloud client that needs it, like the SendCloud adapters
 * themselves; the same instance as `rateGovernor`'s (the worker's admission shares its leases).
 */
async function governorOf(runtime: Runtime) {
  const { dynamoRateGovernor } = await import('./rateGovernor');
  return runtime.use(dynamoRateGovernor);
}

/** The account's SendCloud behind the version-neutral port, as use cases take it (ProcessDeps.sendcloud). */
export const sendcloudPorts: Adapter<
  (account: string, priority?: 'realtime' | 'batch') => Promise<SendcloudPort>
> = (runtime) => (account, priority) => runtime.use(sendcloudClients).port(account, priority);
