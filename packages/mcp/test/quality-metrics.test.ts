import { describe, expect, it } from "vitest";
import {
  assessQuality, connectInMemory, createQualityServer, DEFAULT_PROFILE, extractText, hammingDistance, ibanValid,
  ISSUE_CODES, luhnValid, simhash64, type QualityProfile, type SignatureStore,
} from "../src";
import { CLEAN_PROSE as PROSE, makePdf, singlePage as single } from "./fixtures";

const slice = (page: string, loc: { offset: number; length: number } | null) => page.slice(loc!.offset, loc!.offset + loc!.length);

describe("quality metrics", () => {
  it("raises nothing above info on clean text and reports all readability formulas", () => {
    const out = assessQuality(single(PROSE));
    expect(out.issues.map((i) => i.code)).toEqual([]);
    expect(out.passed).toBe(true);
    expect(out.failedRules).toEqual([]);
    expect(out.profile).toEqual({ name: "default", version: 1 });
    const r = out.metrics.readability;
    expect(r.gunningFog).toBeGreaterThan(4);
    expect(r.gunningFog).toBeLessThan(16);
    expect(r.smog).toBeGreaterThan(4);
    expect(r.smog).toBeLessThan(16);
    expect(out.metrics.ocrGarbageRatio).toBe(0);
    expect(out.metrics.personalData).toEqual({ email: 0, phone: 0, card: 0, iban: 0 });
    expect(out.metrics.pageScore).toEqual({ mean: 100, worst: 100, worstPage: 1 });
  });

  it("locates mojibake in the page where it is", () => {
    const page2 = `${PROSE} The cafÃ© opens at noon.`;
    const out = assessQuality({ text: `${PROSE}\n\n${page2}`, pages: [PROSE, page2] });
    const issue = out.issues.find((i) => i.code === "garbled_encoding")!;
    expect(issue.location!.page).toBe(2);
    expect(slice(page2, issue.location)).toBe("Ã©");
    expect(out.metrics.pageScores[1]!.score).toBeLessThan(out.metrics.pageScores[0]!.score);
    expect(out.metrics.pageScore.worstPage).toBe(2);
  });

  it("finds OCR garbage tokens and locates the first one", () => {
    const noise = "l1|;:~~ ,.,.;;^^ wwwwwwwwww qzxvbnmlkjhgfdsapoiuytrewqzxcvbnmas";
    const text = `${PROSE} ${noise} ${noise}`;
    const out = assessQuality(single(text));
    const issue = out.issues.find((i) => i.code === "ocr_garbage")!;
    expect(issue).toBeDefined();
    expect(slice(text, issue.location)).toBe("l1|;:~~");
    expect(out.metrics.ocrGarbageRatio).toBeGreaterThan(0.02);
    expect(out.score).toBeLessThan(assessQuality(single(PROSE)).score);
  });

  it("finds planted personal data at the right offsets, checking Luhn and mod-97", () => {
    const text =
      `${PROSE} Write to jane.doe@example.com or call +44 20 7946 0958. ` +
      "Card 4111 1111 1111 1111 was used; 4111 1111 1111 1112 is not a card. " +
      "Pay to IBAN GB82 WEST 1234 5698 7654 32, not GB00 WEST 1234 5698 7654 32.";
    const out = assessQuality(single(text));
    const byCode = (code: string) => out.issues.filter((i) => i.code === code);
    expect(byCode("pii_email").map((i) => slice(text, i.location))).toEqual(["jane.doe@example.com"]);
    expect(byCode("pii_phone").map((i) => slice(text, i.location))).toEqual(["+44 20 7946 0958"]);
    expect(byCode("pii_card").map((i) => slice(text, i.location))).toEqual(["4111 1111 1111 1111"]);
    expect(byCode("pii_iban").map((i) => slice(text, i.location))).toEqual(["GB82 WEST 1234 5698 7654 32"]);
    expect(out.metrics.personalData).toEqual({ email: 1, phone: 1, card: 1, iban: 1 });
    expect(byCode("pii_card")[0]!.message).not.toContain("4111 1111 1111 1111");
    expect(luhnValid("79927398713")).toBe(true);
    expect(ibanValid("DE89 3704 0044 0532 0130 00")).toBe(true);
    expect(ibanValid("DE89 3704 0044 0532 0130 01")).toBe(false);
  });

  it("locates a duplicated paragraph at its repeat", () => {
    const para = "The board approved the plan for the new building after a long discussion.";
    const text = `${PROSE}\n\n${para}\n\nSomething else happened later in the year, which we record here.\n\n${para}`;
    const out = assessQuality(single(text));
    const dups = out.issues.filter((i) => i.code === "duplicate_paragraph");
    expect(dups).toHaveLength(1);
    expect(dups[0]!.location!.offset).toBe(text.lastIndexOf(para));
    expect(dups[0]!.location!.length).toBe(para.length);
    expect(out.metrics.duplicateParagraphs).toBe(1);
  });

  it("finds a repeated paragraph in text with Windows line ends too", () => {
    const para = "The board approved the plan for the new building after a long discussion.";
    const text = `${PROSE}\r\n\r\n${para}\r\n\r\nSomething else happened later in the year, which we record here.\r\n \r\n${para}`;
    const dups = assessQuality(single(text)).issues.filter((i) => i.code === "duplicate_paragraph");
    expect(dups.map((i) => i.location!.offset)).toEqual([text.lastIndexOf(para)]);
  });

  it("reports the time of each metric family when asked, and spelling only for English", () => {
    const english: Record<string, number> = {};
    const out = assessQuality(single(PROSE), { timings: english });
    expect(out).toEqual(assessQuality(single(PROSE)));
    expect(Object.keys(english)).toEqual(expect.arrayContaining(["tokens", "language", "readability", "ocr", "duplicates", "personalData", "spelling", "profile"]));
    expect(Object.values(english).every((ms) => ms >= 0)).toBe(true);
    const german: Record<string, number> = {};
    assessQuality(single("Der Ausschuss traf sich am Dienstag, um den Haushalt zu prüfen. Die Mitglieder waren sich einig."), { timings: german });
    expect(german).not.toHaveProperty("spelling");
  });

  it("reports an empty page of a real PDF, near-empty document and missing metadata", async () => {
    const pdf = makePdf([PROSE, "", PROSE.replace("committee", "council")]);
    const doc = await extractText(pdf, "application/pdf");
    const out = assessQuality(doc);
    expect(out.issues.filter((i) => i.code === "empty_page").map((i) => i.location!.page)).toEqual([2]);
    expect(out.metrics.pageScores.map((p) => p.score)).toEqual([100, 0, 100]);
    expect(out.metrics.pageScore).toMatchObject({ worst: 0, worstPage: 2 });
    expect(out.metrics.metadataCompleteness).not.toBeNull();
    const bare = assessQuality({ ...doc, metadata: {} });
    expect(bare.issues.map((i) => i.code)).toContain("metadata_incomplete");
    expect(bare.metrics.metadataCompleteness).toBe(0);
  });

  it("signals truncation by the extractor or mid-sentence endings", () => {
    const cut = assessQuality(single(`${PROSE} The next meeting will discuss the`));
    const issue = cut.issues.find((i) => i.code === "possibly_truncated")!;
    expect(issue.location!.excerpt).toContain("discuss the");
    expect(assessQuality({ ...single(PROSE), truncated: true }).issues.map((i) => i.code)).toContain("extraction_truncated");
  });

  it("documents every raised code in ISSUE_CODES", () => {
    const noisy = assessQuality({ text: "x", pages: ["Ã© a@b.co", "", "wwwwwwww"], truncated: true });
    for (const i of noisy.issues) expect(Object.keys(ISSUE_CODES)).toContain(i.code);
  });
});

describe("validation profiles", () => {
  const strict: QualityProfile = {
    name: "contracts",
    version: 3,
    rules: { minWords: 500, allowedLanguages: ["deu"], personalDataAllowed: false, requiredPhrases: ["signed by", "annual budget"], pageRange: { min: 2 }, maxGarbledRatio: 0 },
  };

  it("lists each failing rule and raises its issue", () => {
    const out = assessQuality(single(`${PROSE} Contact: a.b@example.org`), { profile: strict });
    expect(out.passed).toBe(false);
    expect(out.profile).toEqual({ name: "contracts", version: 3 });
    expect(out.failedRules.map((r) => r.rule).sort()).toEqual(["allowedLanguages", "minWords", "pageRange", "personalDataAllowed", "requiredPhrases"]);
    expect(out.failedRules.find((r) => r.rule === "requiredPhrases")!.message).toContain("signed by");
    expect(out.failedRules.find((r) => r.rule === "requiredPhrases")!.message).not.toContain("annual budget");
    expect(out.issues.map((i) => i.code)).toEqual(expect.arrayContaining(["language_not_allowed", "too_few_words", "personal_data_not_allowed", "missing_required_phrase", "page_count_out_of_range"]));
  });

  it("passes a document the profile accepts even when the default would fail it", () => {
    const lenient: QualityProfile = { name: "lenient", version: 1, rules: {} };
    const garbled = "Ã©tÃ© Ã  la plage ".repeat(30);
    expect(assessQuality(single(garbled)).passed).toBe(false);
    expect(assessQuality(single(garbled), { profile: DEFAULT_PROFILE }).failedRules.map((r) => r.rule)).toContain("failOnError");
    expect(assessQuality(single(garbled), { profile: lenient }).passed).toBe(true);
  });
});

describe("near duplicates", () => {
  it("gives close simhashes to near-identical text and far ones to different text", () => {
    const a = simhash64(PROSE)!;
    const b = simhash64(PROSE.replace("Tuesday", "Wednesday"))!;
    const c = simhash64("Quarterly revenue grew in every region, led by strong demand for cloud services and a rebound in hardware sales across Europe and Asia.")!;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(hammingDistance(a, a)).toBe(0);
    expect(hammingDistance(a, b)).toBeLessThanOrEqual(10);
    expect(hammingDistance(a, c)).toBeGreaterThan(15);
    expect(simhash64("too short")).toBeNull();
  });

  it("keeps the signatures already stored comparable: the same text hashes as it always did", () => {
    // Pinned from the first implementation: Document.simhash rows written before a rewrite
    // are compared with new ones, so the bits must not change.
    const text = "Our hiking club walked the northern ridge on Saturday under a clear sky. The trail was muddy after the rain, but everyone reached the summit by noon. Café façade naïve 2026.";
    expect(simhash64(text)).toBe("1cd7cacfbbd7c613");
  });

  it("names the earlier document over MCP, and serves list_profiles and validate_document", async () => {
    const texts: Record<string, string> = { first: PROSE, second: `${PROSE}` };
    const stored = new Map<string, string>();
    const signatures: SignatureStore = {
      async saveAndFindNear(id, h, max) {
        let near: { documentId: string; distance: number } | null = null;
        for (const [other, sig] of stored) if (other !== id && hammingDistance(sig, h) <= max) near ??= { documentId: other, distance: hammingDistance(sig, h) };
        stored.set(id, h);
        return near;
      },
    };
    const profile: QualityProfile = { name: "english", version: 2, rules: { allowedLanguages: ["eng"], minWords: 10 } };
    const server = createQualityServer({
      documents: { getText: async (id) => ({ mimeType: "text/plain", text: texts[id]!, pages: [texts[id]!], metadata: {}, truncated: false, warnings: [] }) },
      signatures,
      profiles: { getProfile: async (n) => (n === undefined || n === "english" ? profile : null), listProfiles: async () => [profile] },
    });
    const c = await connectInMemory(server);
    try {
      const first = (await c.callTool("assess_quality", { documentId: "first" })) as { issues: { code: string }[] };
      expect(first.issues.map((i) => i.code)).not.toContain("near_duplicate_document");
      const second = (await c.callTool("assess_quality", { documentId: "second" })) as { issues: { code: string; message: string }[]; profile: unknown };
      const dup = second.issues.find((i) => i.code === "near_duplicate_document")!;
      expect(dup.message).toContain("first");
      expect(second.profile).toEqual({ name: "english", version: 2 });
      const listed = (await c.callTool("list_profiles", {})) as { profiles: { name: string }[] };
      expect(listed.profiles.map((p) => p.name)).toEqual(["english"]);
      const v = (await c.callTool("validate_document", { text: "Das ist ein deutscher Satz über das Wetter in Berlin heute.", profile: "english" })) as { passed: boolean; failedRules: { rule: string }[] };
      expect(v.passed).toBe(false);
      expect(v.failedRules.map((r) => r.rule)).toEqual(expect.arrayContaining(["allowedLanguages"]));
      await expect(c.callTool("validate_document", { text: PROSE, profile: "nope" })).rejects.toThrow(/no quality profile/);
    } finally {
      await c.close();
    }
  });
});
