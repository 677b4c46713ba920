import { randomBytes } from 'node:crypto';
import type { SimAccount } from '../accounts';
import type { SimResponse } from '../Simulator';

/**
 * OAuth2 client credentials (REFERENCE.md §1; `POST /oauth2/token` of the merged v3 document, a Hydra
 * endpoint): the client authenticates with Basic (public key : secret key), sends the form
 * `grant_type=client_credentials[&scope=api]` and gets a bearer token valid for an hour on the simulator's
 * clock. Errors are Hydra's `ErrorOAuth2` body (`error`, `error_description`, `status_code`).
 */
export const TOKEN_LIFETIME_S = 3600;
const SCOPE = 'api';

interface IssuedToken {
  readonly accountId: string;
  readonly expiresAt: number;
}

const oauthError = (status: number, error: string, description: string): SimResponse => ({
  status,
  json: { error, error_description: description, status_code: status },
});

/** What the token endpoint answers when the client's credentials are wrong. */
export const invalidClient = (): SimResponse =>
  oauthError(
    401,
    'invalid_client',
    'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
  );

export class OAuthTokens {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #now: () => Date;

  constructor(now: () => Date) {
    this.#now = now;
  }

  /** `POST /oauth2/token` for an account already authenticated by its Basic credentials. */
  issue(account: SimAccount, body: Buffer, contentType: string | undefined): SimResponse {
    if (!contentType?.startsWith('application/x-www-form-urlencoded'))
      return oauthError(
        400,
        'invalid_request',
        'The request must be sent as application/x-www-form-urlencoded.',
      );
    const form = new URLSearchParams(body.toString('utf8'));
    const grant = form.get('grant_type');
    if (!grant)
      return oauthError(
        400,
        'invalid_request',
        'The request is missing the required parameter "grant_type".',
      );
    if (grant !== 'client_credentials')
      return oauthError(
        400,
        'unsupported_grant_type',
        `The authorization grant type "${grant}" is not supported by this client.`,
      );
    const scope = form.get('scope') ?? SCOPE;
    if (scope.split(' ').some((s) => s !== SCOPE))
      return oauthError(
        400,
        'invalid_scope',
        `The requested scope "${scope}" is invalid; the only scope is "${SCOPE}".`,
      );
    const token = `ory_at_${randomBytes(32).toString('base64url')}`;
    this.#tokens.set(token, {
      accountId: account.id,
      expiresAt: this.#now().getTime() + TOKEN_LIFETIME_S * 1000,
    });
    return {
      status: 200,
      json: { access_token: token, expires_in: TOKEN_LIFETIME_S, scope: SCOPE, token_type: 'bearer' },
    };
  }

  /** The account a bearer token stands for while it is valid. */
  accountIdOf(token: string): string | undefined {
    const issued = this.#tokens.get(token);
    if (!issued) return undefined;
    if (this.#now().getTime() >= issued.expiresAt) {
      this.#tokens.delete(token);
      return undefined;
    }
    return issued.accountId;
  }

  clear(): void {
    this.#tokens.clear();
  }
}
