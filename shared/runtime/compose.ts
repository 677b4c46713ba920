import type { ServiceEnv } from '../config/env';
import { UnknownAccountError } from '../sendcloud/UnknownAccountError';
import { type Adapter, createRuntime, type Runtime, type RuntimeOptions } from './Runtime';

type Adapters = Readonly<Record<string, Adapter<unknown>>>;

/** Each named adapter's value, built on first read. */
export type Composed<A extends Adapters> = { readonly [K in keyof A]: ReturnType<A[K]> };

function lazyView<A extends Adapters>(runtime: Runtime, adapters: A): Composed<A> {
  const view = {};
  for (const [name, adapter] of Object.entries(adapters))
    Object.defineProperty(view, name, { enumerable: true, get: () => runtime.use(adapter) });
  return view as Composed<A>;
}

/**
 * A function's composition root: just the adapters it names, each built from the validated environment on
 * first use (module scope in `functions/`, once per container). The local stack and the integration tests run
 * the very same code against emulators. An adapter whose resource the function's declaration does not bind
 * throws UnboundResourceError when first used, so a missing binding shows in the first test that takes that
 * path.
 *
 * @example const services = compose(loadEnv(), { store: orderStore, tracking: trackingStore });
 */
export function compose<const A extends Adapters>(
  env: ServiceEnv,
  adapters: A,
  options: RuntimeOptions = {},
) {
  const runtime = createRuntime(env, options);
  return Object.assign(lazyView(runtime, adapters), {
    env,
    /** Refuses an account id this stage does not configure (ACCOUNTS), without reading its keys. */
    requireAccount(account: string): void {
      if (!env.ACCOUNTS.has(account)) throw new UnknownAccountError(account);
    },
  });
}

/** Several adapters as one lazy object (a use case's deps), each built on first read. */
export function group<const A extends Adapters>(adapters: A): Adapter<Composed<A>> {
  return (runtime) => lazyView(runtime, adapters);
}
