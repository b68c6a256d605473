import { data } from "franc/data.js";
import { expressions } from "franc/expressions.js";

// franc's own ranking (`francAll(text, { only, minLength })`), computed from franc's data with
// fewer allocations: trigrams are counted as numbers instead of 3-character strings, and each
// distinct trigram is looked up once for all candidate languages instead of once per language.
// Same scores, same order (test/trigram-scores.test.ts compares the two on many texts); about
// a tenth of the gateway's CPU per 1 KB document went to franc before.

/** franc's limits: the sample it reads, and the cost of a trigram a language's profile lacks. */
const MAX_LENGTH = 2048;
const MAX_DIFFERENCE = 300;

/** A script's candidate languages and, per trigram, its rank in each language's profile (-1: absent). */
type ScriptProfiles = { languages: string[]; ranks: Map<number, Int16Array> };

// Three characters below U+0400 (Latin and Greek text) pack into 30 bits: a small integer, which
// V8's Map hashes and stores without allocating. Others take keys from 2^30 up, which cannot collide.
const SMALL_CHAR = 1024;
const trigramKey = (a: number, b: number, c: number) =>
  a < SMALL_CHAR && b < SMALL_CHAR && c < SMALL_CHAR ? (a << 20) | (b << 10) | c : 2 ** 30 + (a * 65536 + b) * 65536 + c;

function buildProfiles(script: Record<string, string>, allowed: ReadonlySet<string>): ScriptProfiles {
  const languages = Object.keys(script).filter((language) => allowed.has(language));
  const ranks = new Map<number, Int16Array>();
  languages.forEach((language, i) => {
    const trigrams = script[language]!.split("|");
    // franc keeps a repeated trigram's first rank.
    for (let rank = trigrams.length - 1; rank >= 0; rank--) {
      const t = trigrams[rank]!;
      const key = trigramKey(t.charCodeAt(0), t.charCodeAt(1), t.charCodeAt(2));
      let row = ranks.get(key);
      if (!row) ranks.set(key, (row = new Int16Array(languages.length).fill(-1)));
      row[i] = rank;
    }
  });
  return { languages, ranks };
}

/** franc's text cleaning: ASCII punctuation, digits and symbols out, whitespace collapsed, lowercase. */
function clean(value: string): string {
  return value.replace(/[\u0021-\u0040]+/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
}

export type TrigramRanker = (text: string) => [string, number][];

/**
 * A ranker over the given ISO 639-3 candidates: [language, score] pairs, best first, scores in
 * [0, 1] relative to the best; `[["und", 1]]` when the text is shorter than `minLength` or shows
 * no letters of a known script.
 */
export function trigramRanker(only: readonly string[], minLength: number): TrigramRanker {
  const allowed = new Set(only);
  const profiles = new Map<string, ScriptProfiles>();
  const profilesOf = (script: string) => {
    let found = profiles.get(script);
    if (!found) profiles.set(script, (found = buildProfiles(data[script]!, allowed)));
    return found;
  };
  const und = (): [string, number][] => [["und", 1]];

  return (text) => {
    if (!text || text.length < minLength) return und();
    const value = text.slice(0, MAX_LENGTH);
    const [script, share] = topScript(value);
    if (!script || !(script in data)) {
      // A script with one language (Greek, Korean…): that language, if it is a candidate.
      return script && share !== 0 && allowed.has(script) ? [[script, 1]] : und();
    }
    const { languages, ranks } = profilesOf(script);
    if (languages.length === 0) return und();

    const padded = ` ${clean(value)} `;
    const counts = new Map<number, number>();
    for (let i = 0; i + 3 <= padded.length; i++) {
      const key = trigramKey(padded.charCodeAt(i), padded.charCodeAt(i + 1), padded.charCodeAt(i + 2));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const distances = new Float64Array(languages.length);
    for (const [key, count] of counts) {
      const row = ranks.get(key);
      for (let i = 0; i < languages.length; i++) {
        const rank = row ? row[i]! : -1;
        distances[i] = distances[i]! + (rank < 0 ? MAX_DIFFERENCE : Math.abs(count - rank - 1));
      }
    }
    // A stable sort, as franc's: equal distances keep franc's data order.
    const ranked = languages.map((language, i) => [language, distances[i]!] as [string, number]).sort((a, b) => a[1] - b[1]);
    const min = ranked[0]![1];
    const max = value.length * MAX_DIFFERENCE - min;
    for (const pair of ranked) pair[1] = 1 - (pair[1] - min) / max || 0;
    return ranked;
  };
}

/** The script whose characters occur most in the text (the first of equals), and its share. */
function topScript(value: string): [string | undefined, number] {
  let top: string | undefined;
  let topShare = -1;
  for (const script in expressions) {
    const matches = value.match(expressions[script]!);
    const share = (matches ? matches.length : 0) / value.length || 0;
    if (share > topShare) {
      topShare = share;
      top = script;
    }
  }
  return [top, topShare];
}
