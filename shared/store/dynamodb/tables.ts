import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * Key design of the `bridge` table (one table, generic keys):
 *
 * | item            | pk                              | sk              | GSI1 (gsi1pk / gsi1sk)      |
 * |-----------------|---------------------------------|-----------------|-----------------------------|
 * | order           | ORDER#<channel>#<orderId>       | ORDER           | ORDERID#<orderId> / channel |
 * |   while pending |                                 |                 | GSI2 PENDING#<shard> / createdAt (sparse) |
 * |   while ready   |                                 |                 | GSI2 READY#<account>#<shard> / createdAt  |
 * | batch           | BATCH#<batchId>                 | BATCH           | — counts, files, status      |
 * | batch member    | BATCH#<batchId>                 | ORDER#<channel>#<orderId> | — outcome, carrier, station |
 * |   by day        |                                 |                 | GSI4 DAY#<account>#<yyyy-mm-dd> / createdAt (reports) |
 * |   until scanned |                                 |                 | GSI3 AWAITING_SCAN#<shard> / announcedAt (sparse) |
 * | recipient (PII) | ORDER#<channel>#<orderId>       | RECIPIENT       | — (TTL `expiresAt`)         |
 * | parcel pointer  | PARCEL#<parcelId>               | PARCEL          | —                           |
 * | status history  | PARCEL#<parcelId>               | STATUS#<statusId>#<observed s> | —             |
 * | webhook seen    | DELIVERY#<sha256 of raw body>   | DELIVERY        | — (TTL `expiresAt`, 7 days) |
 * | poll watermark  | POLL#<account>                  | WATERMARK       | —                           |
 * | method health   | METHOD#<account>#<methodId>     | HEALTH          | —                           |
 * | routing rules   | RULES#<account>                 | CURRENT         | —                           |
 * |   each version  | RULES#<account>                 | VERSION#<n, 10 digits> | — kept for good      |
 * | catalogue       | CATALOG#<account>               | SNAPSHOT        | — methods, version, outbox  |
 *
 * Powertools idempotency keeps its records in a second table keyed by `id`, with TTL `expiration`.
 */
export const bridgeTable = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
    { AttributeName: 'gsi2pk', AttributeType: 'S' },
    { AttributeName: 'gsi2sk', AttributeType: 'S' },
    { AttributeName: 'gsi3pk', AttributeType: 'S' },
    { AttributeName: 'gsi3sk', AttributeType: 'S' },
    { AttributeName: 'gsi4pk', AttributeType: 'S' },
    { AttributeName: 'gsi4sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'gsi1',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: 'gsi2',
      KeySchema: [
        { AttributeName: 'gsi2pk', KeyType: 'HASH' },
        { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
    {
      IndexName: 'gsi4',
      KeySchema: [
        { AttributeName: 'gsi4pk', KeyType: 'HASH' },
        { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
    {
      IndexName: 'gsi3',
      KeySchema: [
        { AttributeName: 'gsi3pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
});

/** Pending orders are spread over a few index partitions so a 10,000-order batch does not heat one. */
export const PENDING_SHARDS = 8;
export function pendingShard(channel: string, orderId: string, prefix = 'PENDING'): string {
  let hash = 0;
  for (const ch of `${channel}#${orderId}`) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${prefix}#${hash % PENDING_SHARDS}`;
}

export const idempotencyTable = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
});

export const orderPk = (channel: string, orderId: string) => `ORDER#${channel}#${orderId}`;

/** End-of-day orders wait per account, spread over the same number of index partitions. */
export const readyShard = (account: string, channel: string, orderId: string): string =>
  pendingShard(channel, orderId, `READY#${account}`);
