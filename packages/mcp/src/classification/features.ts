import { fmix32 } from "../text/hash";
/**
 * Hashed sparse text features ("hashing trick"):
 *   - word unigrams and bigrams (lowercase; tokens are runs of Unicode letters/digits, and
 *     every other non-space character is a token of its own: "$", "!", "%"),
 *   - the capitalisation shape of tokens that are not all lowercase ("FREE" vs "Free"),
 *   - character 3-, 4- and 5-grams inside each word padded with spaces (" word "),
 * each hashed (FNV-1a + murmur finaliser, one seed per feature kind) into 2^18 buckets.
 * Weighting: sublinear tf (1 + ln count) × smoothed idf, then L2 normalisation.
 */

export const HASH_BITS = 18;
export const DIMS = 1 << HASH_BITS;
const MASK = DIMS - 1;
/** Only the start of very long documents is featurised (cost guard; ~10k words). */
export const MAX_FEATURE_CHARS = 60_000;
/** Words longer than this (base64 runs, URLs) get no character n-grams. */
const MAX_CHARGRAM_WORD = 24;

const SEED_UNI = 0x811c9dc5;
const SEED_BI = 0x2545f491;
const SEED_CASE = 0x27d4eb2f;
const SEED_CHAR = [0, 0, 0, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35] as const;

export type SparseVector = { index: Int32Array; value: Float32Array };

const fmix = fmix32;

const WORD_RE = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

/** Receives every feature bucket; `term` is only passed for word features when asked for. */
type Emit = (bucket: number, term?: string) => void;

export function forEachFeature(text: string, emit: Emit, withTerms = false): void {
  const source = text.length > MAX_FEATURE_CHARS ? text.slice(0, MAX_FEATURE_CHARS) : text;
  let prevHash = 0;
  let prevWord = "";
  let havePrev = false;
  const codes = new Int32Array(MAX_CHARGRAM_WORD + 2);
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD_RE.exec(source))) {
    const orig = m[0];
    const w = orig.toLowerCase();
    if (w !== orig && orig.length > 1) {
      // Capitalisation carries signal ("FREE", "CLICK HERE"): shape of the original token.
      const shape = orig === orig.toUpperCase() ? 1 : 2;
      let hc = SEED_CASE ^ shape;
      for (let i = 0; i < w.length; i++) hc = Math.imul(hc ^ w.charCodeAt(i), 0x01000193);
      emit(fmix(hc) & MASK);
    }
    let h = SEED_UNI;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    const uni = fmix(h);
    emit(uni & MASK, withTerms ? w : undefined);
    if (havePrev) {
      const bi = fmix(Math.imul(prevHash ^ SEED_BI, 0x01000193) ^ uni);
      emit(bi & MASK, withTerms ? `${prevWord} ${w}` : undefined);
    }
    prevHash = uni;
    prevWord = w;
    havePrev = true;
    const len = w.length;
    if (len > MAX_CHARGRAM_WORD) continue;
    codes[0] = 32;
    for (let i = 0; i < len; i++) codes[i + 1] = w.charCodeAt(i);
    codes[len + 1] = 32;
    const padded = len + 2;
    for (let n = 3; n <= 5; n++) {
      if (padded < n) break;
      const seed = SEED_CHAR[n]!;
      for (let s = 0; s + n <= padded; s++) {
        let g: number = seed;
        for (let k = s; k < s + n; k++) g = Math.imul(g ^ codes[k]!, 0x01000193);
        emit(fmix(g) & MASK);
      }
    }
  }
}

/** Scratch buffers reused across calls (single-threaded). */
const counts = new Float32Array(DIMS);
let touched = new Int32Array(1 << 16);

/** Raw term counts as a sparse vector (indices in first-seen order). */
export function countFeatures(text: string, terms?: Map<number, string>): SparseVector {
  let n = 0;
  forEachFeature(
    text,
    (b, term) => {
      if (counts[b] === 0) {
        if (n === touched.length) {
          const bigger = new Int32Array(touched.length * 2);
          bigger.set(touched);
          touched = bigger;
        }
        touched[n++] = b;
        if (terms && term !== undefined && !terms.has(b)) terms.set(b, term);
      }
      counts[b]! += 1;
    },
    terms !== undefined,
  );
  const index = touched.slice(0, n);
  const value = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const b = index[i]!;
    value[i] = counts[b]!;
    counts[b] = 0;
  }
  return { index, value };
}

/** Sublinear tf × idf, L2-normalised, in place. */
export function weightInPlace(v: SparseVector, idf: Float32Array): SparseVector {
  let norm = 0;
  for (let i = 0; i < v.index.length; i++) {
    const x = (1 + Math.log(v.value[i]!)) * idf[v.index[i]!]!;
    v.value[i] = x;
    norm += x * x;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.value.length; i++) v.value[i]! *= inv;
  }
  return v;
}

/** Smoothed idf: ln((1 + N) / (1 + df)) + 1, computed on the training documents only. */
export function computeIdf(docs: SparseVector[]): Float32Array {
  const df = new Float32Array(DIMS);
  for (const d of docs) for (let i = 0; i < d.index.length; i++) df[d.index[i]!]! += 1;
  const idf = new Float32Array(DIMS);
  const n = docs.length;
  for (let j = 0; j < DIMS; j++) idf[j] = Math.log((1 + n) / (1 + df[j]!)) + 1;
  return idf;
}
