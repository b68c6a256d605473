export {
  assessQuality,
  QUALITY_WEIGHTS,
  NEAR_EMPTY_WORDS,
  SHORT_WORDS,
  type QualityOutput,
  type QualityIssue,
  type QualityGrade,
  type QualitySeverity,
  type IssueLocation,
  type QualityInput,
} from "./assess";
export { createQualityServer } from "./server";
