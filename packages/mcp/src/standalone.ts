import { readFile } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import { deserializeModel } from "./classification/serialize";
import { extractText } from "./extraction/extract";
import { sniffType } from "./extraction/sniff";
import { UnreadableDocumentError } from "./extraction/types";
import type { ActiveModel, DocumentSource, ModelSource } from "./types";

/**
 * File-backed stores for running the servers on their own (stdio / Streamable HTTP):
 * a document id is a file name inside `dir`; the bytes are sniffed and extracted on read.
 */
export function createFileDocumentSource(dir: string): DocumentSource {
  const root = resolve(dir);
  return {
    async getText(documentId) {
      const path = resolve(join(root, documentId));
      if (!path.startsWith(root + sep)) throw new Error(`Document ${documentId} is outside the document folder.`);
      const bytes = new Uint8Array(await readFile(path).catch(() => {
        throw new Error(`Document ${documentId} not found.`);
      }));
      const sniffed = await sniffType(bytes);
      if (!sniffed.ok) {
        throw new UnreadableDocumentError(
          sniffed.reason === "empty" ? `Document ${documentId} is empty.` : `Document ${documentId} has an unsupported type (${sniffed.detected ?? "unknown"}).`,
        );
      }
      return { ...(await extractText(bytes, sniffed.mimeType)), documentId };
    },
  };
}

/** Models as serialized files: `{ taxonomy: path }`; the first entry is the default taxonomy. */
export function createFileModelSource(files: Record<string, string>): ModelSource {
  const cache = new Map<string, Promise<ActiveModel>>();
  const taxonomies = Object.keys(files);
  return {
    getActiveModel(taxonomy) {
      const name = taxonomy ?? taxonomies[0];
      const path = name === undefined ? undefined : files[name];
      if (name === undefined || path === undefined) {
        return Promise.reject(new Error(`No model for taxonomy "${taxonomy ?? "(default)"}"; known: ${taxonomies.join(", ") || "none"}.`));
      }
      let hit = cache.get(name);
      if (!hit) {
        hit = readFile(path).then((buf) => ({
          id: basename(path),
          version: 1,
          taxonomy: name,
          model: deserializeModel(new Uint8Array(buf)),
        }));
        hit.catch(() => cache.delete(name));
        cache.set(name, hit);
      }
      return hit;
    },
  };
}
