import { endOfDaySuite } from './suites/endOfDay';

// End of day for an account on SendCloud API v3; batches.test.ts runs the same suite on v2.
endOfDaySuite('v3');
