import { RateLimitsSetting } from '../governor/limits';
import * as z from '../validation/zod';

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `key=value,…` pairs, each value checked: a typo fails at cold start instead of being ignored. */
const accountMap = (value: RegExp, what: string) =>
  z.pipe(
    z._default(z.string(), ''),
    z.transform((text, ctx) => {
      const map = new Map<string, string>();
      for (const pair of list(text)) {
        const [key = '', ...rest] = pair.split('=');
        const entry = rest.join('=').trim();
        if (!key.trim() || !value.test(entry))
          ctx.issues.push({ code: 'custom', message: `"${pair}" is not account=${what}`, input: text });
        else map.set(key.trim(), entry);
      }
      return map;
    }),
  );

const accountList = z.pipe(
  z._default(z.string(), ''),
  z.transform((value) => new Set(list(value))),
);

/**
 * The functions' environment, validated once at cold start: a misconfiguration fails loudly, early. Each
 * function gets only the resource names its declaration (infra/functions.ts) binds, so those are optional
 * here; using an adapter whose resource is not bound fails with `UnboundResourceError`.
 */
export const ServiceEnv = z.object({
  TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  IDEMPOTENCY_TABLE_NAME: z.optional(z.string().check(z.minLength(3))),
  ORDERS_QUEUE_URL: z.optional(z.url()),
  /** End-of-day work (batch groups, merges, batch assembly): its own queue, so it never takes real-time slots. */
  BATCH_QUEUE_URL: z.optional(z.url()),
  LABEL_BUCKET: z.optional(z.string().check(z.minLength(3))),
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** The accounts configured for this stage (functions that check an account id without calling SendCloud). */
  ACCOUNTS: accountList,
  SENDCLOUD_BASE_URL: z.optional(z.url()),
  /** The panel API v3 (default https://panel.sendcloud.sc/api/v3); the simulator's locally. */
  SENDCLOUD_V3_BASE_URL: z.optional(z.url()),
  SENDCLOUD_SERVICE_POINTS_BASE_URL: z.optional(z.url()),
  /** Secrets Manager secret with every account's keys (in AWS). */
  SENDCLOUD_CREDENTIALS_SECRET_ARN: z.optional(z.string()),
  /** A JSON file with the same content (local stack only). */
  SENDCLOUD_CREDENTIALS_FILE: z.optional(z.string()),
  /** Accounts whose printers want ZPL as well as the A6 PDF. */
  ZPL_ACCOUNTS: accountList,
  /** Where each account ships from (its SendCloud sender's country): customs are decided from it. Default NL. */
  SHIPS_FROM: accountMap(/^[A-Z]{2}$/, 'a country code such as NL'),
  /** Accounts without webhooks, whose statuses are polled. */
  POLL_ACCOUNTS: accountList,
  /** Hours after which an announced parcel without a carrier scan is reported. */
  STUCK_AFTER_HOURS: z._default(z.coerce.number().check(z.positive()), 48),
  /** Seconds after which the sweeper queues a still-pending order again. */
  REQUEUE_AFTER_SECONDS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 600),
  /** First retry delay of a failed queue message (doubles per receive, at most 15 minutes). */
  RETRY_BASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 10),
  /** `account=reads/min:writes/min,…` (`*=` for the rest): each account's SendCloud budget; default 1000:100. */
  SENDCLOUD_RATE_LIMITS: RateLimitsSetting,
  /** A report up to this size is answered inline; a larger one through a presigned link (303). */
  REPORT_INLINE_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 1_048_576),
  /** Parcels per merged label call of a batch (v3 takes 1–20; v2 documents no maximum, the port takes 100). */
  LABEL_BULK_SIZE: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  /** Labels per merged end-of-day file. */
  MERGE_PART_SIZE: z._default(z.coerce.number().check(z.int(), z.positive()), 1_000),
  /** How long the credentials document is reused before it is read again (rotation reaches warm functions). */
  CREDENTIALS_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 300),
  ORDER_LOCK_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 120),
  /** `dynamodb`: one token bucket per account shared by every function; `local`: per process (tests, tools). */
  RATE_GOVERNOR: z._default(z.enum(['dynamodb', 'local']), 'dynamodb'),
  /** Shop origins allowed to call the checkout routes from a browser (comma-separated, or `*`). */
  CHECKOUT_ORIGINS: z.pipe(z._default(z.string(), ''), z.transform(list)),
  /** `account=configurationId,…`: accounts whose delivery options come from SendCloud Dynamic Checkout. */
  CHECKOUT_CONFIGURATIONS: accountMap(/^[^=\s]+$/, 'a configuration id'),
  /** `account=HH:MM@Time/Zone,…`: each account's hand-over cut-off (its end-of-day run), else the default. */
  CHECKOUT_CUTOFFS: z.pipe(
    accountMap(/^([01]\d|2[0-3]):[0-5]\d@[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, 'HH:MM@Time/Zone'),
    z.transform(
      (map) =>
        new Map(
          [...map].map(([account, value]) => {
            const [cutOff = '', timeZone = ''] = value.split('@');
            return [account, { cutOff, timeZone }] as const;
          }),
        ),
    ),
  ),
  /** Orders placed after this local time are handed over the next working day. */
  CHECKOUT_CUTOFF: z._default(z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')), '16:00'),
  CHECKOUT_TIME_ZONE: z._default(z.string(), 'Europe/Amsterdam'),
  /** How long a service-point or delivery-option answer is reused without asking SendCloud. */
  CHECKOUT_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 300),
  /** How long checkout waits for SendCloud before answering from the last good data. */
  CHECKOUT_DEADLINE_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 2_500),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;

/** The country an account ships from, as the stage declares it (NL unless `SHIPS_FROM` says otherwise). */
export const shipsFromOf =
  (env: Pick<ServiceEnv, 'SHIPS_FROM'>) =>
  (account: string): string =>
    env.SHIPS_FROM.get(account) ?? 'NL';

export function loadEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const result = ServiceEnv.safeParse(env);
  if (!result.success) {
    throw new Error(
      `Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}
