import { describe, expect, it } from 'vitest';
import { aimdPolicy, cut, DEFAULT_AIMD, rateAt } from '../../../shared/governor/aimd';

const CONFIGURED = 16; // tokens a second
const T0 = Date.parse('2026-11-27T09:00:00Z');

describe('the AIMD rule', () => {
  it('halves the rate on a 429 and halves it again on the next one', () => {
    // Prepare
    const first = cut(CONFIGURED, undefined, T0, DEFAULT_AIMD);
    // Act
    const second = cut(CONFIGURED, first, T0 + 2_000, DEFAULT_AIMD);
    // Assess
    expect(first).toEqual({ rate: 8, at: T0 });
    expect(second?.rate).toBeCloseTo(rateAt(CONFIGURED, first, T0 + 2_000, DEFAULT_AIMD) / 2);
    expect(second?.rate).toBeLessThan(first?.rate ?? 0);
  });

  it('counts 429s of requests already in flight as one: no second cut within holdMs', () => {
    const first = cut(CONFIGURED, undefined, T0, DEFAULT_AIMD);
    expect(cut(CONFIGURED, first, T0 + DEFAULT_AIMD.holdMs - 1, DEFAULT_AIMD)).toBeUndefined();
  });

  it('never cuts below the floor', () => {
    let throttle = cut(CONFIGURED, undefined, T0, DEFAULT_AIMD);
    for (let i = 1; i <= 20; i++) throttle = cut(CONFIGURED, throttle, T0 + i * 1_000, DEFAULT_AIMD);
    expect(throttle?.rate).toBe(CONFIGURED * DEFAULT_AIMD.floor);
  });

  it('recovers linearly, from half to the configured rate in five minutes, and no further', () => {
    const throttle = { rate: CONFIGURED / 2, at: T0 };
    expect(rateAt(CONFIGURED, throttle, T0 + 150_000, DEFAULT_AIMD)).toBeCloseTo(CONFIGURED * 0.75);
    expect(rateAt(CONFIGURED, throttle, T0 + 300_000, DEFAULT_AIMD)).toBeCloseTo(CONFIGURED);
    expect(rateAt(CONFIGURED, throttle, T0 + 3_600_000, DEFAULT_AIMD)).toBe(CONFIGURED);
    // a clock behind the cut's neither adds nor removes rate
    expect(rateAt(CONFIGURED, throttle, T0 - 10_000, DEFAULT_AIMD)).toBe(CONFIGURED / 2);
  });

  it('rejects a policy that would raise the rate on a 429 or never recover', () => {
    expect(() => aimdPolicy({ decrease: 1.5 })).toThrow(RangeError);
    expect(() => aimdPolicy({ recoveryPerMinute: 0 })).toThrow(RangeError);
    expect(() => aimdPolicy({ floor: 0 })).toThrow(RangeError);
    expect(aimdPolicy({ decrease: 0.7 })).toEqual({ ...DEFAULT_AIMD, decrease: 0.7 });
  });
});
