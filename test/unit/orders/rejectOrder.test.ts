import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  EventBridgePublisher,
  type EventPublisher,
  EventTooLargeError,
  eventEntryBytes,
  MAX_EVENT_ENTRY_BYTES,
} from '../../../shared/events';
import { errorLogFields } from '../../../shared/http';
import { OrderRequest } from '../../../shared/orders/OrderRequest';
import { rejectOrder } from '../../../shared/orders/rejectOrder';

/** `Order Rejected` for whatever a caller sends: small, bounded, and never the reason a 400 becomes a 500. */
const clock = () => new Date('2030-01-01T00:00:00.000Z');

/** EventBridge as far as the publisher sees it: takes every entry, and keeps what it was sent. */
function acceptingBus() {
  const entries: Array<{ DetailType?: string; Detail?: string }> = [];
  const client = {
    send: async (command: { input: { Entries?: Array<{ DetailType?: string; Detail?: string }> } }) => {
      entries.push(...(command.input.Entries ?? []));
      return { FailedEntryCount: 0, Entries: [] };
    },
  } as unknown as EventBridgeClient;
  return { entries, events: new EventBridgePublisher(client, { busName: 'bus' }) };
}

/** The worst a caller can send: a 5 MB orderId, channel and account, and a hundred bad items. */
function hostileBody() {
  const huge = '\u0000'.repeat(5_000_000);
  return {
    orderId: `X${huge}`,
    channel: huge,
    account: huge,
    items: Array.from({ length: 100 }, () => ({ description: huge, quantity: -1, unitPrice: 1 })),
  };
}

describe('rejectOrder', () => {
  it('publishes a hostile body as a bounded event well inside EventBridge’s 256 KB', async () => {
    // Prepare
    const { entries, events } = acceptingBus();
    const body = hostileBody();
    const parsed = OrderRequest.safeParse(body);
    if (parsed.success) throw new Error('the hostile body must be invalid');

    // Act
    await rejectOrder(body, parsed.error, { events, clock });

    // Assess
    const detail = JSON.parse(entries[0]?.Detail ?? '{}') as {
      orderId: string;
      channel: string;
      problems: unknown[];
    };
    expect(detail.orderId).toHaveLength(100);
    expect(detail.channel).toHaveLength(100);
    expect(detail.problems).toHaveLength(50);
    expect(eventEntryBytes('Order Rejected', entries[0]?.Detail ?? '')).toBeLessThan(
      MAX_EVENT_ENTRY_BYTES / 2,
    );
  });

  it('never cuts a surrogate pair in half', async () => {
    const { entries, events } = acceptingBus();
    const body = { orderId: `${'a'.repeat(99)}😀😀` };
    await rejectOrder(body, new z.ZodError([]), { events, clock });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toMatchObject({ orderId: 'a'.repeat(99) });
  });

  it('publishes nothing for a body that does not name an order', async () => {
    const { entries, events } = acceptingBus();
    for (const body of [null, 'text', [], { orderId: 42 }, { orderId: '' }])
      await rejectOrder(body, new z.ZodError([]), { events, clock });
    expect(entries).toEqual([]);
  });

  it('does not fail the request when the event cannot be published, and says so', async () => {
    // Prepare
    const down: EventPublisher = {
      publish: async () => {
        throw new Error('EventBridge is down');
      },
    };
    const unpublished: unknown[] = [];

    // Act
    const outcome = rejectOrder({ orderId: 'WEB-1' }, new z.ZodError([]), {
      events: down,
      clock,
      onUnpublished: (error) => unpublished.push(error),
    });

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    expect(unpublished).toHaveLength(1);
  });
});

describe('EventBridgePublisher', () => {
  it('refuses an entry over 256 KB before sending it, as not worth retrying', async () => {
    const { entries, events } = acceptingBus();
    const failures = Array.from({ length: 300 }, () => ({
      orderId: 'x'.repeat(1_000),
      channel: 'c',
      reason: 'r',
    }));
    const publishing = events.publish('Batch Completed', {
      batchId: 'b',
      account: 'default',
      total: 300,
      succeeded: 0,
      parcels: 0,
      failed: 300,
      files: [],
      failures,
      completedAt: clock().toISOString(),
    });
    await expect(publishing).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(publishing).rejects.toMatchObject({ code: 'EVENT_TOO_LARGE', retryable: false });
    expect(entries).toEqual([]);
  });
});

describe('errorLogFields', () => {
  it('logs a refused service point with the field and why, not "error"', () => {
    const refusal = new z.ZodError([
      {
        code: 'custom',
        path: ['delivery', 'servicePointId'],
        message: 'service point 7 does not exist',
        input: 7,
      },
    ]);
    expect(errorLogFields(refusal)).toEqual({
      error: {
        name: 'ZodError',
        code: 'INVALID_REQUEST',
        problems: [{ path: 'delivery.servicePointId', message: 'service point 7 does not exist' }],
      },
    });
  });
});
