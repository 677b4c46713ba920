import { startEmulators } from './stack/emulators';

/**
 * `tsx local/emulatorsProcess.ts <dataDir>|--memory`: the emulators alone in their own process — for tests
 * that kill them with SIGKILL (state in `dataDir`, durable), and for the benchmark, which gives them a process
 * of their own as AWS's services have their own machines (`--memory`: LevelDB and fsync are the stand-in's
 * cost, not the service's). Prints one JSON line with the endpoints once they listen. Started with an IPC channel
 * (`fork`), it counts the requests it serves and answers `{ type: 'calls' }` with them
 * (`{ type: 'calls', calls: { 'dynamodb:PutItem': 12, … } }`).
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: tsx local/emulatorsProcess.ts <dataDir>|--memory');
const calls: Record<string, number> = {};
const counting = typeof process.send === 'function';
const emulators = await startEmulators({
  ...(dataDir === '--memory' ? {} : { dataDir }),
  region: process.env.AWS_REGION ?? 'eu-west-1',
  ...(counting
    ? {
        onRequest: (service: string, operation: string) => {
          const key = `${service}:${operation}`;
          calls[key] = (calls[key] ?? 0) + 1;
        },
      }
    : {}),
});
if (counting)
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'calls') process.send?.({ type: 'calls', calls });
  });
process.stdout.write(`${JSON.stringify({ ready: true, endpoints: emulators.endpoints })}\n`);
process.on('SIGTERM', () => void emulators.stop().then(() => process.exit(0)));
