import { describe, expect, it } from 'vitest';
import {
  LEDGER_ENTRIES,
  ledgerAvailable,
  ledgerMsUntil,
  ledgerOf,
  ledgerWith,
} from '../../../shared/governor/windowLedger';

/** SendCloud's write windows widened by a 1 s lease. */
const WINDOWS = [
  { limit: 100, windowMs: 61_000 },
  { limit: 15, windowMs: 2_000 },
];

describe('a ledger of grants', () => {
  it('grants the short window at once, then what leaves it, and says exactly when', () => {
    let ledger = ledgerWith([], WINDOWS, 0, 0, ledgerAvailable([], WINDOWS, 0));
    expect(ledger).toEqual([0, 15]);
    // the 15 leave the 2 s window as it closes on them (the wait says a millisecond more, as the server's does)
    expect(ledgerAvailable(ledger, WINDOWS, 1_999)).toBe(0);
    expect(ledgerAvailable(ledger, WINDOWS, 2_000)).toBe(15);
    expect(ledgerMsUntil(ledger, WINDOWS, 500, 1)).toBe(1_501);
    // six short windows later the minute is what holds: 100 in 61 s, the next when the first grant leaves
    for (let at = 2_001; ledgerAvailable(ledger, WINDOWS, at) > 0; at += 2_001)
      ledger = ledgerWith(ledger, WINDOWS, at, at, ledgerAvailable(ledger, WINDOWS, at));
    expect(ledgerAvailable(ledger, WINDOWS, 20_000)).toBe(0);
    expect(ledgerMsUntil(ledger, WINDOWS, 20_000, 1)).toBe(41_001);
    // sixteen need the second grant gone as well (and more than the short window holds: its length at least)
    expect(ledgerMsUntil(ledger, WINDOWS, 20_000, 16)).toBe(2_001 + 61_000 - 20_000 + 1);
  });

  it('counts grants taken ahead (dated when they fall due) from the moment they are written', () => {
    const ahead = ledgerWith([], WINDOWS, 0, 1_500, 15);
    expect(ledgerAvailable(ahead, WINDOWS, 0)).toBe(0);
    expect(ledgerMsUntil(ahead, WINDOWS, 0, 1)).toBe(3_501);
  });

  it('grants a fraction of every window after a 429, never less than one, and waits a window for more', () => {
    expect(ledgerAvailable([], WINDOWS, 0, 0.5)).toBe(7);
    expect(ledgerAvailable([], WINDOWS, 0, 0.01)).toBe(1);
    // more than a cut window can hold: come back after the window (the cut recovers meanwhile)
    expect(ledgerMsUntil([], WINDOWS, 0, 10, 0.5)).toBe(2_000);
  });

  it('keeps a bounded number of entries, folding the oldest into later ones without freeing any window', () => {
    // Prepare: a budget of 100,000 a minute taken one token at a time
    const big = [{ limit: 100_000, windowMs: 61_000 }];
    let ledger: number[] = [];
    // Act
    for (let at = 0; at < 1_000; at++) ledger = ledgerWith(ledger, big, at, at, 1);
    // Assess: every token still counted, no entry older than it was, the item small
    expect(ledger.length / 2).toBe(LEDGER_ENTRIES);
    expect(ledger.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(ledgerAvailable(ledger, big, 1_000)).toBe(99_000);
    expect(ledger.at(-2)).toBe(999);
  });

  it('forgets grants every window has left, and tells a malformed ledger from an empty one', () => {
    const old = ledgerWith([0, 15, 30_000, 5], WINDOWS, 61_500, 61_500, 2);
    expect(old).toEqual([30_000, 5, 61_500, 2]);
    expect(ledgerWith([5, 1], WINDOWS, 10, 2, 3)).toEqual([2, 3, 5, 1]);
    expect(ledgerOf([1, 2, 3])).toBeUndefined();
    expect(ledgerOf([1, 'x'])).toBeUndefined();
    expect(ledgerOf(undefined)).toBeUndefined();
    expect(ledgerOf([])).toEqual([]);
    expect(ledgerOf([4, 2])).toEqual([4, 2]);
  });
});
