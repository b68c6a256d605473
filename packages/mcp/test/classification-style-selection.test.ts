import { describe, expect, it } from "vitest";
import { take } from "./fixtures";
import { ALGORITHM_VERSION, DEFAULT_CORPORA, trainClassifier, type LabelledText } from "../src/classification";
import { STYLE_SELECTION, STYLE_SELECTION_V5, STYLE_WEIGHT_GRID, selectStyle, type StyleCv } from "../src/classification/model";

/** Held-out margins of `n` examples over 3 labels (row-major), example i of label i % 3. */
function cvOf(text: (i: number, k: number) => number, styles: ((i: number, k: number) => number)[]): { cv: StyleCv; y: Int32Array } {
  const n = 12;
  const labels = 3;
  const fill = (f: (i: number, k: number) => number) => Float64Array.from({ length: n * labels }, (_, at) => f(Math.floor(at / labels), at % labels));
  return {
    cv: { cs: styles.map((_, ci) => [0.01, 0.1, 1][ci]!), text: fill(text), style: styles.map(fill) },
    y: Int32Array.from({ length: n }, (_, i) => i % 3),
  };
}

describe("choosing the stylistic C and weight (inner cross-validation)", () => {
  const weights = STYLE_SELECTION.weights;

  it("takes the text alone when the stylistic margins only add noise against the true label", () => {
    // The text gets every example right by a margin of 1; the stylistic SVM points elsewhere.
    const { cv, y } = cvOf((i, k) => (k === i % 3 ? 1 : 0), [(i, k) => (k === (i + 1) % 3 ? 1 : 0)]);
    expect(selectStyle(cv, y, 3, { criterion: "hinge", weights })).toEqual({ c: 0.01, weight: 0 });
    expect(selectStyle(cv, y, 3, { criterion: "accuracy", weights })).toEqual({ c: 0.01, weight: 0 });
  });

  it("weighs the stylistic margins in when they correct the text's errors, and picks the C whose margins do", () => {
    // The text is wrong on every third example; the second C's stylistic margins point at the truth.
    const text = (i: number, k: number) => (i % 4 === 0 ? (k === (i + 1) % 3 ? 0.5 : 0) : k === i % 3 ? 1 : 0);
    const { cv, y } = cvOf(text, [() => 0, (i, k) => (k === i % 3 ? 1 : -1)]);
    const hinge = selectStyle(cv, y, 3, { criterion: "hinge", weights });
    expect(hinge.c).toBe(0.1);
    expect(hinge.weight).toBeGreaterThan(0);
    expect(selectStyle(cv, y, 3, { criterion: "accuracy", weights }).c).toBe(0.1);
  });

  it("by the hinge, prefers the weight that widens the true label's lead where accuracy ties", () => {
    // Every candidate classifies all examples right (accuracy ties: the smallest weight wins),
    // but the text's lead is thin and the stylistic margins widen it.
    const { cv, y } = cvOf((i, k) => (k === i % 3 ? 0.2 : 0), [(i, k) => (k === i % 3 ? 0.4 : 0)]);
    expect(selectStyle(cv, y, 3, { criterion: "accuracy", weights })).toEqual({ c: 0.01, weight: 0 });
    const hinge = selectStyle(cv, y, 3, { criterion: "hinge", weights });
    // Margin 0.2 + 0.4·w reaches the hinge's 1 at w = 2, beyond the grid: its largest weight.
    expect(hinge).toEqual({ c: 0.01, weight: Math.max(...weights) });
  });

  it("trains version 6 by default (3 folds, hinge, finer weights) and version 5's selection on request", async () => {
    const brown = (await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned"].includes(e.label));
    const few = take(brown, 12);
    const v6 = trainClassifier(few, { seed: 4 });
    expect(v6.model.algorithm).toBe(ALGORITHM_VERSION);
    expect(ALGORITHM_VERSION).toMatch(/-style-cvhinge3-6$/);
    expect(weights).toContain(v6.model.style!.weight);
    const v5 = trainClassifier(few, { seed: 4, styleSelection: STYLE_SELECTION_V5 });
    expect(v5.model.algorithm).toBe(`${ALGORITHM_VERSION}+custom`);
    expect(STYLE_WEIGHT_GRID).toContain(v5.model.style!.weight);
    // The text part does not depend on how the stylistic part was chosen.
    const hashed = 1 << v6.model.hashBits;
    expect(Buffer.from(v6.model.weights.slice(0, hashed).buffer).equals(Buffer.from(v5.model.weights.slice(0, hashed).buffer))).toBe(true);
    // 3 folds need 3 training examples per label: with 2, the stylistic weight is 0 (text alone).
    const thin = take(brown, 3);
    expect(trainClassifier(thin, { seed: 4, testFraction: 0.34 }).model.style!.weight).toBe(0);
  });
});

