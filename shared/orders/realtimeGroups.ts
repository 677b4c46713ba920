import type { SQSRecord } from 'aws-lambda';
import { RateBudgetDeferredError } from '../sendcloud/RateLimiter';
import { deferralsOf, firstQueuedAt, MAX_DEFERRALS } from './deferMessage';
import type { OrderKey } from './Order';
import { type OrderMessage, readOrderMessage } from './OrderQueue';
import type { ProcessOutcome } from './processOrder';

/** A record's share of its group: its own orders' outcomes, or `deferred` when the group went back whole. */
export type GroupShare = (keys: readonly OrderKey[]) => Promise<readonly ProcessOutcome[] | 'deferred'>;

/** A group the governor sent back: one message carrying all its orders, queued before its records are acked. */
export interface DeferredGroup {
  readonly account: string;
  readonly message: Extract<OrderMessage, { kind: 'batch' }>;
  /** The group's first record: its queue is where the copy goes. */
  readonly first: SQSRecord;
  /** The most deferrals any member had: the copy counts one more. */
  readonly deferrals: number;
  /** When the earliest member was first queued (what the deferred-age alarm watches). */
  readonly queuedAt: number | undefined;
  readonly retryAfterMs: number;
}

export interface RealtimeGroupDeps {
  /** The account of a stored order; undefined (or a throw) and that record is processed alone. */
  readonly accountOf: (key: OrderKey) => Promise<string | undefined>;
  /** Most orders one create takes for the account: its API version's group size (`groupSizeFor`). */
  readonly groupSize: (account: string) => Promise<number>;
  /**
   * Creates a group at real-time priority, the governor's admission first (`processBatch`). `holdBack`: the
   * group is smaller than one create takes and none of it was deferred before, so an account whose writes
   * already queue sends it back to wait for the rest of the burst (`DynamoRateGovernor.admit`).
   */
  readonly create: (
    account: string,
    keys: readonly OrderKey[],
    first: SQSRecord,
    holdBack: boolean,
  ) => Promise<ProcessOutcome[]>;
  /** Sends the one delayed copy of a deferred group (`deferMessage`); a throw fails every member record. */
  readonly deferTogether: (group: DeferredGroup) => Promise<void>;
}

interface Member {
  readonly record: SQSRecord;
  readonly keys: readonly OrderKey[];
  readonly account: string | undefined;
}

const idOf = (key: OrderKey) => `${key.channel}/${key.orderId}`;

/**
 * When the orders queue has a backlog (a flash sale), an invocation receives several real-time messages at
 * once — single orders, `POST /orders/batch` groups, groups deferred earlier. Those of one account are created
 * together, up to what one create takes (v2 batch create 50, v3 Orders API 100), instead of one write each, so
 * a burst moves at SendCloud's batch throughput; a lone message is processed alone, at once.
 *
 * A group the governor would keep waiting goes back to the queue as ONE message with all its orders (a
 * real-time `batch`), not as a copy per record: when those copies return together they make a larger group,
 * so the longer an account's budget holds a burst back, the fewer writes the burst needs. A first-time group
 * smaller than a full create goes back as soon as the account's writes run low, rather than spend two v3
 * writes on ten orders that could have shared them with the next ninety. Messages deferred
 * MAX_DEFERRALS times are left out (they wait for tokens in their own slot). Keyed by message id; each record
 * awaits its own orders' outcomes, so a retry stays per record.
 */
export async function realtimeGroups(
  records: readonly SQSRecord[],
  deps: RealtimeGroupDeps,
): Promise<Map<string, GroupShare>> {
  const members = records.flatMap((record): Member[] => {
    if (deferralsOf(record.messageAttributes) >= MAX_DEFERRALS) return [];
    const message = readOrderMessage(record.body);
    if (!message) return [];
    if (message.kind === 'order')
      return [{ record, keys: [{ channel: message.channel, orderId: message.orderId }], account: undefined }];
    if (message.kind === 'batch' && message.batchId === undefined)
      return [{ record, keys: message.orders, account: message.account }];
    return [];
  });
  const shares = new Map<string, GroupShare>();
  if (members.length < 2) return shares;
  const accounts = await Promise.all(
    members.map((m) => {
      const [key] = m.keys;
      if (m.account !== undefined || !key) return m.account;
      return deps.accountOf(key).catch(() => undefined);
    }),
  );
  const byAccount = new Map<string, Member[]>();
  members.forEach((member, i) => {
    const account = accounts[i];
    if (account) byAccount.set(account, [...(byAccount.get(account) ?? []), member]);
  });
  for (const [account, mine] of byAccount) {
    if (mine.length < 2) continue;
    const size = await deps.groupSize(account).catch(() => undefined);
    if (!size) continue;
    for (const chunk of chunksOf(mine, size)) {
      if (chunk.length < 2) continue;
      const run = once(() => runGroup(account, chunk, size, deps));
      const share: GroupShare = async (keys) => {
        const outcomes = await run();
        return outcomes === 'deferred' ? outcomes : keys.map((key) => outcomes.get(idOf(key)) ?? 'retry');
      };
      for (const { record } of chunk) shares.set(record.messageId, share);
    }
  }
  return shares;
}

/** Members in arrival order, as few chunks as hold at most `size` orders each (a larger member stays alone). */
function chunksOf(members: readonly Member[], size: number): Member[][] {
  const chunks: Member[][] = [];
  let current: Member[] = [];
  let orders = 0;
  for (const member of members) {
    if (current.length > 0 && orders + member.keys.length > size) {
      chunks.push(current);
      current = [];
      orders = 0;
    }
    current.push(member);
    orders += member.keys.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function runGroup(
  account: string,
  chunk: readonly Member[],
  size: number,
  deps: RealtimeGroupDeps,
): Promise<Map<string, ProcessOutcome> | 'deferred'> {
  // Each order once, however many of the group's messages list it.
  const keys = [...new Map(chunk.flatMap((m) => m.keys).map((key) => [idOf(key), key] as const)).values()];
  const [first] = chunk;
  if (!first) return new Map();
  try {
    const holdBack = keys.length < size && chunk.every((m) => deferralsOf(m.record.messageAttributes) === 0);
    const outcomes = await deps.create(account, keys, first.record, holdBack);
    return new Map(keys.map((key, i) => [idOf(key), outcomes[i] ?? 'retry']));
  } catch (error) {
    if (!(error instanceof RateBudgetDeferredError)) throw error;
    const queued = chunk.map((m) => firstQueuedAt(m.record)).filter((t): t is number => t !== undefined);
    await deps.deferTogether({
      account,
      message: { kind: 'batch', account, orders: keys.map(({ channel, orderId }) => ({ channel, orderId })) },
      first: first.record,
      deferrals: Math.max(...chunk.map((m) => deferralsOf(m.record.messageAttributes))),
      queuedAt: queued.length > 0 ? Math.min(...queued) : undefined,
      retryAfterMs: error.retryAfterMs,
    });
    return 'deferred';
  }
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}
