import { fmix32 } from "./hash";
import { words } from "./tokens";

/** Word shingle size for simhash. */
export const SIMHASH_SHINGLE = 3;

function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h); // murmur3 finaliser for better bit spread
}

/**
 * 64-bit simhash (16 hex digits) over lowercased word 3-shingles (Charikar 2002): each
 * shingle's 64-bit hash votes ±1 per bit; the sign of each bit's sum is the signature.
 * Returns null for text with fewer than 20 words (too little to compare meaningfully).
 */
export function simhash64(text: string): string | null {
  const w = words(text).map((x) => x.toLowerCase());
  if (w.length < 20) return null;
  const votes = new Int32Array(64);
  for (let i = 0; i + SIMHASH_SHINGLE <= w.length; i++) {
    const shingle = w.slice(i, i + SIMHASH_SHINGLE).join(" ");
    const hi = hash32(shingle, 0x9e3779b9);
    const lo = hash32(shingle, 0x7f4a7c15);
    for (let b = 0; b < 32; b++) {
      votes[b]! += (hi >>> b) & 1 ? 1 : -1;
      votes[32 + b]! += (lo >>> b) & 1 ? 1 : -1;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (votes[b]! > 0) hi |= 1 << b;
    if (votes[32 + b]! > 0) lo |= 1 << b;
  }
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Number of differing bits between two 16-hex-digit simhashes. */
export function hammingDistance(a: string, b: string): number {
  const ah = parseInt(a.slice(0, 8), 16), al = parseInt(a.slice(8, 16), 16);
  const bh = parseInt(b.slice(0, 8), 16), bl = parseInt(b.slice(8, 16), 16);
  return popcount32((ah ^ bh) >>> 0) + popcount32((al ^ bl) >>> 0);
}
