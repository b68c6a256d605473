import { describe, expect, it } from "vitest";
import { take } from "./fixtures";
import {
  ALGORITHM_VERSION,
  DEFAULT_CORPORA,
  deserializeModel,
  extractFeatures,
  predict,
  serializeModel,
  stripBrownTags,
  trainClassifier,
  type LabelledText,
} from "../src/classification";
import { LEGACY_FEATURES, STYLE_DIMS, STYLE_WORDS, countFeatures, featureDims, hashedDims, styleFeatures, weightInPlace } from "../src/classification/features";
import { DEFAULT_FEATURES, MULTI_LABEL_FEATURES, STYLE_SELECTION_V5, TWO_LABEL_FEATURES } from "../src/classification/model";

const SPAM = await DEFAULT_CORPORA.spam.load();


describe("corpora", () => {
  it("loads Brown with 15 genres and plain text without POS tags", async () => {
    const brown = (await DEFAULT_CORPORA.genre.load());
    expect(brown).toHaveLength(500);
    expect(new Set(brown.map((e) => e.label)).size).toBe(15);
    expect([...new Set(brown.map((e) => e.label))].sort()).toEqual([...DEFAULT_CORPORA.genre.labels]);
    expect(brown[0]!.text.startsWith("The Fulton County Grand Jury said Friday")).toBe(true);
    expect(brown[0]!.text).not.toMatch(/\/(at|np-tl|nn)\b/);
    expect(stripBrownTags("The/at jury/nn ,/, said/vbd ``/`` no/at ''/'' ./.")).toBe('The jury, said " no ".');
  });

  it("loads SpamAssassin as the product reads .eml files, deduplicated by body, labelled spam/ham", async () => {
    const spam = (await DEFAULT_CORPORA.spam.load());
    const labels = new Set(spam.map((e) => e.label));
    expect([...labels].sort()).toEqual(["ham", "spam"]);
    expect(spam.length).toBe(5834); // 6,046 raw messages, 212 repeat an earlier body
    expect(new Set(spam.map((e) => e.text.replace(/\s+/g, " ").trim())).size).toBe(spam.length);
    // The extraction's head lines and decoded body, not the raw header block.
    expect(spam.filter((e) => /^Subject: /m.test(e.text.split("\n\n")[0]!)).length).toBeGreaterThan(5700);
    expect(spam.filter((e) => /^(Return-Path|Received):/m.test(e.text.slice(0, 300))).length).toBeLessThan(3);
    // Markup is turned into text (a few text/plain parts quote HTML; the bodies read by version 1 had it in 1,290).
    expect(spam.filter((e) => /<html|<body|Content-Transfer-Encoding:/i.test(e.text)).length).toBeLessThan(150);
    // Legacy mail (undeclared 8-bit, Latin-1, Big5 …) is decoded, not turned into U+FFFD: 2 messages mis-declare their charset.
    expect(spam.filter((e) => e.text.includes("\uFFFD")).length).toBeLessThan(5);
    // A second load in the same process is served from memory and can be changed freely.
    spam[0]!.text = "changed";
    expect((await DEFAULT_CORPORA.spam.load())[0]!.text).not.toBe("changed");
  });
});

describe("trainClassifier / predict", () => {
  const spamSubset = take(SPAM, 250);

  it("learns spam vs ham from a small subset well above chance", () => {
    const { model, metrics } = trainClassifier(spamSubset, { seed: 7 });
    expect(model.labels).toEqual(["ham", "spam"]);
    expect(model.algorithm).toBe(ALGORITHM_VERSION);
    expect(metrics.testSize).toBe(100);
    expect(metrics.trainSize).toBe(400);
    expect(metrics.accuracy).toBeGreaterThan(0.85);
    expect(metrics.macroF1).toBeGreaterThan(0.85);
    expect(metrics.perLabel.spam!.support).toBe(50);
    expect(metrics.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(100);

    const p = predict(model, "Click here to claim your FREE prize! Limited offer, order now and save 80% on viagra, money back guarantee!!!");
    expect(p.label).toBe("spam");
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.scores.map((s) => s.label)).toEqual(["spam", "ham"]);
    expect(p.scores.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 3);
    expect(p.explanation.length).toBeGreaterThan(0);
    expect(p.explanation[0]!.weight).toBeGreaterThan(0);
    expect(p.explanation.every((e, i, all) => i === 0 || all[i - 1]!.weight >= e.weight)).toBe(true);
    // Words a reader can recognise, each once: no bare punctuation or numbers from header lines.
    expect(p.explanation.every((e) => e.term.split(" ").every((word) => /\p{L}/u.test(word)))).toBe(true);
    expect(new Set(p.explanation.map((e) => e.term)).size).toBe(p.explanation.length);
    // Nor a bigram half made of punctuation (". click" after a sentence's end).
    const terse = predict(model, "Act now. Click here. Free money. Order today. Limited offer. Call now. Save big. Win cash.", { explain: 40 });
    expect(terse.explanation.length).toBeGreaterThan(0);
    expect(terse.explanation.filter((e) => e.term.split(" ").some((word) => !/\p{L}/u.test(word)))).toEqual([]);
  });

  it("is deterministic for a seed", () => {
    const a = trainClassifier(spamSubset.slice(0, 120).concat(spamSubset.slice(-120)), { seed: 3 });
    const b = trainClassifier(spamSubset.slice(0, 120).concat(spamSubset.slice(-120)), { seed: 3 });
    expect(a.metrics.accuracy).toBe(b.metrics.accuracy);
    expect(Buffer.from(a.model.weights.buffer).equals(Buffer.from(b.model.weights.buffer))).toBe(true);
  });

  it("scales two-label tasks' presence features by naive-Bayes log-count ratios (NBSVM, C = 5) and trains more labels as a plain SVM", async () => {
    const pair = spamSubset.slice(0, 120).concat(spamSubset.slice(-120));
    const nbsvm = trainClassifier(pair, { seed: 3 });
    const plain = trainClassifier(pair, { seed: 3, nb: false, c: 1 });
    expect(nbsvm.model.algorithm).toBe(ALGORITHM_VERSION);
    expect(nbsvm.model.features).toEqual(TWO_LABEL_FEATURES);
    expect(nbsvm.model.dims).toBe(1 << 20);
    expect(plain.model.algorithm).toBe(`${ALGORITHM_VERSION}+custom`);
    expect(Buffer.from(nbsvm.model.weights.buffer).equals(Buffer.from(plain.model.weights.buffer))).toBe(false);
    // Version 4 folds |r| into the stored idf: a text's vector is |r| of each bucket it has, L2-normalised.
    const counted = countFeatures("Click here to claim your FREE prize now, click here", nbsvm.model.features);
    const x = weightInPlace({ ...counted, value: counted.value.slice(), index: counted.index.slice() }, nbsvm.model.idf, nbsvm.model.features);
    const norm = Math.hypot(...Array.from(counted.index, (b) => nbsvm.model.idf[b]!));
    expect(x.value.reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 5);
    for (let j = 0; j < x.index.length; j++) expect(x.value[j]).toBeCloseTo(nbsvm.model.idf[x.index[j]!]! / norm, 6);
    expect(nbsvm.model.idf.every((v) => v >= 0)).toBe(true);
    // The ratios are folded into the weights: a spam word weighs toward spam, as in the plain SVM.
    const p = predict(nbsvm.model, "Click here to claim your FREE prize! Order now and save 80%, money back guarantee!!!");
    expect(p.label).toBe("spam");
    expect(p.explanation.length).toBeGreaterThan(0);

    const brown = take((await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned"].includes(e.label)), 12);
    const multi = trainClassifier(brown, { seed: 3 });
    const multiPlain = trainClassifier(brown, { seed: 3, nb: false, c: 1 });
    expect(multi.model.algorithm).toBe(ALGORITHM_VERSION);
    expect(multi.model.features).toEqual(MULTI_LABEL_FEATURES);
    expect(Buffer.from(multi.model.weights.buffer).equals(Buffer.from(multiPlain.model.weights.buffer))).toBe(true);
    expect(trainClassifier(brown, { seed: 3, nb: { order: "norm-then-r" } }).model.algorithm).toBe(`${ALGORITHM_VERSION}+custom`);
    expect(() => trainClassifier(brown, { seed: 3, nb: {} })).toThrow(/needs two labels/);
  });

  it("adds a stylistic SVM's margins to the text SVM's on more than two labels (version 5 and 6), folded into one linear model", async () => {
    const brown = take((await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned", "religion"].includes(e.label)), 15);
    const withStyle = trainClassifier(brown, { seed: 2 });
    const textOnly = trainClassifier(brown, { seed: 2, features: { style: false } });
    const { model } = withStyle;
    expect(model.algorithm).toBe(ALGORITHM_VERSION);
    expect(model.features.style).toBe(true);
    expect(model.dims).toBe((1 << 18) + STYLE_DIMS);
    expect(textOnly.model.algorithm).toBe(`${ALGORITHM_VERSION}+custom`);
    // The text part is the same SVM as without stylistic features; their scales sit in idf.
    const hashed = hashedDims(model.features);
    for (let k = 0; k < model.labels.length; k++) {
      const a = model.weights.subarray(k * model.dims, k * model.dims + hashed);
      const b = textOnly.model.weights.subarray(k * textOnly.model.dims, (k + 1) * textOnly.model.dims);
      expect(Buffer.from(a.slice().buffer).equals(Buffer.from(b.slice().buffer))).toBe(true);
    }
    expect(Buffer.from(model.idf.slice(0, hashed).buffer).equals(Buffer.from(textOnly.model.idf.buffer))).toBe(true);
    expect(model.idf.subarray(hashed).some((v) => v > 0)).toBe(true);
    // A text's vector: the L2-normalised hashed part, then raw stylistic values × their scale.
    const text = brown[0]!.text;
    const x = weightInPlace(countFeatures(text, model.features), model.idf, model.features);
    const cut = x.index.findIndex((b) => b >= hashed);
    expect(x.value.subarray(0, cut).reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 5);
    const style = styleFeatures(text);
    for (let j = cut; j < x.index.length; j++) expect(x.value[j]).toBeCloseTo(style[x.index[j]! - hashed]! * model.idf[x.index[j]!]!, 5);
    // Serialised and back, it classifies the same.
    const back = deserializeModel(serializeModel(model));
    for (const ex of brown.slice(0, 10)) expect(predict(back, ex.text)).toEqual(predict(model, ex.text));
    expect(trainClassifier(brown, { seed: 2, styleC: 0.1 }).model.algorithm).toBe(`${ALGORITHM_VERSION}+custom`);
  });

  it("measures style: function-word and punctuation rates, sentence and word lengths", () => {
    const narrative = styleFeatures('"Where is he?" she said. He was not there. She waited, and then she left.');
    const the = STYLE_WORDS.indexOf("the");
    const she = STYLE_WORDS.indexOf("she");
    expect(narrative).toHaveLength(STYLE_DIMS);
    expect(narrative[she]).toBeCloseTo(Math.sqrt(3 / 15), 6);
    expect(narrative[the]).toBe(0);
    const quote = STYLE_WORDS.length; // '"' is the first punctuation mark
    expect(narrative[quote]).toBeCloseTo(Math.sqrt(2 / 15), 6);
    expect(narrative[STYLE_DIMS - 12]).toBeCloseTo(Math.log(1 + 15 / 4), 6); // ln(1 + mean words per sentence): 2, 3, 4, 6
    expect(styleFeatures("")).toEqual(new Float64Array(STYLE_DIMS));
  });

  it("separates Brown genres on a subset better than chance", async () => {
    const brown = (await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned", "religion"].includes(e.label));
    const { metrics } = trainClassifier(take(brown, 30), { seed: 1 });
    expect(metrics.accuracy).toBeGreaterThan(0.6); // chance is 0.25
  });

  it("round-trips a model through its binary form with identical predictions", () => {
    const { model } = trainClassifier(spamSubset.slice(0, 100).concat(spamSubset.slice(-100)), { seed: 5 });
    const bytes = serializeModel(model);
    expect(bytes.byteLength).toBeGreaterThan(model.dims * 4);
    // Deserialise from an unaligned copy, as a host reading a DB column might hand over.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const back = deserializeModel(shifted.subarray(1));
    expect(back.labels).toEqual(model.labels);
    expect(back.temperature).toBe(model.temperature);
    for (const ex of spamSubset.slice(200, 230)) expect(predict(back, ex.text)).toEqual(predict(model, ex.text));
    expect(() => deserializeModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/bad magic/);
    expect(() => deserializeModel(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });

  it("loads models of algorithm version 1 (no feature settings in the header) with their features, refuses unknown ones", () => {
    const subset = spamSubset.slice(0, 100).concat(spamSubset.slice(-100));
    const { model } = trainClassifier(subset, { seed: 5, features: LEGACY_FEATURES });
    expect(model.features).toEqual(LEGACY_FEATURES);
    expect(DEFAULT_FEATURES).not.toEqual(LEGACY_FEATURES);
    const withHeader = (bytes: Uint8Array, edit: (header: Record<string, unknown>) => void) => {
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
      edit(header);
      const json = new TextEncoder().encode(JSON.stringify(header));
      const padded = Math.ceil(json.length / 4) * 4;
      const out = new Uint8Array(8 + padded + bytes.length - (8 + Math.ceil(length / 4) * 4));
      out.set(bytes.subarray(0, 4));
      new DataView(out.buffer).setUint32(4, json.length, true);
      out.set(json, 8);
      out.fill(0x20, 8 + json.length, 8 + padded);
      out.set(bytes.subarray(8 + Math.ceil(length / 4) * 4), 8 + padded);
      return out;
    };
    const bytes = serializeModel(model);
    const v1 = withHeader(bytes, (h) => {
      delete h.features;
      h.algorithm = "hash18-w12s-case-c345-tfidf-ovr-l2svm-dcd-bal-1";
    });
    const back = deserializeModel(v1);
    expect(back.features).toEqual(LEGACY_FEATURES);
    for (const ex of spamSubset.slice(200, 220)) expect(predict(back, ex.text)).toEqual(predict(model, ex.text));
    const unknown = withHeader(bytes, (h) => {
      delete h.features;
      h.algorithm = "something-else";
    });
    expect(() => deserializeModel(unknown)).toThrow(/does not say how it featurises text/);
  });

  it("loads models of algorithm version 2 (plain SVM on two labels) and classifies as they did", () => {
    const subset = spamSubset.slice(0, 100).concat(spamSubset.slice(-100));
    const { model } = trainClassifier(subset, { seed: 5, nb: false, c: 1, features: DEFAULT_FEATURES });
    const v2 = deserializeModel(serializeModel({ ...model, algorithm: "hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-2" }));
    expect(v2.algorithm).toBe("hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-2");
    expect(v2.features).toEqual(DEFAULT_FEATURES);
    for (const ex of spamSubset.slice(200, 220)) expect(predict(v2, ex.text)).toEqual(predict(model, ex.text));
  });

  it("loads models of algorithm version 3 (NBSVM on L2-normalised TF-IDF, 2^18 buckets) and classifies as they did", () => {
    const subset = spamSubset.slice(0, 100).concat(spamSubset.slice(-100));
    // Version 3's defaults for two labels: its features, ratios applied after the normalisation, C = 5.
    const { model } = trainClassifier(subset, { seed: 5, nb: { order: "norm-then-r" }, features: DEFAULT_FEATURES });
    const algorithm = "hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-nbsvm2-3";
    const v3 = deserializeModel(serializeModel({ ...model, algorithm }));
    expect(v3.algorithm).toBe(algorithm);
    expect(v3.features).toEqual(DEFAULT_FEATURES);
    expect(v3.features).toMatchObject({ tf: "sublinear", norm: "joint", hashBits: 18 });
    expect(v3.dims).toBe(1 << 18);
    for (const ex of spamSubset.slice(200, 220)) expect(predict(v3, ex.text)).toEqual(predict(model, ex.text));
  });

  it("loads models of algorithm version 4 (more than two labels: plain SVM, no stylistic features) and classifies as they did", async () => {
    const brown = take((await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned"].includes(e.label)), 12);
    // Version 4's training on more than two labels: DEFAULT_FEATURES (no style key in its header).
    const { model } = trainClassifier(brown, { seed: 5, features: { style: false } });
    const algorithm = "hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-nbsvm2bin20-4";
    const v4 = deserializeModel(serializeModel({ ...model, features: DEFAULT_FEATURES, algorithm }));
    expect(v4.algorithm).toBe(algorithm);
    expect(v4.features).toEqual(DEFAULT_FEATURES);
    expect(v4.dims).toBe(1 << 18);
    for (const ex of brown.slice(0, 12)) expect(predict(v4, ex.text)).toEqual(predict(model, ex.text));
  });

  it("loads models of algorithm version 5 (stylistic C and weight chosen by 5-fold accuracy) and classifies as they did", async () => {
    const brown = take((await DEFAULT_CORPORA.genre.load()).filter((e) => ["news", "romance", "learned"].includes(e.label)), 12);
    // Version 5's training: the same model, only the inner cross-validation's choice differs.
    const { model } = trainClassifier(brown, { seed: 5, styleSelection: STYLE_SELECTION_V5 });
    const algorithm = "hash18-w12s-case-c345ws-tfidf-ovr-l2svm-dcd-bal-nbsvm2bin20-style-5";
    const v5 = deserializeModel(serializeModel({ ...model, algorithm }));
    expect(v5.algorithm).toBe(algorithm);
    expect(v5.features).toEqual(MULTI_LABEL_FEATURES);
    expect(v5.style).toEqual(model.style);
    expect(v5.dims).toBe((1 << 18) + STYLE_DIMS);
    for (const ex of brown.slice(0, 12)) expect(predict(v5, ex.text)).toEqual(predict(model, ex.text));
  });

  it("weights presence (binary tf) and leaves vectors unnormalised when asked", () => {
    const text = "win win win a FREE cruise, win now";
    const binary = { ...DEFAULT_FEATURES, tf: "binary" as const, norm: "none" as const };
    const ones = new Float32Array(featureDims(binary)).fill(1);
    const x = weightInPlace(countFeatures(text, binary), ones, binary);
    expect(x.value.every((v) => v === 1)).toBe(true);
    const sublinear = weightInPlace(countFeatures(text, { ...binary, tf: "sublinear" }), ones, { ...binary, tf: "sublinear" });
    expect(Math.max(...sublinear.value)).toBeCloseTo(1 + Math.log(4), 5); // "win" ×4, unnormalised
  });

  it("normalises the word and character blocks separately when asked", () => {
    const config = { ...DEFAULT_FEATURES, norm: "blocks" as const };
    const counted = countFeatures("Win a FREE cruise now!!! Reply today, win big.", config);
    expect(counted.split).toBeGreaterThan(0);
    expect(counted.split).toBeLessThan(counted.index.length);
    expect(Math.max(...counted.index.subarray(0, counted.split))).toBeLessThan(1 << config.hashBits);
    expect(Math.min(...counted.index.subarray(counted.split))).toBeGreaterThanOrEqual(1 << config.hashBits);
    const x = weightInPlace(counted, new Float32Array(featureDims(config)).fill(1), config);
    const sq = (from: number, to: number) => x.value.subarray(from, to).reduce((a, v) => a + v * v, 0);
    expect(sq(0, x.split)).toBeCloseTo(1, 5);
    expect(sq(x.split, x.index.length)).toBeCloseTo(1, 5);
  });

  it("returns a null label with a reason for empty or near-empty text", () => {
    const { model } = trainClassifier(spamSubset.slice(0, 40).concat(spamSubset.slice(-40)), { seed: 5 });
    expect(predict(model, "")).toMatchObject({ label: null, confidence: 0, scores: [], reason: "The document has no text to classify." });
    expect(predict(model, "  hello  there ").reason).toMatch(/only 2 words/);
  });

  it("rejects fewer than 2 labels and labels with too few examples", () => {
    expect(() => trainClassifier([{ text: "a b c", label: "x" }, { text: "d e f", label: "x" }])).toThrow(/at least 2 labels/);
    expect(() =>
      trainClassifier([
        { text: "a b c", label: "x" },
        { text: "d e f", label: "x" },
        { text: "g h i", label: "y" },
      ]),
    ).toThrow(/at least 2 examples per label; too few for: y/);
    expect(() => trainClassifier([], {})).toThrow(/at least 2 labels/);
  });
});

describe("extractFeatures", () => {
  it("describes a document", () => {
    const text = "Solar panels convert sunlight into electricity. Solar farms are growing fast, and solar power is cheap.";
    const f = extractFeatures({ text, pages: [text] });
    expect(f.words).toBe(16);
    expect(f.sentences).toBe(2);
    expect(f.pages).toBe(1);
    expect(f.characters).toBe(text.length);
    expect(f.language.code).toBe("eng");
    expect(f.topKeywords[0]).toEqual({ term: "solar", count: 3 });
  });

  it("leaves numbers, dates and times out of the keywords (an e-mail's Date line), keeps words with a digit", () => {
    const text = "Date: 2026-11-24T08:00:00.000Z\n\nThe mp3 player and the mp3 files: 2026 figures, 2026 plans, 000z.";
    const terms = extractFeatures({ text, pages: [text] }).topKeywords.map((k) => k.term);
    expect(terms).toContain("mp3");
    expect(terms.some((t) => /\d{3}/.test(t))).toBe(false);
  });

  it("returns und for short text", () => {
    expect(extractFeatures({ text: "Hi there", pages: ["Hi there"] }).language).toEqual({ code: "und", confidence: 0 });
  });
});

describe("full SpamAssassin", () => {
  it("reaches at least 0.97 held-out accuracy", async () => {
    const examples = (await DEFAULT_CORPORA.spam.load());
    const { metrics } = trainClassifier(examples, { seed: 42 });
    console.log(
      `SpamAssassin: accuracy=${metrics.accuracy} macroF1=${metrics.macroF1} train=${metrics.trainSize} test=${metrics.testSize} trainMs=${metrics.trainMs}`,
    );
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.97);
  });
});
