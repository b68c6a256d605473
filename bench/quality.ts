// Quality benchmark (in-process, one core): what assess_quality costs per document size and
// which metric families the time goes to.
//
//   npm run bench:quality      (BENCH_SCALE=0.2 for a quick run; writes bench/results/quality.md)
//
// Texts are real English (the Brown corpus, 6 MB, taken at a different offset for every run), not
// bench/corpus.ts's prose(): its 60-word vocabulary would hide what spelling and language cost
// on real vocabulary. The 10-page PDF is bench/corpus.ts's, extracted with unpdf on every run
// as a worker does. Runs are sequential in this process, so the spelling dictionary and its
// per-word cache are warm after the first English document, as in a long-lived worker; the
// one-off dictionary build is reported on its own.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assessQuality, DEFAULT_CORPORA, extractText, spellCheckerBuildMs, type MetricFamily, type QualityInput } from "@docgate/mcp";
import { makeDoc } from "./corpus";
import { percentile } from "./stats";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

type Case = { name: string; runs: number; make: (run: number) => Promise<{ doc: QualityInput; extractMs: number }> };

const brown = (await DEFAULT_CORPORA.genre.load()).map((t) => t.text).join("\n\n");

/** `bytes` of Brown text starting at a run-dependent offset (wrapping around), cut at a word. */
function brownSlice(bytes: number, run: number): string {
  const start = (run * 7919 * 13) % brown.length;
  let text = brown.slice(start, start + bytes);
  while (text.length < bytes) text += `\n\n${brown.slice(0, bytes - text.length)}`;
  return text.slice(0, text.lastIndexOf(" ") > 0 ? text.lastIndexOf(" ") : text.length);
}

const textCase = (name: string, bytes: number, runs: number): Case => ({
  name,
  runs: Math.max(2, Math.round(runs * SCALE)),
  make: async (run) => {
    const text = brownSlice(bytes, run);
    return { doc: { text, pages: [text], mimeType: "text/plain" }, extractMs: 0 };
  },
});

const CASES: Case[] = [
  textCase("1 KB text", 1024, 2000),
  textCase("100 KB text", 100 * 1024, 100),
  textCase("1 MB text", 1024 * 1024, 12),
  textCase("5 MB text", 5 * 1024 * 1024, 3),
  {
    name: "10-page PDF (extraction + assessment)",
    runs: Math.max(2, Math.round(100 * SCALE)),
    make: async (run) => {
      const pdf = makeDoc("pdf10", `bench-${run}`);
      const started = performance.now();
      const doc = await extractText(pdf.bytes, "application/pdf");
      return { doc, extractMs: performance.now() - started };
    },
  },
];

const FAMILIES: MetricFamily[] = [
  "tokens", "letters", "language", "readability", "garbled", "ocr", "pages", "duplicates", "personalData", "spelling", "truncationMetadata", "pageScores", "profile",
];

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

type Row = { name: string; runs: number; kb: number; p50: number; p99: number; docsPerSecond: number; mbPerSecond: number; extractMs: number; families: Partial<Record<MetricFamily, number>> };

async function measure(c: Case): Promise<Row> {
  const latencies: number[] = [];
  const families: Partial<Record<MetricFamily, number>> = {};
  let chars = 0;
  let extractTotal = 0;
  let total = 0;
  for (let run = 0; run < c.runs; run++) {
    const { doc, extractMs } = await c.make(run);
    // Latency and throughput without the timing hook; a second, timed pass for the breakdown.
    const started = performance.now();
    assessQuality(doc);
    const ms = performance.now() - started + extractMs;
    latencies.push(ms);
    total += ms;
    extractTotal += extractMs;
    chars += doc.text.length;
    assessQuality(doc, { timings: families });
  }
  latencies.sort((a, b) => a - b);
  const per = Object.fromEntries(Object.entries(families).map(([k, v]) => [k, v / c.runs])) as Row["families"];
  return {
    name: c.name,
    runs: c.runs,
    kb: chars / c.runs / 1024,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    docsPerSecond: (1000 * c.runs) / total,
    mbPerSecond: chars / 1024 / 1024 / (total / 1000),
    extractMs: extractTotal / c.runs,
    families: per,
  };
}

async function main() {
  // Cold start: the first English document builds the dictionary (once per process).
  const coldText = brownSlice(1024, 999);
  const heapBefore = process.memoryUsage().heapUsed;
  const coldStarted = performance.now();
  assessQuality({ text: coldText, pages: [coldText] });
  const coldMs = performance.now() - coldStarted;
  const dictionaryMs = spellCheckerBuildMs();
  const dictionaryMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

  const rows: Row[] = [];
  for (const c of CASES) {
    process.stderr.write(`${c.name}: ${c.runs} runs… `);
    rows.push(await measure(c));
    process.stderr.write("done\n");
  }

  const cpu = os.cpus();
  const load = os.loadavg().map((x) => x.toFixed(1)).join(" / ");
  const lines = [
    "# Quality benchmark",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? "CPU"}, Node ${process.version}; in-process \`assessQuality\`, one call at a time on one core; load average at the end ${load} (1/5/15 min: other work on the machine slows these numbers).`,
    "Reproduce: `npm run bench:quality` (`BENCH_SCALE=0.2` for a quick run). Texts are Brown-corpus English at a new offset each run; the PDF is `bench/corpus.ts`'s 10-page one, extracted each run.",
    "",
    "## Throughput and latency per size",
    "",
    "| document | runs | size (KB) | p50 (ms) | p99 (ms) | documents/s | MB/s |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${r.runs} | ${r.kb.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.docsPerSecond.toFixed(1)} | ${r.mbPerSecond.toFixed(2)} |`),
    "",
    `First English document in a process: ${fmt(coldMs)} ms, of which ${fmt(dictionaryMs)} ms build the spelling dictionary (nspell + dictionary-en; the heap grew by ${dictionaryMb.toFixed(0)} MB, rough: the collector runs meanwhile); later documents reuse it.`,
    "",
    "## Cost of each metric family (mean ms per document)",
    "",
    "Timed with `assessQuality(doc, { timings })`, which adds each family's milliseconds to `timings`.",
    "",
    `| family | ${rows.map((r) => r.name).join(" | ")} |`,
    `|---|${rows.map(() => "---").join("|")}|`,
    ...(rows.some((r) => r.extractMs > 0) ? [`| extraction (unpdf) | ${rows.map((r) => (r.extractMs > 0 ? fmt(r.extractMs) : "–")).join(" | ")} |`] : []),
    ...FAMILIES.map((f) => `| ${f} | ${rows.map((r) => cell(r, f)).join(" | ")} |`),
    `| **all families** | ${rows.map((r) => fmt(Object.values(r.families).reduce((a, b) => a + (b ?? 0), 0))).join(" | ")} |`,
    "",
    "Families: tokens = words and sentences of the whole text; letters = share of letters; language = franc on the first 4,000 characters; readability = syllables of every word;",
    "garbled = encoding-damage regex; ocr = per-token noise tests; pages = words per page; duplicates = paragraph hashing; personalData = e-mail/phone/card/IBAN",
    "finders with Luhn and mod-97; spelling = nspell per distinct word (English only); truncationMetadata, pageScores, profile = the rest.",
    "",
  ];
  mkdirSync(path.join(root, "bench/results"), { recursive: true });
  writeFileSync(path.join(root, "bench/results/quality.md"), lines.join("\n"));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** "12.3 (41 %)": mean ms and share of the document's assessment time. */
function cell(r: Row, f: MetricFamily): string {
  const ms = r.families[f] ?? 0;
  const all = Object.values(r.families).reduce((a, b) => a + (b ?? 0), 0);
  return `${fmt(ms)} (${all ? Math.round((100 * ms) / all) : 0} %)`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
