import { createRequire } from 'node:module';

/**
 * Makes dynalite close the LevelDB iterators it opens. dynalite 4.0.0 reads every Query, Scan, ListTables and
 * table deletion through a stream whose `destroy` calls `iterator.return()` "if there is one"
 * (`db/index.js`, `createKeyStream`/`createValueStream`), but abstract-level 3 iterators have `close()` and no
 * `return()` — and are not closed when they reach their end either. So no iterator dynalite opens is ever
 * closed: each stays attached to the database with its LevelDB snapshot, the snapshots keep every overwritten
 * or deleted entry alive through compaction, and the folder and the process grow with every query. This gives
 * the iterators of the two database classes dynalite uses (its own `level` and `memory-level`) the `return()`
 * it calls. Idempotent; `test/integration/dynalite-growth.test.ts` fails if a dynalite upgrade stops relying
 * on it while still leaking.
 */
export function closeDynaliteIterators(): void {
  if (installed) return;
  installed = true;
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level }: { Level: LevelClass } = fromDynalite('level');
  const { MemoryLevel }: { MemoryLevel: LevelClass } = fromDynalite('memory-level');
  for (const { prototype } of [Level, MemoryLevel])
    for (const method of ['iterator', 'keys', 'values'] as const) {
      const open = prototype[method];
      prototype[method] = function (...args) {
        const iterator = open.apply(this, args);
        iterator.return ??= async () => {
          await iterator.close();
          return { done: true, value: undefined };
        };
        return iterator;
      };
    }
}

let installed = false;

/** The part of an abstract-level iterator this uses. */
interface LevelIterator {
  close(): Promise<void>;
  return?: () => Promise<IteratorReturnResult<undefined>>;
}
type OpenIterator = (this: unknown, ...args: unknown[]) => LevelIterator;
interface LevelClass {
  prototype: Record<'iterator' | 'keys' | 'values', OpenIterator>;
}
