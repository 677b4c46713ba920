import * as z from '../validation/zod';
import type { LabelLinks, LabelStore } from './LabelStore';

/**
 * Ten minutes: enough to follow the redirect or paste the link into a print tool (S3 checks the expiry when
 * a download starts, so a slow 50 MB download still finishes), short enough that a link left in a proxy log
 * or browser history soon opens nothing. A new one is a GET away.
 */
export const LINK_SECONDS = 600;

/**
 * Files up to 1 MiB come in the response itself. A Lambda response carries at most 6 MB, which is ≈4.4 MB
 * of binary once base64-encoded; 1 MiB leaves room and keeps API Gateway and Lambda memory out of the path
 * of big files.
 */
export const INLINE_MAX_BYTES = 1024 * 1024;

/** The body of a 303 answer: where the file is, and until when that link works. */
export const DownloadLink = z.object({
  url: z.string(),
  expiresAt: z.string(),
  expiresInSeconds: z.number().check(z.int()),
  bytes: z.number().check(z.int()),
  filename: z.string(),
  contentType: z.string(),
});
export type DownloadLink = z.infer<typeof DownloadLink>;

export type HandOut =
  | {
      readonly kind: 'inline';
      readonly bytes: Uint8Array;
      readonly filename: string;
      readonly contentType: string;
      readonly disposition: 'attachment' | 'inline';
    }
  | ({ readonly kind: 'link' } & DownloadLink);

export interface HandOutOptions {
  readonly filename: string;
  readonly contentType: string;
  /** Default `attachment`. */
  readonly disposition?: 'attachment' | 'inline';
  /** Larger files become a link. Default INLINE_MAX_BYTES; 0 makes every file a link. */
  readonly inlineMaxBytes?: number;
  /** Default LINK_SECONDS. */
  readonly expiresInSeconds?: number;
}

/** A stored file for a caller: its bytes when small, else a presigned link; undefined when not stored. */
export async function handOut(
  key: string,
  deps: { readonly files: LabelStore & LabelLinks; readonly clock: () => Date },
  options: HandOutOptions,
): Promise<HandOut | undefined> {
  const { filename, contentType } = options;
  const disposition = options.disposition ?? 'attachment';
  const size = await deps.files.size(key);
  if (size === undefined) return undefined;
  if (size <= (options.inlineMaxBytes ?? INLINE_MAX_BYTES)) {
    const bytes = await deps.files.get(key);
    return bytes ? { kind: 'inline', bytes, filename, contentType, disposition } : undefined;
  }
  const expiresInSeconds = options.expiresInSeconds ?? LINK_SECONDS;
  const expiresAt = new Date(deps.clock().getTime() + expiresInSeconds * 1000).toISOString();
  const url = await deps.files.presign(key, { expiresInSeconds, filename, contentType, disposition });
  return { kind: 'link', url, expiresAt, expiresInSeconds, bytes: size, filename, contentType };
}
