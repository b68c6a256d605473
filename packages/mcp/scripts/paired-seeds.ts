/**
 * Paired comparison of training settings on one built-in corpus, split by split: every setting
 * is trained by trainClassifier on the same stratified 80/20 split of each seed; prints accuracy
 * per seed, the mean of each setting, and the paired difference of each later setting with the
 * first, with s/√n and Nadeau and Bengio's corrected standard error s·√(1/n + 0.2/0.8) (splits
 * of one corpus share their documents, so s/√n understates the spread).
 *   SEEDS=101-130 nice -n 19 npx tsx packages/mcp/scripts/paired-seeds.ts genre 'v6={}' 'v4={"features":{"style":false}}'
 *   SEEDS=101-130 nice -n 19 npx tsx packages/mcp/scripts/paired-seeds.ts spam 'v6={}'
 * SEEDS is a comma-separated list of seeds or ranges (default 101-130: seeds never used to
 * choose anything before this script). Settings are name=TrainOptions JSON; the first is the
 * baseline of the paired differences.
 */
import { DEFAULT_CORPORA, trainClassifier, type TrainOptions } from "../src/classification";

export function parseSeeds(spec: string): number[] {
  return spec.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

export type Paired = { n: number; mean: number; sd: number; se: number; seCorrected: number };

/** Mean of `xs` (e.g. per-split differences) with s/√n and the Nadeau–Bengio-corrected error. */
export function pairedStats(xs: number[], testShare = 0.2): Paired {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  return { n, mean, sd, se: sd / Math.sqrt(n), seCorrected: Math.sqrt(variance * (1 / n + testShare / (1 - testShare))) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpusName = process.argv[2] as keyof typeof DEFAULT_CORPORA;
  const settings = process.argv.slice(3).map((entry) => {
    const at = entry.indexOf("=");
    return { name: entry.slice(0, at), options: JSON.parse(entry.slice(at + 1)) as TrainOptions };
  });
  if (!DEFAULT_CORPORA[corpusName] || !settings.length) throw new Error("usage: paired-seeds.ts genre|spam name=JSON [name=JSON …]");
  const seeds = parseSeeds(process.env.SEEDS ?? "101-130");
  const examples = await DEFAULT_CORPORA[corpusName].load();
  const acc = settings.map(() => [] as number[]);
  const trainMs = settings.map(() => [] as number[]);
  let testSize = 0;
  for (const seed of seeds) {
    const cells = settings.map(({ options }, i) => {
      const { metrics, model } = trainClassifier(examples, { ...options, seed });
      acc[i]!.push(metrics.accuracy);
      trainMs[i]!.push(metrics.trainMs);
      testSize = metrics.testSize;
      return `${metrics.accuracy.toFixed(3)}${model.style ? ` (C ${model.style.c}, w ${model.style.weight})` : ""} ${metrics.trainMs} ms`;
    });
    console.log(`seed ${seed}: ${settings.map((s, i) => `${s.name} ${cells[i]}`).join("  ")}`);
  }
  const f4 = (x: number) => x.toFixed(4);
  for (const [i, { name }] of settings.entries()) {
    const s = pairedStats(acc[i]!);
    const ms = [...trainMs[i]!].sort((a, b) => a - b);
    console.log(`${corpusName} ${name}: mean ${f4(s.mean)} ± ${f4(s.se)} (corrected ${f4(s.seCorrected)}), ${s.n} splits; train ms median ${ms[ms.length >> 1]} max ${ms.at(-1)}`);
    if (i === 0) continue;
    const d = acc[i]!.map((a, j) => a - acc[0]![j]!);
    const p = pairedStats(d);
    const better = d.filter((x) => x > 1e-9).length;
    const worse = d.filter((x) => x < -1e-9).length;
    console.log(
      `  ${name} − ${settings[0]!.name}: ${f4(p.mean)} (≈ ${(p.mean * testSize).toFixed(2)} documents per split), sd ${f4(p.sd)}, s/√n ${f4(p.se)}, ` +
        `Nadeau–Bengio ${f4(p.seCorrected)}; better on ${better} splits, worse on ${worse}; errors per split ${settings[0]!.name} ` +
        `${acc[0]!.map((a) => Math.round((1 - a) * testSize)).join(" ")} / ${name} ${acc[i]!.map((a) => Math.round((1 - a) * testSize)).join(" ")}`,
    );
  }
}
