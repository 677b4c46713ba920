import type { RoutingDeps } from '../orders/announcement';
import type { ProcessDeps } from '../orders/processOrder';
import { methodHealth } from './methodHealth';
import type { Adapter } from './Runtime';
import { rulesStore } from './rulesStore';
import { sendcloudPorts } from './sendcloudClients';

/**
 * What routing an order without processing it reads (explain, checkout): the rules, the methods' health and
 * the account's SendCloud port — not `processDeps`, whose label store and event publisher would bring the S3
 * and EventBridge clients to a function that never stores a label or publishes an event.
 */
export const routingDeps: Adapter<RoutingDeps & Pick<ProcessDeps, 'sendcloud'>> = (runtime) => ({
  get health() {
    return runtime.use(methodHealth);
  },
  get rules() {
    return runtime.use(rulesStore);
  },
  sendcloud: runtime.use(sendcloudPorts),
  clock: () => new Date(),
});
