import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import type { FauxqsSqsMessage, FauxqsSqsQueue, FauxqsSqsStore } from './fauxqsStores';

/**
 * fauxqs keeps SQS in memory; this journal makes it as durable as SQS: every send, receive (the message's
 * receive count and visibility deadline), visibility change, delete and purge is appended as one JSON line and
 * fsync'd before the request's reply goes out (`flush`, from the server's onSend hook). On start the journal is
 * replayed and each queue gets its messages back when it is created: queued ones visible, in-flight ones when
 * their visibility timeout would have expired — with their receive counts, so the DLQ redrive still counts.
 * When the file outgrows the live messages it is rewritten with only those (`compact`). Standard queues only.
 */
export class SqsJournal {
  readonly #file: string;
  readonly #options: Required<SqsJournalOptions>;
  /** Replayed messages whose queue has not been created yet in this run, by message id. */
  readonly #restoring = new Map<string, JournalMessage>();
  readonly #queues = new Set<FauxqsSqsQueue>();
  #fd: number;
  #pending: string[] = [];
  #compactedBytes = 0;

  constructor(file: string, options: SqsJournalOptions = {}) {
    this.#file = file;
    this.#options = { ...DEFAULTS, ...options };
    for (const entry of replay(file)) this.#restoring.set(entry.m.messageId, entry);
    this.#fd = openSync(file, 'a');
    this.compact();
  }

  /** Journals every queue the store creates from now on, and gives it back its replayed messages. */
  attach(store: FauxqsSqsStore): void {
    const createQueue = store.createQueue.bind(store);
    store.createQueue = (...args) => {
      const queue = createQueue(...args);
      this.#restore(queue);
      this.#journal(queue);
      this.#queues.add(queue);
      return queue;
    };
    const deleteQueue = store.deleteQueue.bind(store);
    store.deleteQueue = (url) => {
      const queue = store.getQueue(url);
      if (queue) {
        this.#append({ purge: queue.name });
        this.#queues.delete(queue);
      }
      return deleteQueue(url);
    };
    const clearMessages = store.clearMessages.bind(store);
    store.clearMessages = () => {
      for (const queue of this.#queues) this.#append({ purge: queue.name });
      clearMessages();
    };
  }

  /** Writes and fsyncs what the requests so far changed; then compacts if the file has grown enough. */
  flush(): void {
    if (this.#pending.length === 0) return;
    writeSync(this.#fd, this.#pending.join(''));
    fdatasyncSync(this.#fd);
    this.#pending = [];
    const bytes = fstatSync(this.#fd).size;
    if (bytes > Math.max(this.#options.compactAfterBytes, this.#compactedBytes * 4)) this.compact();
  }

  /** Rewrites the journal with only the live messages (atomically: a new file renamed over the old). */
  compact(): void {
    const now = Date.now();
    const lines: string[] = [];
    for (const entry of this.#restoring.values()) lines.push(line({ put: entry }));
    for (const queue of this.#queues) {
      const retentionMs = Number(queue.attributes.MessageRetentionPeriod ?? 345_600) * 1000;
      const live = (m: FauxqsSqsMessage) => m.sentTimestamp + retentionMs > now;
      for (const m of [...queue.messages, ...queue.delayedMessages])
        if (live(m)) lines.push(line({ put: { q: queue.name, m } }));
      for (const inflight of queue.inflightMessages.values())
        if (live(inflight.message)) lines.push(line({ put: inflightEntry(queue, inflight) }));
    }
    const tmp = `${this.#file}.compacting`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, lines.join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.#file);
    syncDirectory(dirname(this.#file));
    closeSync(this.#fd);
    this.#fd = openSync(this.#file, 'a');
    this.#compactedBytes = fstatSync(this.#fd).size;
    // Anything appended but not flushed describes changes the new file already holds.
    this.#pending = [];
  }

  /** Size of the journal file now (for tests and the size figures in the README). */
  get bytes(): number {
    return fstatSync(this.#fd).size;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }

  #append(record: JournalLine): void {
    this.#pending.push(line(record));
  }

  #restore(queue: FauxqsSqsQueue): void {
    const now = Date.now();
    for (const [id, { q, m, rh, until }] of this.#restoring) {
      if (q !== queue.name) continue;
      this.#restoring.delete(id);
      if (rh && until !== undefined && until > now && !queue.isFifo())
        queue.inflightMessages.set(rh, { message: m, receiptHandle: rh, visibilityDeadline: until });
      else if (m.delayUntil !== undefined && m.delayUntil > now && !queue.isFifo())
        queue.delayedMessages.push(m);
      else queue.messages.push(m);
    }
  }

  /** Wraps the queue's own mutations; each records the message's state after it. */
  #journal(queue: FauxqsSqsQueue): void {
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = (m) => {
      enqueue(m);
      // Also a message moved here from its source queue's redrive: the line moves it in the journal too.
      this.#append({ put: { q: queue.name, m } });
    };
    const dequeue = queue.dequeue.bind(queue);
    queue.dequeue = (...args) => {
      const received = dequeue(...args);
      for (const r of received) {
        const inflight = queue.inflightMessages.get(r.ReceiptHandle);
        if (inflight) this.#append({ put: inflightEntry(queue, inflight) });
      }
      return received;
    };
    const deleteMessage = queue.deleteMessage.bind(queue);
    queue.deleteMessage = (receiptHandle) => {
      const inflight = queue.inflightMessages.get(receiptHandle);
      const deleted = deleteMessage(receiptHandle);
      if (deleted && inflight) this.#append({ del: inflight.message.messageId });
      return deleted;
    };
    const changeVisibility = queue.changeVisibility.bind(queue);
    queue.changeVisibility = (receiptHandle, timeoutSeconds) => {
      const inflight = queue.inflightMessages.get(receiptHandle);
      changeVisibility(receiptHandle, timeoutSeconds);
      if (!inflight) return;
      this.#append({
        put: timeoutSeconds === 0 ? { q: queue.name, m: inflight.message } : inflightEntry(queue, inflight),
      });
    };
    const purge = queue.purge.bind(queue);
    queue.purge = () => {
      purge();
      this.#append({ purge: queue.name });
    };
  }
}

export interface SqsJournalOptions {
  /** The journal is rewritten once it is larger than this and four times its last rewrite. Default 4 MiB. */
  readonly compactAfterBytes?: number;
}

const DEFAULTS = { compactAfterBytes: 4 * 1024 * 1024 } as const;

const Message = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z.record(
    z.string(),
    z.object({
      DataType: z.string(),
      StringValue: z.string().optional(),
      BinaryValue: z.string().optional(),
    }),
  ),
  md5OfMessageAttributes: z.string(),
  sentTimestamp: z.number(),
  approximateReceiveCount: z.number(),
  approximateFirstReceiveTimestamp: z.number().optional(),
  delayUntil: z.number().optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});

/** A message's state: its queue (by name — URLs carry the port, which changes), and its lease if in flight. */
const JournalMessage = z.object({
  q: z.string(),
  m: Message,
  rh: z.string().optional(),
  until: z.number().optional(),
});
type JournalMessage = z.infer<typeof JournalMessage>;

const JournalLine = z.union([
  z.object({ put: JournalMessage }),
  z.object({ del: z.string() }),
  z.object({ purge: z.string() }),
]);
type JournalLine = z.infer<typeof JournalLine>;

function line(record: JournalLine): string {
  return `${JSON.stringify(record)}\n`;
}

function inflightEntry(
  queue: FauxqsSqsQueue,
  inflight: { message: FauxqsSqsMessage; receiptHandle: string; visibilityDeadline: number },
): JournalMessage {
  return {
    q: queue.name,
    m: inflight.message,
    rh: inflight.receiptHandle,
    until: inflight.visibilityDeadline,
  };
}

/** The live messages a journal describes. A torn last line (a crash mid-write) was never acknowledged. */
function replay(file: string): JournalMessage[] {
  if (!existsSync(file)) return [];
  const state = new Map<string, JournalMessage>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const record = JournalLine.safeParse(parsed);
    if (!record.success) continue;
    const r = record.data;
    if ('put' in r) state.set(r.put.m.messageId, r.put);
    else if ('del' in r) state.delete(r.del);
    else for (const [id, entry] of state) if (entry.q === r.purge) state.delete(id);
  }
  return [...state.values()];
}

/** A rename is durable once its directory is. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
