import { DynamoCatalogStore } from '../store/dynamodb/DynamoCatalogStore';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const catalogStore: Adapter<DynamoCatalogStore> = (runtime) =>
  new DynamoCatalogStore(runtime.use(documentClient), serviceTable(runtime));
