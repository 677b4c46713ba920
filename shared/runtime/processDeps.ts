import type { ProcessDeps } from '../orders/processOrder';
import { eventPublisher } from './eventPublisher';
import { labelStore } from './labelStore';
import { methodHealth } from './methodHealth';
import { orderStore } from './orderStore';
import type { Adapter } from './Runtime';
import { rulesStore } from './rulesStore';
import { sendcloudPorts } from './sendcloudClients';
import { trackingStore } from './trackingStore';

/** Everything processing an order touches; each dependency is built when a step first reads it. */
export const processDeps: Adapter<ProcessDeps> = (runtime) => ({
  get store() {
    return runtime.use(orderStore);
  },
  get tracking() {
    return runtime.use(trackingStore);
  },
  get health() {
    return runtime.use(methodHealth);
  },
  get rules() {
    return runtime.use(rulesStore);
  },
  get events() {
    return runtime.use(eventPublisher);
  },
  get labels() {
    return runtime.use(labelStore);
  },
  get labelBucket() {
    return runtime.bound('LABEL_BUCKET');
  },
  sendcloud: runtime.use(sendcloudPorts),
  clock: () => new Date(),
  lockMs: runtime.env.ORDER_LOCK_SECONDS * 1000,
  zplAccounts: runtime.env.ZPL_ACCOUNTS,
  labelBulkSize: runtime.env.LABEL_BULK_SIZE,
});
