import { describe, expect, it } from "vitest";
import {
  ALGORITHM_VERSION,
  DEFAULT_CORPORA,
  deserializeModel,
  extractFeatures,
  predict,
  serializeModel,
  stripBrownTags,
  trainClassifier,
  type LabelledText,
} from "../src/classification";

function take(examples: LabelledText[], perLabel: number): LabelledText[] {
  const counts = new Map<string, number>();
  return examples.filter((ex) => {
    const n = counts.get(ex.label) ?? 0;
    counts.set(ex.label, n + 1);
    return n < perLabel;
  });
}

describe("corpora", () => {
  it("loads Brown with 15 genres and plain text without POS tags", () => {
    const brown = DEFAULT_CORPORA.genre.load();
    expect(brown).toHaveLength(500);
    expect(new Set(brown.map((e) => e.label)).size).toBe(15);
    expect([...new Set(brown.map((e) => e.label))].sort()).toEqual([...DEFAULT_CORPORA.genre.labels]);
    expect(brown[0]!.text.startsWith("The Fulton County Grand Jury said Friday")).toBe(true);
    expect(brown[0]!.text).not.toMatch(/\/(at|np-tl|nn)\b/);
    expect(stripBrownTags("The/at jury/nn ,/, said/vbd ``/`` no/at ''/'' ./.")).toBe('The jury, said " no ".');
  });

  it("loads SpamAssassin bodies, deduplicated, labelled spam/ham", () => {
    const spam = DEFAULT_CORPORA.spam.load();
    const labels = new Set(spam.map((e) => e.label));
    expect([...labels].sort()).toEqual(["ham", "spam"]);
    expect(spam.length).toBeGreaterThan(5000);
    expect(spam.length).toBeLessThan(6046); // the raw corpus has duplicate bodies
    expect(new Set(spam.map((e) => e.text.replace(/\s+/g, " ").trim())).size).toBe(spam.length);
    // Bodies, not headers (one spam nests a second header block after a blank line).
    expect(spam.filter((e) => /^Return-Path:/m.test(e.text.slice(0, 200))).length).toBeLessThan(3);
  });
});

describe("trainClassifier / predict", () => {
  const spamSubset = take(DEFAULT_CORPORA.spam.load(), 250);

  it("learns spam vs ham from a small subset well above chance", () => {
    const { model, metrics } = trainClassifier(spamSubset, { seed: 7 });
    expect(model.labels).toEqual(["ham", "spam"]);
    expect(model.algorithm).toBe(ALGORITHM_VERSION);
    expect(metrics.testSize).toBe(100);
    expect(metrics.trainSize).toBe(400);
    expect(metrics.accuracy).toBeGreaterThan(0.85);
    expect(metrics.macroF1).toBeGreaterThan(0.85);
    expect(metrics.perLabel.spam!.support).toBe(50);
    expect(metrics.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(100);

    const p = predict(model, "Click here to claim your FREE prize! Limited offer, order now and save 80% on viagra, money back guarantee!!!");
    expect(p.label).toBe("spam");
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.scores.map((s) => s.label)).toEqual(["spam", "ham"]);
    expect(p.scores.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 3);
    expect(p.explanation.length).toBeGreaterThan(0);
    expect(p.explanation[0]!.weight).toBeGreaterThan(0);
    expect(p.explanation.every((e, i, all) => i === 0 || all[i - 1]!.weight >= e.weight)).toBe(true);
  });

  it("is deterministic for a seed", () => {
    const a = trainClassifier(spamSubset.slice(0, 120).concat(spamSubset.slice(-120)), { seed: 3 });
    const b = trainClassifier(spamSubset.slice(0, 120).concat(spamSubset.slice(-120)), { seed: 3 });
    expect(a.metrics.accuracy).toBe(b.metrics.accuracy);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(b.model.weights.buffer))).toBe(true);
  });

  it("separates Brown genres on a subset better than chance", () => {
    const brown = DEFAULT_CORPORA.genre.load().filter((e) => ["news", "romance", "learned", "religion"].includes(e.label));
    const { metrics } = trainClassifier(take(brown, 30), { seed: 1 });
    expect(metrics.accuracy).toBeGreaterThan(0.6); // chance is 0.25
  });

  it("round-trips a model through its binary form with identical predictions", () => {
    const { model } = trainClassifier(spamSubset.slice(0, 100).concat(spamSubset.slice(-100)), { seed: 5 });
    const bytes = serializeModel(model);
    expect(bytes.byteLength).toBeGreaterThan(model.dims * 4);
    // Deserialise from an unaligned copy, as a host reading a DB column might hand over.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = deserializeModel(shifted.subarray(1));
    expect(back.labels).toEqual(model.labels);
    expect(back.temperature).toBe(model.temperature);
    for (const ex of spamSubset.slice(200, 230)) expect(predict(back, ex.text)).toEqual(predict(model, ex.text));
    expect(() => deserializeModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/bad magic/);
    expect(() => deserializeModel(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });

  it("returns a null label with a reason for empty or near-empty text", () => {
    const { model } = trainClassifier(spamSubset.slice(0, 40).concat(spamSubset.slice(-40)), { seed: 5 });
    expect(predict(model, "")).toMatchObject({ label: null, confidence: 0, scores: [], reason: "The document has no text to classify." });
    expect(predict(model, "  hello  there ").reason).toMatch(/only 2 words/);
  });

  it("rejects fewer than 2 labels and labels with too few examples", () => {
    expect(() => trainClassifier([{ text: "a b c", label: "x" }, { text: "d e f", label: "x" }])).toThrow(/at least 2 labels/);
    expect(() =>
      trainClassifier([
        { text: "a b c", label: "x" },
        { text: "d e f", label: "x" },
        { text: "g h i", label: "y" },
      ]),
    ).toThrow(/at least 2 examples per label; too few for: y/);
    expect(() => trainClassifier([], {})).toThrow(/at least 2 labels/);
  });
});

describe("extractFeatures", () => {
  it("describes a document", () => {
    const text = "Solar panels convert sunlight into electricity. Solar farms are growing fast, and solar power is cheap.";
    const f = extractFeatures({ text, pages: [text] });
    expect(f.words).toBe(16);
    expect(f.sentences).toBe(2);
    expect(f.pages).toBe(1);
    expect(f.characters).toBe(text.length);
    expect(f.language.code).toBe("eng");
    expect(f.topKeywords[0]).toEqual({ term: "solar", count: 3 });
  });

  it("returns und for short text", () => {
    expect(extractFeatures({ text: "Hi there", pages: ["Hi there"] }).language).toEqual({ code: "und", confidence: 0 });
  });
});

describe("full SpamAssassin", () => {
  it("reaches at least 0.97 held-out accuracy", () => {
    const examples = DEFAULT_CORPORA.spam.load();
    const { metrics } = trainClassifier(examples, { seed: 42 });
    console.log(
      `SpamAssassin: accuracy=${metrics.accuracy} macroF1=${metrics.macroF1} train=${metrics.trainSize} test=${metrics.testSize} trainMs=${metrics.trainMs}`,
    );
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.97);
  });
});
