// Classification benchmark: held-out accuracy and macro-F1 on the default corpora (3 stratified
// 80/20 splits, as the issue measures, and mean ± standard error over 20) beside a naive Bayes baseline, version 6 against
// version 4 on genre paired over 30 fresh splits (seeds 101–130), classify throughput and latency by document
// size (in-process, over the MCP server), and training time and peak memory per corpus.
//   npm run bench:classification   → bench/results/classification.md
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import {
  ALGORITHM_VERSION, DEFAULT_CORPORA, computeMetrics, trainClassifier, type LabelledText, type ModelMetrics,
} from "../packages/mcp/src/classification";
import { connectInMemory, createClassificationServer, extractText, type DocumentSource } from "../packages/mcp/src";
import { prose } from "./corpus";
import { makePdf } from "../packages/mcp/test/fixtures";
import { percentile } from "./stats";
import { pairedStats } from "../packages/mcp/scripts/paired-seeds";

/** The issue's 3 splits; the 20 splits of the standard-error section include them. */
const SEEDS = [1, 2, 3];
const MANY_SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/**
 * Splits never used to choose anything (version 6's selection rule was picked on seeds 1–20):
 * the paired comparison of version 6 with version 4 on genre.
 */
const FRESH_SEEDS = Array.from({ length: 30 }, (_, i) => i + 101);
const OUT = fileURLToPath(new URL("./results/classification.md", import.meta.url));
type CorpusName = keyof typeof DEFAULT_CORPORA;

// ── Child mode: load one corpus and train once, report time and peak RSS of this process ──
if (process.argv[2] === "--train-child") {
  const corpus = DEFAULT_CORPORA[process.argv[3] as CorpusName];
  const loadStarted = performance.now();
  const examples = await corpus.load();
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  const { metrics } = trainClassifier(examples, { seed: 42 });
  const wallMs = performance.now() - started;
  const rusage = process.resourceUsage();
  console.log(JSON.stringify({ examples: examples.length, loadMs, trainMs: metrics.trainMs, wallMs, maxRssMb: rusage.maxRSS / 1024, cpuMs: (rusage.userCPUTime + rusage.systemCPUTime) / 1000 }));
  process.exit(0);
}

// ── Naive Bayes baseline: multinomial, lowercase word unigrams, Laplace smoothing ─────────
function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function trainNaiveBayes(train: LabelledText[]) {
  const labels = [...new Set(train.map((e) => e.label))].sort();
  const counts = labels.map(() => new Map<string, number>());
  const totals = labels.map(() => 0);
  const docs = labels.map(() => 0);
  const vocab = new Set<string>();
  for (const ex of train) {
    const k = labels.indexOf(ex.label);
    docs[k]!++;
    for (const t of tokens(ex.text)) {
      counts[k]!.set(t, (counts[k]!.get(t) ?? 0) + 1);
      totals[k]!++;
      vocab.add(t);
    }
  }
  const v = vocab.size;
  return (text: string): string => {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < labels.length; k++) {
      let score = Math.log(docs[k]! / train.length);
      const denom = Math.log(totals[k]! + v);
      for (const t of tokens(text)) score += Math.log((counts[k]!.get(t) ?? 0) + 1) - denom;
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return labels[best]!;
  };
}

function evaluate(labels: string[], test: LabelledText[], predict: (text: string) => string): ModelMetrics {
  const index = new Map(labels.map((l, i) => [l, i]));
  return computeMetrics(labels, test.map((e) => index.get(e.label)!), test.map((e) => index.get(predict(e.text))!), { trainSize: 0, testSize: test.length, trainMs: 0 });
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const f3 = (x: number) => x.toFixed(3);
const pm = (xs: number[]) => `${f3(mean(xs))} ± ${f3(sd(xs))}`;
/** Standard error of the mean: sample standard deviation (n − 1) / √n. */
const f4 = (x: number) => x.toFixed(4);
/** Sample variance (n − 1). */
const variance = (xs: number[]) => pairedStats(xs).sd ** 2;
/** Standard error of the mean of independent draws: s / √n. */
const se = (xs: number[]) => pairedStats(xs).se;
/** Nadeau and Bengio's corrected standard error for random splits that share documents (paired-seeds.ts). */
const seCorrected = (xs: number[]) => pairedStats(xs).seCorrected;
const pmSe = (xs: number[]) => `${f4(mean(xs))} ± ${f4(se(xs))}`;
/** The issue's reference accuracy (TF-IDF word + char n-grams, linear SVM, 3 splits). */
const REFERENCE: Record<string, number> = { spam: 0.995, genre: 0.547 };

// ── 1. Accuracy beside naive Bayes, same splits ──────────────────────────────────────────
type Row = { corpus: string; seed: number; svm: ModelMetrics; nb: ModelMetrics };
const rows: Row[] = [];
const sizes: Record<string, { examples: number; labels: number }> = {};
for (const corpus of Object.values(DEFAULT_CORPORA)) {
  const examples = await corpus.load();
  sizes[corpus.name] = { examples: examples.length, labels: new Set(examples.map((e) => e.label)).size };
  for (const seed of MANY_SEEDS) {
    // trainClassifier makes the stratified split; the baseline trains on exactly the rest.
    const { model, metrics, heldOut } = trainClassifier(examples, { seed });
    const held = new Set(heldOut);
    const train = examples.filter((e) => !held.has(e));
    const nb = evaluate(model.labels, heldOut, trainNaiveBayes(train));
    rows.push({ corpus: corpus.name, seed, svm: metrics, nb });
    console.log(`${corpus.name} seed ${seed}: svm ${f3(metrics.accuracy)} / ${f3(metrics.macroF1)}  nb ${f3(nb.accuracy)} / ${f3(nb.macroF1)}  train ${metrics.trainMs} ms`);
  }
}

// ── 1b. Version 6 against version 4 on genre, fresh splits, paired ───────────────────────
type FreshRow = { seed: number; v6: number; v4: number; style: string; v6Ms: number; v4Ms: number };
const fresh: FreshRow[] = [];
{
  const examples = await DEFAULT_CORPORA.genre.load();
  for (const seed of FRESH_SEEDS) {
    const v6 = trainClassifier(examples, { seed });
    const v4 = trainClassifier(examples, { seed, features: { style: false } });
    fresh.push({ seed, v6: v6.metrics.accuracy, v4: v4.metrics.accuracy, style: `${v6.model.style?.c}/${v6.model.style?.weight}`, v6Ms: v6.metrics.trainMs, v4Ms: v4.metrics.trainMs });
    console.log(`genre fresh seed ${seed}: v6 ${f3(v6.metrics.accuracy)} (C/weight ${fresh.at(-1)!.style}) v4 ${f3(v4.metrics.accuracy)}`);
  }
}

// ── 2. Training time and peak memory, one fresh process per corpus ───────────────────────
type ChildReport = { examples: number; loadMs: number; trainMs: number; wallMs: number; maxRssMb: number; cpuMs: number };
const training: Record<string, ChildReport> = {};
for (const name of Object.keys(DEFAULT_CORPORA)) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--train-child", name], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`training child for ${name} failed: ${child.stderr}`);
  training[name] = JSON.parse(child.stdout.trim().split("\n").pop()!) as ChildReport;
  console.log(`${name}: trained in ${Math.round(training[name]!.trainMs)} ms, peak RSS ${Math.round(training[name]!.maxRssMb)} MB`);
}

// ── 3. classify_document throughput and latency, in process ──────────────────────────────
const models = Object.fromEntries(
  await Promise.all(Object.values(DEFAULT_CORPORA).map(async (c) => [c.name, trainClassifier(await c.load(), { seed: 42 }).model] as const)),
);
const pdfs = new Map<string, Uint8Array>();
const documents: DocumentSource = {
  // Extraction runs on every call (no stored text): the PDF figures include reading the PDF.
  async getText(id) {
    return { ...(await extractText(pdfs.get(id)!, "application/pdf")), documentId: id };
  },
};
const client = await connectInMemory(
  createClassificationServer({
    documents,
    models: { getActiveModel: async (taxonomy) => ({ id: taxonomy ?? "genre", version: 1, taxonomy: taxonomy ?? "genre", model: models[taxonomy ?? "genre"]! }) },
  }),
);
type Load = { name: string; n: number; args: (i: number) => Record<string, unknown> };
const loads: Load[] = [
  { name: "1 KB text", n: 600, args: (i) => ({ text: prose(1024, `a${i}`) }) },
  { name: "10 KB text", n: 300, args: (i) => ({ text: prose(10 * 1024, `b${i}`) }) },
  { name: "100 KB text", n: 60, args: (i) => ({ text: prose(100 * 1024, `c${i}`) }) },
  {
    name: "10-page PDF (~15 KB of text, extraction included)",
    n: 60,
    args: (i) => {
      pdfs.set(`pdf${i}`, makePdf(Array.from({ length: 10 }, (_, p) => prose(1500, `d${i}-${p}`))));
      return { documentId: `pdf${i}` };
    },
  },
];
type Speed = { name: string; taxonomy: string; n: number; perSecond: number; p50: number; p99: number };
const speeds: Speed[] = [];
for (const taxonomy of ["genre", "spam"]) {
  for (const load of loads) {
    const inputs = Array.from({ length: load.n }, (_, i) => ({ ...load.args(i), taxonomy }));
    for (const input of inputs.slice(0, 5)) await client.callTool("classify_document", input); // warm up
    const times: number[] = [];
    const started = performance.now();
    for (const input of inputs) {
      const t = performance.now();
      await client.callTool("classify_document", input);
      times.push(performance.now() - t);
    }
    const total = performance.now() - started;
    times.sort((a, b) => a - b);
    speeds.push({ name: load.name, taxonomy, n: load.n, perSecond: (load.n / total) * 1000, p50: percentile(times, 50), p99: percentile(times, 99) });
    console.log(`${taxonomy} ${load.name}: ${(load.n / total * 1000).toFixed(1)} docs/s p50 ${percentile(times, 50).toFixed(2)} ms p99 ${percentile(times, 99).toFixed(2)} ms`);
  }
}
await client.close();

// ── Report ───────────────────────────────────────────────────────────────────────────────
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const lines: string[] = [];
lines.push(
  "# Classification benchmark",
  "",
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; one process, single-threaded.`,
  `Model: \`${ALGORITHM_VERSION}\` (word 1–2-grams + character 3–5-grams of whitespace-separated chunks, hashed; one-vs-rest L2-loss linear SVM. More than two labels: TF-IDF in 2^18 buckets, C = 1, plus a second SVM on 148 stylistic features (function-word and punctuation rates, sentence and word lengths) whose margins are added with a weight, its C and weight chosen by 3-fold cross-validation on the training split, by the mean multi-class hinge of the held-out margins. Two labels: NBSVM, presence features in 2^20 buckets scaled by naive-Bayes log-count ratios and L2-normalised, C = 5).`,
  "Reproduce: `npm run bench:classification` (writes this file). Other work on the machine makes timings noisy; accuracy is deterministic per seed.",
  "",
  "## Held-out accuracy and macro-F1 (3 stratified 80/20 splits, seeds 1–3)",
  "",
  "The baseline is a multinomial naive Bayes over lowercase word unigrams with Laplace smoothing, trained and tested on exactly the same splits (bench/classification.ts).",
  "",
  "| corpus | documents | labels | linear SVM accuracy | linear SVM macro-F1 | naive Bayes accuracy | naive Bayes macro-F1 |",
  "|---|---|---|---|---|---|---|",
);
const issueRows = rows.filter((x) => SEEDS.includes(x.seed));
for (const name of Object.keys(DEFAULT_CORPORA)) {
  const r = issueRows.filter((x) => x.corpus === name);
  lines.push(
    `| ${name} | ${sizes[name]!.examples} | ${sizes[name]!.labels} | ${pm(r.map((x) => x.svm.accuracy))} | ${pm(r.map((x) => x.svm.macroF1))} | ${pm(r.map((x) => x.nb.accuracy))} | ${pm(r.map((x) => x.nb.macroF1))} |`,
  );
}
lines.push("", "Per split:", "", "| corpus | seed | test size | SVM accuracy | SVM macro-F1 | NB accuracy | NB macro-F1 |", "|---|---|---|---|---|---|---|");
for (const r of issueRows) lines.push(`| ${r.corpus} | ${r.seed} | ${r.svm.testSize} | ${f3(r.svm.accuracy)} | ${f3(r.svm.macroF1)} | ${f3(r.nb.accuracy)} | ${f3(r.nb.macroF1)} |`);
lines.push(
  "",
  "spam = SpamAssassin messages as the product reads an .eml file (From/To/Date/Subject lines and the decoded text body, HTML turned into text), messages whose body repeats an earlier one removed before splitting; genre = Brown corpus, 15 genres, tags stripped.",
  "The test part of a Brown split has 100 documents, so one split's accuracy moves by ±0.03 with the split alone (see the 20-split section below).",
  "Reference figures from the issue (same data, 3 splits): naive Bayes 0.956 / 0.446, paperless-ngx's MLP 0.988 / 0.44, TF-IDF + linear SVM 0.995 / 0.547 (spam / genre accuracy).",
  "",
  `## Held-out accuracy over ${MANY_SEEDS.length} splits (seeds ${MANY_SEEDS[0]}–${MANY_SEEDS.at(-1)}, mean ± standard error)`,
  "",
  `The same model and baseline on ${MANY_SEEDS.length} stratified 80/20 splits (the 3 above among them), computed in the same run. ± is the standard error of the mean, s/√${MANY_SEEDS.length} (s = sample standard deviation over splits).`,
  "Splits drawn from one corpus share most of their documents, so s/√n understates the uncertainty; the corrected column uses Nadeau and Bengio's s·√(1/n + 0.2/0.8) for random splits.",
  "",
  "| corpus | splits | linear SVM accuracy | linear SVM macro-F1 | naive Bayes accuracy | naive Bayes macro-F1 | SVM − NB accuracy (paired) | SVM accuracy, corrected standard error | issue's reference (3 splits) |",
  "|---|---|---|---|---|---|---|---|---|",
);
for (const name of Object.keys(DEFAULT_CORPORA)) {
  const r = rows.filter((x) => x.corpus === name);
  const acc = r.map((x) => x.svm.accuracy);
  lines.push(
    `| ${name} | ${r.length} | ${pmSe(acc)} | ${pmSe(r.map((x) => x.svm.macroF1))} | ${pmSe(r.map((x) => x.nb.accuracy))} | ${pmSe(r.map((x) => x.nb.macroF1))} | ${pmSe(r.map((x) => x.svm.accuracy - x.nb.accuracy))} | ${f4(seCorrected(acc))} | ${REFERENCE[name] ?? "–"} |`,
  );
}
lines.push("", "SVM accuracy per split, seeds in order:", "");
for (const name of Object.keys(DEFAULT_CORPORA)) {
  const acc = rows.filter((x) => x.corpus === name).map((x) => x.svm.accuracy);
  const se3 = Math.sqrt(variance(acc) / 3);
  const gap = mean(acc) - REFERENCE[name]!;
  lines.push(
    `- ${name}: ${acc.map(f3).join(" ")}. s = ${f4(Math.sqrt(variance(acc)))}, so a 3-split mean has a standard error of about ${f4(se3)}; ` +
      `mean − reference = ${gap >= 0 ? "+" : "−"}${f4(Math.abs(gap))}, against √(SE₂₀² + SE₃²) = ${f4(Math.sqrt(se(acc) ** 2 + se3 ** 2))}.`,
  );
}
lines.push(
  "",
  "The issue's reference figures are 3-split means too (our seeds 1–3 are not necessarily its splits), so a gap between our 20-split mean and a reference has to be judged against both standard errors; with the reference's own spread taken to be ours, that is the √(SE₂₀² + SE₃²) above, which the 3-split term dominates.",
  "",
  `## Genre: version 6 against version 4 on fresh splits (seeds ${FRESH_SEEDS[0]}–${FRESH_SEEDS.at(-1)}, paired)`,
  "",
  "Version 6's way of choosing the stylistic C and weight was picked among about 45 rule × cross-validation combinations scored on seeds 1–20, so those splits flatter it.",
  `These ${FRESH_SEEDS.length} splits were used for no choice. On each, version 6 (the default) and version 4 (\`{ features: { style: false } }\`: TF-IDF word + character n-grams, linear SVM, our reimplementation of the issue's reference method) are trained on the same training part and scored on the same test part.`,
  "± is s/√n; the corrected standard error is Nadeau and Bengio's s·√(1/n + 0.2/0.8).",
  "",
  "| model | splits | accuracy | corrected standard error | training ms, median (max) |",
  "|---|---|---|---|---|",
);
{
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const [name, acc, ms] of [
    ["version 6", fresh.map((r) => r.v6), fresh.map((r) => r.v6Ms)],
    ["version 4", fresh.map((r) => r.v4), fresh.map((r) => r.v4Ms)],
  ] as const) {
    lines.push(`| ${name} | ${acc.length} | ${pmSe([...acc])} | ${f4(seCorrected([...acc]))} | ${median([...ms])} (${Math.max(...ms)}) |`);
  }
  const d = fresh.map((r) => r.v6 - r.v4);
  lines.push(
    "",
    `Paired difference, version 6 − version 4: ${f4(mean(d))} (${(mean(d) * 100).toFixed(2)} test documents per split of 100), s = ${f4(Math.sqrt(variance(d)))}, ` +
      `s/√n = ${f4(se(d))}, Nadeau–Bengio-corrected standard error ${f4(seCorrected(d))}; version 6 better on ${d.filter((x) => x > 1e-9).length} splits, worse on ${d.filter((x) => x < -1e-9).length}.`,
    "",
    "Per split (seed: version 6 / version 4, version 6's stylistic C / weight):",
    "",
    fresh.map((r) => `${r.seed}: ${f3(r.v6)} / ${f3(r.v4)} (${r.style})`).join("; ") + ".",
    "",
  );
}
lines.push(
  "## Training time and peak memory (seed 42, one fresh process per corpus)",
  "",
  "| corpus | examples | loading the corpus (ms, wall) | training (ms) | process CPU incl. loading (ms) | peak RSS incl. loading the corpus (MB) |",
  "|---|---|---|---|---|---|",
);
for (const [name, t] of Object.entries(training)) {
  lines.push(`| ${name} | ${t.examples} | ${Math.round(t.loadMs)} | ${Math.round(t.trainMs)} | ${Math.round(t.cpuMs)} | ${Math.round(t.maxRssMb)} |`);
}
lines.push(
  "",
  "Training time covers featurising the training split and fitting (held-out scoring excluded); the issue's bound is 15 s on one core for spam.",
  "The spam corpus is extracted in the loading process (sniffType, then postal-mime through extractText, as an upload is read), so loading counts in the CPU time and memory columns too.",
  "",
  "## classify_document throughput and latency (in process)",
  "",
  "Over the classification MCP server through an in-memory MCP client (real protocol, no gateway, queue or database), one call at a time.",
  "Every document is distinct. The PDF rows extract the text on every call (the platform extracts once per document and stores it).",
  "",
  "| taxonomy | document | calls | documents/s | p50 (ms) | p99 (ms) |",
  "|---|---|---|---|---|---|",
);
for (const s of speeds) lines.push(`| ${s.taxonomy} | ${s.name} | ${s.n} | ${s.perSecond.toFixed(1)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`);
lines.push(
  "",
  "Features are taken from the first 60,000 characters of a document, so cost stops growing past that; genre (15 labels) scores 15 weight rows, spam 2.",
  "",
);
writeFileSync(OUT, lines.join("\n"));
console.log(`wrote ${OUT}`);
