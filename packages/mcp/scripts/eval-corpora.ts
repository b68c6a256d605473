/**
 * Trains the classifier on both built-in corpora and prints held-out metrics.
 *   npx tsx packages/mcp/scripts/eval-corpora.ts [genre|spam] [--out DIR]
 * With --out, writes DIR/<corpus>.dgcm (serialized model) for serve-stdio.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CORPORA, serializeModel, trainClassifier, ALGORITHM_VERSION } from "../src/classification";

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const outDir = outAt >= 0 ? args[outAt + 1] : undefined;
const only = args.find((a, i) => !a.startsWith("--") && (outAt < 0 || i !== outAt + 1));
console.log(`algorithm ${ALGORITHM_VERSION}`);
for (const corpus of Object.values(DEFAULT_CORPORA)) {
  if (only && corpus.name !== only) continue;
  const t0 = performance.now();
  const examples = await corpus.load();
  const loadMs = Math.round(performance.now() - t0);
  const { model, metrics } = trainClassifier(examples, { seed: 42 });
  const bytes = serializeModel(model);
  const size = bytes.length;
  if (outDir) writeFileSync(join(outDir, `${corpus.name}.dgcm`), bytes);
  console.log(
    `${corpus.name.padEnd(6)} examples=${examples.length} labels=${model.labels.length} ` +
      `train=${metrics.trainSize} test=${metrics.testSize} accuracy=${metrics.accuracy.toFixed(4)} ` +
      `macroF1=${metrics.macroF1.toFixed(4)} trainMs=${metrics.trainMs} loadMs=${loadMs} ` +
      `temperature=${model.temperature} artifactBytes=${size}`,
  );
  if (process.env.VERBOSE) console.log(JSON.stringify(metrics.perLabel, null, 1));
}
