import type { SendcloudPort } from '../sendcloud/port';
import { labelOnA4 } from '../sendcloud/v3/a4';
import type { Adapter } from './Runtime';
import { clientsOf } from './sendcloudClients';

/**
 * The account's SendCloud for a function that serves A4 labels: v3 has no positional A4 label, so the A6 is
 * composed onto the sheet here (pdf-lib). Only `get-order-label` uses it.
 */
export const a4SendcloudPorts: Adapter<
  (account: string, priority?: 'realtime' | 'batch') => Promise<SendcloudPort>
> = (runtime) => {
  const clients = clientsOf(runtime, { composeA4: labelOnA4 });
  return (account, priority) => clients.port(account, priority);
};
