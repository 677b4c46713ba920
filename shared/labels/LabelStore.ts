import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface PutLabelResult {
  readonly bucket: string;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface LabelStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<PutLabelResult>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object's size, or undefined when it is not stored. */
  size(key: string): Promise<number | undefined>;
}

export interface PresignOptions {
  /** How long the link works; S3 checks it when a download starts, not while it runs. */
  readonly expiresInSeconds: number;
  /** The name a browser saves it under (Content-Disposition). */
  readonly filename?: string;
  /** Default `attachment` (save); `inline` lets a browser show a PDF. */
  readonly disposition?: 'attachment' | 'inline';
  readonly contentType?: string;
}

/**
 * Short-lived download links, for files too large for a Lambda response (6 MB). Whoever holds a link can
 * fetch that one object until it expires: never log one.
 */
export interface LabelLinks {
  presign(key: string, options: PresignOptions): Promise<string>;
}

/** Labels in the private S3 bucket, each with its SHA-256 (checked by S3 on upload). */
export class S3LabelStore implements LabelStore, LabelLinks {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, options: { readonly bucket: string }) {
    this.#s3 = s3;
    this.#bucket = options.bucket;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<PutLabelResult> {
    const digest = createHash('sha256').update(bytes).digest();
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ChecksumSHA256: digest.toString('base64'),
        Metadata: { sha256: digest.toString('hex') },
      }),
    );
    return { bucket: this.#bucket, key, sha256: digest.toString('hex'), bytes: bytes.byteLength };
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return head.ContentLength;
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw error;
    }
  }

  /** A presigned GET (SigV4 in the query string: the signature, not the key, and the role's session token). */
  presign(key: string, options: PresignOptions): Promise<string> {
    const filename = options.filename?.replace(/[^A-Za-z0-9._-]/g, '_');
    return getSignedUrl(
      this.#s3,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        ...(filename
          ? { ResponseContentDisposition: `${options.disposition ?? 'attachment'}; filename="${filename}"` }
          : {}),
        ...(options.contentType ? { ResponseContentType: options.contentType } : {}),
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return object.Body ? await object.Body.transformToByteArray() : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}

/**
 * `batches/<account>/<batchId>/pages/<sha256>.pdf` — a merged label file SendCloud returned for a batch, kept
 * until the batch's files are merged from it (and expiring with them). Named by its content: a retried call
 * that gets its pages in another order is another file, so no recorded page index ever points elsewhere.
 */
export const mergedLabelsKey = (parts: { account: string; batchId: string; sha256: string }) =>
  `batches/${parts.account}/${parts.batchId}/pages/${parts.sha256}.pdf`;

/** `labels/<account>/<channel>/<orderId>/<parcelId>.<ext>` — one place per label, so a retry overwrites. */
export const labelKey = (parts: {
  account: string;
  channel: string;
  orderId: string;
  parcelId: number;
  format: 'a6' | 'a4' | 'zpl';
}) =>
  `labels/${parts.account}/${parts.channel}/${encodeURIComponent(parts.orderId)}/${parts.parcelId}-${parts.format}.${parts.format === 'zpl' ? 'zpl' : 'pdf'}`;

/** `labels/<account>/<channel>/<orderId>/<parcelId>-customs.pdf` — beside the parcel's label, same grants. */
export const customsDocumentKey = (parts: {
  account: string;
  channel: string;
  orderId: string;
  parcelId: number;
}) =>
  `labels/${parts.account}/${parts.channel}/${encodeURIComponent(parts.orderId)}/${parts.parcelId}-customs.pdf`;
