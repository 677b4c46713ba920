import { formatSendcloudDate } from '../../shared/sendcloud/units';
import type { SimAccount } from './accounts';
import { methodById } from './catalogue';
import { countryByIso } from './countries';
import { isAnnounced, parcelJson, type SimParcel } from './parcels';
import { servicePointCarriers } from './servicePoints';
import {
  ANNOUNCEMENT_FAILED,
  BEING_ANNOUNCED,
  CANCELLATION_REQUESTED,
  CANCELLED,
  NO_LABEL,
  READY_TO_SEND,
} from './statuses';
import { carrierJson } from './v3/options';

/**
 * The parcel of a `parcel_status_changed` webhook: the `GET /parcels/{id}` object (REFERENCE §6.4) plus what a
 * real 2024 delivery held besides it (REFERENCE §6.4, C-megastore — a logged body, not copied): `carrier.name`
 * and `servicepoints_carrier_code`, the sender's `from_country`/`from_postal_code`, `date_shipped`, the
 * recipient's `house_number`, `colli_tracking_number`, `track_trace_notifications`, `suppressed_statuses`,
 * `should_send_feedback`, `source: "api_v2:bucket"`, `extra_data`, and before announcement a `label` of nulls.
 * Values the log did not show are inferred: `date_shipped` is set once the carrier has the parcel.
 */
const NOT_SHIPPED: readonly number[] = [
  NO_LABEL,
  READY_TO_SEND,
  BEING_ANNOUNCED,
  ANNOUNCEMENT_FAILED,
  CANCELLATION_REQUESTED,
  CANCELLED,
  1998,
  2001,
];

export function webhookParcelJson(
  parcel: SimParcel,
  context: { readonly baseUrl: string; readonly account: SimAccount | undefined },
): Record<string, unknown> {
  const json = parcelJson(parcel, context.baseUrl);
  const f = parcel.fields;
  const method = parcel.methodId === null ? undefined : methodById(parcel.methodId);
  const code = method?.carrier ?? 'sendcloud';
  const sender =
    context.account?.senderAddresses.find((a) => a.id === f.sender_address) ??
    context.account?.senderAddresses[0];
  const fromIso = String((f.is_return === true ? f.from_country : sender?.country) ?? 'NL').toUpperCase();
  const from = countryByIso(fromIso);
  const fromPostal = f.is_return === true ? f.from_postal_code : sender?.postal_code;
  const shipped = isAnnounced(parcel) && !NOT_SHIPPED.includes(parcel.status.id);
  return {
    ...json,
    carrier: {
      code,
      name: carrierJson(code).name,
      servicepoints_carrier_code: servicePointCarriers().includes(code) ? code : null,
    },
    from_country: {
      iso_2: from?.iso_2 ?? fromIso,
      iso_3: from?.iso_3 ?? fromIso,
      name: from?.name ?? fromIso,
    },
    from_postal_code: typeof fromPostal === 'string' ? fromPostal : '',
    date_shipped: shipped ? formatSendcloudDate(parcel.dateAnnounced ?? parcel.dateUpdated) : null,
    house_number: typeof f.house_number === 'string' ? f.house_number : '',
    colli_tracking_number: parcel.colliTrackingNumber,
    track_trace_notifications: true,
    suppressed_statuses: [],
    should_send_feedback: false,
    source: 'api_v2:bucket',
    extra_data: {},
    ...(isAnnounced(parcel) ? {} : { label: { normal_printer: null, label_printer: null } }),
  };
}
