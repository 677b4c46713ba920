import { describe, expect, it } from 'vitest';
import {
  CLIENT_LOOKUPS_PER_MINUTE,
  ClientShareExhaustedError,
  clientShareRule,
  MemoryClientShare,
} from '../../../shared/governor';
import { SlidingWindowRateLimiter } from '../../../shared/sendcloud';

/** A client asking every `everyMs` for `forMs`, on an injected clock; the instants it was let through. */
async function keepAsking(share: MemoryClientShare, clock: { now: number }, everyMs: number, forMs: number) {
  const granted: number[] = [];
  const client = { account: 'shop', clientId: 'c1' };
  for (const end = clock.now + forMs; clock.now < end; clock.now += everyMs) {
    const admitted = await share.admit(client).then(
      () => true,
      (error: unknown) => {
        expect(error).toBeInstanceOf(ClientShareExhaustedError);
        return false;
      },
    );
    if (admitted) granted.push(clock.now);
  }
  return granted;
}

describe('the per-client share', () => {
  it('lets a client make ten uncached lookups at once, then refuses it without waiting', async () => {
    const clock = { now: Date.parse('2026-11-27T09:00:00Z') };
    const share = new MemoryClientShare({ rule: clientShareRule(), clock: () => clock.now });
    const client = { account: 'shop', clientId: 'c1' };
    for (let i = 0; i < CLIENT_LOOKUPS_PER_MINUTE / 2; i++) await share.admit(client);
    await expect(share.admit(client)).rejects.toBeInstanceOf(ClientShareExhaustedError);
  });

  it('never lets a client through more than twenty times in any minute, however it times its asks', async () => {
    for (const everyMs of [50, 1_000, 2_900, 6_000]) {
      const clock = { now: Date.parse('2026-11-27T09:00:00Z') };
      const share = new MemoryClientShare({ rule: clientShareRule(), clock: () => clock.now });
      const granted = await keepAsking(share, clock, everyMs, 5 * 60_000);
      // replayed into an exact sliding window of 20 a minute: not one would have been refused
      let now = 0;
      const window = new SlidingWindowRateLimiter({
        rules: { read: [{ limit: CLIENT_LOOKUPS_PER_MINUTE, windowMs: 60_000 }], write: [] },
        clock: () => now,
      });
      expect(
        granted.filter((at) => {
          now = at;
          return !window.tryAcquire('read');
        }),
        `asking every ${everyMs} ms`,
      ).toEqual([]);
    }
  });

  it('sustains ten lookups a minute for a client that keeps asking', async () => {
    const clock = { now: Date.parse('2026-11-27T09:00:00Z') };
    const share = new MemoryClientShare({ rule: clientShareRule(), clock: () => clock.now });
    const granted = await keepAsking(share, clock, 500, 10 * 60_000 + 500);
    // the burst of ten, then one every six seconds
    expect(granted).toHaveLength(10 + 100);
    expect(granted.at(-1)).toBe(Date.parse('2026-11-27T09:10:00Z'));
  });

  it('keeps clients and accounts apart', async () => {
    const clock = { now: Date.parse('2026-11-27T09:00:00Z') };
    const share = new MemoryClientShare({ rule: clientShareRule(4), clock: () => clock.now });
    await share.admit({ account: 'shop', clientId: 'flooder' });
    await share.admit({ account: 'shop', clientId: 'flooder' });
    await expect(share.admit({ account: 'shop', clientId: 'flooder' })).rejects.toBeInstanceOf(
      ClientShareExhaustedError,
    );
    await share.admit({ account: 'shop', clientId: 'shopper' });
    await share.admit({ account: 'other-shop', clientId: 'flooder' });
  });

  it('refuses a share too small to be a bucket, at start', () => {
    expect(() => clientShareRule(1)).toThrow(RangeError);
    expect(() => clientShareRule(2.5)).toThrow(RangeError);
  });
});
