import { describe, expect, it } from 'vitest';
import {
  canMoveOn,
  FINAL_STATUSES,
  implausibility,
  NORMALIZED_STATUSES,
  type NormalizedStatus,
  PLAUSIBILITY_DEFAULTS,
  plausibilityWindows,
  SENDCLOUD_RETRY_SPAN_MS,
  type SightingContext,
  TERMINAL_EXITS,
  TrackingConfigError,
} from '../../../shared/tracking';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const NOW = new Date('2025-03-14T12:00:00.000Z');
const DAY_AGO = new Date(NOW.getTime() - 24 * HOUR).toISOString();

const context = (overrides: Partial<SightingContext> = {}): SightingContext => ({
  createdAt: DAY_AGO,
  current: undefined,
  now: NOW,
  windows: PLAUSIBILITY_DEFAULTS,
  ...overrides,
});
const webhook = (ts: number, status: NormalizedStatus = 'in_transit') =>
  ({ ts, source: 'webhook', status }) as const;

describe('how old, how new and how early a status may be', () => {
  it('lets a webhook through that SendCloud retried for 6 hours', () => {
    expect(implausibility(webhook(NOW.getTime() - 6 * HOUR), context())).toBeUndefined();
  });

  it('refuses a webhook older than the window (a replay), default 12 h', () => {
    expect(implausibility(webhook(NOW.getTime() - 120 * 24 * HOUR), context())).toBe('tooOld');
    expect(implausibility(webhook(NOW.getTime() - 12 * HOUR - 1), context())).toBe('tooOld');
    expect(implausibility(webhook(NOW.getTime() - 12 * HOUR), context())).toBeUndefined();
  });

  it('does not hold a poll to the window: the poll reads the parcel as it is now', () => {
    const polled = { ts: NOW.getTime() - 20 * HOUR, source: 'poll', status: 'in_transit' } as const;
    expect(implausibility(polled, context())).toBeUndefined();
  });

  it('refuses a status stamped more than the clock skew ahead (a year, or 6 minutes), allows 4 minutes', () => {
    expect(implausibility(webhook(NOW.getTime() + 365 * 24 * HOUR), context())).toBe('future');
    expect(implausibility(webhook(NOW.getTime() + 6 * MINUTE), context())).toBe('future');
    expect(implausibility(webhook(NOW.getTime() + 4 * MINUTE), context())).toBeUndefined();
    const polled = { ts: NOW.getTime() + HOUR, source: 'poll', status: 'delivered' } as const;
    expect(implausibility(polled, context())).toBe('future');
  });

  it('refuses a status from before the order was accepted, within the clock skew it is fine', () => {
    const createdAt = new Date(NOW.getTime() - 2 * HOUR).toISOString();
    expect(implausibility(webhook(NOW.getTime() - 3 * HOUR), context({ createdAt }))).toBe('beforeParcel');
    expect(implausibility(webhook(NOW.getTime() - 2 * HOUR - 4 * MINUTE), context({ createdAt }))).toBe(
      undefined,
    );
  });

  it('uses the windows it is given', () => {
    const windows = plausibilityWindows({ maxAgeMs: 24 * HOUR, clockSkewMs: 0 });
    expect(implausibility(webhook(NOW.getTime() - 20 * HOUR), context({ windows }))).toBeUndefined();
    expect(implausibility(webhook(NOW.getTime() + 1), context({ windows }))).toBe('future');
  });
});

describe('leaving a final status', () => {
  const delivered = { status: 'delivered', ts: NOW.getTime() - HOUR } as const;

  it.each([
    'announced',
    'pending',
    'in_transit',
    'out_for_delivery',
    'awaiting_pickup',
    'exception',
    'unknown',
  ] as const)('refuses a newer %s after delivered', (status) => {
    expect(implausibility(webhook(NOW.getTime(), status), context({ current: delivered }))).toBe(
      'leavesTerminal',
    );
  });

  it('allows the moves SendCloud makes: collected after delivered, returned to sender after delivered', () => {
    expect(implausibility(webhook(NOW.getTime(), 'delivered'), context({ current: delivered }))).toBe(
      undefined,
    );
    expect(
      implausibility(webhook(NOW.getTime(), 'returned_to_sender'), context({ current: delivered })),
    ).toBeUndefined();
  });

  it('leaves an older status alone (it only goes to history anyway)', () => {
    expect(
      implausibility(webhook(NOW.getTime() - 2 * HOUR, 'announced'), context({ current: delivered })),
    ).toBeUndefined();
  });

  it('never un-cancels and never sends a returned parcel out again', () => {
    const others = (keep: NormalizedStatus) => NORMALIZED_STATUSES.filter((s) => s !== keep);
    for (const to of others('cancelled')) expect(canMoveOn('cancelled', to)).toBe(false);
    for (const to of others('returned_to_sender')) expect(canMoveOn('returned_to_sender', to)).toBe(false);
    expect(canMoveOn('cancelled', 'cancelled')).toBe(true);
  });

  it('lets statuses that are not final go anywhere, and lists exits for every final status', () => {
    for (const from of NORMALIZED_STATUSES.filter((s) => !FINAL_STATUSES.has(s)))
      for (const to of NORMALIZED_STATUSES) expect(canMoveOn(from, to)).toBe(true);
    expect(Object.keys(TERMINAL_EXITS).sort()).toEqual([...FINAL_STATUSES].sort());
  });
});

describe('plausibility windows', () => {
  it('defaults to 12 h of age, which covers SendCloud’s whole retry schedule, and 5 minutes of skew', () => {
    expect(plausibilityWindows()).toEqual({ maxAgeMs: 12 * HOUR, clockSkewMs: 5 * MINUTE });
    expect(SENDCLOUD_RETRY_SPAN_MS).toBe((5 + 10 + 20 + 40 + 6 * 60) * MINUTE);
    expect(PLAUSIBILITY_DEFAULTS.maxAgeMs).toBeGreaterThan(SENDCLOUD_RETRY_SPAN_MS);
  });

  it('refuses a window that would drop genuine late deliveries, or is not a duration', () => {
    expect(() => plausibilityWindows({ maxAgeMs: HOUR })).toThrow(TrackingConfigError);
    expect(() => plausibilityWindows({ maxAgeMs: HOUR })).toThrow(/retry span/);
    expect(() => plausibilityWindows({ clockSkewMs: -1 })).toThrow(/clockSkewMs/);
    expect(() => plausibilityWindows({ clockSkewMs: Number.NaN })).toThrow(TrackingConfigError);
  });
});
