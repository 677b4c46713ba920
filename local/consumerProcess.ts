import * as z from 'zod';
import { startLocalConsumers } from './stack';
import { type ServiceWiringOptions, serviceWiring } from './wiring';

/**
 * `tsx local/consumerProcess.ts '<json>'`: the consumers of some of the service's queues in a process of their
 * own, beside a local stack that serves the rest (AWS_ENDPOINT_URL_* in the environment point at its
 * emulators and EventBridge stand-in). `wiring` is the stack's own `serviceWiring` options, as JSON; prints
 * one JSON line (`ready`) once it polls.
 */
const Config = z.object({
  queues: z.array(z.string()).min(1),
  wiring: z.looseObject({
    stateDir: z.string(),
    sendcloud: z.looseObject({ accounts: z.record(z.string(), z.unknown()) }),
  }),
});
const config = Config.parse(JSON.parse(process.argv[2] ?? '{}'));
// The options are the stack's own, passed through; the fields above are the ones this process needs itself.
const options = config.wiring as unknown as ServiceWiringOptions;
const consumers = await startLocalConsumers({
  stateDir: options.stateDir,
  wiring: serviceWiring(options),
  queues: config.queues,
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.on('SIGTERM', () => void consumers.stop().then(() => process.exit(0)));
