import { describe, expect, it } from "vitest";
import { assessQuality } from "../src/quality";
import { countSyllables, detectLanguage } from "../src/text";
import { CLEAN_PROSE as PROSE, singlePage as single } from "./fixtures";


describe("assessQuality", () => {
  it("scores clean prose as excellent and passed", () => {
    const out = assessQuality(single(PROSE));
    expect(out.score).toBeGreaterThanOrEqual(90);
    expect(out.grade).toBe("excellent");
    expect(out.passed).toBe(true);
    expect(out.metrics.words).toBeGreaterThan(100);
    expect(out.metrics.sentences).toBe(8);
    expect(out.metrics.language.code).toBe("eng");
    expect(out.metrics.language.confidence).toBeGreaterThan(0.5);
    expect(out.metrics.readability.fleschReadingEase).toBeGreaterThan(50);
    expect(out.metrics.readability.fleschKincaidGrade).toBeGreaterThan(4);
    expect(out.metrics.garbledRatio).toBe(0);
    expect(out.issues.filter((i) => i.severity !== "info")).toEqual([]);
  });

  it("fails an empty document with an error issue", () => {
    const out = assessQuality({ text: "", pages: [""] });
    expect(out.score).toBe(0);
    expect(out.grade).toBe("poor");
    expect(out.passed).toBe(false);
    expect(out.issues[0]).toMatchObject({ code: "empty_document", severity: "error", location: null });
    expect(assessQuality(single("   \n ... ---")).issues[0]!.code).toBe("empty_document");
  });

  it("flags near-empty documents and undetermined language", () => {
    const out = assessQuality(single("Invoice 42 paid"));
    expect(out.issues.map((i) => i.code)).toEqual(expect.arrayContaining(["near_empty_document", "language_undetermined"]));
    expect(out.issues.find((i) => i.code === "near_empty_document")!.severity).toBe("warning");
    expect(out.issues.find((i) => i.code === "language_undetermined")!.severity).toBe("info");
    expect(out.metrics.language).toEqual({ code: "und", confidence: 0 });
    expect(out.score).toBeLessThan(70);
  });

  it("locates garbled encoding at its first occurrence and lowers the score", () => {
    const garbled = PROSE.replace("annual budget", "annual bud\uFFFDget").replace("donations", "donâ€™ations") + " (cid:12)(cid:13)";
    const out = assessQuality({ text: garbled, pages: ["Cover page text is fine here.", garbled] });
    const issue = out.issues.find((i) => i.code === "garbled_encoding")!;
    expect(issue).toBeDefined();
    expect(issue.location).toMatchObject({ page: 2, length: 1 });
    expect(issue.location!.excerpt).toContain("bud\uFFFDget");
    expect(garbled.slice(issue.location!.offset, issue.location!.offset + 1)).toBe("\uFFFD");
    expect(out.metrics.garbledRatio).toBeGreaterThan(0);
    expect(out.score).toBeLessThan(assessQuality(single(PROSE)).score);
  });

  it("makes heavily garbled text an error", () => {
    const text = "Ã©tÃ© Ã  la plage ".repeat(30);
    const out = assessQuality(single(text));
    expect(out.metrics.garbledRatio).toBeGreaterThan(0.05);
    expect(out.issues.find((i) => i.code === "garbled_encoding")!.severity).toBe("error");
    expect(out.passed).toBe(false);
  });

  it("reports each empty page with its page number", () => {
    const other = PROSE.replace("committee", "council").replace("Tuesday", "Friday");
    const out = assessQuality({ text: `${PROSE}\n\n\n\n${other}`, pages: [PROSE, "", "  ", other] });
    const empty = out.issues.filter((i) => i.code === "empty_page");
    expect(empty.map((i) => i.location?.page)).toEqual([2, 3]);
    expect(out.metrics.emptyPages).toBe(2);
    expect(out.metrics.pages).toBe(4);
    expect(out.score).toBe(85); // 100 − 30 × 2/4
    expect(out.grade).toBe("good");
  });

  it("flags text without sentence punctuation as hard to read", () => {
    const run = PROSE.replace(/[.,]/g, "");
    const out = assessQuality(single(run));
    expect(out.metrics.readability.fleschReadingEase).toBeLessThan(0);
    expect(out.issues.find((i) => i.code === "low_readability")!.severity).toBe("warning");
  });

  it("flags text that is mostly digits and symbols", () => {
    const table = Array.from({ length: 60 }, (_, i) => `${1000 + i} | ${i * 7}.00 | ${i % 3} row`).join("\n");
    const out = assessQuality(single(table));
    expect(out.issues.map((i) => i.code)).toContain("low_letter_ratio");
  });
});

describe("text helpers", () => {
  it("counts syllables with a reasonable heuristic", () => {
    expect(countSyllables("cat")).toBe(1);
    expect(countSyllables("table")).toBe(2);
    expect(countSyllables("reading")).toBe(2);
    expect(countSyllables("beautiful")).toBe(3);
    expect(countSyllables("education")).toBe(4);
    expect(countSyllables("make")).toBe(1);
  });

  it("detects common languages and refuses to guess on short text", () => {
    expect(detectLanguage("El comité se reunió el martes para revisar el presupuesto anual de la biblioteca.").code).toBe("spa");
    expect(detectLanguage("Der Ausschuss traf sich am Dienstag, um den Jahreshaushalt der Bibliothek zu prüfen.").code).toBe("deu");
    expect(detectLanguage("short")).toEqual({ code: "und", confidence: 0 });
  });
});
