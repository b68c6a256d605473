import { LEGACY_FEATURES, STYLE_DIMS, computeIdf, countFeatures, featureDims, hashedDims, weightInPlace, type FeatureConfig, type SparseVector } from "./features";
import { createRng, shuffleInPlace } from "./prng";
import { countWords } from "../text";

/**
 * Bump whenever features, weighting or training change: hosts cache trained artifacts by
 * corpus + this string, and a model trained under another version is retrained.
 */
export const ALGORITHM_VERSION = "hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-nbsvm2bin20-style-cvhinge3-6";

export type LabelledText = { text: string; label: string };
export type TrainOptions = {
  seed?: number;
  /** Share of every label held out for evaluation (0 < f ≤ 0.5). Default 0.2. */
  testFraction?: number;
  /** Maximum passes of dual coordinate descent per label. Default 30. */
  epochs?: number;
  /** Stop when the projected-gradient spread of a pass falls under this. Default 0.1. */
  tolerance?: number;
  /** SVM cost parameter C. Default 1, or 5 when the features are NB-scaled (`nb`). */
  c?: number;
  /**
   * Feature settings other than the default ones (experiments; the model records them),
   * merged over DEFAULT_FEATURES, or over TWO_LABEL_FEATURES on two-label tasks.
   */
  features?: Partial<FeatureConfig>;
  /** Class-balanced costs in each one-vs-rest problem. Default true. */
  balanced?: boolean;
  /**
   * Loss: squared hinge ("l2", LinearSVC's default), hinge ("l1") or logistic ("logistic",
   * L2-regularised logistic regression). Default "l2".
   */
  loss?: "l1" | "l2" | "logistic";
  /**
   * NBSVM (Wang and Manning 2012): before training label k's one-vs-rest SVM, scale every
   * feature by the naive-Bayes log-count ratio r = ln((p/‖p‖₁)/(q/‖q‖₁)) of that label
   * (p, q = α + per-side feature sums, binary or of the weighted values), then interpolate
   * the weights w' = (1 − β)·mean|w| + β·w over the buckets seen in training. r is folded
   * into the stored weights (or, "r-then-norm", into the stored idf), so classification costs
   * the same. Default for two labels (spam vs ham, version 4): α = 1, β = 1, binary counts,
   * "r-then-norm" without idf, i.e. Wang and Manning's binarised features 1{f > 0} scaled by
   * r, then L2-normalised; none (a plain SVM) for more labels, where a label's ratio comes
   * from a few dozen examples; `false` = never. Version 3's NBSVM is
   * `{ order: "norm-then-r" }` with the features DEFAULT_FEATURES.
   */
  nb?: NbOptions | false;
  /**
   * With stylistic features (`features.style`, the default on more than two labels since
   * version 5): C of their own one-vs-rest SVM. Default: chosen with `styleWeight` by
   * cross-validation on the training split (STYLE_C_GRID × the selection's weights; `styleSelection`).
   */
  styleC?: number;
  /**
   * Weight of the stylistic SVM's margins in the sum with the text SVM's. Default: chosen by
   * the same cross-validation; 0 (no stylistic part) when a label has too few training
   * examples to fold.
   */
  styleWeight?: number;
  /**
   * How that cross-validation chooses C and the weight. Default STYLE_SELECTION (version 6:
   * 3 folds, mean multi-class hinge, a finer weight grid); version 5's is STYLE_SELECTION_V5.
   */
  styleSelection?: StyleSelection;
};

/**
 * The inner cross-validation that chooses the stylistic SVM's C and margin weight: `folds`
 * stratified folds of the training split; the fold text SVMs stop at `textTolerance` (default:
 * the run's tolerance); the candidate minimising `criterion` over the held-out folds wins, ties
 * to the smaller weight, then the smaller C. "accuracy": the share misclassified; "hinge": the
 * mean multi-class (Crammer–Singer) hinge max(0, 1 + best other margin − true label's margin),
 * which also counts how far an example is from being right or wrong, so it moves smoothly
 * with C and the weight where accuracy over a few hundred documents moves by whole examples.
 */
export type StyleSelection = {
  folds: number;
  criterion: "accuracy" | "hinge";
  weights: readonly number[];
  textTolerance?: number;
};

export type NbOptions = {
  alpha?: number;
  beta?: number;
  counts?: "binary" | "weighted";
  /**
   * "norm-then-r" (version 3): r scales the already L2-normalised TF-IDF vector.
   * "r-then-norm" (two labels only, β = 1): r scales tf × idf before the normalisation, so the
   * scaled vector is normalised (as the feature settings say). With two labels the two ratios
   * are r and −r and an SVM does not see a feature's sign, so this is a plain SVM whose idf
   * is idf·|r|: the model stores that idf and classifies as any other.
   */
  order?: "norm-then-r" | "r-then-norm";
  /** With "r-then-norm": false = |r| replaces idf instead of multiplying it. Default true. */
  idf?: boolean;
};

/**
 * Features of the current algorithm: those of version 1 (LEGACY_FEATURES) except that
 * character n-grams are taken from whitespace-separated chunks ("$9.50", "free!!",
 * "<http://…>"), as scikit-learn's char_wb analyser does, rather than from letter runs.
 */
export const DEFAULT_FEATURES: FeatureConfig = { ...LEGACY_FEATURES, charUnits: "whitespace" };
/**
 * Features of two-label tasks since version 4: DEFAULT_FEATURES as presence (tf 1{f > 0},
 * the NBSVM paper's binarised features) in 2^20 buckets (2^18 is ~98 % occupied on spam).
 */
export const TWO_LABEL_FEATURES: FeatureConfig = { ...DEFAULT_FEATURES, tf: "binary", hashBits: 20 };
/**
 * Features of tasks with more than two labels since version 5: DEFAULT_FEATURES plus the
 * stylistic block (function-word and punctuation rates, sentence and word lengths), whose
 * own SVM's margins are added to the text SVM's.
 */
export const MULTI_LABEL_FEATURES: FeatureConfig = { ...DEFAULT_FEATURES, style: true };
/** Candidate C of the stylistic SVM, tried by cross-validation on the training split. */
export const STYLE_C_GRID = [0.01, 0.03, 0.1, 0.3, 1] as const;
/** Version 5's candidate weights of the stylistic margins (0 = text alone), same cross-validation. */
export const STYLE_WEIGHT_GRID = [0, 0.25, 0.5, 1] as const;
/** Version 5's selection: 5 folds, accuracy, STYLE_WEIGHT_GRID, fold text SVMs as the run's. */
export const STYLE_SELECTION_V5: StyleSelection = { folds: 5, criterion: "accuracy", weights: STYLE_WEIGHT_GRID };
/**
 * Version 6's selection: 3 folds whose text SVMs stop at tolerance 0.5 (≈ 3× cheaper than
 * version 5's 5 folds at 0.1), the mean multi-class hinge, weights 0 to 1 by eighths, 1.25, 1.5.
 */
export const STYLE_SELECTION: StyleSelection = {
  folds: 3,
  criterion: "hinge",
  weights: [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 1.25, 1.5],
  textTolerance: 0.5,
};
const DEFAULT_STYLE_C = 0.1;
const DEFAULT_BALANCED = true;
const DEFAULT_LOSS = "l2";
/** NBSVM settings used by default on two-label tasks (version 4), and C for them. */
const DEFAULT_NB: Required<NbOptions> = { alpha: 1, beta: 1, counts: "binary", order: "r-then-norm", idf: false };
const DEFAULT_NB_C = 5;

export type ModelMetrics = {
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: { labels: string[]; matrix: number[][] };
  trainSize: number;
  testSize: number;
  trainMs: number;
};

export type ClassifierModel = {
  algorithm: string;
  /** How texts are turned into vectors for this model. */
  features: FeatureConfig;
  labels: string[];
  /** Hash space size (2^hashBits). */
  dims: number;
  hashBits: number;
  /** Smoothed idf per bucket. */
  idf: Float32Array;
  /** One row of `dims` weights per label, row-major (labels.length × dims). */
  weights: Float32Array;
  bias: Float32Array;
  /** Softmax scale applied to margins; fitted on the held-out split to minimise log-loss. */
  temperature: number;
  trainedAt: string;
  trainSize: number;
  /** With stylistic features: the C and margin weight their SVM was trained with (version 5). */
  style?: { c: number; weight: number };
};

export type Prediction = {
  label: string | null;
  confidence: number;
  scores: { label: string; score: number }[];
  explanation: { term: string; weight: number }[];
  reason?: string;
};

export const MIN_WORDS_TO_CLASSIFY = 3;
const MIN_EXAMPLES_PER_LABEL = 2;

/**
 * Trains a one-vs-rest linear SVM (squared hinge loss, dual coordinate descent as in
 * LIBLINEAR, bias as an extra constant feature, class-balanced costs) on hashed TF-IDF
 * features; on two-label tasks on hashed presence features scaled by naive-Bayes log-count
 * ratios and L2-normalised (NBSVM). Holds out a stratified,
 * seeded share of each label and reports metrics on it. The returned model is the one
 * trained on the training split (the metrics describe exactly the shipped model).
 */
export function trainClassifier(
  examples: LabelledText[],
  options: TrainOptions = {},
): { model: ClassifierModel; metrics: ModelMetrics; heldOut: LabelledText[] } {
  const seed = options.seed ?? 42;
  const testFraction = options.testFraction ?? 0.2;
  const epochs = options.epochs ?? 30;
  const tolerance = options.tolerance ?? 0.1;
  const balanced = options.balanced ?? DEFAULT_BALANCED;
  const loss = options.loss ?? DEFAULT_LOSS;
  if (!(testFraction > 0 && testFraction <= 0.5)) {
    throw new Error(`testFraction must be in (0, 0.5], got ${testFraction}.`);
  }
  const byLabel = new Map<string, LabelledText[]>();
  for (const ex of examples) {
    if (typeof ex.label !== "string" || !ex.label.trim()) throw new Error("Every training example needs a non-empty label.");
    const list = byLabel.get(ex.label) ?? [];
    list.push(ex);
    byLabel.set(ex.label, list);
  }
  const labels = [...byLabel.keys()].sort();
  if (labels.length < 2) {
    throw new Error(`Training needs at least 2 labels; got ${labels.length} (${labels.join(", ") || "none"}).`);
  }
  const defaultFeatures = labels.length === 2 ? TWO_LABEL_FEATURES : MULTI_LABEL_FEATURES;
  const features: FeatureConfig = { ...defaultFeatures, ...options.features };
  const customBase = JSON.stringify(features) !== JSON.stringify(defaultFeatures) || balanced !== DEFAULT_BALANCED || loss !== DEFAULT_LOSS;
  const dims = featureDims(features);
  const defaultNb = labels.length === 2 ? DEFAULT_NB : undefined;
  const nb = options.nb === undefined ? defaultNb : options.nb === false ? undefined : { ...DEFAULT_NB, ...options.nb };
  const styleSelection = options.styleSelection ?? STYLE_SELECTION;
  const custom = customBase || JSON.stringify(nb) !== JSON.stringify(defaultNb) || options.styleC !== undefined || options.styleWeight !== undefined
    || JSON.stringify(styleSelection) !== JSON.stringify(STYLE_SELECTION);
  const c = options.c ?? (nb ? DEFAULT_NB_C : 1);
  const thin = labels.filter((l) => byLabel.get(l)!.length < MIN_EXAMPLES_PER_LABEL);
  if (thin.length) {
    throw new Error(
      `Training needs at least ${MIN_EXAMPLES_PER_LABEL} examples per label; too few for: ${thin.join(", ")}.`,
    );
  }

  const { train, test, rng } = stratifiedSplit(examples, labels, seed, testFraction);

  const started = performance.now();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const counted = train.map((ex) => countFeatures(ex.text, features));
  // Stylistic values are read before weighting (which works in place); their idf stays 0 while
  // the text SVM trains, so it does not see them.
  const styleRaw = features.style ? counted.map((v) => styleValues(v, hashedDims(features))) : undefined;
  let idf = computeIdf(counted, features);
  const y = Int32Array.from(train, (ex) => labelIndex.get(ex.label)!);
  const foldNb = nb?.order === "r-then-norm";
  if (nb && foldNb) {
    if (labels.length !== 2 || nb.beta !== 1) {
      throw new Error(`NBSVM "r-then-norm" needs two labels and beta 1 (got ${labels.length} labels, beta ${nb.beta}); use order "norm-then-r".`);
    }
    // Ratios of the raw counts (presence, or counts when "weighted"); the two labels' are ±r.
    const r = nbRatio(counted, y, 1, dims, nb);
    const useIdf = nb.idf;
    idf = Float32Array.from(idf, (v, j) => (Number.isNaN(r[j]) ? 0 : (useIdf ? v : 1) * Math.abs(r[j]!)));
  }
  const trainVecs = counted.map((v) => weightInPlace(v, idf, features));

  const weights = new Float32Array(labels.length * dims);
  const bias = new Float32Array(labels.length);
  for (let k = 0; k < labels.length; k++) {
    const w = weights.subarray(k * dims, (k + 1) * dims);
    if (!nb || foldNb) {
      bias[k] = trainBinarySvm(trainVecs, y, k, w, { c, epochs, rng, balanced, tolerance, loss });
      continue;
    }
    const r = nbRatio(trainVecs, y, k, dims, nb);
    const scaled = trainVecs.map((v) => ({ index: v.index, value: v.value.map((x, j) => x * r[v.index[j]!]!), split: v.split }));
    bias[k] = trainBinarySvm(scaled, y, k, w, { c, epochs, rng, balanced, tolerance, loss });
    let sum = 0;
    let seen = 0;
    for (let j = 0; j < dims; j++) {
      if (Number.isNaN(r[j])) continue;
      sum += Math.abs(w[j]!);
      seen++;
    }
    const mean = seen ? sum / seen : 0;
    for (let j = 0; j < dims; j++) w[j] = Number.isNaN(r[j]) ? 0 : ((1 - nb.beta) * mean + nb.beta * w[j]!) * r[j]!;
  }
  let styleSettings: { c: number; weight: number } | undefined;
  if (styleRaw) {
    const fixed = { c: options.styleC, weight: options.styleWeight };
    const svm = { c, epochs, balanced, tolerance, loss };
    styleSettings = fixed.c !== undefined && fixed.weight !== undefined
      ? { c: fixed.c, weight: fixed.weight }
      : chooseStyle({ textVecs: trainVecs, rows: styleRaw, y, labels: labels.length, dims, svm, fixed, selection: styleSelection, rng: createRng(seed ^ 0x5f3759df) });
    trainStyle(styleRaw, y, { labels: labels.length, dims, offset: hashedDims(features), idf, weights, bias, ...styleSettings, rng: createRng(seed ^ 0x2c1b3c6d) });
  }
  const trainMs = Math.round(performance.now() - started);

  const model: ClassifierModel = {
    algorithm: custom ? `${ALGORITHM_VERSION}+custom` : ALGORITHM_VERSION,
    features,
    labels,
    dims,
    hashBits: features.hashBits,
    idf,
    weights,
    bias,
    temperature: 1,
    trainedAt: new Date().toISOString(),
    trainSize: train.length,
    ...(styleSettings ? { style: styleSettings } : {}),
  };

  const testMargins = test.map((ex) => margins(model, weightInPlace(countFeatures(ex.text, features), idf, features)));
  model.temperature = fitTemperature(testMargins, test.map((ex) => labelIndex.get(ex.label)!));
  const predicted = testMargins.map((m) => argmax(m));
  const actual = test.map((ex) => labelIndex.get(ex.label)!);
  const metrics = computeMetrics(labels, actual, predicted, { trainSize: train.length, testSize: test.length, trainMs });
  return { model, metrics, heldOut: test };
}

/**
 * Scores an existing model on labelled examples (e.g. a new model's held-out split, to decide
 * whether the new one may replace it). Examples whose label the model does not know count
 * as errors; texts too short to classify count as errors too.
 */
/**
 * The stratified, seeded hold-out split training uses: per label (in `labels` order) a shuffled
 * `testFraction` (at least one, never all) is held out; the training part is shuffled again. The
 * returned PRNG continues the same stream (training draws from it next), so scripts that rebuild
 * a split reproduce trainClassifier's exactly.
 */
export function stratifiedSplit(examples: LabelledText[], labels: string[], seed: number, testFraction: number) {
  const rng = createRng(seed);
  const train: LabelledText[] = [];
  const test: LabelledText[] = [];
  for (const label of labels) {
    const list = shuffleInPlace(examples.filter((e) => e.label === label), rng);
    const nTest = Math.min(list.length - 1, Math.max(1, Math.round(list.length * testFraction)));
    test.push(...list.slice(0, nTest));
    train.push(...list.slice(nTest));
  }
  shuffleInPlace(train, rng);
  return { train, test, rng };
}

export function evaluateClassifier(model: ClassifierModel, examples: LabelledText[]): ModelMetrics {
  const labels = [...new Set([...model.labels, ...examples.map((e) => e.label)])].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const actual: number[] = [];
  const predicted: number[] = [];
  for (const example of examples) {
    const guess = predict(model, example.text, { explain: 0 }).label;
    actual.push(index.get(example.label)!);
    // An abstention is wrong: map it to a label that cannot match.
    predicted.push(guess === null ? (index.get(example.label)! + 1) % labels.length : index.get(guess)!);
  }
  return computeMetrics(labels, actual, predicted, { trainSize: model.trainSize, testSize: examples.length, trainMs: 0 });
}

/**
 * One label vs the rest: minimise ½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ w·xᵢ)² (L2-loss linear SVM)
 * in the dual, one coordinate at a time (Hsieh et al. 2008, as in LIBLINEAR), with the
 * bias as a constant feature and class-balanced Cᵢ. Features are L2-normalised so
 * Qᵢᵢ ≈ 2 + 1/(2Cᵢ). Stops when the projected-gradient spread falls under 0.1 or after
 * `epochs` passes. Deterministic for a seed (visiting order comes from the seeded PRNG).
 */
export function trainBinarySvm(
  xs: SparseVector[],
  y: Int32Array,
  positive: number,
  w: Float32Array,
  opts: { c: number; epochs: number; rng: () => number; balanced: boolean; tolerance: number; loss: "l1" | "l2" | "logistic" },
): number {
  const n = xs.length;
  const alpha = new Float64Array(n);
  const sign = Int8Array.from(y, (v) => (v === positive ? 1 : -1));
  let nPos = 0;
  for (let i = 0; i < n; i++) if (sign[i] === 1) nPos++;
  // Class-balanced costs: each side of the one-vs-rest problem weighs half.
  const cPos = opts.balanced ? (opts.c * n) / (2 * Math.max(1, nPos)) : opts.c;
  const cNeg = opts.balanced ? (opts.c * n) / (2 * Math.max(1, n - nPos)) : opts.c;
  // L2 (squared hinge) loss: no upper box on alpha, a diagonal term 1 / (2 Cᵢ) instead;
  // L1 (hinge) loss: alpha boxed in [0, Cᵢ], no diagonal term.
  const upper = new Float64Array(n);
  const dii = new Float64Array(n);
  const qii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ci = sign[i] === 1 ? cPos : cNeg;
    upper[i] = opts.loss === "l1" ? ci : Infinity;
    dii[i] = opts.loss === "l1" ? 0 : 1 / (2 * ci);
    let s = 1; // bias feature
    const v = xs[i]!.value;
    for (let j = 0; j < v.length; j++) s += v[j]! * v[j]!;
    qii[i] = s + dii[i]!;
  }
  let b = 0;
  if (opts.loss === "logistic") return trainBinaryLogistic(xs, sign, w, qii, [cNeg, cPos], opts);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, opts.rng);
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (const i of order) {
      const { index, value } = xs[i]!;
      const yi = sign[i]!;
      let dot = b;
      for (let j = 0; j < index.length; j++) dot += w[index[j]!]! * value[j]!;
      const a = alpha[i]!;
      const g = yi * dot - 1 + dii[i]! * a;
      const C = upper[i]!;
      let pg = g;
      if (a === 0) pg = Math.min(g, 0);
      else if (a === C) pg = Math.max(g, 0);
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (pg !== 0) {
        const next = Math.min(Math.max(a - g / qii[i]!, 0), C);
        const d = (next - a) * yi;
        if (d !== 0) {
          alpha[i] = next;
          for (let j = 0; j < index.length; j++) w[index[j]!]! += d * value[j]!;
          b += d;
        }
      }
    }
    if (pgMax - pgMin < opts.tolerance) break;
  }
  return b;
}

/** The raw stylistic values of a counted vector (entries at and past `offset`). */
export function styleValues(v: SparseVector, offset: number): Float64Array {
  const out = new Float64Array(STYLE_DIMS);
  for (let i = 0; i < v.index.length; i++) if (v.index[i]! >= offset) out[v.index[i]! - offset] = v.value[i]!;
  return out;
}

type Standardised = { xs: SparseVector[]; mean: Float64Array; scale: Float64Array };

/** z-scores / √STYLE_DIMS (so a vector's norm is about 1), with the training mean and scale. */
export function standardise(rows: Float64Array[], fit: Float64Array[] = rows): Standardised {
  const d = STYLE_DIMS;
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (const r of fit) for (let j = 0; j < d; j++) mean[j]! += r[j]! / fit.length;
  for (const r of fit) for (let j = 0; j < d; j++) variance[j]! += (r[j]! - mean[j]!) ** 2 / fit.length;
  const scale = Float64Array.from(variance, (v) => (v > 0 ? 1 / Math.sqrt(v * d) : 0));
  const index = Int32Array.from({ length: d }, (_, j) => j);
  const xs = rows.map((r) => ({ index, value: Float32Array.from(r, (v, j) => (v - mean[j]!) * scale[j]!), split: d }));
  return { xs, mean, scale };
}

/** The stylistic one-vs-rest SVM (standardised rows), C = `c`. */
export function trainStyleOvr(xs: SparseVector[], y: Int32Array, labels: number, c: number, rng: () => number): { w: Float32Array; b: Float64Array } {
  const w = new Float32Array(labels * STYLE_DIMS);
  const b = new Float64Array(labels);
  for (let k = 0; k < labels; k++) {
    b[k] = trainBinarySvm(xs, y, k, w.subarray(k * STYLE_DIMS, (k + 1) * STYLE_DIMS), { c, epochs: 30, rng, balanced: DEFAULT_BALANCED, tolerance: 0.1, loss: DEFAULT_LOSS });
  }
  return { w, b };
}

/** Held-out margins of an inner cross-validation on the training split (n × labels each, row-major). */
export type StyleCv = { cs: readonly number[]; text: Float64Array; style: Float64Array[] };

/** What the stylistic model's selection trains on: the text SVM's vectors and settings, the style rows, the labels. */
type StyleTrainingSet = {
  textVecs: SparseVector[];
  rows: Float64Array[];
  y: Int32Array;
  labels: number;
  dims: number;
  svm: { c: number; epochs: number; balanced: boolean; tolerance: number; loss: "l1" | "l2" | "logistic" };
};

/**
 * Stratified `folds`-fold cross-validation on the training split only: per fold, the text SVM
 * (plain, the run's settings, the training split's idf) and the stylistic SVM of every
 * candidate C are trained on the other folds and give their margins on the fold. The text
 * margins are computed once and serve every C and weight. Undefined when a label has fewer
 * training examples than folds.
 */
export function styleCvMargins(o: StyleTrainingSet & {
  cs: readonly number[];
  folds: number;
  rng: () => number;
}): StyleCv | undefined {
  const { y, labels, cs, folds } = o;
  const n = y.length;
  const fold = new Int32Array(n);
  for (let k = 0; k < labels; k++) {
    const members = shuffleInPlace([...y.keys()].filter((i) => y[i] === k), o.rng);
    if (members.length < folds) return undefined;
    members.forEach((i, at) => (fold[i] = at % folds));
  }
  const text = new Float64Array(n * labels);
  const style = cs.map(() => new Float64Array(n * labels));
  const w = new Float32Array(o.dims);
  for (let f = 0; f < folds; f++) {
    const fit = [...y.keys()].filter((i) => fold[i] !== f);
    const held = [...y.keys()].filter((i) => fold[i] === f);
    const fitY = Int32Array.from(fit, (i) => y[i]!);
    const fitVecs = fit.map((i) => o.textVecs[i]!);
    for (let k = 0; k < labels; k++) {
      w.fill(0);
      const b = trainBinarySvm(fitVecs, fitY, k, w, { ...o.svm, rng: o.rng });
      for (const i of held) {
        const { index, value } = o.textVecs[i]!;
        let m = b;
        for (let j = 0; j < index.length; j++) m += w[index[j]!]! * value[j]!;
        text[i * labels + k] = m;
      }
    }
    const { xs } = standardise(o.rows, fit.map((i) => o.rows[i]!));
    cs.forEach((c, ci) => {
      const model = trainStyleOvr(fit.map((i) => xs[i]!), fitY, labels, c, o.rng);
      for (const i of held) {
        for (let k = 0; k < labels; k++) {
          let m = model.b[k]!;
          for (let j = 0; j < STYLE_DIMS; j++) m += model.w[k * STYLE_DIMS + j]! * xs[i]!.value[j]!;
          style[ci]![i * labels + k] = m;
        }
      }
    });
  }
  return { cs, text, style };
}

/**
 * The (C, weight) whose held-out margins text + weight × style score best under `criterion`
 * (lowest error count or mean multi-class hinge); ties go to the smaller weight, then the
 * smaller C. Version 5: "accuracy" over STYLE_WEIGHT_GRID; version 6: "hinge".
 */
export function selectStyle(
  cv: StyleCv,
  y: Int32Array,
  labels: number,
  o: { criterion: StyleSelection["criterion"]; weights: readonly number[] },
): { c: number; weight: number } {
  const n = y.length;
  let best = { c: cv.cs[0]!, weight: o.weights[0]! };
  let bestLoss = Infinity;
  for (const weight of o.weights) {
    cv.cs.forEach((c, ci) => {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const truth = y[i]!;
        let top = 0;
        let topScore = -Infinity;
        let other = -Infinity;
        for (let k = 0; k < labels; k++) {
          const m = cv.text[i * labels + k]! + weight * cv.style[ci]![i * labels + k]!;
          if (m > topScore) {
            topScore = m;
            top = k;
          }
          if (k !== truth && m > other) other = m;
        }
        const own = cv.text[i * labels + truth]! + weight * cv.style[ci]![i * labels + truth]!;
        loss += o.criterion === "accuracy" ? (top === truth ? 0 : 1) : Math.max(0, 1 + other - own);
      }
      loss /= n;
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        best = { c, weight };
      }
    });
  }
  return best;
}

/**
 * C and margin weight of the stylistic SVM by stratified cross-validation on the training split
 * only (`styleCvMargins`), chosen by `selectStyle` under the run's selection. A label with
 * fewer training examples than folds gives weight 0 (text alone) unless the weight is fixed.
 */
function chooseStyle(o: StyleTrainingSet & {
  fixed: { c?: number; weight?: number };
  selection: StyleSelection;
  rng: () => number;
}): { c: number; weight: number } {
  const cs = o.fixed.c !== undefined ? [o.fixed.c] : STYLE_C_GRID;
  const weights = o.fixed.weight !== undefined ? [o.fixed.weight] : o.selection.weights;
  const svm = { ...o.svm, tolerance: o.selection.textTolerance ?? o.svm.tolerance };
  const cv = styleCvMargins({ ...o, svm, cs, folds: o.selection.folds });
  if (!cv) return { c: o.fixed.c ?? DEFAULT_STYLE_C, weight: o.fixed.weight ?? 0 };
  return selectStyle(cv, o.y, o.labels, { criterion: o.selection.criterion, weights });
}

/**
 * Trains the stylistic SVM (one-vs-rest, on standardised values) and folds it into the
 * model: its weights × `weight` go after the hashed block, the scales into `idf` there, and
 * its bias minus the centring into `bias`, so margins = text margins + weight × style margins
 * and classification is one dot product as for any model.
 */
function trainStyle(
  rows: Float64Array[],
  y: Int32Array,
  o: { labels: number; dims: number; offset: number; idf: Float32Array; weights: Float32Array; bias: Float32Array; c: number; weight: number; rng: () => number },
): void {
  const { xs, mean, scale } = standardise(rows);
  const model = trainStyleOvr(xs, y, o.labels, o.c, o.rng);
  for (let j = 0; j < STYLE_DIMS; j++) o.idf[o.offset + j] = scale[j]!;
  for (let k = 0; k < o.labels; k++) {
    let centring = 0;
    for (let j = 0; j < STYLE_DIMS; j++) {
      const w = model.w[k * STYLE_DIMS + j]!;
      o.weights[k * o.dims + o.offset + j] = o.weight * w;
      centring += w * scale[j]! * mean[j]!;
    }
    o.bias[k]! += o.weight * (model.b[k]! - centring);
  }
}

/**
 * Naive-Bayes log-count ratio of label `positive` per bucket: ln((p/‖p‖₁)/(q/‖q‖₁)) with
 * p = α + Σ over the label's examples, q = α + Σ over the others (of 1 per present bucket,
 * or of the weighted values); ‖·‖₁ runs over the buckets seen in training. NaN marks a
 * bucket no training example has.
 */
function nbRatio(
  xs: SparseVector[],
  y: Int32Array,
  positive: number,
  dims: number,
  nb: { alpha: number; counts: "binary" | "weighted" },
): Float64Array {
  const p = new Float64Array(dims);
  const q = new Float64Array(dims);
  const seen = new Uint8Array(dims);
  for (let i = 0; i < xs.length; i++) {
    const { index, value } = xs[i]!;
    const side = y[i] === positive ? p : q;
    for (let j = 0; j < index.length; j++) {
      side[index[j]!]! += nb.counts === "binary" ? 1 : value[j]!;
      seen[index[j]!] = 1;
    }
  }
  let pSum = 0;
  let qSum = 0;
  for (let j = 0; j < dims; j++) {
    if (!seen[j]) continue;
    pSum += p[j]! + nb.alpha;
    qSum += q[j]! + nb.alpha;
  }
  const r = new Float64Array(dims);
  for (let j = 0; j < dims; j++) r[j] = seen[j] ? Math.log(((p[j]! + nb.alpha) / pSum) / ((q[j]! + nb.alpha) / qSum)) : NaN;
  return r;
}

/**
 * L2-regularised logistic regression in the dual, one coordinate at a time (Yu, Huang and
 * Lin 2011, LIBLINEAR's dual solver): each αᵢ ∈ (0, Cᵢ) solves
 * Qᵢᵢ(u − αᵢ) + yᵢ w·xᵢ + ln(u / (Cᵢ − u)) = 0 by Newton steps kept inside the interval.
 * `qii` holds ‖xᵢ‖² + 1 (bias) plus the squared-hinge diagonal, which is taken off here.
 */
function trainBinaryLogistic(
  xs: SparseVector[],
  sign: Int8Array,
  w: Float32Array,
  qii: Float64Array,
  [cNeg, cPos]: [number, number],
  opts: { epochs: number; rng: () => number; tolerance: number },
): number {
  const n = xs.length;
  const alpha = new Float64Array(n);
  const cost = Float64Array.from(sign, (v) => (v === 1 ? cPos : cNeg));
  const q = Float64Array.from(qii, (v, i) => v - 1 / (2 * cost[i]!));
  let b = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.min(0.001 * cost[i]!, 1e-8);
    alpha[i] = a;
    const { index, value } = xs[i]!;
    for (let j = 0; j < index.length; j++) w[index[j]!]! += sign[i]! * a * value[j]!;
    b += sign[i]! * a;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, opts.rng);
    let worst = 0;
    for (const i of order) {
      const { index, value } = xs[i]!;
      const yi = sign[i]!;
      let dot = b;
      for (let j = 0; j < index.length; j++) dot += w[index[j]!]! * value[j]!;
      const a = alpha[i]!;
      const C = cost[i]!;
      const yd = yi * dot;
      const grad = (u: number) => q[i]! * (u - a) + yd + Math.log(u / (C - u));
      worst = Math.max(worst, Math.abs(grad(a)));
      let u = a;
      let lo = 0;
      let hi = C;
      for (let step = 0; step < 20; step++) {
        const g = grad(u);
        if (Math.abs(g) < 1e-8) break;
        if (g > 0) hi = u;
        else lo = u;
        let next = u - g / (q[i]! + C / (u * (C - u)));
        if (!(next > lo && next < hi)) next = (lo + hi) / 2; // Newton left the bracket: bisect
        if (Math.abs(next - u) < 1e-12 * C) break;
        u = next;
      }
      const d = (u - a) * yi;
      if (d !== 0) {
        alpha[i] = u;
        for (let j = 0; j < index.length; j++) w[index[j]!]! += d * value[j]!;
        b += d;
      }
    }
    if (worst < opts.tolerance) break;
  }
  return b;
}

// A document's margins read, for each of its features, the feature's weight under every label.
// Stored label-major (as trained and serialised), those weights lie `dims` apart: one cache
// miss per label and feature. A feature-major copy, made once per model object, puts them side
// by side. The sums run in the same order as over the label-major weights, so every margin is
// bit for bit the same.
const weightsByFeature = new WeakMap<ClassifierModel, Float32Array>();

function featureMajorWeights(model: ClassifierModel): Float32Array {
  let w = weightsByFeature.get(model);
  if (!w) {
    const labels = model.labels.length;
    w = new Float32Array(model.weights.length);
    for (let k = 0; k < labels; k++) {
      const off = k * model.dims;
      for (let d = 0; d < model.dims; d++) w[d * labels + k] = model.weights[off + d]!;
    }
    weightsByFeature.set(model, w);
  }
  return w;
}

function margins(model: ClassifierModel, x: SparseVector): Float64Array {
  const labels = model.labels.length;
  const w = featureMajorWeights(model);
  const out = Float64Array.from(model.bias);
  for (let j = 0; j < x.index.length; j++) {
    const base = x.index[j]! * labels;
    const value = x.value[j]!;
    for (let k = 0; k < labels; k++) out[k]! += w[base + k]! * value;
  }
  return out;
}

const everyWordHasALetter = (term: string) => term.split(" ").every((word) => /\p{L}/u.test(word));

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

function softmax(ms: ArrayLike<number>, scale: number): number[] {
  let max = -Infinity;
  for (let i = 0; i < ms.length; i++) max = Math.max(max, ms[i]!);
  const exps = Array.from({ length: ms.length }, (_, i) => Math.exp((ms[i]! - max) * scale));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Softmax scale minimising held-out negative log-likelihood (grid search, 1–50). */
function fitTemperature(ms: Float64Array[], actual: number[]): number {
  let best = 5;
  let bestLoss = Infinity;
  for (let t = 1; t <= 50; t += t < 10 ? 0.5 : 2) {
    let loss = 0;
    for (let i = 0; i < ms.length; i++) loss -= Math.log(Math.max(1e-12, softmax(ms[i]!, t)[actual[i]!]!));
    if (loss < bestLoss - 1e-9) {
      bestLoss = loss;
      best = t;
    }
  }
  return best;
}

export function computeMetrics(
  labels: string[],
  actual: number[],
  predicted: number[],
  extra: { trainSize: number; testSize: number; trainMs: number },
): ModelMetrics {
  const k = labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    matrix[actual[i]!]![predicted[i]!]! += 1;
    if (actual[i] === predicted[i]) correct++;
  }
  const perLabel: ModelMetrics["perLabel"] = {};
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    const tp = matrix[c]![c]!;
    const support = matrix[c]!.reduce((a, b) => a + b, 0);
    const predictedC = matrix.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedC ? tp / predictedC : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel[labels[c]!] = { precision: r4(precision), recall: r4(recall), f1: r4(f1), support };
    f1Sum += f1;
  }
  return {
    accuracy: r4(actual.length ? correct / actual.length : 0),
    macroF1: r4(k ? f1Sum / k : 0),
    perLabel,
    confusion: { labels: [...labels], matrix },
    ...extra,
  };
}

function r4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Classifies a text; null label (with a reason) when there is too little text. */
export function predict(model: ClassifierModel, text: string, options: { explain?: number } = {}): Prediction {
  const nWords = countWords(text);
  if (nWords < MIN_WORDS_TO_CLASSIFY) {
    return {
      label: null,
      confidence: 0,
      scores: [],
      explanation: [],
      reason:
        nWords === 0
          ? "The document has no text to classify."
          : `The document has only ${nWords} word${nWords === 1 ? "" : "s"}; at least ${MIN_WORDS_TO_CLASSIFY} are needed to classify it.`,
    };
  }
  if (model.dims !== featureDims(model.features) || model.idf.length !== model.dims) {
    throw new Error(`The model has ${model.idf.length} feature buckets but its feature settings make ${featureDims(model.features)}; retrain the model.`);
  }
  const terms = new Map<number, string>();
  const x = weightInPlace(countFeatures(text, model.features, terms), model.idf, model.features);
  const m = margins(model, x);
  const probs = softmax(m, model.temperature);
  const best = argmax(m);
  const scores = model.labels
    .map((label, i) => ({ label, score: r4(probs[i]!) }))
    .sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
  // Terms a reader can recognise: punctuation and bare numbers (":", ">", "00" from mail header
  // lines, the "." of ". please") carry weight but explain nothing, so every word of a term must
  // have a letter. A term seen in several features counts once, at its best.
  // Weights read feature-major, as margins() just did: the same cache lines, not one miss per
  // feature in the label's row. Only a term that would raise its best is checked for letters.
  const byTerm = new Map<string, number>();
  const w = featureMajorWeights(model);
  const labelCount = model.labels.length;
  for (let j = 0; j < x.index.length; j++) {
    const b = x.index[j]!;
    const term = terms.get(b);
    if (term === undefined) continue;
    const contribution = w[b * labelCount + best]! * x.value[j]!;
    if (contribution > (byTerm.get(term) ?? 0) && everyWordHasALetter(term)) byTerm.set(term, contribution);
  }
  const explanation = [...byTerm].map(([term, weight]) => ({ term, weight })).sort((a, b) => b.weight - a.weight);
  return {
    label: model.labels[best]!,
    confidence: r4(probs[best]!),
    scores,
    explanation: explanation.slice(0, options.explain ?? 10).map((e) => ({ term: e.term, weight: r4(e.weight) })),
  };
}
