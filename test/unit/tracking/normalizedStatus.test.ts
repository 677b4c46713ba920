import { describe, expect, it } from 'vitest';
import { NORMALIZED_STATUSES, normalizeStatus } from '../../../shared/tracking/normalizedStatus';
import { fixture } from '../../helpers/fixtures';

const recorded =
  fixture<{ interactions: Array<{ response: { body: Array<{ id: number; message: string }> } }> }>(
    'BloomAndWild-sendcloud/operation/correct_credentials.json',
  ).interactions[0]?.response.body ?? [];

describe('normalized status vocabulary', () => {
  it('maps every status id SendCloud lists (the 2024 recording) to something other than unknown, except 1337', () => {
    expect(recorded).toHaveLength(35);
    const unmapped = recorded.filter((s) => normalizeStatus(s.id) === 'unknown').map((s) => s.id);
    expect(unmapped).toEqual([1337]);
  });

  it.each([
    [1000, 'announced'],
    [22, 'in_transit'],
    [92, 'out_for_delivery'],
    [12, 'awaiting_pickup'],
    [11, 'delivered'],
    [93, 'delivered'],
    [8, 'delivery_failed'],
    [62992, 'returned_to_sender'],
    [2000, 'cancelled'],
    [1999, 'cancellation_requested'],
    [62996, 'exception'],
    [999, 'pending'],
  ] as const)('%i → %s', (id, expected) => {
    expect(normalizeStatus(id)).toBe(expected);
  });

  it('handles ids SendCloud may add later, and 0 from its doc examples, as unknown', () => {
    expect(normalizeStatus(424242)).toBe('unknown');
    expect(normalizeStatus(0)).toBe('unknown');
    expect(NORMALIZED_STATUSES).toContain(normalizeStatus(424242));
  });
});
