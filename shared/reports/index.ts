export * from './dailyReport';
