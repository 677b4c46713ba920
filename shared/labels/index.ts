export * from './fileResponse';
export * from './handOut';
export * from './LabelStore';
