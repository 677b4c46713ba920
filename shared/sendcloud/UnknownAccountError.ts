/** An account id no credentials (or no ACCOUNTS setting) configure. */
export class UnknownAccountError extends Error {
  override readonly name = 'UnknownAccountError' as const;
  readonly code = 'UNKNOWN_ACCOUNT' as const;
  readonly retryable = false;
  constructor(accountId: string) {
    super(`No SendCloud account "${accountId}" is configured`);
  }
}
