export { FieldVocabulary, loadedVocabulary, nearestOf } from './FieldVocabulary';
export { describeProblems, type FieldProblem, fieldProblems } from './fieldProblems';
