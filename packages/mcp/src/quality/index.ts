export {
  assessQuality,
  evaluateProfile,
  gradeOf,
  ocrGarbageTokens,
  QUALITY_WEIGHTS,
  QUALITY_ALGORITHM_VERSION,
  NEAR_EMPTY_WORDS,
  SHORT_WORDS,
  NEAR_DUPLICATE_MAX_DISTANCE,
  type QualityOutput,
  type QualityIssue,
  type QualityGrade,
  type QualitySeverity,
  type IssueLocation,
  type QualityInput,
  type AssessOptions,
  type MetricFamily,
  type FailedRule,
  type PageScore,
} from "./assess";
export { ISSUE_CODES, type IssueCode } from "./codes";
export {
  ProfileRulesSchema,
  DEFAULT_PROFILE,
  builtinProfileSource,
  type ProfileRules,
  type QualityProfile,
  type ProfileSource,
  type SignatureStore,
} from "./profile";
export { createQualityServer, type QualityServerDeps } from "./server";
