import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../local/stack/emulators';
import { bridgeTable } from '../../shared/store/dynamodb/tables';

/**
 * The emulators parse each distinct DynamoDB expression once (`local/stack/memoizeDynaliteParsers.ts`). A
 * memoised parse must answer exactly as a fresh one: each request's own values, type errors and refusals as
 * before, the "unused names/values" check intact — a lenient stand-in would let writes pass that DynamoDB refuses.
 */
let emulators: Emulators;
let db: DynamoDBDocumentClient;
const Key = { pk: 'ORDER#shop#1', sk: 'ORDER' };

beforeAll(async () => {
  emulators = await startEmulators({ region: 'eu-west-1' });
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: emulators.endpoints.dynamodb,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  await db.send(new CreateTableCommand(bridgeTable('bridge')));
});
afterAll(() => emulators.stop());

const claim = (status: string, from: string, attempt: number) =>
  db.send(
    new UpdateCommand({
      TableName: 'bridge',
      Key,
      UpdateExpression: 'SET #status = :status, attempt = :attempt',
      ConditionExpression: 'attribute_exists(pk) AND #status = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':from': from, ':attempt': attempt },
    }),
  );
const item = async () => (await db.send(new GetCommand({ TableName: 'bridge', Key }))).Item;

describe('memoised DynamoDB expressions in the emulator', () => {
  it('applies each request its own values and evaluates its own condition', async () => {
    await db.send(new PutCommand({ TableName: 'bridge', Item: { ...Key, status: 'accepted' } }));
    await claim('creating', 'accepted', 1);
    expect(await item()).toMatchObject({ status: 'creating', attempt: 1 });
    await claim('created', 'creating', 2);
    expect(await item()).toMatchObject({ status: 'created', attempt: 2 });
    // The same expression again: its condition is this request's (`:from` = accepted), which no longer holds.
    await expect(claim('creating', 'accepted', 3)).rejects.toThrow(/conditional request failed/i);
    expect(await item()).toMatchObject({ status: 'created', attempt: 2 });
  });

  it('still refuses an operand of the wrong type after the expression was parsed with the right one', async () => {
    const add = (value: unknown) =>
      db.send(
        new UpdateCommand({
          TableName: 'bridge',
          Key,
          UpdateExpression: 'ADD #count :n',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':n': value },
        }),
      );
    await add(2);
    await add(3);
    expect(await item()).toMatchObject({ count: 5 });
    await expect(add('three')).rejects.toThrow(
      /Incorrect operand type for operator or function; operator: ADD/,
    );
    expect(await item()).toMatchObject({ count: 5 });
  });

  it('crosses off the names an expression uses, whatever else the request carries', async () => {
    // Parsed first beside an update that uses `#status` too, then alone: `#status` must count as used again.
    await claim('accepted', 'created', 4);
    const guarded = (names: Record<string, string>) =>
      db.send(
        new UpdateCommand({
          TableName: 'bridge',
          Key,
          UpdateExpression: 'SET note = :note',
          ConditionExpression: 'attribute_exists(pk) AND #status = :from',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':note': 'ok', ':from': 'accepted' },
        }),
      );
    await guarded({ '#status': 'status' });
    expect(await item()).toMatchObject({ note: 'ok' });
    await expect(guarded({ '#status': 'status', '#spare': 'spare' })).rejects.toThrow(
      /Value provided in ExpressionAttributeNames unused in expressions: keys: \{#spare\}/,
    );
    const note = (values: Record<string, string>) =>
      db.send(
        new UpdateCommand({
          TableName: 'bridge',
          Key,
          UpdateExpression: 'SET note = :note',
          ExpressionAttributeValues: values,
        }),
      );
    await expect(note({ ':note': 'ok', ':spare': 'x' })).rejects.toThrow(
      /Value provided in ExpressionAttributeValues unused in expressions: keys: \{:spare\}/,
    );
    await expect(note({ ':other': 'ok' })).rejects.toThrow(
      /An expression attribute value used in expression is not defined; attribute value: :note/,
    );
  });

  it('checks BETWEEN bounds on every request (its parse reads the values)', async () => {
    const between = (low: string, high: string) =>
      db.send(
        new QueryCommand({
          TableName: 'bridge',
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': Key.pk, ':low': low, ':high': high },
        }),
      );
    expect((await between('A', 'Z')).Items).toHaveLength(1);
    await expect(between('Z', 'A')).rejects.toThrow(/requires upper bound to be greater than or equal/);
  });
});
