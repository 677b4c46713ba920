import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRateGovernor } from '../../shared/governor';
import { bridgeTable } from '../../shared/store';

/** The shared budget, with separate governor instances standing in for separate Lambdas. */
const server = dynalite({ createTableMs: 0 });
let db: DynamoDBDocumentClient;
const RULES = {
  read: { ratePerSecond: 50, capacity: 10, reserve: 2 },
  write: { ratePerSecond: 10, capacity: 3, reserve: 2 },
} as const;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(new CreateTableCommand(bridgeTable('governor-test')));
  db = DynamoDBDocumentClient.from(client);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const governor = () => new DynamoRateGovernor(db, { tableName: 'governor-test', rules: RULES });

async function drive(
  account: string,
  priority: 'realtime' | 'batch',
  untilMs: number,
  max = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const g = governor();
  const grants: number[] = [];
  while (Date.now() < untilMs && grants.length < max) {
    await g.acquire(account, 'write', priority);
    grants.push(Date.now());
  }
  return grants;
}

describe('DynamoRateGovernor', () => {
  it('keeps six concurrent workers of one account under the limit together', async () => {
    const until = Date.now() + 1_500;
    const grants = (await Promise.all([0, 1, 2, 3, 4, 5].map(() => drive('shop', 'batch', until))))
      .flat()
      .sort((a, b) => a - b);
    // Never more than capacity + one second of refill in any one-second window.
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(
        RULES.write.capacity + RULES.write.ratePerSecond,
      );
    }
    // A token bucket's bound over the whole run: the burst plus the refill over the time actually spanned.
    const spanSeconds = ((grants.at(-1) ?? 0) - (grants[0] ?? 0)) / 1000;
    expect(grants.length).toBeLessThanOrEqual(
      RULES.write.capacity + Math.ceil(spanSeconds * RULES.write.ratePerSecond) + 1,
    );
    expect(grants.length).toBeGreaterThan(0);
  });

  it('keeps accounts apart: one account spending its budget does not slow another', async () => {
    await drive('busy', 'realtime', Date.now() + 400);
    const other = governor();
    const started = Date.now();
    for (let i = 0; i < RULES.write.capacity; i++) await other.acquire('quiet', 'write', 'realtime');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('leaves real-time orders a share while a batch saturates the budget', async () => {
    const until = Date.now() + 2_000;
    const batch = Promise.all([0, 1, 2, 3].map(() => drive('eod', 'batch', until)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const live = await drive('eod', 'realtime', until, 5);
    const batchGrants = (await batch).flat();
    expect(live).toHaveLength(5);
    // the live orders got through while the batch was still running
    expect(Math.max(...live)).toBeLessThan(Math.max(...batchGrants));
  });
});
