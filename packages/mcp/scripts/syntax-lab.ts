/**
 * A third margin block for genre (after version 6): "distorted text" n-grams (Stamatatos 2017).
 * Every token is mapped to a symbol that keeps syntax and drops topic: a STYLE_WORDS function
 * word stays itself, punctuation stays itself, any other word becomes its shape ("C" capitalised,
 * "D" digit-initial, else "*" with its suffix class: *ing, *ed, *ly, *s, *N for
 * -tion/-ity/-ment/-ness). Word 1–`n`-grams of the symbols, hashed into 2^16 buckets, sublinear
 * tf × idf, L2-normalised, get their own one-vs-rest SVM whose margins are added with a weight.
 *
 *   Phase 1 (needs style-lab's stored margins of the same seeds, CVS=f3t05, for phase 2):
 *     SEEDS=201,202 npx tsx packages/mcp/scripts/syntax-lab.ts compute
 *   stores, per seed and syntax C, the held-out margins of the syntax SVM on the inner CV's folds
 *   (the same folds as version 6's styleCvMargins) and on the test split (trained on the whole
 *   training split), in $SYNTAX_LAB_DIR (default /tmp/syntax-lab).
 *   Phase 2: SEEDS=… npx tsx packages/mcp/scripts/syntax-lab.ts select
 *   chooses (style C, style weight, syntax C, syntax weight) by the inner CV's mean multi-class
 *   hinge, as version 6 chooses (style C, weight), and scores the choice on the test split,
 *   paired with version 6.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pairedStats } from "./paired-seeds";
import { DEFAULT_CORPORA } from "../src/classification";
import { STYLE_WORDS, type SparseVector } from "../src/classification/features";
import { STYLE_C_GRID, STYLE_SELECTION, selectStyle, stratifiedSplit, trainBinarySvm } from "../src/classification/model";
import { createRng, shuffleInPlace } from "../src/classification/prng";
import { fmix32 } from "../src/text/hash";

const dir = process.env.SYNTAX_LAB_DIR ?? "/tmp/syntax-lab";
const styleDir = process.env.STYLE_LAB_DIR ?? "/tmp/style-lab";
const seeds = (process.env.SEEDS ?? "201").split(",").map(Number);
const ORDER = Number(process.env.ORDER ?? 3);
const SYNTAX_CS = (process.env.SYNTAX_CS ?? "0.1,1").split(",").map(Number);
const BITS = 16;
const FOLDS = STYLE_SELECTION.folds;

const FUNCTION = new Set(STYLE_WORDS);
const TOKEN_RE = /[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu;

export function symbols(text: string): string[] {
  const out: string[] = [];
  const source = text.slice(0, 60_000);
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(source))) {
    const token = m[0];
    if (!/[\p{L}\p{N}]/u.test(token)) {
      out.push(token);
      continue;
    }
    const w = token.toLowerCase();
    if (FUNCTION.has(w)) out.push(w);
    else if (/^\p{Lu}/u.test(token)) out.push("C");
    else if (/^\p{N}/u.test(token)) out.push("D");
    else if (w.endsWith("ing")) out.push("*ing");
    else if (w.endsWith("ed")) out.push("*ed");
    else if (w.endsWith("ly")) out.push("*ly");
    else if (/(tion|ity|ment|ness)$/.test(w)) out.push("*N");
    else if (w.endsWith("s")) out.push("*s");
    else out.push("*");
  }
  return out;
}

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

function counted(text: string): Map<number, number> {
  const syms = symbols(text);
  const mask = (1 << BITS) - 1;
  const counts = new Map<number, number>();
  for (let i = 0; i < syms.length; i++) {
    let gram = "";
    for (let n = 1; n <= ORDER && i + n <= syms.length; n++) {
      gram += `${syms[i + n - 1]} `;
      const b = hashString(gram, 0x9e3779b9 + n) & mask;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
  }
  return counts;
}

function vectorise(docs: Map<number, number>[], fitDocs: Map<number, number>[]): SparseVector[] {
  const df = new Float64Array(1 << BITS);
  for (const d of fitDocs) for (const b of d.keys()) df[b]! += 1;
  const N = fitDocs.length;
  return docs.map((d) => {
    const index = Int32Array.from(d.keys());
    const value = Float32Array.from(index, (b) => (1 + Math.log(d.get(b)!)) * (Math.log((1 + N) / (1 + df[b]!)) + 1));
    let norm = 0;
    for (const v of value) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < value.length; j++) value[j]! /= norm;
    return { index, value, split: index.length };
  });
}

function ovrMargins(fit: SparseVector[], fitY: Int32Array, held: SparseVector[], K: number, c: number, rng: () => number): number[][] {
  const w = new Float32Array(1 << BITS);
  const out = held.map(() => new Array<number>(K).fill(0));
  for (let k = 0; k < K; k++) {
    w.fill(0);
    const b = trainBinarySvm(fit, fitY, k, w, { c, epochs: 30, rng, balanced: true, tolerance: 0.1, loss: "l2" });
    held.forEach((x, i) => {
      let m = b;
      for (let j = 0; j < x.index.length; j++) m += w[x.index[j]!]! * x.value[j]!;
      out[i]![k] = m;
    });
  }
  return out;
}

type Stored = { seed: number; cs: number[]; cv: number[][]; test: number[][]; ms: number };

async function compute(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const examples = await DEFAULT_CORPORA.genre.load();
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const K = labels.length;
  const cache = new Map<string, Map<number, number>>();
  const countOf = (text: string) => {
    let c = cache.get(text);
    if (!c) cache.set(text, (c = counted(text)));
    return c;
  };
  for (const seed of seeds) {
    const t0 = performance.now();
    const { train, test } = stratifiedSplit(examples, labels, seed, 0.2);
    const y = Int32Array.from(train, (ex) => labelIndex.get(ex.label)!);
    const trainCounts = train.map((ex) => countOf(ex.text));
    // The folds of version 6's inner CV (styleCvMargins: the same PRNG stream and order).
    const foldRng = createRng(seed ^ 0x5f3759df);
    const fold = new Int32Array(y.length);
    for (let k = 0; k < K; k++) {
      const members = shuffleInPlace([...y.keys()].filter((i) => y[i] === k), foldRng);
      members.forEach((i, at) => (fold[i] = at % FOLDS));
    }
    const stored: Stored = { seed, cs: SYNTAX_CS, cv: [], test: [], ms: 0 };
    const allVecs = vectorise(trainCounts, trainCounts);
    const testVecs = vectorise(test.map((ex) => countOf(ex.text)), trainCounts);
    for (const c of SYNTAX_CS) {
      const rng = createRng(seed ^ 0x13579bdf);
      const cvMargins = new Array<number>(y.length * K).fill(0);
      for (let f = 0; f < FOLDS; f++) {
        const fitIdx = [...y.keys()].filter((i) => fold[i] !== f);
        const heldIdx = [...y.keys()].filter((i) => fold[i] === f);
        // idf from the fitting folds only, as the fold's model would have it.
        const fitCounts = fitIdx.map((i) => trainCounts[i]!);
        const vecs = vectorise([...fitCounts, ...heldIdx.map((i) => trainCounts[i]!)], fitCounts);
        const ms = ovrMargins(vecs.slice(0, fitIdx.length), Int32Array.from(fitIdx, (i) => y[i]!), vecs.slice(fitIdx.length), K, c, rng);
        heldIdx.forEach((i, h) => ms[h]!.forEach((m, k) => (cvMargins[i * K + k] = m)));
      }
      stored.cv.push(cvMargins);
      stored.test.push(ovrMargins(allVecs, y, testVecs, K, c, rng).flat());
    }
    stored.ms = performance.now() - t0;
    writeFileSync(join(dir, `seed-${seed}.json`), JSON.stringify(stored));
    console.log(`seed ${seed}: ${Math.round(stored.ms)} ms`);
  }
}

type StyleStored = {
  seed: number; labels: number; cs: number[]; yTrain: number[]; yTest: number[]; testText: number[]; testStyle: number[][];
  cv: Record<string, { text: number[]; style: number[][] }>;
};

function hinge(text: ArrayLike<number>, style: ArrayLike<number>, syntax: ArrayLike<number>, ws: number, wx: number, y: number[], K: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const truth = y[i]!;
    let own = 0;
    let other = -Infinity;
    for (let k = 0; k < K; k++) {
      const m = text[i * K + k]! + ws * style[i * K + k]! + wx * syntax[i * K + k]!;
      if (k === truth) own = m;
      else if (m > other) other = m;
    }
    total += Math.max(0, 1 + other - own);
  }
  return total / y.length;
}

function errors(text: ArrayLike<number>, style: ArrayLike<number>, syntax: ArrayLike<number>, ws: number, wx: number, y: number[], K: number): number {
  let wrong = 0;
  for (let i = 0; i < y.length; i++) {
    let top = 0;
    let topM = -Infinity;
    for (let k = 0; k < K; k++) {
      const m = text[i * K + k]! + ws * style[i * K + k]! + wx * syntax[i * K + k]!;
      if (m > topM) {
        topM = m;
        top = k;
      }
    }
    if (top !== y[i]) wrong++;
  }
  return wrong;
}

function select(): void {
  const syntaxWeights = (process.env.SYNTAX_WEIGHTS ?? "0,0.125,0.25,0.375,0.5,0.75,1,1.5").split(",").map(Number);
  const rows: { seed: number; v6: number; v4: number; choice: number; fixed: Record<string, number>; pick: string }[] = [];
  const files = readdirSync(dir).filter((f) => /^seed-\d+\.json$/.test(f));
  for (const file of files) {
    const sx = JSON.parse(readFileSync(join(dir, file), "utf8")) as Stored;
    if (!seeds.includes(sx.seed)) continue;
    const st = JSON.parse(readFileSync(join(styleDir, file), "utf8")) as StyleStored;
    const K = st.labels;
    const cv = st.cv.f3t05!;
    const v6 = selectStyle({ cs: st.cs, text: Float64Array.from(cv.text), style: cv.style.map((x) => Float64Array.from(x)) }, Int32Array.from(st.yTrain), K, STYLE_SELECTION);
    const v6ci = st.cs.indexOf(v6.c);
    const zero = new Float64Array(st.yTest.length * K);
    let best = { loss: Infinity, ci: 0, ws: 0, xi: 0, wx: 0 };
    // Ties to the smaller syntax weight, then as version 6 (smaller style weight, smaller C).
    for (const wx of syntaxWeights) {
      for (let xi = 0; xi < sx.cs.length; xi++) {
        for (const ws of STYLE_SELECTION.weights) {
          for (let ci = 0; ci < st.cs.length; ci++) {
            const loss = hinge(cv.text, cv.style[ci]!, sx.cv[xi]!, ws, wx, st.yTrain, K);
            if (loss < best.loss - 1e-12) best = { loss, ci, ws, xi, wx };
          }
        }
      }
    }
    const fixed: Record<string, number> = {};
    for (const wx of syntaxWeights) for (let xi = 0; xi < sx.cs.length; xi++) fixed[`v6 + syntax C ${sx.cs[xi]} w ${wx}`] = errors(st.testText, st.testStyle[v6ci]!, sx.test[xi]!, v6.weight, wx, st.yTest, K);
    rows.push({
      seed: sx.seed,
      v6: errors(st.testText, st.testStyle[v6ci]!, zero, v6.weight, 0, st.yTest, K),
      v4: errors(st.testText, zero, zero, 0, 0, st.yTest, K),
      choice: errors(st.testText, st.testStyle[best.ci]!, sx.test[best.xi]!, best.ws, best.wx, st.yTest, K),
      fixed,
      pick: `${st.cs[best.ci]}/${best.ws}/${sx.cs[best.xi]}/${best.wx}`,
    });
  }
  rows.sort((a, b) => a.seed - b.seed);
  const n = 100;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const report = (name: string, errs: number[]) => {
    const d = errs.map((e, i) => rows[i]!.v6 - e);
    const { sd, seCorrected } = pairedStats(d);
    console.log(
      `${name.padEnd(34)} accuracy ${(1 - mean(errs) / n).toFixed(4)}; fewer errors than v6 ${d.reduce((a, b) => a + b, 0)} ` +
        `(+${d.filter((x) => x > 0).length}/-${d.filter((x) => x < 0).length}; per split ${mean(d).toFixed(2)}, sd ${sd.toFixed(2)}, ` +
        `Nadeau–Bengio ${seCorrected.toFixed(2)})`,
    );
  };
  console.log(`${rows.length} seeds ${rows.map((r) => r.seed).join(" ")}; picks (style C/w/syntax C/w) ${rows.map((r) => r.pick).join(" ")}`);
  report("v6", rows.map((r) => r.v6));
  report("v4 (text alone)", rows.map((r) => r.v4));
  report("CV choice (hinge)", rows.map((r) => r.choice));
  for (const name of Object.keys(rows[0]!.fixed)) report(name, rows.map((r) => r.fixed[name]!));
}

if (process.argv[2] === "compute") await compute();
else select();
