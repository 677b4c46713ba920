import { DynamoBatchStore } from '../batches/DynamoBatchStore';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const batchStore: Adapter<DynamoBatchStore> = (runtime) =>
  new DynamoBatchStore(runtime.use(documentClient), serviceTable(runtime));
