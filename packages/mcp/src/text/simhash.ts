import { fmix32 } from "./hash";
import { words } from "./tokens";

/** Word shingle size for simhash. */
export const SIMHASH_SHINGLE = 3;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_HI = 0x9e3779b9;
const SEED_LO = 0x7f4a7c15;
const SPACE = 0x20;

/** FNV-1a of `h` continued over the characters of `s`. */
function fnvOver(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/**
 * 64-bit simhash (16 hex digits) over lowercased word 3-shingles (Charikar 2002): each
 * shingle's 64-bit hash votes ±1 per bit; the sign of each bit's sum is the signature.
 * Returns null for text with fewer than 20 words (too little to compare meaningfully).
 */
export function simhash64(text: string): string | null {
  if (text.length > RECENT_TEXT_MAX_CHARS) return computeSimhash64(text);
  for (const entry of recent) if (entry.text === text) return entry.value;
  const value = computeSimhash64(text);
  recent[nextSlot] = { text, value };
  nextSlot = (nextSlot + 1) % RECENT_SIGNATURES;
  return value;
}

// A host may sign a text just before its tool does (the quality worker's task start statement
// saves the signature of text that came with the task): the last few answers for short texts are
// kept, and the same text (most often the very same string) is not hashed twice. Long texts are
// not kept, so a few large documents are not held in memory.
const RECENT_SIGNATURES = 8;
const RECENT_TEXT_MAX_CHARS = 16_384;
const recent: { text: string; value: string | null }[] = [];
let nextSlot = 0;

function computeSimhash64(text: string): string | null {
  const w = words(text).map((x) => x.toLowerCase());
  if (w.length < 20) return null;
  // Bit b of the signature is set when more than half of the shingles' hashes have it set.
  const ones = new Int32Array(64);
  let shingles = 0;
  for (let i = 0; i + SIMHASH_SHINGLE <= w.length; i++) {
    // Two seeded FNV-1a hashes of the shingle "w[i] w[i+1] w[i+2]", run over the words in place
    // (no joined string per shingle), each finished with murmur3's mixer for bit spread.
    let a = (FNV_OFFSET ^ SEED_HI) >>> 0;
    let b = (FNV_OFFSET ^ SEED_LO) >>> 0;
    for (let k = 0; k < SIMHASH_SHINGLE; k++) {
      if (k > 0) {
        a = Math.imul(a ^ SPACE, FNV_PRIME);
        b = Math.imul(b ^ SPACE, FNV_PRIME);
      }
      a = fnvOver(a, w[i + k]!);
      b = fnvOver(b, w[i + k]!);
    }
    const hi = fmix32(a >>> 0);
    const lo = fmix32(b >>> 0);
    for (let bit = 0; bit < 32; bit++) {
      ones[bit]! += (hi >>> bit) & 1;
      ones[32 + bit]! += (lo >>> bit) & 1;
    }
    shingles++;
  }
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (2 * ones[b]! > shingles) hi |= 1 << b;
    if (2 * ones[32 + b]! > shingles) lo |= 1 << b;
  }
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** A 16-hex-digit simhash as its two 32-bit halves (high, low): compared many times, parsed once. */
export function simhashHalves(simhash: string): [number, number] {
  return [parseInt(simhash.slice(0, 8), 16), parseInt(simhash.slice(8, 16), 16)];
}

/** Number of differing bits between two simhashes given as halves (simhashHalves). */
export function halvesDistance(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32((aHi ^ bHi) >>> 0) + popcount32((aLo ^ bLo) >>> 0);
}

/** Number of differing bits between two 16-hex-digit simhashes. */
export function hammingDistance(a: string, b: string): number {
  const [ah, al] = simhashHalves(a);
  const [bh, bl] = simhashHalves(b);
  return halvesDistance(ah, al, bh, bl);
}
