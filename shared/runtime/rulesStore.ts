import { DynamoRulesStore } from '../store/dynamodb/DynamoRulesStore';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const rulesStore: Adapter<DynamoRulesStore> = (runtime) =>
  new DynamoRulesStore(runtime.use(documentClient), serviceTable(runtime));
