export * from './fileResponse';
export * from './handOut';
export * from './LabelStore';
export * from './matchPages';
export * from './pdfPageTexts';
export * from './splitBulkLabels';
