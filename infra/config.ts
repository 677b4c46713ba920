import * as z from 'zod';

/** Stage configuration, from CDK context (`cdk synth -c stage=prod`), validated once at synth time. */
export const StageConfig = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,20}$/, 'lowercase, e.g. dev or prod')
    .default('dev'),
  /** Days CloudWatch keeps function logs. */
  logRetentionDays: z.coerce.number().int().positive().default(30),
  /** Powertools log level for every function. */
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** End-of-day runs: per account, a cut-off time (24 h, in `timezone`) and how to split the label files. */
  endOfDay: z
    .array(
      z.object({
        account: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
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
  /** Checkout routes: shop origins allowed in browsers, Dynamic Checkout configurations, hand-over cut-off. */
  checkout: z
    .object({
      origins: z.array(z.union([z.url(), z.literal('*')])).default([]),
      /** account → SendCloud Dynamic Checkout configuration id */
      configurations: z.record(z.string(), z.string()).default({}),
      cutoff: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, e.g. 16:00')
        .default('16:00'),
      timezone: z.string().default('Europe/Amsterdam'),
      cacheSeconds: z.coerce.number().int().positive().default(300),
      /** Requests per second the public checkout routes take (each), with bursts of twice that. */
      rateLimit: z.coerce.number().int().positive().default(50),
    })
    .default({
      origins: [],
      configurations: {},
      cutoff: '16:00',
      timezone: 'Europe/Amsterdam',
      cacheSeconds: 300,
      rateLimit: 50,
    }),
  /** Days the event bus archive keeps events for replay. */
  eventArchiveDays: z.coerce.number().int().positive().default(30),
});
export type StageConfig = z.infer<typeof StageConfig>;

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
