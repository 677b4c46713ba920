import { endOfDaySuite } from './suites/endOfDay';

// End of day for an account on SendCloud API v2; end-of-day-v3.test.ts runs the same suite on v3.
endOfDaySuite('v2');
