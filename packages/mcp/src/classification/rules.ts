import { sharedRegexRunner, type RegexRunner } from "./regex-runner";

/**
 * Rules per label, as paperless-ngx has them: a rule that matches decides the label before
 * the model is asked. `any`: one of the words appears; `all`: every word appears; `phrase`:
 * the exact phrase appears (whitespace-insensitive); `regex`: the expression matches. Words
 * and phrases match whole words only. Rules are tried in order; the first match decides.
 */
export const RULE_MATCHES = ["any", "all", "phrase", "regex"] as const;
export type RuleMatch = (typeof RULE_MATCHES)[number];
export type LabelRule = { id?: string; label: string; match: RuleMatch; pattern: string; caseInsensitive: boolean };

export const MAX_RULE_PATTERN_CHARS = 500;
export const MAX_RULES_PER_TAXONOMY = 200;
/** Rules look at the start of a document only: enough for letterheads and subjects, bounded work. */
export const RULE_TEXT_CHARS = 100_000;

export class InvalidRuleError extends Error {
  readonly code = "invalid_rule";
  constructor(message: string) {
    super(message);
    this.name = "InvalidRuleError";
  }
}

/** Checks one rule (the label's membership is the caller's business); throws InvalidRuleError. */
export function validateRule(rule: LabelRule, position = 0): LabelRule {
  const where = `Rule ${position + 1} (${rule.label})`;
  const pattern = rule.pattern.trim();
  if (!pattern) throw new InvalidRuleError(`${where} has an empty pattern.`);
  if (pattern.length > MAX_RULE_PATTERN_CHARS) {
    throw new InvalidRuleError(`${where}: the pattern has ${pattern.length} characters; at most ${MAX_RULE_PATTERN_CHARS} are allowed.`);
  }
  if (!RULE_MATCHES.includes(rule.match)) throw new InvalidRuleError(`${where}: match must be one of ${RULE_MATCHES.join(", ")}.`);
  if (rule.match === "regex") {
    try {
      new RegExp(pattern, regexFlags(rule));
    } catch (err) {
      throw new InvalidRuleError(`${where}: the regular expression is not valid (${err instanceof Error ? err.message : String(err)}).`);
    }
  }
  return { ...rule, pattern };
}

function regexFlags(rule: LabelRule): string {
  // No `u` flag: patterns are written as in paperless-ngx (Python), where `\-` and the like are fine.
  return rule.caseInsensitive ? "i" : "";
}

export type RuleDecision = { rule: LabelRule; matched: string };
export type RuleEvaluation = { decision: RuleDecision | null; warnings: string[] };

/** The first rule that matches `text`, or null; regex rules that time out are skipped with a warning. */
export async function decideByRules(rules: LabelRule[], text: string, runner: RegexRunner = sharedRegexRunner()): Promise<RuleEvaluation> {
  const warnings: string[] = [];
  if (!rules.length) return { decision: null, warnings };
  const slice = text.slice(0, RULE_TEXT_CHARS);
  const folded = normalise(slice, true);
  const exact = normalise(slice, false);
  for (const rule of rules) {
    if (rule.match === "regex") {
      const outcome = await runner.exec(rule.pattern, regexFlags(rule), slice);
      if ("timedOut" in outcome) warnings.push(`The regex rule ${JSON.stringify(rule.pattern.slice(0, 80))} for ${rule.label} took too long and was skipped.`);
      else if ("error" in outcome) warnings.push(`The regex rule ${JSON.stringify(rule.pattern.slice(0, 80))} for ${rule.label} failed: ${outcome.error}`);
      else if (outcome.match !== null) return { decision: { rule, matched: outcome.match }, warnings };
      continue;
    }
    const hay = rule.caseInsensitive ? folded : exact;
    const needle = normalise(rule.pattern, rule.caseInsensitive);
    const matched = matchWords(rule.match, hay, needle);
    if (matched !== null) return { decision: { rule, matched }, warnings };
  }
  return { decision: null, warnings };
}

function normalise(s: string, fold: boolean): string {
  const spaced = s.replace(/\s+/g, " ");
  return fold ? spaced.toLowerCase() : spaced;
}

function matchWords(match: Exclude<RuleMatch, "regex">, hay: string, needle: string): string | null {
  if (match === "phrase") return containsWord(hay, needle.trim()) ? needle.trim() : null;
  const words = needle.split(" ").filter(Boolean);
  if (match === "any") return words.find((w) => containsWord(hay, w)) ?? null;
  return words.length && words.every((w) => containsWord(hay, w)) ? words.join(" ") : null;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** `word` occurs in `hay` with no letter, digit or underscore right before or after it. */
function containsWord(hay: string, word: string): boolean {
  if (!word) return false;
  const edgeStart = WORD_CHAR.test(word[0]!);
  const edgeEnd = WORD_CHAR.test(word[word.length - 1]!);
  for (let at = hay.indexOf(word); at >= 0; at = hay.indexOf(word, at + 1)) {
    const before = at > 0 ? hay[at - 1]! : "";
    const after = hay[at + word.length] ?? "";
    if ((!edgeStart || !before || !WORD_CHAR.test(before)) && (!edgeEnd || !after || !WORD_CHAR.test(after))) return true;
  }
  return false;
}
