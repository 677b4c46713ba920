import { type AccountDirectory, fileCredentials, secretsManagerCredentials } from '../config/credentials';
import type { Adapter } from './Runtime';

/** Every account's SendCloud keys: the Secrets Manager secret in AWS, a JSON file in the local stack. */
export const accountDirectory: Adapter<AccountDirectory> = (runtime) =>
  runtime.env.SENDCLOUD_CREDENTIALS_FILE
    ? fileCredentials(runtime.env.SENDCLOUD_CREDENTIALS_FILE)
    : secretsManagerCredentials(
        runtime.bound('SENDCLOUD_CREDENTIALS_SECRET_ARN'),
        runtime.env.CREDENTIALS_MAX_AGE_SECONDS,
      );
