import { afterAll, describe, expect, it } from "vitest";
import {
  ClassificationOutput, InvalidRuleError, RegexRunner, connectInMemory, createClassificationServer, decideByRules,
  trainClassifier, validateRule, type LabelRule,
} from "../src";

const runner = new RegexRunner(100);
afterAll(() => runner.close());
const rule = (label: string, match: LabelRule["match"], pattern: string, caseInsensitive = true): LabelRule => ({ label, match, pattern, caseInsensitive });
const decide = async (rules: LabelRule[], text: string) => (await decideByRules(rules, text, runner)).decision;

describe("label rules", () => {
  const text = "Dear Customer,\nplease find attached\tINVOICE no. 4711 from ACME Corp.";

  it("any / all words match whole words only", async () => {
    expect(await decide([rule("invoice", "any", "receipt invoice")], text)).toMatchObject({ matched: "invoice" });
    expect(await decide([rule("invoice", "any", "voice")], text)).toBeNull();
    expect(await decide([rule("invoice", "all", "invoice acme")], text)).toMatchObject({ matched: "invoice acme" });
    expect(await decide([rule("invoice", "all", "invoice refund")], text)).toBeNull();
  });

  it("phrases match across line breaks and tabs; case matters only when asked", async () => {
    expect(await decide([rule("invoice", "phrase", "attached invoice")], text)).not.toBeNull();
    expect(await decide([rule("invoice", "phrase", "attached INVOICE", false)], text)).not.toBeNull();
    expect(await decide([rule("invoice", "phrase", "attached invoice", false)], text)).toBeNull();
  });

  it("regex rules run with the case option; the first matching rule decides", async () => {
    const rules = [rule("refund", "any", "refund"), rule("invoice", "regex", "invoice no\\. \\d{4}"), rule("other", "any", "dear")];
    expect(await decide(rules, text)).toMatchObject({ rule: { label: "invoice" }, matched: "INVOICE no. 4711" });
    expect(await decide([rule("invoice", "regex", "invoice no", false)], text)).toBeNull();
  });

  it("a catastrophic regex is stopped at its time limit, reported, and the next rule still decides", async () => {
    const evil = "a".repeat(40) + "!";
    const result = await decideByRules([rule("x", "regex", "(a+)+$"), rule("y", "any", "aaaa")], evil.replace("!", " aaaa !"), runner);
    expect(result.decision).toMatchObject({ rule: { label: "y" } });
    expect(result.warnings).toEqual([expect.stringMatching(/took too long and was skipped/)]);
    // The runner starts a fresh thread after abandoning one.
    expect(await decide([rule("z", "regex", "a{3}")], "baaab")).toMatchObject({ matched: "aaa" });
  });

  it("refuses empty, oversized and invalid patterns with a clear message", () => {
    expect(() => validateRule(rule("a", "regex", "(unclosed"))).toThrow(/not valid/);
    expect(() => validateRule(rule("a", "any", "   "))).toThrow(InvalidRuleError);
    expect(() => validateRule(rule("a", "phrase", "x".repeat(501)))).toThrow(/at most 500/);
    expect(validateRule(rule("a", "phrase", "  total due "))).toMatchObject({ pattern: "total due" });
  });
});

describe("classify_document with rules", () => {
  it("says whether a rule or the model decided, and which rule", async () => {
    const examples = [
      ...["the match ended with a late goal", "the team won the league title", "fans cheered the striker's goal"].map((text) => ({ text, label: "sport" })),
      ...["shares fell as profit dropped", "the bank raised interest rates", "revenue and earnings beat forecasts"].map((text) => ({ text, label: "finance" })),
    ];
    const { model } = trainClassifier(examples, { seed: 1, testFraction: 0.34 });
    const rules = [{ id: "r1", ...rule("finance", "phrase", "annual report") }];
    const server = createClassificationServer({
      documents: { getText: async () => { throw new Error("unused"); } },
      models: { getActiveModel: async () => ({ id: "m1", version: 2, taxonomy: "topics", model, rules }) },
    });
    const client = await connectInMemory(server);
    try {
      const ruled = ClassificationOutput.parse(await client.callTool("classify_document", { text: "The team's Annual Report on the league goal." }));
      expect(ruled).toMatchObject({ label: "finance", decidedBy: "rule", confidence: 1, rule: { id: "r1", match: "phrase", matched: "annual report" } });
      const modelled = ClassificationOutput.parse(await client.callTool("classify_document", { text: "the striker scored a late goal in the match" }));
      expect(modelled).toMatchObject({ label: "sport", decidedBy: "model", rule: null });
    } finally {
      await client.close();
    }
  });
});
