/** A tracking option is out of range: raised when the options are merged (cold start), never per status. */
export class TrackingConfigError extends Error {
  override readonly name = 'TrackingConfigError' as const;
  readonly code = 'TRACKING_CONFIG_INVALID' as const;
  readonly retryable = false;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}
