import { describe, expect, it } from "vitest";
import { countFeatures, weightInPlace } from "../src/classification/features";
import { predict, trainClassifier, type ClassifierModel } from "../src/classification/model";
import { deserializeModel, serializeModel } from "../src/classification/serialize";

const TOPICS: Record<string, string[]> = {
  finance: ["revenue profit dividend shareholders earnings", "bank interest rates inflation bonds", "quarterly earnings beat forecasts cash flow", "merger approval regulators revenue growth", "stock market fell investors sold shares", "budget deficit tax revenue fiscal year"],
  sport: ["striker scored goal championship final", "goalkeeper penalty save extra time match", "tennis tournament straight sets aces", "marathon runner course record race", "midfielder injury training league game", "basketball playoff overtime three-pointer"],
  cooking: ["bake the bread dough oven flour", "simmer the sauce garlic onions butter", "whisk eggs sugar cream dessert", "roast chicken herbs lemon potatoes", "knead dough yeast rise bake loaf", "chop vegetables soup stock simmer"],
};

/** The margins as the weights are stored: one label-major row of `dims` weights per label. */
function labelMajorMargins(model: ClassifierModel, text: string): number[] {
  const x = weightInPlace(countFeatures(text, model.features), model.idf, model.features);
  return model.labels.map((_, k) => {
    let s = model.bias[k]!;
    for (let j = 0; j < x.index.length; j++) s += model.weights[k * model.dims + x.index[j]!]! * x.value[j]!;
    return s;
  });
}

describe("classifying over the feature-major copy of the weights", () => {
  it("gives the margins of the stored label-major weights, for the trained and the reloaded model", () => {
    const examples = Object.entries(TOPICS).flatMap(([label, texts]) => texts.flatMap((t) => [t, `${t} today`, `news: ${t}`].map((text) => ({ text, label }))));
    const { model } = trainClassifier(examples, { seed: 3, testFraction: 0.25 });
    const reloaded = deserializeModel(serializeModel(model));
    const texts = ["The bank reported strong quarterly earnings and raised its dividend again.", "Knead the dough, let it rise, then bake the loaf in a hot oven.", "The striker scored in extra time to win the league final."];
    for (const text of texts) {
      const m = labelMajorMargins(model, text);
      const top = m.indexOf(Math.max(...m));
      const exps = m.map((v) => Math.exp((v - Math.max(...m)) * model.temperature));
      const sum = exps.reduce((a, b) => a + b, 0);
      for (const candidate of [model, reloaded]) {
        const prediction = predict(candidate, text);
        expect(prediction.label).toBe(model.labels[top]);
        for (const { label, score } of prediction.scores) {
          expect(score).toBeCloseTo(exps[model.labels.indexOf(label)]! / sum, 4);
        }
      }
    }
  });
});
