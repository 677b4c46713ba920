import * as z from 'zod';
import { ISO_COUNTRIES } from '../shared/orders/countries';

const ACCOUNT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const accountId = z
  .string()
  .regex(ACCOUNT_ID, 'lowercase letters, digits and dashes, e.g. default or shop-be');

/** One SendCloud account the service works for (its keys live in the credentials secret under this id). */
const AccountSettings = z.strictObject({
  /** The account's printers want ZPL next to the A6 PDF. */
  zpl: z.boolean().default(false),
  /**
   * The country of the account's SendCloud sender address: which orders cross a customs border (and need item
   * lines, customs papers, an IOSS number) is decided from it.
   */
  shipsFrom: z
    .string()
    .refine((code) => ISO_COUNTRIES.has(code), 'an ISO 3166-1 country code such as NL')
    .default('NL'),
  /** The account has no webhook configured in SendCloud: poll its parcel statuses every 5 minutes. */
  poll: z.boolean().default(false),
  /** The account's SendCloud budget (developer docs: 1,000 GETs a minute; the help centre says 420). */
  readsPerMinute: z.coerce.number().int().min(10).default(1_000),
  writesPerMinute: z.coerce.number().int().min(5).default(100),
});

/** Stage configuration, from CDK context (`cdk synth -c stage=prod`), validated once at synth time. */
export const StageConfig = z
  .strictObject({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/, 'lowercase, e.g. dev or prod')
      .default('dev'),
    /** Days CloudWatch keeps function logs. */
    logRetentionDays: z.coerce.number().int().positive().default(30),
    /** Powertools log level for every function. */
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    /** SendCloud accounts by id: the credentials secret is created with one entry each to fill in. */
    accounts: z
      .record(accountId, AccountSettings)
      .refine((accounts) => Object.keys(accounts).length > 0, 'name at least one account')
      .default({
        default: { zpl: false, shipsFrom: 'NL', poll: false, readsPerMinute: 1_000, writesPerMinute: 100 },
      }),
    /** Where alarms are e-mailed (an SNS subscription to confirm); without it, subscribe to the topic yourself. */
    alarmEmail: z.email().optional(),
    /** Hours after which an announced parcel without a carrier scan is reported (Parcel Stuck). */
    stuckAfterHours: z.coerce.number().int().positive().default(48),
    /** Minutes after which an order still pending is queued again by the sweeper. */
    requeueAfterMinutes: z.coerce.number().int().positive().default(10),
    /**
     * Minutes between two reads of every account's SendCloud catalogue (integration webhooks trigger one at
     * once as well). Each read is 2 GETs (v2) or 2 shipping-option POSTs (v3) per account.
     */
    catalogRefreshMinutes: z.coerce.number().int().min(5).max(10_080).default(60),
    /** End-of-day runs: per account, a cut-off time (24 h, in `timezone`) and how to split the label files. */
    endOfDay: z
      .array(
        z.strictObject({
          account: accountId,
          cutoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, e.g. 16:00'),
          timezone: z.string().default('Europe/Amsterdam'),
          splitBy: z.enum(['none', 'carrier', 'packingStation']).default('none'),
          weekdays: z.string().default('MON-FRI'),
        }),
      )
      .default([
        {
          account: 'default',
          cutoff: '16:00',
          timezone: 'Europe/Amsterdam',
          splitBy: 'none',
          weekdays: 'MON-FRI',
        },
      ]),
    /**
     * The webhook routes' gateway throttle (requests a second, and the burst above it). Sized for 1M parcels a
     * day: ≈ 10 status changes a parcel over its life is 10M deliveries a day, 116/s on average; carriers scan in
     * waves, so 5× that at peak. A delivery throttled with 429 is not lost: SendCloud retries it (10 times, from
     * 5 minutes), but its status arrives late.
     */
    webhooks: z
      .strictObject({
        rateLimit: z.coerce.number().int().min(1).default(600),
        burstLimit: z.coerce.number().int().min(1).default(1_200),
      })
      .default({ rateLimit: 600, burstLimit: 1_200 }),
    /** Checkout routes: shop origins allowed in browsers, Dynamic Checkout configurations, hand-over cut-off. */
    checkout: z
      .strictObject({
        origins: z
          .array(
            z.union([
              z.url({ protocol: /^https?$/, error: 'a shop origin such as https://shop.example' }),
              z.literal('*'),
            ]),
          )
          .default([]),
        /** account → SendCloud Dynamic Checkout configuration id */
        configurations: z.record(z.string(), z.string()).default({}),
        cutoff: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, e.g. 16:00')
          .default('16:00'),
        timezone: z.string().default('Europe/Amsterdam'),
        cacheSeconds: z.coerce.number().int().positive().default(300),
        /** Uncached lookups one client (address) may make per account and minute. */
        clientLookupsPerMinute: z.coerce.number().int().min(2).default(20),
        /** Requests per second the public checkout routes take (each), with bursts of twice that. */
        rateLimit: z.coerce.number().int().positive().default(50),
      })
      .default({
        origins: [],
        configurations: {},
        cutoff: '16:00',
        timezone: 'Europe/Amsterdam',
        cacheSeconds: 300,
        clientLookupsPerMinute: 20,
        rateLimit: 50,
      }),
    /** CloudFront + AWS WAF in front of the API (infra/constructs/PublicEdge.ts). */
    edge: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Requests one IP may send the public checkout routes in 5 minutes before WAF answers 429. */
        rateLimitPer5Min: z.coerce.number().int().min(10).max(2_000_000_000).default(600),
        /** A CLOUDFRONT WebACL made in us-east-1 (EdgeWebAcl); required unless this stack deploys there. */
        webAclArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/,
            'a CLOUDFRONT WebACL ARN (us-east-1)',
          )
          .optional(),
      })
      .default({ enabled: false, rateLimitPer5Min: 600 }),
    /** Days the event bus archive keeps events for replay. */
    eventArchiveDays: z.coerce.number().int().positive().default(30),
  })
  .superRefine((config, ctx) => {
    const known = new Set(Object.keys(config.accounts));
    for (const [i, run] of config.endOfDay.entries())
      if (!known.has(run.account))
        ctx.addIssue({
          code: 'custom',
          path: ['endOfDay', i, 'account'],
          message: `"${run.account}" is not in accounts (${[...known].join(', ')})`,
        });
    for (const account of Object.keys(config.checkout.configurations))
      if (!known.has(account))
        ctx.addIssue({
          code: 'custom',
          path: ['checkout', 'configurations', account],
          message: `"${account}" is not in accounts`,
        });
  });
export type StageConfig = z.infer<typeof StageConfig>;

/** The stage configuration's keys: what `-c key=value` may set. */
export const STAGE_KEYS = [
  'stage',
  'logRetentionDays',
  'logLevel',
  'accounts',
  'alarmEmail',
  'stuckAfterHours',
  'requeueAfterMinutes',
  'catalogRefreshMinutes',
  'endOfDay',
  'webhooks',
  'checkout',
  'edge',
  'eventArchiveDays',
] as const satisfies ReadonlyArray<keyof StageConfig>;

/**
 * `-c endOfDay='[…]'` reaches the app as a string: values of object and array keys are parsed as JSON (a
 * syntax error names the key). Keys that are not set stay undefined and take their defaults.
 */
export function stageContext(get: (key: string) => unknown): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const key of STAGE_KEYS) {
    const value = get(key);
    if (value === undefined) continue;
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
      try {
        context[key] = JSON.parse(value);
      } catch (error) {
        throw new Error(`Invalid stage configuration: ${key}: not valid JSON (${(error as Error).message})`);
      }
    } else context[key] = value;
  }
  return context;
}

export function loadStageConfig(context: Readonly<Record<string, unknown>>): StageConfig {
  const result = StageConfig.safeParse(context);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid stage configuration: ${problems}`);
  }
  return result.data;
}
