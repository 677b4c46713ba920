import { CLIENT_LOOKUPS_PER_MINUTE } from '../governor/ClientShare';
import * as z from '../validation/zod';

/**
 * The public checkout routes' own settings, validated at cold start like ServiceEnv. Unset, the API is
 * reached directly and each client gets the default share.
 */
export const PublicCheckoutEnv = z.object({
  /**
   * Set when CloudFront fronts the API (stage `edge.enabled`): the token CloudFront adds to its origin
   * requests, without which its viewer address header is not believed.
   */
  CHECKOUT_EDGE_TOKEN: z.optional(
    z.string().check(z.minLength(32, 'at least 32 characters (the generated edge token)')),
  ),
  /** Uncached lookups one client may make per account and minute. */
  CHECKOUT_CLIENT_LOOKUPS_PER_MINUTE: z._default(
    z.coerce.number().check(z.int(), z.gte(2)),
    CLIENT_LOOKUPS_PER_MINUTE,
  ),
});
export type PublicCheckoutEnv = z.infer<typeof PublicCheckoutEnv>;

export function loadPublicCheckoutEnv(env: NodeJS.ProcessEnv = process.env): PublicCheckoutEnv {
  const result = PublicCheckoutEnv.safeParse(env);
  if (!result.success)
    throw new Error(
      `Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}
