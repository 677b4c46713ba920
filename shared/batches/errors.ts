/**
 * A merged part would hold fewer labels than it claims (a stored label is missing and SendCloud did not give it
 * back): nothing is published, and the merge message is retried rather than a short file handed to a printer.
 */
export class MergeIncompleteError extends Error {
  override readonly name = 'MergeIncompleteError' as const;
  readonly code = 'MERGE_INCOMPLETE' as const;
  readonly retryable = true;
  constructor(
    batchId: string,
    part: string,
    detail: { readonly expected: number; readonly got: number },
    options?: ErrorOptions,
  ) {
    super(
      `batch ${batchId} part ${part}: ${detail.got} of ${detail.expected} labels could be merged`,
      options,
    );
  }
}
