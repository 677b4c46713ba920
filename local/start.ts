import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SendcloudClient } from '../shared/sendcloud';
import { runDemo } from './demo';
import { startSimulator } from './simulator';

/**
 * `npm start`: the SendCloud simulator on http://127.0.0.1:4010 with state in .local/, a short demo of the
 * client against it, then the simulator keeps running (carrier timeline advancing) until Ctrl-C.
 * With SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY set, the demo talks to the real SendCloud instead.
 */
const root = join(import.meta.dirname, '..');
const stateDir = join(root, '.local');
const fresh = process.argv.includes('--fresh');
const port = Number(process.env.SIMULATOR_PORT ?? 4010);
const realKeys = process.env.SENDCLOUD_PUBLIC_KEY && process.env.SENDCLOUD_SECRET_KEY;

if (fresh) rmSync(stateDir, { recursive: true, force: true });
const started = performance.now();

if (realKeys) {
  console.log(
    '\n  !!! SENDCLOUD_PUBLIC_KEY is set: talking to the REAL SendCloud API (panel.sendcloud.sc) !!!',
  );
  console.log('  !!! The demo creates one parcel WITHOUT a label and deletes it again: no cost.       !!!\n');
  const client = new SendcloudClient({
    credentials: {
      publicKey: process.env.SENDCLOUD_PUBLIC_KEY ?? '',
      secretKey: process.env.SENDCLOUD_SECRET_KEY ?? '',
    },
  });
  await runDemo(client, {
    outDir: join(stateDir, 'labels'),
    announce: false,
    log: (line) => console.log(`  ${line}`),
  });
} else {
  const simulator = await startSimulator({
    port,
    stateFile: join(stateDir, 'simulator-state.json'),
    timelineStepMs: Number(process.env.SIMULATOR_TIMELINE_STEP_MS ?? 15_000),
  });
  const client = new SendcloudClient({
    credentials: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
    baseUrl: simulator.baseUrl,
    servicePointsBaseUrl: simulator.servicePointsBaseUrl,
  });
  console.log(`
  sendcloud-bridge — local
  ────────────────────────
  SendCloud simulator   ${simulator.baseUrl}            (Basic auth sim-public-key:sim-secret-key)
  service points        ${simulator.servicePointsBaseUrl}
  simulator admin       ${simulator.url}/__sim/stats
  state                 ${stateDir}   (npm start -- --fresh to reset)
  up in                 ${Math.round(performance.now() - started)} ms

  Demo: the client creates the README's example order as a parcel and stores its labels
`);
  await runDemo(client, {
    outDir: join(stateDir, 'labels'),
    announce: true,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`
  Try it yourself:
    curl -s -u sim-public-key:sim-secret-key '${simulator.baseUrl}/parcels' | head -c 600
    curl -s -u sim-public-key:sim-secret-key '${simulator.servicePointsBaseUrl}/service-points/?country=NL&postal_code=1012AB&carrier=postnl' | head -c 600
    curl -s -u sim-public-key:sim-secret-key -o label.pdf '${simulator.baseUrl}/labels/label_printer/<parcel id>'

  Parcels move one carrier step every ${Number(process.env.SIMULATOR_TIMELINE_STEP_MS ?? 15_000) / 1000} s. Ctrl-C stops.
`);
  const shutdown = async () => {
    console.log('\n  stopping…');
    await simulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}
