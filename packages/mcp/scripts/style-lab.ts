/**
 * How version 5's inner cross-validation chooses the stylistic SVM's C and weight, and what
 * other choices would give (Brown, 15 labels, the same stratified splits as trainClassifier).
 *
 *   Phase 1, per seed: trains exactly what trainClassifier trains (the text SVM on the training
 *   split, the stylistic SVM of every candidate C) and keeps their held-out margins, plus the
 *   inner cross-validation's margins for several CV settings (folds, text-SVM tolerance):
 *     SEEDS=1,2 CVS=f5,f3 npx tsx packages/mcp/scripts/style-lab.ts compute
 *   Phase 2: every selection rule on the stored margins; mean accuracy over the seeds, seeds
 *   1–3, errors per seed and the paired difference with version 5 (5 folds, accuracy):
 *     npx tsx packages/mcp/scripts/style-lab.ts select
 * Margins are stored in $STYLE_LAB_DIR (default /tmp/style-lab), one JSON file per seed.
 * The held-out split is only read to score a rule, never to choose C or the weight.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pairedStats } from "./paired-seeds";
import { DEFAULT_CORPORA, type LabelledText } from "../src/classification";
import { STYLE_DIMS, computeIdf, countFeatures, hashedDims, weightInPlace } from "../src/classification/features";
import {
  MULTI_LABEL_FEATURES, STYLE_C_GRID, STYLE_SELECTION, STYLE_WEIGHT_GRID, selectStyle, standardise, stratifiedSplit, styleCvMargins, styleValues, trainBinarySvm,
  trainStyleOvr,
} from "../src/classification/model";
import { createRng, shuffleInPlace } from "../src/classification/prng";

const dir = process.env.STYLE_LAB_DIR ?? "/tmp/style-lab";
const seeds = (process.env.SEEDS ?? Array.from({ length: 20 }, (_, i) => i + 1).join(",")).split(",").map(Number);

/** CV settings: folds and the fold text SVMs' tolerance and passes. */
const CV_SETTINGS: Record<string, { folds: number; tolerance: number; epochs: number }> = {
  f5: { folds: 5, tolerance: 0.1, epochs: 30 },
  f3: { folds: 3, tolerance: 0.1, epochs: 30 },
  f5t05: { folds: 5, tolerance: 0.5, epochs: 30 },
  f3t05: { folds: 3, tolerance: 0.5, epochs: 30 },
  f3e5: { folds: 3, tolerance: 0.1, epochs: 5 },
  f10: { folds: 10, tolerance: 0.1, epochs: 30 },
  f3t1: { folds: 3, tolerance: 1, epochs: 30 },
};

type Stored = {
  seed: number;
  labels: number;
  cs: number[];
  yTrain: number[];
  yTest: number[];
  /** Held-out margins of the text SVM trained on the training split (test × labels). */
  testText: number[];
  /** Held-out margins of the stylistic SVM of each C trained on the training split. */
  testStyle: number[][];
  textMs: number;
  cv: Record<string, { text: number[]; style: number[][]; ms: number }>;
};

async function compute(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const cvNames = (process.env.CVS ?? "f5,f3").split(",");
  const examples = await DEFAULT_CORPORA.genre.load();
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const K = labels.length;
  const features = MULTI_LABEL_FEATURES;
  const offset = hashedDims(features);
  for (const seed of seeds) {
    const file = join(dir, `seed-${seed}.json`);
    let stored: Stored | undefined;
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as Stored;
    } catch {
      stored = undefined;
    }
    // The split and the text SVM exactly as trainClassifier (same PRNG stream).
    const { train, test, rng } = stratifiedSplit(examples, labels, seed, 0.2);
    const counted = train.map((ex) => countFeatures(ex.text, features));
    const rows = counted.map((v) => styleValues(v, offset));
    const idf = computeIdf(counted, features);
    const vecs = counted.map((v) => weightInPlace(v, idf, features));
    const y = Int32Array.from(train, (ex) => labelIndex.get(ex.label)!);
    const svm = { c: 1, epochs: 30, balanced: true, tolerance: 0.1, loss: "l2" as const };
    if (!stored) {
      const dims = idf.length;
      const t0 = performance.now();
      const w = new Float32Array(K * dims);
      const b = new Float32Array(K);
      for (let k = 0; k < K; k++) b[k] = trainBinarySvm(vecs, y, k, w.subarray(k * dims, (k + 1) * dims), { ...svm, rng });
      const textMs = performance.now() - t0;
      const testCounted = test.map((ex) => countFeatures(ex.text, features));
      const testRows = testCounted.map((v) => styleValues(v, offset));
      const testText: number[] = [];
      for (const v of testCounted) {
        const x = weightInPlace(v, idf, features);
        for (let k = 0; k < K; k++) {
          let m = b[k]!;
          for (let j = 0; j < x.index.length; j++) if (x.index[j]! < offset) m += w[k * dims + x.index[j]!]! * x.value[j]!;
          testText.push(m);
        }
      }
      const { xs: standardised, mean, scale } = standardise(rows);
      const testStyle = STYLE_C_GRID.map((c) => {
        const model = trainStyleOvr(standardised, y, K, c, createRng(seed ^ 0x2c1b3c6d));
        const out: number[] = [];
        for (const r of testRows) {
          for (let k = 0; k < K; k++) {
            let m = model.b[k]!;
            for (let j = 0; j < STYLE_DIMS; j++) m += model.w[k * STYLE_DIMS + j]! * (r[j]! - mean[j]!) * scale[j]!;
            out.push(m);
          }
        }
        return out;
      });
      stored = {
        seed, labels: K, cs: [...STYLE_C_GRID], yTrain: [...y], yTest: test.map((ex) => labelIndex.get(ex.label)!),
        testText, testStyle, textMs, cv: {},
      };
    }
    for (const name of cvNames) {
      if (stored.cv[name]) continue;
      const setting = CV_SETTINGS[name];
      if (!setting) throw new Error(`unknown CV setting ${name}`);
      const t0 = performance.now();
      const cv = styleCvMargins({
        textVecs: vecs, rows, y, labels: K, dims: idf.length, cs: STYLE_C_GRID, folds: setting.folds,
        svm: { ...svm, tolerance: setting.tolerance, epochs: setting.epochs }, rng: createRng(seed ^ 0x5f3759df),
      });
      if (!cv) throw new Error(`seed ${seed}: a label too small for ${setting.folds} folds`);
      stored.cv[name] = { text: [...cv.text], style: cv.style.map((s) => [...s]), ms: performance.now() - t0 };
      console.log(`seed ${seed} ${name}: ${Math.round(stored.cv[name].ms)} ms (text SVM on the training split ${Math.round(stored.textMs)} ms)`);
    }
    writeFileSync(file, JSON.stringify(stored));
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: selection rules.

type Cv = { text: ArrayLike<number>; style: ArrayLike<number>[] };
type Choice = { ci: number; weight: number };
type Rule = (cv: Cv, y: number[], K: number, cs: number[], ctx: { seed: number; folds: number }) => Choice;

/** Candidate margins of example i: text + weight × style[ci]. */
function marginRow(cv: Cv, i: number, K: number, ci: number, weight: number, out: Float64Array): Float64Array {
  for (let k = 0; k < K; k++) out[k] = cv.text[i * K + k]! + weight * cv.style[ci]![i * K + k]!;
  return out;
}

function accuracyOf(cv: Cv, y: number[], K: number, ci: number, weight: number): number {
  const m = new Float64Array(K);
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    marginRow(cv, i, K, ci, weight, m);
    let top = 0;
    for (let k = 1; k < K; k++) if (m[k]! > m[top]!) top = k;
    if (top === y[i]) right++;
  }
  return right / y.length;
}

/** Mean log-loss of softmax(s × margins) at the best s (golden-section search on ln s). */
function logLossOf(cv: Cv, y: number[], K: number, ci: number, weight: number): number {
  const rowsM = y.map((_, i) => marginRow(cv, i, K, ci, weight, new Float64Array(K)));
  const loss = (s: number) => {
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      const m = rowsM[i]!;
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, m[k]! * s);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(m[k]! * s - max);
      total += max + Math.log(sum) - m[y[i]!]! * s;
    }
    return total / y.length;
  };
  let lo = Math.log(0.1);
  let hi = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = loss(Math.exp(a));
  let fb = loss(Math.exp(b));
  for (let it = 0; it < 40; it++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = loss(Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = loss(Math.exp(b));
    }
  }
  return Math.min(fa, fb);
}

/** Mean Crammer–Singer hinge: max(0, 1 + best other margin − true margin). */
function hingeOf(cv: Cv, y: number[], K: number, ci: number, weight: number): number {
  const m = new Float64Array(K);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    marginRow(cv, i, K, ci, weight, m);
    let other = -Infinity;
    for (let k = 0; k < K; k++) if (k !== y[i]) other = Math.max(other, m[k]!);
    total += Math.max(0, 1 + other - m[y[i]!]!);
  }
  return total / y.length;
}

/** Minimise a loss over the grid (ties: smaller weight, then smaller C, as version 5). */
function argminGrid(weights: readonly number[], score: (ci: number, weight: number) => number, nC: number): Choice {
  let best: Choice = { ci: 0, weight: weights[0]! };
  let bestScore = Infinity;
  for (const weight of weights) {
    for (let ci = 0; ci < nC; ci++) {
      const s = score(ci, weight);
      if (s < bestScore - 1e-12) {
        bestScore = s;
        best = { ci, weight };
      }
    }
  }
  return best;
}

const FINE_WEIGHTS = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1.25, 1.5];

/** The fold of each training example, as styleCvMargins assigns them (same PRNG stream). */
function foldsOf(y: number[], K: number, folds: number, seed: number): Int32Array {
  const rng = createRng(seed ^ 0x5f3759df);
  const fold = new Int32Array(y.length);
  for (let k = 0; k < K; k++) {
    const members = shuffleInPlace([...y.keys()].filter((i) => y[i] === k), rng);
    members.forEach((i, at) => (fold[i] = at % folds));
  }
  return fold;
}

/**
 * Per fold, the accuracy-best (C, weight) on that fold alone; then the mean of those weights
 * and the C chosen most often (ties: the smaller).
 */
function foldAveraged(): Rule {
  return (cv, y, K, cs, { seed, folds }) => {
    const fold = foldsOf(y, K, folds, seed);
    const chosen: Choice[] = [];
    for (let f = 0; f < folds; f++) {
      const idx = [...y.keys()].filter((i) => fold[i] === f);
      const sub: Cv = {
        text: idx.flatMap((i) => Array.from({ length: K }, (_, k) => cv.text[i * K + k]!)),
        style: cv.style.map((st) => idx.flatMap((i) => Array.from({ length: K }, (_, k) => st[i * K + k]!))),
      };
      chosen.push(argminGrid(STYLE_WEIGHT_GRID, (ci, w) => -accuracyOf(sub, idx.map((i) => y[i]!), K, ci, w), cs.length));
    }
    const votes = cs.map((_, ci) => chosen.filter((c) => c.ci === ci).length);
    return { ci: votes.indexOf(Math.max(...votes)), weight: chosen.reduce((a, c) => a + c.weight, 0) / folds };
  };
}

const rules: Record<string, Rule> = {
  /** The product's selection rule (`selectStyle`) with version 6's criterion and weights. */
  product6: (cv, y, K, cs) => {
    const { c, weight } = selectStyle(
      { cs, text: Float64Array.from(cv.text), style: cv.style.map((st) => Float64Array.from(st)) }, Int32Array.from(y), K, STYLE_SELECTION,
    );
    return { ci: cs.indexOf(c), weight };
  },
  acc: (cv, y, K, cs) => argminGrid(STYLE_WEIGHT_GRID, (ci, w) => -accuracyOf(cv, y, K, ci, w), cs.length),
  logloss: (cv, y, K, cs) => argminGrid(STYLE_WEIGHT_GRID, (ci, w) => logLossOf(cv, y, K, ci, w), cs.length),
  loglossFine: (cv, y, K, cs) => argminGrid(FINE_WEIGHTS, (ci, w) => logLossOf(cv, y, K, ci, w), cs.length),
  hinge: (cv, y, K, cs) => argminGrid(STYLE_WEIGHT_GRID, (ci, w) => hingeOf(cv, y, K, ci, w), cs.length),
  hingeFine: (cv, y, K, cs) => argminGrid(FINE_WEIGHTS, (ci, w) => hingeOf(cv, y, K, ci, w), cs.length),
  accThenLogloss: (cv, y, K, cs) => argminGrid(STYLE_WEIGHT_GRID, (ci, w) => -accuracyOf(cv, y, K, ci, w) + 1e-3 * logLossOf(cv, y, K, ci, w), cs.length),
  accFine: (cv, y, K, cs) => argminGrid(FINE_WEIGHTS, (ci, w) => -accuracyOf(cv, y, K, ci, w), cs.length),
  /** Accuracy averaged over each grid point and its neighbours in weight and in C. */
  accSmooth: (cv, y, K, cs) => {
    const ws = STYLE_WEIGHT_GRID;
    const acc = ws.map((w) => cs.map((_, ci) => accuracyOf(cv, y, K, ci, w)));
    return argminGrid(ws, (ci, w) => {
      const wi = ws.indexOf(w as (typeof ws)[number]);
      let sum = 0;
      let n = 0;
      for (const [a, b] of [[wi, ci], [wi - 1, ci], [wi + 1, ci], [wi, ci - 1], [wi, ci + 1]] as const) {
        const v = acc[a]?.[b];
        if (v === undefined) continue;
        sum += v;
        n++;
      }
      return -sum / n;
    }, cs.length);
  },
  foldAvg: foldAveraged(),
  accFineSmooth: (cv, y, K, cs) => {
    const ws = FINE_WEIGHTS;
    const acc = ws.map((w) => cs.map((_, ci) => accuracyOf(cv, y, K, ci, w)));
    return argminGrid(ws, (ci, w) => {
      const wi = ws.indexOf(w);
      let sum = 0;
      let n = 0;
      for (const [a, b] of [[wi, ci], [wi - 1, ci], [wi + 1, ci], [wi, ci - 1], [wi, ci + 1]] as const) {
        const v = acc[a]?.[b];
        if (v === undefined) continue;
        sum += v;
        n++;
      }
      return -sum / n;
    }, cs.length);
  },
};

function select(): void {
  const files = readdirSync(dir).filter((f) => /^seed-\d+\.json$/.test(f));
  const all = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Stored).filter((s) => seeds.includes(s.seed)).sort((a, b) => a.seed - b.seed);
  const errorsOf = (s: Stored, choice: Choice) => {
    const K = s.labels;
    const cv = { text: s.testText, style: s.testStyle };
    return s.yTest.length - Math.round(accuracyOf(cv, s.yTest, K, choice.ci, choice.weight) * s.yTest.length);
  };
  const base = all.map((s) => errorsOf(s, rules.acc!({ text: s.cv.f5!.text, style: s.cv.f5!.style }, s.yTrain, s.labels, s.cs, { seed: s.seed, folds: 5 })));
  const report = (name: string, errs: number[], picks: string[], ms: number[]) => {
    const acc = errs.map((e, i) => 1 - e / all[i]!.yTest.length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = acc.filter((_, i) => all[i]!.seed <= 3);
    const diff = errs.map((e, i) => base[i]! - e);
    const sd = Math.sqrt(diff.reduce((a, d) => a + (d - mean(diff)) ** 2, 0) / Math.max(1, diff.length - 1));
    const better = diff.filter((d) => d > 0).length;
    const worse = diff.filter((d) => d < 0).length;
    console.log(
      `${name.padEnd(24)} mean ${mean(acc).toFixed(4)} s1-3 ${first.length ? mean(first).toFixed(4) : "-"} ` +
        `fewer errors than v5 ${diff.reduce((a, b) => a + b, 0)} (+${better}/-${worse}, per split ${mean(diff).toFixed(2)} ± ${(sd / Math.sqrt(diff.length)).toFixed(2)}) ` +
        `cv ${ms.length ? (mean(ms) / 1000).toFixed(1) : "-"} s; errors ${errs.join(" ")}${process.env.PICKS ? `; picks ${picks.join(" ")}` : ""}`,
    );
  };
  console.log(`${all.length} seeds: ${all.map((s) => s.seed).join(" ")}; v5 errors ${base.join(" ")}`);
  const cvNames = [...new Set(all.flatMap((s) => Object.keys(s.cv)))].filter((n) => all.every((s) => s.cv[n]));
  for (const cvName of cvNames) {
    for (const [ruleName, rule] of Object.entries(rules)) {
      const picks: string[] = [];
      const errs = all.map((s) => {
        const choice = rule({ text: s.cv[cvName]!.text, style: s.cv[cvName]!.style }, s.yTrain, s.labels, s.cs, { seed: s.seed, folds: CV_SETTINGS[cvName]!.folds });
        picks.push(`${s.cs[choice.ci]}/${choice.weight}`);
        return errorsOf(s, choice);
      });
      report(`${cvName} ${ruleName}`, errs, picks, all.map((s) => s.cv[cvName]!.ms));
    }
  }
  // Fixed settings (hindsight references, read off the test splits).
  for (const [ci, weight] of [[2, 0.5], [1, 0.5], [2, 0.25], [2, 1], [0, 0]] as const) {
    report(`fixed C ${STYLE_C_GRID[ci]} w ${weight}`, all.map((s) => errorsOf(s, { ci, weight })), [], []);
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 3 (after version 6): learned combinations of the text and stylistic margins.
//   SEEDS=201-220 npx tsx packages/mcp/scripts/style-lab.ts stack
// Version 6 adds text + w × style with one (C, w) for all labels, chosen on the inner CV's
// held-out margins. A stacker learns instead, on those same out-of-fold margins (the C being
// version 6's), per label k a margin a_k·t_k + b_k·s_k + c_k ("diag"), or A·t + B·s + c with
// full 15 × 15 matrices ("full"), by minimising the mean multi-class hinge plus
// λ·‖θ − θ₆‖², θ₆ = version 6's combination (a = 1, b = w, c = 0; A = I, B = w·I): λ → ∞ is
// version 6. Then scored on the test split with the margins of the models trained on the
// whole training split. All of it stays linear in the features, so it would fold into the
// model's weight rows.

type Stack = { A: Float64Array; B: Float64Array; c: Float64Array };

function stackMargins(st: Stack, K: number, t: ArrayLike<number>, s: ArrayLike<number>, i: number, out: Float64Array): Float64Array {
  for (let k = 0; k < K; k++) {
    let m = st.c[k]!;
    for (let j = 0; j < K; j++) m += st.A[k * K + j]! * t[i * K + j]! + st.B[k * K + j]! * s[i * K + j]!;
    out[k] = m;
  }
  return out;
}

/** Hinge + λ‖θ − θ₆‖² by Adam on the subgradient, iterates averaged over the second half. */
function fitStack(t: ArrayLike<number>, s: ArrayLike<number>, y: number[], K: number, weight: number, lambda: number, full: boolean): Stack {
  const n = y.length;
  const P = 2 * K * K + K;
  const theta0 = new Float64Array(P);
  for (let k = 0; k < K; k++) {
    theta0[k * K + k] = 1;
    theta0[K * K + k * K + k] = weight;
  }
  const free = new Uint8Array(P);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K; j++) {
      if (full || j === k) {
        free[k * K + j] = 1;
        free[K * K + k * K + j] = 1;
      }
    }
    free[2 * K * K + k] = 1;
  }
  const theta = Float64Array.from(theta0);
  const avg = new Float64Array(P);
  const mom = new Float64Array(P);
  const vel = new Float64Array(P);
  const grad = new Float64Array(P);
  const view = (th: Float64Array): Stack => ({ A: th.subarray(0, K * K), B: th.subarray(K * K, 2 * K * K), c: th.subarray(2 * K * K) });
  const m = new Float64Array(K);
  const iterations = 400;
  const lr = 0.01;
  let averaged = 0;
  for (let it = 1; it <= iterations; it++) {
    grad.fill(0);
    const st = view(theta);
    for (let i = 0; i < n; i++) {
      stackMargins(st, K, t, s, i, m);
      const truth = y[i]!;
      let other = -1;
      for (let k = 0; k < K; k++) if (k !== truth && (other < 0 || m[k]! > m[other]!)) other = k;
      if (1 + m[other]! - m[truth]! <= 0) continue;
      for (const [k, sign] of [[other, 1], [truth, -1]] as const) {
        for (let j = 0; j < K; j++) {
          grad[k * K + j]! += (sign * t[i * K + j]!) / n;
          grad[K * K + k * K + j]! += (sign * s[i * K + j]!) / n;
        }
        grad[2 * K * K + k]! += sign / n;
      }
    }
    for (let p = 0; p < P; p++) {
      if (!free[p]) continue;
      const g = grad[p]! + 2 * lambda * (theta[p]! - theta0[p]!);
      mom[p] = 0.9 * mom[p]! + 0.1 * g;
      vel[p] = 0.999 * vel[p]! + 0.001 * g * g;
      theta[p]! -= (lr * (mom[p]! / (1 - 0.9 ** it))) / (Math.sqrt(vel[p]! / (1 - 0.999 ** it)) + 1e-8);
    }
    if (it > iterations / 2) {
      averaged++;
      for (let p = 0; p < P; p++) avg[p]! += (theta[p]! - avg[p]!) / averaged;
    }
  }
  return view(avg);
}

function stack(): void {
  const files = readdirSync(dir).filter((f) => /^seed-\d+\.json$/.test(f));
  const all = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Stored).filter((s) => seeds.includes(s.seed)).sort((a, b) => a.seed - b.seed);
  const lambdas = (process.env.LAMBDAS ?? "0.001,0.01,0.1,1").split(",").map(Number);
  const base: number[] = [];
  const results = new Map<string, number[]>();
  for (const s of all) {
    const K = s.labels;
    const cv = s.cv.f3t05;
    if (!cv) throw new Error(`seed ${s.seed}: no f3t05 margins (compute with CVS=f3t05)`);
    const { c, weight } = selectStyle({ cs: s.cs, text: Float64Array.from(cv.text), style: cv.style.map((x) => Float64Array.from(x)) }, Int32Array.from(s.yTrain), K, STYLE_SELECTION);
    const ci = s.cs.indexOf(c);
    const errorsOf = (st: Stack) => {
      const m = new Float64Array(K);
      let wrong = 0;
      s.yTest.forEach((truth, i) => {
        stackMargins(st, K, s.testText, s.testStyle[ci]!, i, m);
        let top = 0;
        for (let k = 1; k < K; k++) if (m[k]! > m[top]!) top = k;
        if (top !== truth) wrong++;
      });
      return wrong;
    };
    const v6: Stack = { A: new Float64Array(K * K), B: new Float64Array(K * K), c: new Float64Array(K) };
    for (let k = 0; k < K; k++) {
      v6.A[k * K + k] = 1;
      v6.B[k * K + k] = weight;
    }
    base.push(errorsOf(v6));
    const line: string[] = [];
    for (const full of [false, true]) {
      for (const lambda of lambdas) {
        const name = `${full ? "full" : "diag"} λ ${lambda}`;
        const e = errorsOf(fitStack(cv.text, cv.style[ci]!, s.yTrain, K, weight, lambda, full));
        results.set(name, [...(results.get(name) ?? []), e]);
        line.push(`${name}: ${e}`);
      }
    }
    console.log(`seed ${s.seed} (v6 C ${c} w ${weight}): v6 ${base.at(-1)}; ${line.join(", ")}`);
  }
  const n = all[0]!.yTest.length;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`${all.length} seeds ${all[0]!.seed}–${all.at(-1)!.seed}; v6 accuracy ${(1 - mean(base) / n).toFixed(4)}`);
  for (const [name, errs] of results) {
    const d = errs.map((e, i) => base[i]! - e);
    const { sd, seCorrected } = pairedStats(d);
    console.log(
      `${name.padEnd(14)} accuracy ${(1 - mean(errs) / n).toFixed(4)}; fewer errors than v6 ${d.reduce((a, b) => a + b, 0)} ` +
        `(+${d.filter((x) => x > 0).length}/-${d.filter((x) => x < 0).length}; per split ${mean(d).toFixed(2)}, sd ${sd.toFixed(2)}, ` +
        `Nadeau–Bengio ${seCorrected.toFixed(2)})`,
    );
  }
}

if (process.argv[2] === "compute") await compute();
else if (process.argv[2] === "stack") stack();
else select();
