import { ordersPerParcelSuite } from './suites/ordersPerParcel';

// Orders of several boxes shipped one shipment per box, for an account on SendCloud API v2;
// orders-per-parcel-v3.test.ts runs the same suite for a v3 account.
ordersPerParcelSuite('v2');
