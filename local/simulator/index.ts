export {
  API_VERSIONS,
  type ApiVersion,
  DUPLICATE_REFERENCE_MODES,
  type DuplicateReferenceMode,
  type SimAccountInput,
} from './accounts';
export { BULK_PAGE_ORDERS, type BulkPageOrder } from './bulkPageOrder';
export { METHODS } from './catalogue';
export { type FaultInput, Faults } from './faults';
export { Simulator } from './Simulator';
export {
  DEFAULT_ACCOUNT,
  type RunningSimulator,
  type SimulatorServerOptions,
  simulatorEndpoints,
  startSimulator,
} from './server';
export { SHIPPING_OPTIONS, type SimShippingOption, V3_STATUSES, V3Simulator, v3Code } from './v3';
