import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../../shared/batches/Batch';
import { resumeStuckBatches } from '../../../shared/batches/resumeStuckBatches';
import type { OrderMessage } from '../../../shared/orders';
import { MemoryBatchStore } from './fakes';

const NOW = new Date('2026-11-25T17:00:00Z');
const batch = (id: string, changes: Partial<BatchRecord>): BatchRecord => ({
  batchId: id,
  account: 'default',
  status: 'running',
  splitBy: 'none',
  total: 2,
  done: 1,
  failed: 0,
  createdAt: '2026-11-25T16:00:00Z',
  selection: { acceptedBefore: '2026-11-25T16:00:00Z', limit: 100 },
  ...changes,
});

async function sweep(records: readonly BatchRecord[]) {
  const batches = new MemoryBatchStore();
  for (const record of records) await batches.create(record);
  const sent: OrderMessage[] = [];
  const queue = { send: async (messages: readonly OrderMessage[]) => void sent.push(...messages) };
  const result = await resumeStuckBatches({ batches, queue, clock: () => NOW }, { olderThanMs: 10 * 60_000 });
  return { result, sent };
}

describe('resumeStuckBatches', () => {
  it('asks for the merge of batches idle past the bound, starts a stuck start again, and leaves busy ones alone', async () => {
    // Prepare
    const records = [
      batch('RUNNING-IDLE', { activeAt: '2026-11-25T16:30:00Z' }),
      batch('MERGING-IDLE', { status: 'merging', done: 2, activeAt: '2026-11-25T16:40:00Z' }),
      batch('STARTING-IDLE', { status: 'starting', total: 0, done: 0 }),
      batch('RUNNING-BUSY', { activeAt: '2026-11-25T16:58:00Z' }),
      batch('DONE', { status: 'completed', done: 2 }),
    ];

    // Act
    const { result, sent } = await sweep(records);

    // Assess
    expect(sent).toEqual([
      { kind: 'merge', batchId: 'RUNNING-IDLE' },
      { kind: 'merge', batchId: 'MERGING-IDLE' },
      expect.objectContaining({ kind: 'start-batch', batchId: 'STARTING-IDLE', limit: 100 }),
    ]);
    expect(result).toEqual({ resumed: 3, oldestAgeMs: 60 * 60_000 });
  });
});
