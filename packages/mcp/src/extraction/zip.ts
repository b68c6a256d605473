import { createInflateRaw, inflateRawSync } from "node:zlib";

/** One entry of a zip central directory. */
export type ZipEntry = {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
};

/**
 * Reads a zip's central directory (no decompression). Returns null when the bytes are not
 * a readable zip. Enough to check a DOCX's structure and its declared decompressed size
 * (zip-bomb guard) without unpacking it.
 */
export function readZipDirectory(bytes: Uint8Array): ZipEntry[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50, at most 65535 + 22 bytes from the end.
  const min = Math.max(0, bytes.length - 65_557);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= min; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset + size > bytes.length) return null;
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) return null;
    const nameLen = view.getUint16(offset + 28, true);
    const extraLen = view.getUint16(offset + 30, true);
    const commentLen = view.getUint16(offset + 32, true);
    if (offset + 46 + nameLen > bytes.length) return null;
    entries.push({
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
      name: decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLen)),
    });
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Decompresses one (small) entry; null when it cannot be read. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes = 5_000_000): Uint8Array | null {
  if (entry.uncompressedSize > maxBytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) return null;
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  try {
    if (entry.method === 0) return data;
    if (entry.method === 8) return new Uint8Array(inflateRawSync(data, { maxOutputLength: maxBytes }));
  } catch {
    return null;
  }
  return null;
}

/** Where an entry's compressed bytes are, or null when the local header is broken. */
function entryData(bytes: Uint8Array, entry: ZipEntry): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== 0x04034b50) return null;
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * The real decompressed size of all entries, counted while inflating (nothing is kept), or
 * null as soon as it passes `budget`. Declared sizes can lie; this cannot, and it stops a
 * zip bomb after `budget` bytes of work instead of unpacking it.
 */
export async function inflatedSizeWithin(bytes: Uint8Array, entries: ZipEntry[], budget: number): Promise<number | null> {
  let total = 0;
  for (const entry of entries) {
    const data = entryData(bytes, entry);
    if (!data) return null;
    if (entry.method === 0) {
      total += data.length;
    } else if (entry.method === 8) {
      const size = await countInflated(data, budget - total);
      if (size === null) return null;
      total += size;
    } else {
      return null;
    }
    if (total > budget) return null;
  }
  return total;
}

function countInflated(data: Uint8Array, budget: number): Promise<number | null> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    let size = 0;
    let done = false;
    const finish = (value: number | null) => {
      if (done) return;
      done = true;
      inflate.destroy();
      resolve(value);
    };
    inflate.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > budget) finish(null);
    });
    inflate.on("end", () => finish(size));
    inflate.on("error", () => finish(null));
    inflate.end(data);
  });
}
