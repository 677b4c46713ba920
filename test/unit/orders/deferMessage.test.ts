import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  DEFERRALS_ATTRIBUTE,
  deferMessage,
  deferralDelaySeconds,
  deferralsOf,
  firstQueuedAt,
  QUEUED_AT_ATTRIBUTE,
} from '../../../shared/orders/deferMessage';

/** On the deferral grid (a multiple of 5 s). */
const T0 = 1_796_000_000_000;

describe('handing a message back for the rate budget', () => {
  it('queues the same body again, delayed by the wait, counting the deferral on the copy', async () => {
    // Prepare
    const sent: SendMessageCommand[] = [];
    const sqs = { send: async (command: SendMessageCommand) => void sent.push(command) };
    const body = JSON.stringify({ kind: 'order', channel: 'webshop', orderId: 'A-1' });
    // Act
    const delay = await deferMessage(
      sqs as never,
      { queueUrl: 'https://sqs.local/orders', body, deferrals: 2, retryAfterMs: 20_000 },
      () => T0,
    );
    // Assess: a fresh message (its receive count starts again), never a visibility change of this one
    expect(delay).toBe(20);
    expect(sent[0]?.input).toEqual({
      QueueUrl: 'https://sqs.local/orders',
      MessageBody: body,
      DelaySeconds: 20,
      MessageAttributes: { [DEFERRALS_ATTRIBUTE]: { DataType: 'Number', StringValue: '3' } },
    });
  });

  it('carries when the work was first queued on every copy: the original SentTimestamp, then the attribute', async () => {
    const sent: SendMessageCommand[] = [];
    const sqs = { send: async (command: SendMessageCommand) => void sent.push(command) };
    const original = { messageAttributes: {}, attributes: { SentTimestamp: '1796000000000' } };
    expect(firstQueuedAt(original)).toBe(1796000000000);
    await deferMessage(sqs as never, {
      queueUrl: 'q',
      body: '{}',
      deferrals: 0,
      retryAfterMs: 1000,
      queuedAt: firstQueuedAt(original),
    });
    const attributes = sent[0]?.input.MessageAttributes ?? {};
    expect(attributes[QUEUED_AT_ATTRIBUTE]).toEqual({ DataType: 'Number', StringValue: '1796000000000' });
    // The copy, received later with SQS's later SentTimestamp, keeps the first one.
    const copy = {
      messageAttributes: {
        [QUEUED_AT_ATTRIBUTE]: { stringValue: attributes[QUEUED_AT_ATTRIBUTE]?.StringValue },
      },
      attributes: { SentTimestamp: '1796000900000' },
    };
    expect(firstQueuedAt(copy)).toBe(1796000000000);
    expect(firstQueuedAt({ messageAttributes: {}, attributes: {} })).toBeUndefined();
  });

  it('reads the deferrals of a received message, 0 for one never deferred or a garbled attribute', () => {
    expect(deferralsOf({})).toBe(0);
    expect(deferralsOf({ [DEFERRALS_ATTRIBUTE]: { stringValue: '4' } })).toBe(4);
    expect(deferralsOf({ [DEFERRALS_ATTRIBUTE]: { stringValue: 'x' } })).toBe(0);
  });

  it('rounds the delay up to the return grid and keeps it within what SQS allows', () => {
    // T0 is on the 5 s grid: the wait rounds up to the next grid point, at least 1 s, at most SQS's 900 s
    expect(deferralDelaySeconds(4_000, T0)).toBe(5);
    expect(deferralDelaySeconds(4_000, T0 + 1_000)).toBe(4);
    expect(deferralDelaySeconds(10_000, T0)).toBe(10);
    expect(deferralDelaySeconds(0, T0)).toBe(1);
    expect(deferralDelaySeconds(3_600_000, T0)).toBe(900);
  });

  it('brings copies deferred within the same few seconds back together, whatever each one waited', () => {
    // Three groups deferred 0.3 s, 1.2 s and 2.9 s into a grid slot, told to wait 14.7, 13.8 and 11 s
    const returns = [
      [300, 14_700],
      [1_200, 13_800],
      [2_900, 11_000],
    ].map(([at = 0, wait = 0]) => T0 + at + deferralDelaySeconds(wait, T0 + at) * 1000);
    // All visible again within the same second, 15 s after the slot began
    expect(Math.max(...returns) - Math.min(...returns)).toBeLessThan(1_000);
    expect(Math.min(...returns)).toBeGreaterThanOrEqual(T0 + 15_000);
  });
});
