import { fmix32 } from "../text/hash";
/**
 * Hashed sparse text features ("hashing trick"), described by a `FeatureConfig` that every
 * model carries (so a model is always featurised the way it was trained):
 *   - word unigrams (and bigrams), lowercase. Tokens are either runs of Unicode letters/digits
 *     with every other non-space character a token of its own ("$", "!", "%") — `symbols` —
 *     or runs of two or more letters/digits/underscores — `words2`,
 *   - optionally the capitalisation shape of tokens that are not all lowercase ("FREE" vs "Free"),
 *   - character n-grams inside each word padded with spaces (" word "), the words being the
 *     tokens above or the whitespace-separated chunks (`charUnits`),
 * each hashed (FNV-1a + murmur finaliser, one seed per feature kind) into 2^hashBits buckets.
 * Weighting: (sublinear or raw) tf × smoothed idf, then L2 normalisation, either of the
 * whole vector (`joint`) or of the word block and the character block separately, each in
 * its own hash range (`blocks`, as two TF-IDF vectorisers side by side).
 */

export type FeatureConfig = {
  /** Buckets per block: 2^hashBits. */
  hashBits: number;
  tokens: "symbols" | "words2";
  /** 0 = no word features (character n-grams only), 1 = unigrams, 2 = unigrams and bigrams, 3 = also trigrams. */
  wordNgrams: 0 | 1 | 2 | 3;
  caseShape: boolean;
  /** Character n-gram sizes charMin..charMax; charMax 0 = no character n-grams. */
  charMin: number;
  charMax: number;
  charUnits: "tokens" | "whitespace";
  /** Term frequency: 1 + ln n, n, or presence (1 whatever n, as in Wang and Manning's NBSVM). */
  tf: "sublinear" | "raw" | "binary";
  /** L2 normalisation of the whole vector, of each block, or none. */
  norm: "joint" | "blocks" | "none";
  /**
   * Buckets seen in fewer training documents than this get idf 0 and are dropped: 1 drops
   * what training never saw (it then no longer dilutes the norm), 0 keeps everything.
   */
  minDf: number;
  /**
   * URLs and e-mail addresses also as whole tokens, with their domain as another token
   * ("http://x.example.com/a" → that and "x.example.com"). Absent in version 1 and 2 models.
   */
  addresses?: boolean;
};

/** The features of every model trained before feature configurations were recorded. */
export const LEGACY_FEATURES: FeatureConfig = {
  hashBits: 18,
  tokens: "symbols",
  wordNgrams: 2,
  caseShape: true,
  charMin: 3,
  charMax: 5,
  charUnits: "tokens",
  tf: "sublinear",
  norm: "joint",
  minDf: 0,
};

export const HASH_BITS = LEGACY_FEATURES.hashBits;
export const DIMS = 1 << HASH_BITS;

/** Size of a model's feature space (one or two blocks of 2^hashBits). */
export function featureDims(config: FeatureConfig): number {
  const blocks = config.norm === "blocks" && config.charMax > 0 ? 2 : 1;
  return blocks << config.hashBits;
}

/** Only the start of very long documents is featurised (cost guard; ~10k words). */
export const MAX_FEATURE_CHARS = 60_000;
/** Words longer than this (base64 runs, URLs) get no character n-grams. */
const MAX_CHARGRAM_WORD = 24;

const SEED_UNI = 0x811c9dc5;
const SEED_BI = 0x2545f491;
const SEED_CASE = 0x27d4eb2f;
const SEED_TRI = 0x165667b1;
const SEED_ADDR = 0xd3a2646c;
const ADDRESS_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/giu;
const SEED_CHAR = [0, 0x3c6ef372, 0xa54ff53a, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x510e527f, 0x9b05688c] as const;

export type SparseVector = {
  index: Int32Array;
  value: Float32Array;
  /** Entries [0, split) are word features, [split, n) character n-grams. */
  split: number;
};

const fmix = fmix32;

const SYMBOLS_RE = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;
const WORDS2_RE = /[\p{L}\p{N}_]{2,}/gu;

/** Receives every feature bucket; `term` is only passed for word features when asked for. */
type Emit = (bucket: number, block: 0 | 1, term?: string) => void;

export function forEachFeature(text: string, config: FeatureConfig, emit: Emit, withTerms = false): void {
  const source = text.length > MAX_FEATURE_CHARS ? text.slice(0, MAX_FEATURE_CHARS) : text;
  const mask = (1 << config.hashBits) - 1;
  const charOffset = config.norm === "blocks" ? 1 << config.hashBits : 0;
  const codes = new Int32Array(MAX_CHARGRAM_WORD + 2);
  const charGrams = (w: string) => {
    const len = w.length;
    if (len > MAX_CHARGRAM_WORD) return;
    codes[0] = 32;
    for (let i = 0; i < len; i++) codes[i + 1] = w.charCodeAt(i);
    codes[len + 1] = 32;
    const padded = len + 2;
    for (let n = config.charMin; n <= config.charMax; n++) {
      if (padded < n) break;
      const seed = SEED_CHAR[n]!;
      for (let s = 0; s + n <= padded; s++) {
        let g: number = seed;
        for (let k = s; k < s + n; k++) g = Math.imul(g ^ codes[k]!, 0x01000193);
        emit(charOffset + (fmix(g) & mask), 1);
      }
    }
  };
  if (config.addresses) {
    const whole = (term: string) => {
      let h = SEED_ADDR;
      for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 0x01000193);
      emit(fmix(h) & mask, 0, withTerms ? term : undefined);
    };
    ADDRESS_RE.lastIndex = 0;
    let a: RegExpExecArray | null;
    while ((a = ADDRESS_RE.exec(source))) {
      const address = a[0].toLowerCase().replace(/[.,;:!?]+$/, "");
      whole(address);
      const at = address.indexOf("@");
      const domain = at >= 0 ? address.slice(at + 1) : address.replace(/^https?:\/\//, "").split(/[/?#:]/)[0]!;
      if (domain && domain !== address) whole(domain);
    }
  }
  const tokenChars = config.charMax > 0 && config.charUnits === "tokens";
  let prevHash = 0;
  let prevWord = "";
  let havePrev = false;
  let prev2Hash = 0;
  let prev2Word = "";
  let havePrev2 = false;
  const re = config.tokens === "symbols" ? SYMBOLS_RE : WORDS2_RE;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    const orig = m[0];
    const w = orig.toLowerCase();
    if (config.wordNgrams === 0) {
      if (tokenChars) charGrams(w);
      continue;
    }
    if (config.caseShape && w !== orig && orig.length > 1) {
      // Capitalisation carries signal ("FREE", "CLICK HERE"): shape of the original token.
      const shape = orig === orig.toUpperCase() ? 1 : 2;
      let hc = SEED_CASE ^ shape;
      for (let i = 0; i < w.length; i++) hc = Math.imul(hc ^ w.charCodeAt(i), 0x01000193);
      emit(fmix(hc) & mask, 0);
    }
    let h = SEED_UNI;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    const uni = fmix(h);
    emit(uni & mask, 0, withTerms ? w : undefined);
    if (havePrev && config.wordNgrams >= 2) {
      const bi = fmix(Math.imul(prevHash ^ SEED_BI, 0x01000193) ^ uni);
      emit(bi & mask, 0, withTerms ? `${prevWord} ${w}` : undefined);
      if (havePrev2 && config.wordNgrams === 3) {
        const tri = fmix(Math.imul(Math.imul(prev2Hash ^ SEED_TRI, 0x01000193) ^ prevHash, 0x01000193) ^ uni);
        emit(tri & mask, 0, withTerms ? `${prev2Word} ${prevWord} ${w}` : undefined);
      }
    }
    havePrev2 = havePrev;
    prev2Hash = prevHash;
    prev2Word = prevWord;
    prevHash = uni;
    prevWord = w;
    havePrev = true;
    if (tokenChars) charGrams(w);
  }
  if (config.charMax > 0 && config.charUnits === "whitespace") {
    for (const chunk of source.toLowerCase().split(/\s+/)) if (chunk) charGrams(chunk);
  }
}

/** Scratch buffers reused across calls (single-threaded). */
let counts = new Float32Array(DIMS);
const touched: [Int32Array, Int32Array] = [new Int32Array(1 << 16), new Int32Array(1 << 16)];

/** Raw term counts as a sparse vector (word block first, each block in first-seen order). */
export function countFeatures(text: string, config: FeatureConfig, terms?: Map<number, string>): SparseVector {
  const dims = featureDims(config);
  if (counts.length < dims) counts = new Float32Array(dims);
  const n: [number, number] = [0, 0];
  forEachFeature(
    text,
    config,
    (b, block, term) => {
      if (counts[b] === 0) {
        let list = touched[block];
        if (n[block] === list.length) {
          list = new Int32Array(list.length * 2);
          list.set(touched[block]);
          touched[block] = list;
        }
        list[n[block]++] = b;
        if (terms && term !== undefined && !terms.has(b)) terms.set(b, term);
      }
      counts[b]! += 1;
    },
    terms !== undefined,
  );
  const index = new Int32Array(n[0] + n[1]);
  index.set(touched[0].subarray(0, n[0]));
  index.set(touched[1].subarray(0, n[1]), n[0]);
  const value = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const b = index[i]!;
    value[i] = counts[b]!;
    counts[b] = 0;
  }
  return { index, value, split: n[0] };
}

/**
 * tf (sublinear 1 + ln n, or raw n) × idf, L2-normalised (whole vector or per block), in
 * place. Entries whose idf is 0 (pruned buckets) are dropped.
 */
export function weightInPlace(v: SparseVector, idf: Float32Array, config: FeatureConfig): SparseVector {
  const sublinear = config.tf === "sublinear";
  const binary = config.tf === "binary";
  let kept = 0;
  let split = v.split;
  for (let i = 0; i < v.index.length; i++) {
    const b = v.index[i]!;
    const weight = idf[b]!;
    if (i === v.split) split = kept;
    if (weight === 0) continue;
    const count = v.value[i]!;
    v.index[kept] = b;
    v.value[kept] = (binary ? 1 : sublinear ? 1 + Math.log(count) : count) * weight;
    kept++;
  }
  if (v.split === v.index.length) split = kept;
  const out: SparseVector = kept === v.index.length
    ? { index: v.index, value: v.value, split }
    : { index: v.index.slice(0, kept), value: v.value.slice(0, kept), split };
  if (config.norm === "blocks") {
    normalise(out.value, 0, split);
    normalise(out.value, split, kept);
  } else if (config.norm === "joint") {
    normalise(out.value, 0, kept);
  }
  return out;
}

function normalise(values: Float32Array, from: number, to: number): void {
  let norm = 0;
  for (let i = from; i < to; i++) norm += values[i]! * values[i]!;
  if (norm === 0) return;
  const inv = 1 / Math.sqrt(norm);
  for (let i = from; i < to; i++) values[i]! *= inv;
}

/**
 * Smoothed idf: ln((1 + N) / (1 + df)) + 1, computed on the training documents only; 0 for
 * buckets in fewer than `config.minDf` documents.
 */
export function computeIdf(docs: SparseVector[], config: FeatureConfig): Float32Array {
  const dims = featureDims(config);
  const df = new Float32Array(dims);
  for (const d of docs) for (let i = 0; i < d.index.length; i++) df[d.index[i]!]! += 1;
  const idf = new Float32Array(dims);
  const n = docs.length;
  for (let j = 0; j < dims; j++) idf[j] = df[j]! < config.minDf ? 0 : Math.log((1 + n) / (1 + df[j]!)) + 1;
  return idf;
}
