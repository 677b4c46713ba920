export { type AimdPolicy, aimdPolicy, cut, DEFAULT_AIMD, rateAt, type Throttle } from './aimd';
export { BucketLane, type BucketLaneOptions } from './BucketLane';
export {
  CLIENT_LOOKUPS_PER_MINUTE,
  type ClientRef,
  type ClientShare,
  ClientShareExhaustedError,
  clientShareRule,
} from './ClientShare';
export { DynamoClientShare, type DynamoClientShareOptions } from './DynamoClientShare';
export {
  CHECKOUT_BUCKETS,
  DEFER_AFTER_MS,
  DynamoRateGovernor,
  type GovernorOptions,
  type Priority,
  SENDCLOUD_BUCKETS,
} from './DynamoRateGovernor';
export {
  type BucketKey,
  type BucketReading,
  DynamoTokenBuckets,
  msUntil,
  type StoredBucket,
} from './DynamoTokenBuckets';
export {
  type AccountLimits,
  bucketsFor,
  DEFAULT_ACCOUNT_LIMITS,
  LEASE_MS,
  RateLimitsConfig,
  RateLimitsSetting,
  windowsFor,
} from './limits';
export { MemoryClientShare } from './MemoryClientShare';
export {
  type BucketRule,
  type BucketState,
  bucketWithin,
  ledgerWithin,
  secondsToFill,
  tokensAt,
} from './tokenBucket';
export { type Ledger, ledgerAvailable, ledgerMsUntil, ledgerWith } from './windowLedger';
