import { DynamoTrackingStore } from '../store/dynamodb/DynamoTrackingStore';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

export const trackingStore: Adapter<DynamoTrackingStore> = (runtime) =>
  new DynamoTrackingStore(runtime.use(documentClient), serviceTable(runtime));
