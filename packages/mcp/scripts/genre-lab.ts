/**
 * Genre experiments on pre-computed features (Brown, 15 labels): the same stratified splits
 * as trainClassifier (seeds 1–20 by default), several classifiers per split.
 *   SEEDS=1,2,3 VARIANTS=base,chunk4 npx tsx packages/mcp/scripts/genre-lab.ts
 * Prints mean accuracy over the seeds, then over seeds 1–3 and 4–20 separately, and errors per seed.
 */
import { DEFAULT_CORPORA, type LabelledText } from "../src/classification";
import { STYLE_WORDS, computeIdf, countFeatures, weightInPlace, type FeatureConfig, type SparseVector } from "../src/classification/features";
import { DEFAULT_FEATURES, stratifiedSplit, trainBinarySvm } from "../src/classification/model";
import { shuffleInPlace } from "../src/classification/prng";

const seeds = (process.env.SEEDS ?? Array.from({ length: 20 }, (_, i) => i + 1).join(",")).split(",").map(Number);
const examples = await DEFAULT_CORPORA.genre.load();
const labels = [...new Set(examples.map((e) => e.label))].sort();
const labelIndex = new Map(labels.map((l, i) => [l, i]));
const K = labels.length;

const split = (seed: number) => stratifiedSplit(examples, labels, seed, 0.2);

const rawCache = new Map<string, SparseVector>();
function raw(text: string, f: FeatureConfig): SparseVector {
  const key = `${JSON.stringify(f)}|${text}`;
  let v = rawCache.get(key);
  if (!v) {
    v = countFeatures(text, f);
    rawCache.set(key, v);
  }
  return { index: v.index.slice(), value: v.value.slice(), split: v.split };
}

type Ctx = { train: LabelledText[]; test: LabelledText[]; rng: () => number; seed: number };
/** A variant returns test margins (test × K). */
type Variant = (ctx: Ctx) => Float64Array[];

function ovr(trainVecs: SparseVector[], y: Int32Array, dims: number, rng: () => number, c = 1, balanced = true) {
  const w = new Float32Array(K * dims);
  const b = new Float32Array(K);
  for (let k = 0; k < K; k++) b[k] = trainBinarySvm(trainVecs, y, k, w.subarray(k * dims, (k + 1) * dims), { c, epochs: 30, rng, balanced, tolerance: 0.1, loss: "l2" });
  return { w, b, dims };
}

function scores(m: { w: Float32Array; b: Float32Array; dims: number }, x: SparseVector): Float64Array {
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = m.b[k]!;
    for (let j = 0; j < x.index.length; j++) s += m.w[k * m.dims + x.index[j]!]! * x.value[j]!;
    out[k] = s;
  }
  return out;
}

function pieces(text: string, n: number): string[] {
  const words = text.split(/\s+/);
  const size = Math.ceil(words.length / n);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(" "));
  return out;
}

function tfidfOvr(opts: { f?: Partial<FeatureConfig>; c?: number; chunks?: number; whole?: boolean; balanced?: boolean } = {}): Variant {
  return ({ train, test, rng }) => {
    const f = { ...DEFAULT_FEATURES, ...opts.f };
    const counted = train.map((e) => raw(e.text, f));
    const idf = computeIdf(counted, f);
    let vecs: SparseVector[];
    let y: Int32Array;
    if (opts.chunks) {
      const docs: { text: string; label: string }[] = [];
      for (const e of train) {
        for (const p of pieces(e.text, opts.chunks)) docs.push({ text: p, label: e.label });
        if (opts.whole) docs.push(e);
      }
      vecs = docs.map((d) => weightInPlace(raw(d.text, f), idf, f));
      y = Int32Array.from(docs, (d) => labelIndex.get(d.label)!);
    } else {
      vecs = counted.map((v) => weightInPlace(v, idf, f));
      y = Int32Array.from(train, (d) => labelIndex.get(d.label)!);
    }
    const m = ovr(vecs, y, idf.length, rng, opts.c ?? 1, opts.balanced ?? true);
    return test.map((e) => scores(m, weightInPlace(raw(e.text, f), idf, f)));
  };
}


/**
 * Crammer–Singer multi-class SVM (hinge loss) by dual coordinate descent, one example's K
 * dual variables at a time (Keerthi et al. 2008, LIBLINEAR's MCSVM_CS), bias as a constant feature.
 */
function crammerSinger(xs: SparseVector[], y: Int32Array, dims: number, rng: () => number, c: number, balanced: boolean, epochs = 100, eps = 0.1) {
  const n = xs.length;
  const w = new Float32Array(K * dims);
  const b = new Float32Array(K);
  const alpha = new Float64Array(n * K);
  const perLabel = new Int32Array(K);
  for (let i = 0; i < n; i++) perLabel[y[i]!]!++;
  const ci = Float64Array.from(y, (l) => (balanced ? (c * n) / (K * perLabel[l]!) : c));
  const qii = Float64Array.from(xs, (x) => x.value.reduce((a, v) => a + v * v, 1));
  const order = Array.from({ length: n }, (_, i) => i);
  const G = new Float64Array(K);
  const B = new Float64Array(K);
  const D = new Float64Array(K);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rng);
    let worst = 0;
    for (const i of order) {
      const { index, value } = xs[i]!;
      const yi = y[i]!;
      for (let m = 0; m < K; m++) {
        let s = (m === yi ? 0 : 1) + b[m]!;
        const off = m * dims;
        for (let j = 0; j < index.length; j++) s += w[off + index[j]!]! * value[j]!;
        G[m] = s;
      }
      let minG = Infinity;
      let maxG = -Infinity;
      for (let m = 0; m < K; m++) {
        const a = alpha[i * K + m]!;
        if ((m === yi ? a < ci[i]! : a < 0) && G[m]! < minG) minG = G[m]!;
        if (G[m]! > maxG) maxG = G[m]!;
      }
      if (maxG - minG > worst) worst = maxG - minG;
      if (maxG - minG <= 1e-12) continue;
      const A = qii[i]!;
      for (let m = 0; m < K; m++) B[m] = G[m]! - A * alpha[i * K + m]!;
      D.set(B);
      D[yi]! += A * ci[i]!;
      D.sort().reverse();
      let beta = D[0]! - A * ci[i]!;
      let r = 1;
      for (; r < K && beta < r * D[r]!; r++) beta += D[r]!;
      beta /= r;
      for (let m = 0; m < K; m++) {
        const next = m === yi ? Math.min(ci[i]!, (beta - B[m]!) / A) : Math.min(0, (beta - B[m]!) / A);
        const d = next - alpha[i * K + m]!;
        if (Math.abs(d) < 1e-12) continue;
        alpha[i * K + m] = next;
        const off = m * dims;
        for (let j = 0; j < index.length; j++) w[off + index[j]!]! += d * value[j]!;
        b[m]! += d;
      }
    }
    if (worst < eps) break;
  }
  return { w, b, dims };
}

function tfidfCs(opts: { c?: number; balanced?: boolean; eps?: number } = {}): Variant {
  return ({ train, test, rng }) => {
    const f = DEFAULT_FEATURES;
    const counted = train.map((e) => raw(e.text, f));
    const idf = computeIdf(counted, f);
    const vecs = counted.map((v) => weightInPlace(v, idf, f));
    const y = Int32Array.from(train, (d) => labelIndex.get(d.label)!);
    const m = crammerSinger(vecs, y, idf.length, rng, opts.c ?? 1, opts.balanced ?? true, 100, opts.eps ?? 0.1);
    return test.map((e) => scores(m, weightInPlace(raw(e.text, f), idf, f)));
  };
}


/** Dense stylistic features of a text: function-word rates, punctuation rates, lengths. */
function style(text: string): number[] {
  const tokens = text.match(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu) ?? [];
  const words = tokens.filter((t) => /[\p{L}\p{N}]/u.test(t));
  const nw = Math.max(1, words.length);
  const lower = words.map((w) => w.toLowerCase());
  const counts = new Map<string, number>();
  for (const w of lower) counts.set(w, (counts.get(w) ?? 0) + 1);
  // The product's function words (features.ts), so the experiment reads the words the model does.
  const out: number[] = STYLE_WORDS.map((fw) => Math.sqrt((counts.get(fw) ?? 0) / nw));
  for (const p of ['"', "?", "!", ";", ":", "(", "-", ",", ".", "'", "$", "%"]) out.push(Math.sqrt(tokens.filter((t) => t === p).length / nw));
  const sentences = text.split(/[.!?]+["')]*\s+/).map((s) => (s.match(/[\p{L}\p{N}]+/gu) ?? []).length).filter((x) => x > 0);
  const ms = sentences.reduce((a, b) => a + b, 0) / Math.max(1, sentences.length);
  const sd = Math.sqrt(sentences.reduce((a, b) => a + (b - ms) ** 2, 0) / Math.max(1, sentences.length));
  out.push(Math.log(1 + ms), Math.log(1 + sd));
  out.push(lower.reduce((a, w) => a + w.length, 0) / nw);
  out.push(words.filter((w) => w.length >= 7).length / nw);
  out.push(words.filter((w) => /^\p{Lu}/u.test(w)).length / nw);
  out.push(words.filter((w) => /^\p{N}/u.test(w)).length / nw);
  out.push(new Set(lower.slice(0, 1000)).size / Math.max(1, Math.min(1000, lower.length)));
  out.push(lower.filter((w) => w.endsWith("ed")).length / nw, lower.filter((w) => w.endsWith("ing")).length / nw, lower.filter((w) => w.endsWith("ly")).length / nw);
  out.push(lower.filter((w) => w.endsWith("tion") || w.endsWith("ity") || w.endsWith("ment") || w.endsWith("ness")).length / nw);
  out.push(lower.filter((w) => w.includes("'")).length / nw);
  return out;
}
const styleCache = new Map<string, number[]>();
const styleOf = (t: string) => styleCache.get(t) ?? (styleCache.set(t, style(t)), styleCache.get(t)!);

/** Per-column mean and variance of the training rows' style values. */
function moments(S: number[][]) {
  const d = S[0]!.length;
  const mu = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const s of S) s.forEach((v, j) => (mu[j]! += v / S.length));
  for (const s of S) s.forEach((v, j) => (sd[j]! += (v - mu[j]!) ** 2 / S.length));
  return { d, mu, sd };
}

function withStyle(opts: { gamma: number; c?: number; cs?: boolean }): Variant {
  return ({ train, test, rng }) => {
    const f = DEFAULT_FEATURES;
    const counted = train.map((e) => raw(e.text, f));
    const idf = computeIdf(counted, f);
    const S = train.map((e) => styleOf(e.text));
    const { d, mu, sd } = moments(S);
    const scale = Float64Array.from(sd, (v) => (v > 0 ? opts.gamma / Math.sqrt(v * d) : 0));
    const dims = idf.length + d;
    const attach = (x: SparseVector, s: number[]): SparseVector => {
      const index = new Int32Array(x.index.length + d);
      const value = new Float32Array(x.index.length + d);
      index.set(x.index);
      value.set(x.value);
      for (let j = 0; j < d; j++) {
        index[x.index.length + j] = idf.length + j;
        value[x.index.length + j] = (s[j]! - mu[j]!) * scale[j]!;
      }
      return { index, value, split: x.split };
    };
    const vecs = counted.map((v, i) => attach(weightInPlace(v, idf, f), S[i]!));
    const y = Int32Array.from(train, (e) => labelIndex.get(e.label)!);
    const m = opts.cs ? crammerSinger(vecs, y, dims, rng, opts.c ?? 1, true) : ovr(vecs, y, dims, rng, opts.c ?? 1);
    return test.map((e) => scores(m, attach(weightInPlace(raw(e.text, f), idf, f), styleOf(e.text))));
  };
}

function styleOnly(c: number): Variant {
  return ({ train, test, rng }) => {
    const S = train.map((e) => styleOf(e.text));
    const { d, mu, sd } = moments(S);
    const vec = (s: number[]): SparseVector => ({ index: Int32Array.from({ length: d }, (_, j) => j), value: Float32Array.from(s, (v, j) => (sd[j]! > 0 ? (v - mu[j]!) / Math.sqrt(sd[j]! * d) : 0)), split: d });
    const y = Int32Array.from(train, (e) => labelIndex.get(e.label)!);
    const m = ovr(S.map(vec), y, d, rng, c);
    return test.map((e) => scores(m, vec(styleOf(e.text))));
  };
}

/** Multinomial naive Bayes over lowercase word unigrams (Laplace), per-token log posteriors. */
function naiveBayes(train: LabelledText[], alpha = 1) {
  const tok = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const counts = Array.from({ length: K }, () => new Map<string, number>());
  const totals = new Float64Array(K);
  const docs = new Float64Array(K);
  const vocab = new Set<string>();
  for (const e of train) {
    const k = labelIndex.get(e.label)!;
    docs[k]!++;
    for (const t of tok(e.text)) {
      counts[k]!.set(t, (counts[k]!.get(t) ?? 0) + 1);
      totals[k]!++;
      vocab.add(t);
    }
  }
  const v = vocab.size;
  return (text: string): Float64Array => {
    const ts = tok(text).filter((t) => vocab.has(t));
    const out = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      const denom = Math.log(totals[k]! + alpha * v);
      for (const t of ts) s += Math.log((counts[k]!.get(t) ?? 0) + alpha) - denom;
      out[k] = s / Math.max(1, ts.length);
    }
    return out;
  };
}

function nbMix(lambda: number, alpha = 1): Variant {
  const base = tfidfOvr();
  return (ctx) => {
    const ms = base(ctx);
    const nb = naiveBayes(ctx.train, alpha);
    return ctx.test.map((e, i) => {
      const lp = nb(e.text);
      let max = -Infinity;
      for (const v of lp) max = Math.max(max, v);
      return Float64Array.from(ms[i]!, (m, k) => m + lambda * (lp[k]! - max));
    });
  };
}

/** Late fusion: the sum of several variants' margins, each with a weight. */
function fuse(parts: [Variant, number][]): Variant {
  return (ctx) => {
    const all = parts.map(([v, wt]) => {
      const { rng } = split(ctx.seed);
      return v({ ...ctx, rng }).map((m) => m.map((x) => x * wt));
    });
    return ctx.test.map((_, i) => {
      const out = new Float64Array(K);
      for (const ms of all) ms[i]!.forEach((x, k) => (out[k]! += x));
      return out;
    });
  };
}

const variants: Record<string, Variant> = {
  styleonly003: styleOnly(0.03),
  styleonly001: styleOnly(0.01),
  f01x05: fuse([[tfidfOvr(), 1], [styleOnly(0.1), 0.5]]),
  f01x1: fuse([[tfidfOvr(), 1], [styleOnly(0.1), 1]]),
  f01x2: fuse([[tfidfOvr(), 1], [styleOnly(0.1), 2]]),

  style2: withStyle({ gamma: 2 }),
  style3: withStyle({ gamma: 3 }),
  fuse05: fuse([[tfidfOvr(), 1], [styleOnly(1), 0.5]]),
  fuse1: fuse([[tfidfOvr(), 1], [styleOnly(1), 1]]),
  styleonly01: styleOnly(0.1),
  styleonly03: styleOnly(0.3),

  nb1: nbMix(1),
  nb3: nbMix(3),
  nb10: nbMix(10),
  nbonly: nbMix(1000),

  cs03: tfidfCs({ c: 0.3 }),
  cs1: tfidfCs({ c: 1 }),
  cs3: tfidfCs({ c: 3 }),
  csu1: tfidfCs({ c: 1, balanced: false }),
  style03: withStyle({ gamma: 0.3 }),
  style05: withStyle({ gamma: 0.5 }),
  style1: withStyle({ gamma: 1 }),
  styleonly1: styleOnly(1),
  styleonly10: styleOnly(10),

  base: tfidfOvr(),
  chunk2: tfidfOvr({ chunks: 2 }),
  chunk4: tfidfOvr({ chunks: 4 }),
  chunk4w: tfidfOvr({ chunks: 4, whole: true }),
  chunk8: tfidfOvr({ chunks: 8 }),
};

const chosen = (process.env.VARIANTS ?? "base").split(",");
for (const name of chosen) {
  const v = variants[name];
  if (!v) throw new Error(`unknown variant ${name}`);
  const acc: number[] = [];
  const errs: number[] = [];
  const t0 = performance.now();
  for (const seed of seeds) {
    const { train, test, rng } = split(seed);
    const ms = v({ train, test, rng, seed });
    let right = 0;
    test.forEach((e, i) => {
      const m = ms[i]!;
      let best = 0;
      for (let k = 1; k < K; k++) if (m[k]! > m[best]!) best = k;
      if (labels[best] === e.label) right++;
    });
    acc.push(right / test.length);
    errs.push(test.length - right);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const first = acc.filter((_, i) => seeds[i]! <= 3);
  const rest = acc.filter((_, i) => seeds[i]! > 3);
  console.log(`${name.padEnd(12)} mean ${mean(acc).toFixed(4)} s1-3 ${mean(first).toFixed(4)} s4+ ${mean(rest).toFixed(4)} errors ${errs.join(" ")} (${Math.round((performance.now() - t0) / 1000)} s)`);
}
