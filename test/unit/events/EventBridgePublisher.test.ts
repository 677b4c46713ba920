import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  type AnyEvent,
  EventBridgePublisher,
  EventPublishError,
  EventTooLargeError,
} from '../../../shared/events';

const accepted = (orderId: string, channel = 'webshop'): AnyEvent => ({
  detailType: 'Order Accepted',
  detail: {
    orderId,
    channel,
    account: 'default',
    toCountry: 'NL',
    serviceLevel: 'standard',
    deliveryType: 'home',
    acceptedAt: '2030-01-01T00:00:00.000Z',
  },
});

describe('EventBridgePublisher', () => {
  it('sends several events in one PutEvents call and tells which EventBridge took', async () => {
    // Prepare: the second entry refused (throttled), as EventBridge answers a partial failure
    const bus = mockClient(EventBridgeClient);
    bus.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }, {}],
    });
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' });

    // Act
    const published = await publisher.publishMany([accepted('A-1'), accepted('A-2'), accepted('A-3')]);

    // Assess: one call, three entries in order; an entry without an EventId was not taken either
    const calls = bus.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect((calls[0]?.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').orderId)).toEqual([
      'A-1',
      'A-2',
      'A-3',
    ]);
    expect(published).toEqual([true, false, false]);
  });

  it("sends one call each where they do not fit in one (EventBridge's 10 entries)", async () => {
    // Prepare
    const bus = mockClient(EventBridgeClient);
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' });

    // Act
    const published = await publisher.publishMany(Array.from({ length: 11 }, (_, i) => accepted(`A-${i}`)));

    // Assess
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(11);
    expect(published).toEqual(Array(11).fill(true));
  });

  it('refuses an oversized event before any call, and throws when a single publish is refused', async () => {
    // Prepare
    const bus = mockClient(EventBridgeClient);
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' });

    // Act
    const tooLarge = publisher.publishMany([accepted('A-1'), accepted('A-2', 'x'.repeat(300_000))]);
    const refused = publisher.publish('Order Accepted', accepted('A-3').detail as never);

    // Assess
    await expect(tooLarge).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(refused).rejects.toBeInstanceOf(EventPublishError);
    expect(bus.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  describe('gathering', () => {
    const orderIdsOf = (call: { args: [PutEventsCommand] }) =>
      (call.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').orderId);

    it('sends the events of callers within the window in one call, each answered for its own entries', async () => {
      // Prepare: the fourth entry of the call refused
      const bus = mockClient(EventBridgeClient);
      bus.on(PutEventsCommand).resolves({
        FailedEntryCount: 1,
        Entries: [
          { EventId: '1' },
          { EventId: '2' },
          { EventId: '3' },
          { ErrorCode: 'InternalFailure' },
          { EventId: '5' },
        ],
      });
      const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' }).gathering(5);

      // Act: three orders finishing together
      const answers = await Promise.all([
        publisher.publishMany?.([accepted('A-1'), accepted('A-2')]),
        publisher.publishMany?.([accepted('B-1'), accepted('B-2')]),
        publisher.publishMany?.([accepted('C-1')]),
      ]);

      // Assess: one call, each caller's entries together and in order
      const calls = bus.commandCalls(PutEventsCommand);
      expect(calls.map(orderIdsOf)).toEqual([['A-1', 'A-2', 'B-1', 'B-2', 'C-1']]);
      expect(answers).toEqual([[true, true], [true, false], [true]]);
    });

    it('sends a full call at once and keeps each caller whole: ten entries, then the rest', async () => {
      // Prepare
      const bus = mockClient(EventBridgeClient);
      bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
      const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' }).gathering(5);

      // Act: four callers of three events
      const answers = await Promise.all(
        ['A', 'B', 'C', 'D'].map((caller) =>
          publisher.publishMany?.([1, 2, 3].map((n) => accepted(`${caller}-${n}`))),
        ),
      );

      // Assess: no caller split across calls, none over ten entries
      expect(bus.commandCalls(PutEventsCommand).map((call) => orderIdsOf(call).length)).toEqual([9, 3]);
      expect(answers.flat().every(Boolean)).toBe(true);
    });

    it('fails a caller whose event cannot be sent alone, and every caller of a call that failed', async () => {
      // Prepare
      const bus = mockClient(EventBridgeClient);
      bus.on(PutEventsCommand).rejects(new Error('EventBridge unavailable'));
      const publisher = new EventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' }).gathering(5);

      // Act
      const tooLarge = publisher.publishMany?.([accepted('A-1'), accepted('A-2', 'x'.repeat(300_000))]);
      const first = publisher.publishMany?.([accepted('B-1')]);
      const second = publisher.publishMany?.([accepted('C-1')]);

      // Assess: the oversized caller refused before any call; the other two shared the call that failed
      await expect(tooLarge).rejects.toBeInstanceOf(EventTooLargeError);
      await expect(first).rejects.toThrow(/EventBridge unavailable/);
      await expect(second).rejects.toThrow(/EventBridge unavailable/);
      expect(bus.commandCalls(PutEventsCommand).map(orderIdsOf)).toEqual([['B-1', 'C-1']]);
    });
  });
});
