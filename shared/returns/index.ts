export * from './createReturn';
export * from './listReturns';
export * from './ReturnRequest';
export * from './ReturnView';
