import type { LabelStore } from '../labels';
import type { StoredDocument } from './Order';

/** Puts one of an order's files into the label bucket and says what was stored, as the order records it. */
export async function putDocument(
  deps: { readonly labels: Pick<LabelStore, 'put'>; readonly clock: () => Date },
  file: { readonly key: string; readonly bytes: Uint8Array; readonly contentType: string },
): Promise<StoredDocument> {
  const stored = await deps.labels.put(file.key, file.bytes, file.contentType);
  return {
    key: file.key,
    contentType: file.contentType,
    sha256: stored.sha256,
    bytes: stored.bytes,
    storedAt: deps.clock().toISOString(),
  };
}
