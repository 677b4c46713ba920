import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * fauxqs keeps S3 in memory; the local stack copies the buckets to `<dir>/<bucket>/<key>` on shutdown and
 * back on start, so stored labels survive a restart like the orders that point at them.
 */
export async function saveBuckets(s3: S3Client, buckets: readonly string[], dir: string): Promise<number> {
  let saved = 0;
  for (const bucket of buckets) {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const file = join(dir, bucket, object.Key);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, await (body.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
        saved++;
      }
      token = page.NextContinuationToken;
    } while (token);
  }
  return saved;
}

export async function restoreBuckets(s3: S3Client, buckets: readonly string[], dir: string): Promise<number> {
  let restored = 0;
  for (const bucket of buckets) {
    const root = join(dir, bucket);
    for (const file of walk(root)) {
      const key = relative(root, file).split('\\').join('/');
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: readFileSync(file),
          ContentType: key.endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream',
        }),
      );
      restored++;
    }
  }
  return restored;
}

function walk(dir: string): string[] {
  try {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  } catch {
    return [];
  }
}
