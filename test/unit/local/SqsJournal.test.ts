import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FauxqsSqsMessage, fauxqsStores } from '../../../local/stack/fauxqsStores';
import { SqsJournal } from '../../../local/stack/SqsJournal';

const message = (body: string): FauxqsSqsMessage => ({
  messageId: `id-${body}`,
  body,
  md5OfBody: '',
  messageAttributes: {},
  md5OfMessageAttributes: '',
  sentTimestamp: Date.now(),
  approximateReceiveCount: 0,
});

async function queueWith(file: string, options: { compactAfterBytes?: number } = {}) {
  const { sqsStore } = await fauxqsStores();
  const journal = new SqsJournal(file, options);
  journal.attach(sqsStore);
  const queue = sqsStore.createQueue('work', 'http://q/work', 'arn:aws:sqs:eu-west-1:000000000000:work', {
    VisibilityTimeout: '30',
  });
  return { journal, queue };
}

describe('SqsJournal', () => {
  it('stays bounded by the live messages through many send-receive-delete rounds', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'sqs.jsonl');
    const { journal, queue } = await queueWith(file, { compactAfterBytes: 16 * 1024 });
    queue.enqueue(message('stays'));
    journal.flush();

    // Act: 600 messages through the queue, each flushed as a request would be
    for (let i = 0; i < 600; i++) {
      queue.enqueue(message(`m${i}-${'x'.repeat(200)}`));
      journal.flush();
      const received = queue.dequeue(10);
      for (const r of received) {
        const body = queue.inflightMessages.get(r.ReceiptHandle)?.message.body;
        if (body !== 'stays') queue.deleteMessage(r.ReceiptHandle);
      }
      journal.flush();
    }

    // Assess: ≈ 300 KB were appended; the file holds the one live message and at most a rewrite's slack
    expect(statSync(file).size).toBeLessThan(4 * 16 * 1024);
    const reopened = await queueWith(file);
    const live = [
      ...reopened.queue.messages,
      ...[...reopened.queue.inflightMessages.values()].map((e) => e.message),
    ];
    expect(live.map((m) => m.body)).toEqual(['stays']);
  }, 30_000);

  it('ignores a torn last line: a write the crash cut short was never acknowledged', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'journal-')), 'sqs.jsonl');
    const { journal, queue } = await queueWith(file);
    queue.enqueue(message('acknowledged'));
    journal.flush();
    appendFileSync(file, '{"put":{"q":"work","m":{"messageId":"torn"');

    // Act
    const reopened = await queueWith(file);

    // Assess
    expect(reopened.queue.messages.map((m) => m.body)).toEqual(['acknowledged']);
  });
});
