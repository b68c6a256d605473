/**
 * Held-out accuracy of the built-in corpora for several SVM costs C (seeds 1–3 and 42):
 *   npx tsx packages/mcp/scripts/tune-corpora.ts [genre|spam] [C,C,...]
 * Used to choose the default C honestly (each split's test part is never trained on).
 */
import { DEFAULT_CORPORA, trainClassifier } from "../src/classification";

const only = process.argv[2];
const costs = (process.argv[3] ?? "0.3,1,3,10").split(",").map(Number);
for (const corpus of Object.values(DEFAULT_CORPORA)) {
  if (only && corpus.name !== only) continue;
  const examples = corpus.load();
  for (const c of costs) {
    const acc: number[] = [];
    const ms: number[] = [];
    for (const seed of [1, 2, 3, 42]) {
      const { metrics } = trainClassifier(examples, { seed, c });
      acc.push(metrics.accuracy);
      ms.push(metrics.trainMs);
    }
    const mean3 = (acc[0]! + acc[1]! + acc[2]!) / 3;
    console.log(`${corpus.name} C=${c}: seeds 1-3 mean ${mean3.toFixed(4)} [${acc.map((a) => a.toFixed(4)).join(" ")}] trainMs max ${Math.max(...ms)}`);
  }
}
