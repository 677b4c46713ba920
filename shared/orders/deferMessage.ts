import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** How often a message has been handed back for the rate budget (a message attribute of its copy). */
export const DEFERRALS_ATTRIBUTE = 'governorDeferrals';
/**
 * When the message was first queued (epoch ms), carried by every deferred copy: SQS dates each copy anew, so
 * the queue's oldest-message age never sees a message that keeps being handed back; the worker reports this
 * age instead (`DeferredMessageAgeSeconds`, alarmed).
 */
export const QUEUED_AT_ATTRIBUTE = 'firstQueuedAt';
/** The worker's metric (seconds, alarmed on its maximum) of a deferred message's age since first queued. */
export const DEFERRED_AGE_METRIC = 'DeferredMessageAgeSeconds';
/**
 * After this many deferrals a message is processed whatever the wait (its worker sleeps for tokens, as
 * before deferrals existed): an account that stays saturated still makes progress, FIFO among its waiters.
 */
export const MAX_DEFERRALS = 20;
/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;

/** The deferrals a received message already had (0 for one never deferred). */
export function deferralsOf(
  attributes: Readonly<Record<string, { readonly stringValue?: string | undefined }>>,
): number {
  const n = Number(attributes[DEFERRALS_ATTRIBUTE]?.stringValue);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** When a received message was first queued: its copies' attribute, else SQS's SentTimestamp (epoch ms). */
export function firstQueuedAt(record: {
  readonly messageAttributes: Readonly<Record<string, { readonly stringValue?: string | undefined }>>;
  readonly attributes: { readonly SentTimestamp?: string };
}): number | undefined {
  for (const value of [
    record.messageAttributes[QUEUED_AT_ATTRIBUTE]?.stringValue,
    record.attributes.SentTimestamp,
  ]) {
    const ms = Number(value);
    if (value !== undefined && Number.isInteger(ms) && ms > 0) return ms;
  }
  return undefined;
}

/**
 * Deferred copies return on a grid of this many ms: copies of one account deferred within the same few
 * seconds become visible together, so workers receive them together and create them as one group
 * (`realtimeGroups`) — the longer a burst waits, the fewer writes it takes — instead of trickling back one by one.
 */
export const RETURN_GRID_MS = 5_000;

/** The wait in whole seconds: to the first grid point at or after the governor's wait, 1 to 900. */
export function deferralDelaySeconds(retryAfterMs: number, nowMs: number): number {
  const due = Math.ceil((nowMs + Math.max(0, retryAfterMs)) / RETURN_GRID_MS) * RETURN_GRID_MS;
  const seconds = Math.ceil((due - nowMs) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(1, seconds));
}

/**
 * Hands a message back to its queue as a new copy delayed by the governor's wait; the caller then
 * acknowledges the one it received. A copy, not a visibility change, so that waiting does not count as a
 * receive towards the DLQ's maxReceiveCount. The copy is queued before the original is acknowledged: a crash
 * in between leaves two messages for the same orders, which the idempotent processing settles once; a failed
 * send throws, and the original is retried as any failure.
 */
export async function deferMessage(
  sqs: Pick<SQSClient, 'send'>,
  message: {
    readonly queueUrl: string;
    readonly body: string;
    readonly deferrals: number;
    readonly retryAfterMs: number;
    /** When the original was first queued (`firstQueuedAt`), carried on the copy. */
    readonly queuedAt?: number | undefined;
  },
  now: () => number = Date.now,
): Promise<number> {
  const delaySeconds = deferralDelaySeconds(message.retryAfterMs, now());
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: message.queueUrl,
      MessageBody: message.body,
      DelaySeconds: delaySeconds,
      MessageAttributes: {
        [DEFERRALS_ATTRIBUTE]: { DataType: 'Number', StringValue: String(message.deferrals + 1) },
        ...(message.queuedAt !== undefined
          ? { [QUEUED_AT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(message.queuedAt) } }
          : {}),
      },
    }),
  );
  return delaySeconds;
}
