import type { BuildAppOptions } from 'fauxqs';

/**
 * fauxqs 1.9.2's in-memory stores, which `buildApp({ stores })` accepts but the package does not export: they
 * are loaded from its own files (the same module instances its app uses), so the local stack can make them
 * durable (`SqsJournal`, `S3Files`). Only the parts those use are typed here.
 */
export interface FauxqsSqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<
    string,
    { DataType: string; StringValue?: string | undefined; BinaryValue?: string | undefined }
  >;
  md5OfMessageAttributes: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number | undefined;
  delayUntil?: number | undefined;
  messageGroupId?: string | undefined;
  messageDeduplicationId?: string | undefined;
  sequenceNumber?: string | undefined;
}

export interface FauxqsInflight {
  message: FauxqsSqsMessage;
  receiptHandle: string;
  visibilityDeadline: number;
}

export interface FauxqsSqsQueue {
  readonly name: string;
  readonly attributes: Record<string, string>;
  messages: FauxqsSqsMessage[];
  delayedMessages: FauxqsSqsMessage[];
  inflightMessages: Map<string, FauxqsInflight>;
  isFifo(): boolean;
  enqueue(message: FauxqsSqsMessage): void;
  dequeue(...args: unknown[]): Array<{ ReceiptHandle: string }>;
  deleteMessage(receiptHandle: string): boolean;
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
  purge(): void;
}

export interface FauxqsSqsStore {
  createQueue(...args: unknown[]): FauxqsSqsQueue;
  deleteQueue(url: string): boolean;
  getQueue(url: string): FauxqsSqsQueue | undefined;
  listQueues(): FauxqsSqsQueue[];
  clearMessages(): void;
  purgeAll(): void;
}

export interface FauxqsS3Object {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

export interface FauxqsS3Store {
  buckets: Map<string, Map<string, FauxqsS3Object>>;
  multipartUploads: Map<string, { bucket: string }>;
  createBucket(name: string): void;
  deleteBucket(name: string): void;
  putObject(...args: unknown[]): FauxqsS3Object;
  completeMultipartUpload(...args: unknown[]): FauxqsS3Object;
  deleteObject(bucket: string, key: string): void;
  emptyBucket(name: string): void;
  clearObjects(): void;
  purgeAll(): void;
}

export interface FauxqsStores {
  readonly sqsStore: FauxqsSqsStore;
  readonly snsStore: object;
  readonly s3Store: FauxqsS3Store;
}

/** The same stores as `buildApp` types them (its classes, which these interfaces describe only in part). */
export function asBuildAppStores(stores: FauxqsStores): NonNullable<BuildAppOptions['stores']> {
  return stores as unknown as NonNullable<BuildAppOptions['stores']>;
}

/** A fresh set of fauxqs stores, as `buildApp` would make them. */
export async function fauxqsStores(): Promise<FauxqsStores> {
  const app = import.meta.resolve('fauxqs');
  // Module files, not data: their shape is fauxqs 1.9.2's (pinned in package.json).
  const load = async <T>(path: string, name: string): Promise<new () => T> =>
    (await import(new URL(path, app).href))[name];
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load<FauxqsSqsStore>('./sqs/sqsStore.js', 'SqsStore'),
    load<object>('./sns/snsStore.js', 'SnsStore'),
    load<FauxqsS3Store>('./s3/s3Store.js', 'S3Store'),
  ]);
  return { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
}
