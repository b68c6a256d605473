export {
  ALGORITHM_VERSION,
  MIN_WORDS_TO_CLASSIFY,
  trainClassifier,
  evaluateClassifier,
  predict,
  computeMetrics,
  type LabelledText,
  type TrainOptions,
  type ModelMetrics,
  type ClassifierModel,
  type Prediction,
} from "./model";
export { serializeModel, deserializeModel } from "./serialize";
export { DEFAULT_CORPORA, BROWN_GENRES, stripBrownTags, emailBody, type Corpus } from "./corpora";
export { DIMS, HASH_BITS } from "./features";
export { extractFeatures, extractDocumentFeatures, type DocumentFeatures } from "./document-features";
export { findEntities, type Entities } from "./entities";
export { createClassificationServer } from "./server";
export {
  decideByRules, validateRule, InvalidRuleError, RULE_MATCHES, MAX_RULES_PER_TAXONOMY, MAX_RULE_PATTERN_CHARS, RULE_TEXT_CHARS,
  type LabelRule, type RuleMatch, type RuleDecision,
} from "./rules";
export { RegexRunner, sharedRegexRunner } from "./regex-runner";
