import type { WindowRule } from '../sendcloud/RateLimiter';

/**
 * The grants of a bucket kept as a ledger instead of a token count: `[at, count, at, count, …]`, sorted by
 * `at` (ms, the instant the tokens may first be spent; a take ahead is dated when it falls due). A token
 * bucket that never breaks a sliding window must keep its burst out of the window's rate — SendCloud's 100
 * writes a minute become 86.6 after a burst of 12 — while a ledger grants exactly what every window still has
 * room for: the whole burst at once and the whole budget every window.
 */
export type Ledger = readonly number[];

/** Tokens granted in a window that opens after `since`; grants dated later than now count too. */
function usedAfter(ledger: Ledger, since: number): number {
  let used = 0;
  for (let i = 0; i < ledger.length; i += 2) if ((ledger[i] ?? 0) > since) used += ledger[i + 1] ?? 0;
  return used;
}

/** A window's limit at a fraction of the configured rate (after a 429), whole tokens, at least one. */
const limitAt = (window: WindowRule, factor: number) => Math.max(1, Math.floor(window.limit * factor + 1e-9));

/** Tokens every window still has room for at `now` (negative: granted ahead beyond it). */
export function ledgerAvailable(
  ledger: Ledger,
  windows: readonly WindowRule[],
  now: number,
  factor = 1,
): number {
  return Math.min(...windows.map((w) => limitAt(w, factor) - usedAfter(ledger, now - w.windowMs)));
}

/**
 * Milliseconds from `now` until every window has room for `tokens` more (0: now): when enough of the
 * grants in the way have left it. A window whose limit (cut after a 429) is below `tokens` says its length:
 * by then the limit has recovered some, and the caller reads again.
 */
export function ledgerMsUntil(
  ledger: Ledger,
  windows: readonly WindowRule[],
  now: number,
  tokens: number,
  factor = 1,
): number {
  let wait = 0;
  for (const w of windows) {
    const limit = limitAt(w, factor);
    if (tokens > limit) {
      wait = Math.max(wait, w.windowMs);
      continue;
    }
    let excess = usedAfter(ledger, now - w.windowMs) + tokens - limit;
    for (let i = 0; i < ledger.length && excess > 0; i += 2) {
      const at = ledger[i] ?? 0;
      if (at <= now - w.windowMs) continue;
      excess -= ledger[i + 1] ?? 0;
      // This grant leaves the window the millisecond after `at + windowMs`.
      if (excess <= 0) wait = Math.max(wait, at + w.windowMs - now + 1);
    }
  }
  return wait;
}

/**
 * Most entries a ledger keeps (an item stays a few KB whatever the budget): beyond them the oldest two become
 * one, dated at the later — counted longer, never shorter, so no window can hold more than it did.
 */
export const LEDGER_ENTRIES = 256;

/** The ledger with `count` tokens granted at `at`, without the grants every window has left by `now`. */
export function ledgerWith(
  ledger: Ledger,
  windows: readonly WindowRule[],
  now: number,
  at: number,
  count: number,
): number[] {
  const horizon = now - Math.max(...windows.map((w) => w.windowMs));
  const kept: Array<[number, number]> = [];
  for (let i = 0; i < ledger.length; i += 2) {
    const t = ledger[i] ?? 0;
    if (t > horizon) kept.push([t, ledger[i + 1] ?? 0]);
  }
  if (count > 0) kept.push([at, count]);
  kept.sort((a, b) => a[0] - b[0]);
  while (kept.length > LEDGER_ENTRIES) {
    const [first, second] = kept.splice(0, 2);
    if (first && second) kept.unshift([second[0], first[1] + second[1]]);
  }
  return kept.flat();
}

/** A stored ledger; undefined when there is none or it is not one (the caller decides what that means). */
export function ledgerOf(value: unknown): Ledger | undefined {
  if (!Array.isArray(value) || value.length % 2 !== 0) return undefined;
  return value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (value as number[]) : undefined;
}
