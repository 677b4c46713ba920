import * as z from 'zod';

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `key=value,…` pairs, each value checked: a typo fails at cold start instead of being ignored. */
const accountMap = (value: RegExp, what: string) =>
  z
    .string()
    .default('')
    .transform((text, ctx) => {
      const map = new Map<string, string>();
      for (const pair of list(text)) {
        const [key = '', ...rest] = pair.split('=');
        const entry = rest.join('=').trim();
        if (!key.trim() || !value.test(entry))
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not account=${what}` });
        else map.set(key.trim(), entry);
      }
      return map;
    });

/** The functions' environment, validated once at cold start: a misconfiguration fails loudly, early. */
export const ServiceEnv = z
  .object({
    TABLE_NAME: z.string().min(3),
    IDEMPOTENCY_TABLE_NAME: z.string().min(3),
    ORDERS_QUEUE_URL: z.url(),
    LABEL_BUCKET: z.string().min(3),
    EVENT_BUS_NAME: z.string().min(1),
    SENDCLOUD_BASE_URL: z.url().optional(),
    SENDCLOUD_SERVICE_POINTS_BASE_URL: z.url().optional(),
    /** Secrets Manager secret with every account's keys (in AWS). */
    SENDCLOUD_CREDENTIALS_SECRET_ARN: z.string().optional(),
    /** A JSON file with the same content (local stack only). */
    SENDCLOUD_CREDENTIALS_FILE: z.string().optional(),
    /** Accounts whose printers want ZPL as well as the A6 PDF. */
    ZPL_ACCOUNTS: z
      .string()
      .default('')
      .transform(
        (value) =>
          new Set(
            value
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean),
          ),
      ),
    ORDER_LOCK_SECONDS: z.coerce.number().int().positive().default(120),
    /** `dynamodb`: one token bucket per account shared by every function; `local`: per process (tests, tools). */
    RATE_GOVERNOR: z.enum(['dynamodb', 'local']).default('dynamodb'),
    /** Shop origins allowed to call the checkout routes from a browser (comma-separated, or `*`). */
    CHECKOUT_ORIGINS: z.string().default('').transform(list),
    /** `account=configurationId,…`: accounts whose delivery options come from SendCloud Dynamic Checkout. */
    CHECKOUT_CONFIGURATIONS: accountMap(/^[^=\s]+$/, 'a configuration id'),
    /** `account=HH:MM@Time/Zone,…`: each account's hand-over cut-off (its end-of-day run), else the default. */
    CHECKOUT_CUTOFFS: accountMap(
      /^([01]\d|2[0-3]):[0-5]\d@[A-Za-z_]+(\/[A-Za-z_+-]+)*$/,
      'HH:MM@Time/Zone',
    ).transform(
      (map) =>
        new Map(
          [...map].map(([account, value]) => {
            const [cutOff = '', timeZone = ''] = value.split('@');
            return [account, { cutOff, timeZone }] as const;
          }),
        ),
    ),
    /** Orders placed after this local time are handed over the next working day. */
    CHECKOUT_CUTOFF: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
      .default('16:00'),
    CHECKOUT_TIME_ZONE: z.string().default('Europe/Amsterdam'),
    /** How long a service-point or delivery-option answer is reused without asking SendCloud. */
    CHECKOUT_CACHE_SECONDS: z.coerce.number().int().positive().default(300),
    /** How long checkout waits for SendCloud before answering from the last good data. */
    CHECKOUT_DEADLINE_MS: z.coerce.number().int().positive().default(2_500),
  })
  .refine((env) => env.SENDCLOUD_CREDENTIALS_SECRET_ARN || env.SENDCLOUD_CREDENTIALS_FILE, {
    message: 'set SENDCLOUD_CREDENTIALS_SECRET_ARN (AWS) or SENDCLOUD_CREDENTIALS_FILE (local)',
    path: ['SENDCLOUD_CREDENTIALS_SECRET_ARN'],
  });
export type ServiceEnv = z.infer<typeof ServiceEnv>;

export function loadEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const result = ServiceEnv.safeParse(env);
  if (!result.success) {
    throw new Error(
      `Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}
