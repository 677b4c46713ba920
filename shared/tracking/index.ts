export {
  type ApplyDeps,
  type ApplyOutcome,
  type ApplyResult,
  applyStatus,
  type StatusObservation,
} from './applyStatus';
export { checkStuckParcels } from './checkStuckParcels';
export { TrackingConfigError } from './errors';
export {
  FINAL_STATUSES,
  hasCarrierScan,
  mappedStatusIds,
  NORMALIZED_STATUSES,
  type NormalizedStatus,
  normalizeStatus,
} from './normalizedStatus';
export {
  IMPLAUSIBILITIES,
  type Implausibility,
  implausibility,
  PLAUSIBILITY_DEFAULTS,
  type PlausibilityWindows,
  plausibilityWindows,
  SENDCLOUD_RETRY_SPAN_MS,
  type SightingContext,
  type StatusSighting,
} from './plausibility';
export { type PollResult, pollStatuses } from './pollStatuses';
export {
  EVENTS_ROUTE,
  type EventAnswer,
  MAX_EVENT_BYTES,
  type ReceiveEventDeps,
  receiveEvent,
  v3CodeOfEvent,
} from './receiveEvent';
export { MAX_WEBHOOK_BYTES, type ReceiveDeps, receiveWebhook, type WebhookAnswer } from './receiveWebhook';
export { canMoveOn, TERMINAL_EXITS } from './terminalTransitions';
export { DEFAULT_ROUTE_ACCOUNT, webhookAccount } from './webhookAccount';
