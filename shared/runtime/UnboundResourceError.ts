/** A function used an adapter whose resource its declaration does not bind (infra/functions.ts). */
export class UnboundResourceError extends Error {
  override readonly name = 'UnboundResourceError' as const;
  readonly code = 'UNBOUND_RESOURCE' as const;
  readonly retryable = false;

  constructor(variable: string) {
    super(
      `${variable} is not set: this function's declaration in infra/functions.ts does not bind the resource it names`,
    );
  }
}
