export { type AimdPolicy, aimdPolicy, cut, DEFAULT_AIMD, rateAt, type Throttle } from './aimd';
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
  DynamoRateGovernor,
  type GovernorOptions,
  type Priority,
  SENDCLOUD_BUCKETS,
} from './DynamoRateGovernor';
export { type BucketKey, type BucketReading, DynamoTokenBuckets } from './DynamoTokenBuckets';
export {
  type AccountLimits,
  bucketsFor,
  DEFAULT_ACCOUNT_LIMITS,
  RateLimitsConfig,
  RateLimitsSetting,
  windowsFor,
} from './limits';
export { MemoryClientShare } from './MemoryClientShare';
export { type BucketRule, type BucketState, bucketWithin, secondsToFill, tokensAt } from './tokenBucket';
