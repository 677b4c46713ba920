export {
  CATALOG_TRIGGERS,
  type CatalogChange,
  type CatalogChangeKey,
  type CatalogSnapshot,
  type CatalogTrigger,
} from './CatalogSnapshot';
export type { CatalogStore } from './CatalogStore';
export { applyDiff, type CatalogDiff, diffCatalog } from './diffCatalog';
export { CHANGES_PER_COMMIT, type RefreshDeps, type RefreshResult, refreshCatalog } from './refreshCatalog';
