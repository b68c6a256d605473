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
  /**
   * Stylistic features (version 5, more than two labels): STYLE_DIMS dense values after the
   * hashed block(s) — rates of common function words and punctuation, sentence and word
   * lengths, capitals, digits, vocabulary richness, a few suffix rates (`styleFeatures`).
   * They are neither tf-weighted nor L2-normalised with the hashed block: the model's idf
   * array holds each one's scale (1 / (σ√STYLE_DIMS) from training) and its bias the centring.
   * Absent in models of versions 1–4.
   */
  style?: boolean;
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

/** Size of the hashed part of a model's feature space (one or two blocks of 2^hashBits). */
export function hashedDims(config: FeatureConfig): number {
  const blocks = config.norm === "blocks" && config.charMax > 0 ? 2 : 1;
  return blocks << config.hashBits;
}

/** Size of a model's feature space: the hashed block(s), then the stylistic features if any. */
export function featureDims(config: FeatureConfig): number {
  return hashedDims(config) + (config.style ? STYLE_DIMS : 0);
}

/**
 * Function words whose rates tell registers apart (narrative "he", "she", "said"; argument
 * "which", "may", "is"; instruction "you", "can"), fixed a priori, not chosen on any corpus.
 */
export const STYLE_WORDS = (
  "the a an of to and in that is was he she it i you we they his her its their my your our me him them us " +
  "had have has would could will shall should may might must can be been being were are am do did does " +
  "said not no nor but if or as at by for from on with into upon about this these those there here which who " +
  "whom whose what when where why how all some any each every both such so then than very just only also " +
  "now up out one two more most much many other same own too again once never always yet still even ever " +
  "over under after before between through because while although though"
).split(" ");
const STYLE_WORD_INDEX = new Map(STYLE_WORDS.map((w, i) => [w, i]));
const STYLE_PUNCTUATION = ['"', "?", "!", ";", ":", "(", "-", ",", ".", "$", "%"];
const STYLE_PUNCTUATION_INDEX = new Map(STYLE_PUNCTUATION.map((p, i) => [p, i]));
/** Function words, punctuation, then 12 shape values (see styleFeatures). */
export const STYLE_DIMS = STYLE_WORDS.length + STYLE_PUNCTUATION.length + 12;
const STYLE_TOKEN_RE = /[\p{L}\p{N}']+|[^\s\p{L}\p{N}]/gu;
const SENTENCE_END_RE = /[.!?]+["')]*\s+/;
const HAS_WORD_CHAR_RE = /[\p{L}\p{N}]/u;
const WORD_RE = /[\p{L}\p{N}]+/gu;

/**
 * The stylistic features of a text (its first MAX_FEATURE_CHARS characters): √(rate per word)
 * of each STYLE_WORDS word and STYLE_PUNCTUATION mark; ln(1 + mean) and ln(1 + standard
 * deviation) of the words per sentence; mean word length; shares of words of ≥ 7 characters,
 * capitalised, starting with a digit; distinct words among the first 1,000; shares ending in
 * "ed", "ing", "ly", in "tion"/"ity"/"ment"/"ness", and with an apostrophe.
 */
export function styleFeatures(text: string): Float64Array {
  const source = text.length > MAX_FEATURE_CHARS ? text.slice(0, MAX_FEATURE_CHARS) : text;
  const out = new Float64Array(STYLE_DIMS);
  const nWordsFeatures = STYLE_WORDS.length;
  const punctuationAt = nWordsFeatures;
  let words = 0;
  let letters = 0;
  let long = 0;
  let capitalised = 0;
  let digits = 0;
  let ed = 0;
  let ing = 0;
  let ly = 0;
  let nominal = 0;
  let apostrophes = 0;
  const firstThousand = new Set<string>();
  STYLE_TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = STYLE_TOKEN_RE.exec(source))) {
    const token = m[0];
    const c0 = token.charCodeAt(0);
    // A one-character token is a word when it is a letter or digit; a longer one (a run of
    // letters, digits and apostrophes) unless it is apostrophes only.
    const isWord = token.length === 1
      ? c0 < 128 ? (c0 >= 48 && c0 <= 57) || ((c0 | 32) >= 97 && (c0 | 32) <= 122) : HAS_WORD_CHAR_RE.test(token)
      : c0 !== 39 || HAS_WORD_CHAR_RE.test(token);
    if (!isWord) {
      const p = STYLE_PUNCTUATION_INDEX.get(token);
      if (p !== undefined) out[punctuationAt + p]! += 1;
      continue;
    }
    words++;
    const w = token.toLowerCase();
    const f = STYLE_WORD_INDEX.get(w);
    if (f !== undefined) out[f]! += 1;
    letters += w.length;
    if (w.length >= 7) long++;
    if (c0 < 128) {
      if (c0 >= 65 && c0 <= 90) capitalised++;
      else if (c0 >= 48 && c0 <= 57) digits++;
    } else {
      const c = String.fromCodePoint(token.codePointAt(0)!);
      if (c !== c.toLowerCase() && c === c.toUpperCase()) capitalised++;
      if (/\p{N}/u.test(c)) digits++;
    }
    if (words <= 1000) firstThousand.add(w);
    if (w.endsWith("ed")) ed++;
    if (w.endsWith("ing")) ing++;
    if (w.endsWith("ly")) ly++;
    if (w.endsWith("tion") || w.endsWith("ity") || w.endsWith("ment") || w.endsWith("ness")) nominal++;
    if (w.includes("'")) apostrophes++;
  }
  const n = Math.max(1, words);
  for (let j = 0; j < punctuationAt + STYLE_PUNCTUATION.length; j++) out[j] = Math.sqrt(out[j]! / n);
  const lengths: number[] = [];
  for (const sentence of source.split(SENTENCE_END_RE)) {
    let count = 0;
    WORD_RE.lastIndex = 0;
    while (WORD_RE.exec(sentence)) count++;
    if (count > 0) lengths.push(count);
  }
  const meanLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const sdLength = Math.sqrt(lengths.reduce((a, b) => a + (b - meanLength) ** 2, 0) / Math.max(1, lengths.length));
  let at = punctuationAt + STYLE_PUNCTUATION.length;
  for (const v of [
    Math.log(1 + meanLength), Math.log(1 + sdLength), letters / n, long / n, capitalised / n, digits / n,
    firstThousand.size / Math.max(1, Math.min(1000, words)), ed / n, ing / n, ly / n, nominal / n, apostrophes / n,
  ]) out[at++] = v;
  return out;
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
  const style = config.style ? styleFeatures(text) : undefined;
  const index = new Int32Array(n[0] + n[1] + (style?.length ?? 0));
  index.set(touched[0].subarray(0, n[0]));
  index.set(touched[1].subarray(0, n[1]), n[0]);
  const value = new Float32Array(index.length);
  const hashed = n[0] + n[1];
  for (let i = 0; i < hashed; i++) {
    const b = index[i]!;
    value[i] = counts[b]!;
    counts[b] = 0;
  }
  if (style) {
    const base = hashedDims(config);
    for (let j = 0; j < style.length; j++) {
      index[hashed + j] = base + j;
      value[hashed + j] = style[j]!;
    }
  }
  return { index, value, split: n[0] };
}

/**
 * tf (sublinear 1 + ln n, or raw n) × idf, L2-normalised (whole vector or per block), in
 * place. Entries whose idf is 0 (pruned buckets) are dropped. Stylistic features (the last
 * entries, at and past hashedDims) are only multiplied by their idf entry, their scale.
 */
export function weightInPlace(v: SparseVector, idf: Float32Array, config: FeatureConfig): SparseVector {
  const sublinear = config.tf === "sublinear";
  const binary = config.tf === "binary";
  const hashedEnd = hashedDims(config);
  let kept = 0;
  let split = v.split;
  let hashedKept = -1;
  for (let i = 0; i < v.index.length; i++) {
    const b = v.index[i]!;
    const weight = idf[b]!;
    if (i === v.split) split = kept;
    if (b >= hashedEnd && hashedKept < 0) hashedKept = kept;
    if (weight === 0) continue;
    const count = v.value[i]!;
    v.index[kept] = b;
    v.value[kept] = (b >= hashedEnd ? count : binary ? 1 : sublinear ? 1 + Math.log(count) : count) * weight;
    kept++;
  }
  if (v.split === v.index.length) split = kept;
  if (hashedKept < 0) hashedKept = kept;
  if (split > hashedKept) split = hashedKept;
  const out: SparseVector = kept === v.index.length
    ? { index: v.index, value: v.value, split }
    : { index: v.index.slice(0, kept), value: v.value.slice(0, kept), split };
  if (config.norm === "blocks") {
    normalise(out.value, 0, split);
    normalise(out.value, split, hashedKept);
  } else if (config.norm === "joint") {
    normalise(out.value, 0, hashedKept);
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
  const hashed = hashedDims(config);
  // Stylistic features get their scales from the trainer; 0 until then.
  for (let j = 0; j < hashed; j++) idf[j] = df[j]! < config.minDf ? 0 : Math.log((1 + n) / (1 + df[j]!)) + 1;
  return idf;
}
