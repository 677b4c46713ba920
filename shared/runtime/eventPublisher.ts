import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../events/EventPublisher';
import type { Adapter } from './Runtime';

export const eventPublisher: Adapter<EventBridgePublisher> = (runtime) =>
  new EventBridgePublisher(new EventBridgeClient({}), { busName: runtime.bound('EVENT_BUS_NAME') });
