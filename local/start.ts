import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SendcloudClient } from '../shared/sendcloud';
import { runDemo } from './demo';
import { type RunningSimulator, simulatorEndpoints, startSimulator } from './simulator';
import { startLocalStack } from './stack';
import { serviceWiring } from './wiring';

/** The `default` simulator account's SendCloud API integration (Settings → Integrations in the panel). */
const DEFAULT_INTEGRATION_ID = 241_526;

/**
 * `npm start`: the whole service on one machine — SendCloud simulator (:4010), DynamoDB/SQS/S3 emulators,
 * the EventBridge stand-in, the HTTP gateway (:3000), queue runner and scheduler — state in .local/.
 * With SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY set it talks to the real SendCloud instead.
 */
const root = join(import.meta.dirname, '..');
const stateDir = join(root, '.local');
const port = Number(process.env.PORT ?? 3000);
const simulatorPort = Number(process.env.SIMULATOR_PORT ?? 4010);
const timelineStepMs = Number(process.env.SIMULATOR_TIMELINE_STEP_MS ?? 15_000);
const real = Boolean(process.env.SENDCLOUD_PUBLIC_KEY && process.env.SENDCLOUD_SECRET_KEY);
const started = performance.now();

if (process.argv.includes('--fresh')) rmSync(stateDir, { recursive: true, force: true });

let simulator: RunningSimulator | undefined;
if (real) {
  console.log(
    '\n  !!! SENDCLOUD_PUBLIC_KEY is set: the service talks to the REAL SendCloud API (panel.sendcloud.sc).',
  );
  console.log('  !!! Every label it creates is a real label that may cost money.\n');
} else {
  simulator = await startSimulator({
    port: simulatorPort,
    stateFile: join(stateDir, 'simulator-state.json'),
    timelineStepMs,
    // Signed status webhooks go to the local gateway, as SendCloud's would go to the API.
    // `default` stands for an account opened after 13 April 2026 (API v3 only); `legacy` for an older one
    // that keeps API v2.
    accounts: [
      {
        id: 'default',
        publicKey: 'sim-public-key',
        secretKey: 'sim-secret-key',
        api: 'v3',
        integrationId: DEFAULT_INTEGRATION_ID,
        webhookUrl: `http://127.0.0.1:${port}/webhooks/sendcloud`,
      },
      {
        id: 'legacy',
        publicKey: 'sim-legacy-public-key',
        secretKey: 'sim-legacy-secret-key',
        api: 'v2',
        webhookUrl: `http://127.0.0.1:${port}/webhooks/sendcloud/legacy`,
      },
    ],
  });
}
const sendcloud = simulator
  ? {
      ...simulatorEndpoints(simulator.url),
      accounts: {
        // With its API integration, end of day and `POST /orders/batch` go through the Orders API.
        default: {
          publicKey: 'sim-public-key',
          secretKey: 'sim-secret-key',
          api: 'v3' as const,
          integrationId: DEFAULT_INTEGRATION_ID,
        },
        legacy: {
          publicKey: 'sim-legacy-public-key',
          secretKey: 'sim-legacy-secret-key',
          api: 'v2' as const,
        },
      },
    }
  : {
      accounts: {
        default: {
          publicKey: process.env.SENDCLOUD_PUBLIC_KEY ?? '',
          secretKey: process.env.SENDCLOUD_SECRET_KEY ?? '',
          api: process.env.SENDCLOUD_API === 'v2' ? ('v2' as const) : ('v3' as const),
          ...(process.env.SENDCLOUD_INTEGRATION_ID
            ? { integrationId: Number(process.env.SENDCLOUD_INTEGRATION_ID) }
            : {}),
        },
      },
    };
const stack = await startLocalStack({ port, stateDir, wiring: serviceWiring({ stateDir, sendcloud }) });
const upMs = Math.round(performance.now() - started);

console.log(`
  sendcloud-bridge — local stack (up in ${upMs} ms)
  ──────────────────────────────────────────────────
  HTTP API               ${stack.url}
  events                 ${stack.url}/_local/events     (also ${join(stateDir, 'events.jsonl')})
  SendCloud              ${simulator ? `${simulator.url}/api/v3 (account default) · /api/v2 (account legacy)   simulator (admin: ${simulator.url}/__sim/stats)` : 'REAL SendCloud'}
  DynamoDB / SQS / S3    ${stack.endpoints.dynamodb} / ${stack.endpoints.sqs} / ${stack.endpoints.s3}
  state                  ${stateDir}   (kept through a crash; npm start -- --fresh to reset)
  IAM and AWS limits     enforced as deployed (each function under its role from the synthesized template)
`);
if (simulator && process.argv.includes('--demo')) {
  // The walk-through drives the v2 client, so it runs on the v2 account (`default` is v3-only).
  const client = new SendcloudClient({
    credentials: { publicKey: 'sim-legacy-public-key', secretKey: 'sim-legacy-secret-key' },
    baseUrl: simulator.baseUrl,
    servicePointsBaseUrl: simulator.servicePointsBaseUrl,
  });
  await runDemo(client, {
    outDir: join(stateDir, 'labels'),
    announce: true,
    log: (line) => console.log(`  ${line}`),
  });
}
console.log(`  Try the example order (README):
    curl -s -X POST ${stack.url}/orders -H 'content-type: application/json' -d @docs/examples/order.json
    curl -s -X POST ${stack.url}/orders -H 'content-type: application/json' -d @docs/examples/order-legacy.json
    curl -s ${stack.url}/orders/WEB-10001          (account default, API v3; WEB-10002: legacy, API v2)
    curl -s -o label.pdf ${stack.url}/orders/WEB-10001/label
    curl -s ${stack.url}/_local/events
  Ctrl-C stops.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n  stopping…');
  await stack.stop();
  await simulator?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
