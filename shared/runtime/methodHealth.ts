import { DynamoMethodHealth } from '../store/dynamodb/DynamoMethodHealth';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const methodHealth: Adapter<DynamoMethodHealth> = (runtime) =>
  new DynamoMethodHealth(runtime.use(documentClient), serviceTable(runtime));
