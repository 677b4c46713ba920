import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { closeDynaliteIterators } from '../local/stack/closeDynaliteIterators';
import { DynaliteUpkeep } from '../local/stack/DynaliteUpkeep';
import { openDynaliteIterators } from '../local/stack/openDynaliteIterators';
import { bridgeTable } from '../shared/store/dynamodb/tables';

/**
 * `npx tsx bench/dynalite-growth.ts [--seconds 120] [--unfixed]`: dynalite on a folder, with the stack's
 * upkeep, hammered the way the service writes and reads the bridge table — conditional puts, conditional
 * updates that move an order between sparse GSI partitions, `Limit` queries on the GSIs — while the folder's
 * size, the open LevelDB iterators and the RSS are printed every 10 s. `--unfixed` leaves out
 * `closeDynaliteIterators`, to show what it fixes. A script, not a test.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    workers: { type: 'string', default: '8' },
    unfixed: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const WORKERS = Number(values.workers);
const SHARDS = 8;

if (!values.unfixed) closeDynaliteIterators();
openDynaliteIterators();
const dir = mkdtempSync(join(tmpdir(), 'dynalite-growth-'));
const path = join(dir, 'dynamodb');
const upkeep = new DynaliteUpkeep(path);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const { port } = server.address() as AddressInfo;
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
const TableName = 'bridge';
await db.send(new CreateTableCommand(bridgeTable(TableName)));

const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;
let ops = 0;
let orders = 0;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(`${values.unfixed ? 'unfixed' : 'fixed'}: ${WORKERS} workers for ${SECONDS} s on ${path}`);
console.log('   s   folder MB   open iterators   RSS MB      ops   orders');
const report = () =>
  console.log(
    `${elapsed().toFixed(0).padStart(4)}   ${mb(folderBytes(path)).padStart(9)}   ${String(openDynaliteIterators()).padStart(14)}   ${mb(process.memoryUsage.rss()).padStart(6)}   ${String(ops).padStart(6)}   ${String(orders).padStart(6)}`,
  );
const timer = setInterval(report, 10_000);

/** One order's life as the service writes it: accepted (pending), announced (ready), labelled (off the index). */
async function order(worker: number, n: number): Promise<void> {
  const pk = `ORDER#shop#w${worker}-${n}`;
  const shard = n % SHARDS;
  const now = new Date().toISOString();
  await db.send(
    new PutCommand({
      TableName,
      Item: {
        pk,
        sk: 'ORDER',
        status: 'accepted',
        gsi1pk: `ORDERID#w${worker}-${n}`,
        gsi1sk: 'shop',
        gsi2pk: `PENDING#${shard}`,
        gsi2sk: now,
        gsi4pk: 'DAY#acct#2025-01-01',
        gsi4sk: now,
        payload: 'x'.repeat(1500),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  const transitions = [
    ['accepted', 'creating', `PENDING#${shard}`],
    ['creating', 'announced', `READY#acct#${shard}`],
  ] as const;
  for (const [from, to, partition] of transitions) {
    await db.send(
      new UpdateCommand({
        TableName,
        Key: { pk, sk: 'ORDER' },
        UpdateExpression: 'SET #s = :to, gsi2pk = :p, updatedAt = :now',
        ConditionExpression: '#s = :from',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':from': from,
          ':to': to,
          ':p': partition,
          ':now': new Date().toISOString(),
        },
      }),
    );
    ops++;
  }
  await db.send(
    new UpdateCommand({
      TableName,
      Key: { pk, sk: 'ORDER' },
      UpdateExpression: 'SET #s = :to REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#s = :from',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':from': 'announced', ':to': 'labelled' },
    }),
  );
  ops += 2;
  orders++;
}

/** The sweeps and reports: `Limit` queries that stop early, on KEYS_ONLY and ALL indexes. */
async function sweep(n: number): Promise<void> {
  const before = new Date().toISOString();
  await db.send(
    new QueryCommand({
      TableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
      ExpressionAttributeValues: { ':pk': `PENDING#${n % SHARDS}`, ':before': before },
      Limit: 25,
    }),
  );
  await db.send(
    new QueryCommand({
      TableName,
      IndexName: 'gsi4',
      KeyConditionExpression: 'gsi4pk = :pk',
      ExpressionAttributeValues: { ':pk': 'DAY#acct#2025-01-01' },
      ScanIndexForward: false,
      Limit: 50,
    }),
  );
  await db.send(
    new QueryCommand({
      TableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORDERID#w0-${n}` },
      Limit: 1,
    }),
  );
  ops += 3;
}

async function worker(id: number): Promise<void> {
  for (let n = 0; elapsed() < SECONDS; n++) {
    await order(id, n);
    await sweep(n);
  }
}

await Promise.all(Array.from({ length: WORKERS }, (_, id) => worker(id)));
clearInterval(timer);
report();
await upkeep.compact();
console.log(`compacted at the end: ${mb(folderBytes(path))} MB, ${openDynaliteIterators()} iterators open`);
upkeep.stop();
await new Promise<void>((resolve) => server.close(() => resolve()));
rmSync(dir, { recursive: true, force: true });

function folderBytes(folder: string): number {
  return readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}
process.exit(0);
