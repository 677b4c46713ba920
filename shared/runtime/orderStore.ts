import { DynamoOrderStore } from '../store/dynamodb/DynamoOrderStore';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const orderStore: Adapter<DynamoOrderStore> = (runtime) =>
  new DynamoOrderStore(runtime.use(documentClient), serviceTable(runtime));
