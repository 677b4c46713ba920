import * as z from 'zod';
import { startLocalStack } from './stack';
import { serviceWiring } from './wiring';

/**
 * `tsx local/stackProcess.ts '<json>'`: the service's local stack alone in its own process, against a
 * SendCloud (the simulator) that runs elsewhere — for tests that kill the stack with SIGKILL and start it again
 * on the same state folder while SendCloud carries on. Prints one JSON line (`ready`, the URL) once it serves.
 */
const Config = z.object({
  stateDir: z.string(),
  sendcloud: z.object({
    baseUrl: z.string(),
    v3BaseUrl: z.string(),
    servicePointsBaseUrl: z.string(),
    account: z.object({ publicKey: z.string(), secretKey: z.string(), api: z.enum(['v2', 'v3']) }),
  }),
  zplAccounts: z.array(z.string()).optional(),
  mergePartSize: z.number().int().positive().optional(),
  labelBulkSize: z.number().int().min(1).max(100).optional(),
  ordersQueue: z
    .object({
      visibilityTimeoutSeconds: z.number().int().positive(),
      maxReceiveCount: z.number().int().positive(),
      retryBaseSeconds: z.number().int().positive(),
    })
    .optional(),
  requeue: z.object({ everyMs: z.number().int().nonnegative(), afterSeconds: z.number() }).optional(),
});

const config = Config.parse(JSON.parse(process.argv[2] ?? '{}'));
const { account, ...sendcloud } = config.sendcloud;
const stack = await startLocalStack({
  port: 0,
  stateDir: config.stateDir,
  wiring: serviceWiring({
    stateDir: config.stateDir,
    sendcloud: { ...sendcloud, accounts: { default: account } },
    logLevel: 'ERROR',
    ...(config.zplAccounts ? { zplAccounts: config.zplAccounts } : {}),
    ...(config.mergePartSize ? { mergePartSize: config.mergePartSize } : {}),
    ...(config.labelBulkSize ? { labelBulkSize: config.labelBulkSize } : {}),
    ...(config.ordersQueue ? { ordersQueue: config.ordersQueue } : {}),
    ...(config.requeue ? { requeue: config.requeue } : {}),
  }),
});
process.stdout.write(`${JSON.stringify({ ready: true, url: stack.url, endpoints: stack.endpoints })}\n`);
process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
