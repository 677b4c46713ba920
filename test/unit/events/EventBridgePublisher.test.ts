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
});
