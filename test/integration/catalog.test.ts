import { catalogSuite } from './suites/catalog';

// The account's catalogue follows SendCloud, for an account on API v2; catalog-v3.test.ts runs the same suite on v3.
catalogSuite('v2');
