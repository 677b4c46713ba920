import { createRequire } from 'node:module';

/**
 * How many LevelDB iterators dynalite's databases hold open right now: each one pins a snapshot, so this
 * should fall back to zero between requests. A diagnostic for the growth bench and test; counting starts at
 * the first call.
 */
export function openDynaliteIterators(): number {
  if (!counting) {
    counting = true;
    const fromLevel = createRequire(
      createRequire(createRequire(import.meta.url).resolve('dynalite')).resolve('level'),
    );
    const { AbstractLevel }: { AbstractLevel: ResourceOwner } = fromLevel('abstract-level');
    const { attachResource, detachResource } = AbstractLevel.prototype;
    AbstractLevel.prototype.attachResource = function (resource) {
      if (isIterator(resource)) open.add(resource);
      attachResource.call(this, resource);
    };
    AbstractLevel.prototype.detachResource = function (resource) {
      open.delete(resource);
      detachResource.call(this, resource);
    };
  }
  return open.size;
}

let counting = false;
const open = new Set<unknown>();

// Iterators are the resources that read; snapshots, batches and sublevels do not have `next`.
const isIterator = (resource: unknown): boolean =>
  typeof resource === 'object' &&
  resource !== null &&
  'next' in resource &&
  typeof resource.next === 'function';

type ResourceMethod = (this: unknown, resource: unknown) => void;
interface ResourceOwner {
  prototype: { attachResource: ResourceMethod; detachResource: ResourceMethod };
}
