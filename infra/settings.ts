import type { StageConfig } from './config';
import { type FunctionDeclaration, SETTING_ENV, settingsOf } from './functions';

/** What each setting's environment variables hold, from the stage configuration. */
export function settingValues(config: StageConfig): Record<string, string> {
  const accounts = Object.entries(config.accounts);
  return {
    ACCOUNTS: accounts.map(([id]) => id).join(','),
    ZPL_ACCOUNTS: accounts
      .filter(([, a]) => a.zpl)
      .map(([id]) => id)
      .join(','),
    SHIPS_FROM: accounts.map(([id, a]) => `${id}=${a.shipsFrom}`).join(','),
    POLL_ACCOUNTS: accounts
      .filter(([, a]) => a.poll)
      .map(([id]) => id)
      .join(','),
    STUCK_AFTER_HOURS: String(config.stuckAfterHours),
    REQUEUE_AFTER_SECONDS: String(config.requeueAfterMinutes * 60),
    RETRY_BASE_SECONDS: '10',
    MERGE_PART_SIZE: '1000',
    LABEL_BULK_SIZE: '20',
    REPORT_INLINE_MAX_BYTES: String(1024 * 1024),
    SENDCLOUD_RATE_LIMITS: accounts
      .map(([id, a]) => `${id}=${a.readsPerMinute}:${a.writesPerMinute}`)
      .join(','),
    CHECKOUT_ORIGINS: config.checkout.origins.join(','),
    CHECKOUT_CONFIGURATIONS: Object.entries(config.checkout.configurations)
      .map(([account, id]) => `${account}=${id}`)
      .join(','),
    CHECKOUT_CUTOFF: config.checkout.cutoff,
    // Checkout promises the hand-over of each account's own end-of-day run.
    CHECKOUT_CUTOFFS: config.endOfDay.map((run) => `${run.account}=${run.cutoff}@${run.timezone}`).join(','),
    CHECKOUT_TIME_ZONE: config.checkout.timezone,
    CHECKOUT_CACHE_SECONDS: String(config.checkout.cacheSeconds),
    CHECKOUT_DEADLINE_MS: '2500',
    CHECKOUT_CLIENT_LOOKUPS_PER_MINUTE: String(config.checkout.clientLookupsPerMinute),
  };
}

/** The settings environment of one function: only the keys its declaration names. */
export function settingsEnvironment(
  declaration: FunctionDeclaration,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of settingsOf(declaration))
    for (const key of SETTING_ENV[setting]) {
      const value = values[key];
      if (value === undefined) throw new Error(`setting ${setting}: no value for ${key}`);
      env[key] = value;
    }
  return env;
}
