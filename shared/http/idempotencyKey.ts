import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../validation/zod';
import { HttpError } from './errors';
import { header } from './request';

/** Visible ASCII, as the IETF Idempotency-Key draft and every client library send it (a UUID fits). */
const KEY = /^[\x21-\x7E]{1,255}$/;

/** The part of a payload 2.0 event an IAM-authorized route carries (absent locally and on public routes). */
const IamCaller = z.object({
  authorizer: z.object({ iam: z.object({ userArn: z.string().check(z.minLength(1)) }) }),
});

/**
 * Who called, as API Gateway's IAM authorizer saw it: the user or role ARN. An assumed role's ARN ends in a
 * session name that changes with every set of credentials, so the role stands for the caller. `local` when
 * the request did not come through IAM (the local stack).
 */
export function callerOf(event: APIGatewayProxyEventV2): string {
  const parsed = IamCaller.safeParse(event.requestContext);
  if (!parsed.success) return 'local';
  return parsed.data.authorizer.iam.userArn.replace(/^(arn:[^:]+:sts::\d+:assumed-role\/[^/]+)\/.*$/, '$1');
}

/**
 * The request's `Idempotency-Key`, scoped to the caller and the SendCloud account: keys are chosen by
 * callers, so one caller's key must never return (or block) another caller's answer. Undefined without a
 * key; a key that is not 1–255 visible ASCII characters is a 400.
 */
export function scopedIdempotencyKey(event: APIGatewayProxyEventV2, account: string): string | undefined {
  const key = header(event, 'idempotency-key');
  if (!key) return undefined;
  if (!KEY.test(key))
    throw new HttpError(
      400,
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 1 to 255 visible ASCII characters; a random UUID per request is a good key.',
    );
  return JSON.stringify([callerOf(event), account, key]);
}
