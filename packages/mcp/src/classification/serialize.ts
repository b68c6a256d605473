import { LEGACY_FEATURES, featureDims, type FeatureConfig } from "./features";
import type { ClassifierModel } from "./model";

const MAGIC = [0x44, 0x47, 0x43, 0x4d]; // "DGCM"
const FORMAT_VERSION = 1;
/** Models of this algorithm were written before headers recorded their feature settings. */
const LEGACY_ALGORITHM = "hash18-w12s-case-c345-tfidf-ovr-l2svm-dcd-bal-1";

type Header = {
  formatVersion: number;
  algorithm: string;
  /** Absent in models of LEGACY_ALGORITHM. */
  features?: FeatureConfig;
  labels: string[];
  dims: number;
  hashBits: number;
  temperature: number;
  trainedAt: string;
  trainSize: number;
  /** Version 5 models with stylistic features: the C and weight of their SVM. */
  style?: { c: number; weight: number };
};

/**
 * Binary layout: "DGCM" | u32 header length | header JSON (UTF-8, padded to 4 bytes) |
 * idf f32[dims] | weights f32[labels × dims] | bias f32[labels]. Little-endian.
 */
export function serializeModel(model: ClassifierModel): Uint8Array {
  const header: Header = {
    formatVersion: FORMAT_VERSION,
    algorithm: model.algorithm,
    features: model.features,
    labels: model.labels,
    dims: model.dims,
    hashBits: model.hashBits,
    temperature: model.temperature,
    trainedAt: model.trainedAt,
    trainSize: model.trainSize,
    ...(model.style ? { style: model.style } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  const floats = model.idf.length + model.weights.length + model.bias.length;
  const out = new Uint8Array(8 + padded + floats * 4);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const arr of [model.idf, model.weights, model.bias]) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), at);
    at += arr.byteLength;
  }
  return out;
}

export function deserializeModel(bytes: Uint8Array): ClassifierModel {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("Not a Docgate classifier model (bad magic bytes).");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLen = view.getUint32(4, true);
  if (8 + jsonLen > bytes.length) throw new Error("Classifier model is truncated (header).");
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLen))) as Header;
  } catch {
    throw new Error("Classifier model header is not valid JSON.");
  }
  if (header.formatVersion !== FORMAT_VERSION) {
    throw new Error(`Unsupported classifier model format version ${header.formatVersion}.`);
  }
  const features = header.features ?? (header.algorithm === LEGACY_ALGORITHM ? LEGACY_FEATURES : undefined);
  if (!features) {
    throw new Error(`Classifier model of algorithm "${header.algorithm}" does not say how it featurises text; retrain it.`);
  }
  if (featureDims(features) !== header.dims) {
    throw new Error(`Classifier model header is inconsistent: ${header.dims} buckets for features that make ${featureDims(features)}.`);
  }
  const k = header.labels.length;
  const dims = header.dims;
  const start = 8 + Math.ceil(jsonLen / 4) * 4;
  const needed = (dims + k * dims + k) * 4;
  if (start + needed !== bytes.length) throw new Error("Classifier model is truncated or has trailing bytes.");
  // Copy into a fresh aligned buffer (the input may sit at any byte offset).
  const floats = new Float32Array(dims + k * dims + k);
  new Uint8Array(floats.buffer).set(bytes.subarray(start, start + needed));
  return {
    algorithm: header.algorithm,
    features,
    labels: header.labels,
    dims,
    hashBits: header.hashBits,
    temperature: header.temperature,
    trainedAt: header.trainedAt,
    trainSize: header.trainSize,
    ...(header.style ? { style: header.style } : {}),
    idf: floats.subarray(0, dims),
    weights: floats.subarray(dims, dims + k * dims),
    bias: floats.subarray(dims + k * dims),
  };
}
