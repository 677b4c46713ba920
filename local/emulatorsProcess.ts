import { startEmulators } from './stack/emulators';

/**
 * `tsx local/emulatorsProcess.ts <dataDir>`: the emulators alone in their own process, for tests that kill
 * them with SIGKILL. Prints one JSON line with the endpoints once they listen.
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: tsx local/emulatorsProcess.ts <dataDir>');
const emulators = await startEmulators({ dataDir, region: process.env.AWS_REGION ?? 'eu-west-1' });
process.stdout.write(`${JSON.stringify({ ready: true, endpoints: emulators.endpoints })}\n`);
process.on('SIGTERM', () => void emulators.stop().then(() => process.exit(0)));
