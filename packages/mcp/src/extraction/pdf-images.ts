import { getResolvedPDFJS } from "unpdf";
import type { GrayImage } from "./ocr";

/** The pdf.js page as unpdf returns it (only what this module touches). */
type PdfPage = {
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[][] }>;
  objs: PdfObjects;
  commonObjs: PdfObjects;
};
type PdfObjects = { has(id: string): boolean; get(id: string, callback?: (value: unknown) => void): unknown };

/** pdf.js ImageKind: how a decoded image's bytes are laid out. */
const GRAYSCALE_1BPP = 1;
const RGB_24BPP = 2;
const RGBA_32BPP = 3;

/** Smaller pictures are logos or rules, not text worth reading. */
const MIN_SIDE = 32;
/** Tesseract's time grows with pixels; a 300 dpi A4 scan is ~8.7 MP. */
const MAX_PIXELS = 9_000_000;
const MAX_IMAGES_PER_PAGE = 8;

/**
 * The pictures a page paints, decoded by pdf.js and turned gray, in drawing order. This is
 * what a scanned page is: one (or a few strips of) image(s) and no text. Pages drawn with
 * vector paths only cannot be read this way (there is no canvas here to rasterise them).
 */
export async function pageImages(page: PdfPage): Promise<GrayImage[]> {
  const { OPS } = await getResolvedPDFJS();
  const ops = await page.getOperatorList();
  const images: GrayImage[] = [];
  for (let i = 0; i < ops.fnArray.length && images.length < MAX_IMAGES_PER_PAGE; i++) {
    const fn = ops.fnArray[i];
    const arg = ops.argsArray[i]?.[0];
    let raw: unknown;
    if (fn === OPS.paintImageXObject || fn === OPS.paintImageXObjectRepeat) {
      if (typeof arg !== "string") continue;
      raw = await resolveObject(arg.startsWith("g_") ? page.commonObjs : page.objs, arg);
    } else if (fn === OPS.paintInlineImageXObject) {
      raw = arg;
    } else {
      continue;
    }
    const gray = toGray(raw);
    if (gray && gray.width >= MIN_SIDE && gray.height >= MIN_SIDE) images.push(downscale(gray, MAX_PIXELS));
  }
  return images;
}

function resolveObject(objs: PdfObjects, id: string): Promise<unknown> {
  if (objs.has(id)) return Promise.resolve(objs.get(id));
  return new Promise((resolve) => objs.get(id, resolve));
}

/** Decoded pdf.js image data → 8-bit gray, or null for a layout this module does not know. */
export function toGray(raw: unknown): GrayImage | null {
  const img = raw as { width?: number; height?: number; kind?: number; data?: Uint8Array | Uint8ClampedArray } | null;
  if (!img?.data || !img.width || !img.height) return null;
  const { width, height, kind, data } = img;
  const out = new Uint8Array(width * height);
  if (kind === GRAYSCALE_1BPP) {
    // Rows are padded to whole bytes; a set bit is white.
    const rowBytes = Math.ceil(width / 8);
    if (data.length < rowBytes * height) return null;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out[y * width + x] = data[y * rowBytes + (x >> 3)]! & (0x80 >> (x & 7)) ? 255 : 0;
      }
    }
    return { width, height, data: out };
  }
  const channels = kind === RGB_24BPP ? 3 : kind === RGBA_32BPP ? 4 : 0;
  if (!channels || data.length < width * height * channels) return null;
  for (let p = 0, s = 0; p < out.length; p++, s += channels) {
    // ITU-R BT.601 luma; transparent pixels of RGBA count as white paper.
    const luma = 0.299 * data[s]! + 0.587 * data[s + 1]! + 0.114 * data[s + 2]!;
    out[p] = channels === 4 && data[s + 3]! < 128 ? 255 : Math.round(luma);
  }
  return { width, height, data: out };
}

/** Box-averages by a whole factor until the picture has at most `maxPixels`. */
export function downscale(image: GrayImage, maxPixels: number): GrayImage {
  const factor = Math.ceil(Math.sqrt((image.width * image.height) / maxPixels));
  if (factor <= 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Uint8Array(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * image.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx]!;
      }
      data[y * width + x] = Math.round(sum / area);
    }
  }
  return { width, height, data };
}
