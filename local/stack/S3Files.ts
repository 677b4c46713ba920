import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod';
import type { FauxqsS3Object, FauxqsS3Store } from './fauxqsStores';
import { syncDirectory } from './SqsJournal';

/**
 * fauxqs keeps S3 in memory; this writes it through to `<dir>/<bucket>/<key, URI-encoded>.obj` — a JSON header
 * line (key, content type, metadata, ETag, date) and the bytes — fsync'd and renamed into place before the
 * store returns, so before the PUT is answered, as S3 has the object once it answers. A DELETE removes the
 * file first. Bodies are read from the files when asked for, so memory holds only the headers.
 * Multipart parts not yet completed stay in memory (a crash loses the unfinished upload).
 */
export class S3Files {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Loads the buckets and objects on disk into the store, then writes its changes through. */
  attach(store: FauxqsS3Store): void {
    const createBucket = store.createBucket.bind(store);
    store.createBucket = (name) => {
      mkdirSync(this.#bucketDir(name), { recursive: true });
      createBucket(name);
    };
    const deleteBucket = store.deleteBucket.bind(store);
    store.deleteBucket = (name) => {
      deleteBucket(name);
      rmSync(this.#bucketDir(name), { recursive: true, force: true });
    };
    const putObject = store.putObject.bind(store);
    store.putObject = (...args) => this.#keep(store, String(args[0]), putObject(...args));
    const completeMultipartUpload = store.completeMultipartUpload.bind(store);
    store.completeMultipartUpload = (...args) => {
      const bucket = store.multipartUploads.get(String(args[0]))?.bucket;
      const object = completeMultipartUpload(...args);
      return bucket === undefined ? object : this.#keep(store, bucket, object);
    };
    const deleteObject = store.deleteObject.bind(store);
    store.deleteObject = (bucket, key) => {
      deleteObject(bucket, key);
      rmSync(this.#file(bucket, key), { force: true });
      syncDirectory(this.#bucketDir(bucket));
    };
    const emptyBucket = store.emptyBucket.bind(store);
    store.emptyBucket = (name) => {
      emptyBucket(name);
      this.#emptyDir(name);
    };
    const clearObjects = store.clearObjects.bind(store);
    store.clearObjects = () => {
      clearObjects();
      for (const name of store.buckets.keys()) this.#emptyDir(name);
    };
    const purgeAll = store.purgeAll.bind(store);
    store.purgeAll = () => {
      purgeAll();
      rmSync(this.#dir, { recursive: true, force: true });
      mkdirSync(this.#dir, { recursive: true });
    };
    this.#load(store);
  }

  /** Writes the object durably, then keeps only its header in memory. */
  #keep(store: FauxqsS3Store, bucket: string, object: FauxqsS3Object): FauxqsS3Object {
    const file = this.#file(bucket, object.key);
    const header: ObjectHeader = {
      key: object.key,
      contentType: object.contentType,
      metadata: object.metadata,
      etag: object.etag,
      lastModified: object.lastModified.toISOString(),
    };
    const tmp = join(this.#bucketDir(bucket), `.tmp-${randomUUID()}`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify(header)}\n`);
      writeSync(fd, object.body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    syncDirectory(this.#bucketDir(bucket));
    store.buckets.get(bucket)?.set(object.key, lazyObject(file, header, object.contentLength));
    return object;
  }

  #load(store: FauxqsS3Store): void {
    for (const bucket of readdirSync(this.#dir)) {
      const dir = this.#bucketDir(bucket);
      if (!statSync(dir).isDirectory()) continue;
      store.createBucket(bucket);
      const objects = store.buckets.get(bucket);
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        // A write cut short by a crash: never acknowledged.
        if (name.startsWith('.tmp-')) unlinkSync(file);
        else if (name.endsWith('.obj')) {
          const { header, bodyBytes } = readObject(file);
          objects?.set(header.key, lazyObject(file, header, bodyBytes));
        } else this.#migrate(store, bucket, file);
      }
    }
  }

  /** Files of the older snapshot layout (`<bucket>/<key>`, written on a clean stop): taken in, then removed. */
  #migrate(store: FauxqsS3Store, bucket: string, path: string): void {
    const files = statSync(path).isDirectory() ? walk(path) : [path];
    for (const file of files) {
      const key = relative(this.#bucketDir(bucket), file).split('\\').join('/');
      if (!existsSync(this.#file(bucket, key)))
        store.putObject(
          bucket,
          key,
          readFileSync(file),
          key.endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream',
        );
    }
    rmSync(path, { recursive: true, force: true });
  }

  #emptyDir(bucket: string): void {
    rmSync(this.#bucketDir(bucket), { recursive: true, force: true });
    mkdirSync(this.#bucketDir(bucket), { recursive: true });
  }

  #bucketDir(bucket: string): string {
    return join(this.#dir, bucket);
  }

  /** The key, readable and injective (no `.` so no `..` or `.tmp-`), or its hash past a file name's length. */
  #file(bucket: string, key: string): string {
    const name = encodeURIComponent(key).replaceAll('.', '%2E');
    const safe = name.length <= 200 ? name : `%23${createHash('sha256').update(key).digest('hex')}`;
    return join(this.#bucketDir(bucket), `${safe}.obj`);
  }
}

const ObjectHeader = z.object({
  key: z.string(),
  contentType: z.string(),
  metadata: z.record(z.string(), z.string()),
  etag: z.string(),
  lastModified: z.string(),
});
type ObjectHeader = z.infer<typeof ObjectHeader>;

function readObject(file: string): { header: ObjectHeader; body: Buffer; bodyBytes: number } {
  const bytes = readFileSync(file);
  const end = bytes.indexOf(0x0a);
  const header = ObjectHeader.parse(JSON.parse(bytes.subarray(0, end).toString('utf8')));
  const body = bytes.subarray(end + 1);
  return { header, body, bodyBytes: body.length };
}

/** The object as fauxqs reads it, its bytes read from the file on each use. */
function lazyObject(file: string, header: ObjectHeader, contentLength: number): FauxqsS3Object {
  return {
    key: header.key,
    contentType: header.contentType,
    contentLength,
    etag: header.etag,
    lastModified: new Date(header.lastModified),
    metadata: header.metadata,
    get body() {
      return readObject(file).body;
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
