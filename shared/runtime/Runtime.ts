import type { ServiceEnv } from '../config/env';
import type { SendcloudAttempt } from '../sendcloud/SendcloudHttp';
import { UnboundResourceError } from './UnboundResourceError';

export interface RuntimeOptions {
  /** Every SendCloud attempt (the worker counts 429s). */
  readonly onSendcloudAttempt?: (attempt: SendcloudAttempt) => void;
  /** A create named a method the account no longer has (the worker queues a catalogue refresh). */
  readonly onMethodGone?: (account: string) => void;
}

/** The resource variables a declaration binds (infra/functions.ts); the adapters that need one ask `bound`. */
export type BoundVariable = {
  [K in keyof ServiceEnv]-?: NonNullable<ServiceEnv[K]> extends string ? K : never;
}[keyof ServiceEnv];

/** What adapters are built from: the validated environment, and the adapters already built. */
export interface Runtime {
  readonly env: ServiceEnv;
  readonly options: RuntimeOptions;
  /** The adapter, built on its first use and shared by every adapter of this runtime afterwards. */
  use<T>(adapter: Adapter<T>): T;
  /** The value of a bound resource's variable, or the error that says which binding is missing. */
  bound(variable: BoundVariable): string;
}

/**
 * Builds one adapter from the runtime. Each adapter lives in a module of its own that imports only what it
 * builds, so a function's bundle holds just the adapters its composition names (see ./compose).
 */
export type Adapter<T> = (runtime: Runtime) => T;

export function createRuntime(env: ServiceEnv, options: RuntimeOptions = {}): Runtime {
  // A build that throws (UnboundResourceError) is not kept: the next use throws the same again.
  const built = new Map<Adapter<unknown>, { readonly value: unknown }>();
  const runtime: Runtime = {
    env,
    options,
    use<T>(adapter: Adapter<T>): T {
      let entry = built.get(adapter);
      if (!entry) {
        entry = { value: adapter(runtime) };
        built.set(adapter, entry);
      }
      return entry.value as T;
    },
    bound(variable) {
      const value = env[variable];
      if (typeof value !== 'string' || value === '') throw new UnboundResourceError(variable);
      return value;
    },
  };
  return runtime;
}
