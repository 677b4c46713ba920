export * from './LabelStore';
