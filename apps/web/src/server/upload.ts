import { Readable } from "node:stream";
import busboy from "busboy";
import { ApiError } from "./errors";

export type Upload = {
  file: { bytes: Uint8Array<ArrayBuffer>; filename: string } | null;
  fields: Map<string, string[]>;
};

const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 4_096;

/**
 * Streams a multipart body, holding at most `maxBytes` of the file: a larger upload is
 * refused with 413 as soon as the cap is crossed, without reading the rest.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Upload> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send the document as multipart/form-data with a `document` file field.");
  }
  if (!/boundary=/i.test(type)) throw new ApiError(400, "invalid_multipart", "The multipart Content-Type has no boundary.");
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  if (!request.body) throw new ApiError(400, "missing_document", "The request has no body.");

  return new Promise<Upload>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    let file: Upload["file"] = null;
    let settled = false;
    let parser: busboy.Busboy;
    const body = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      body.unpipe();
      body.destroy();
      reject(error);
    };
    const malformed = () => fail(new ApiError(400, "invalid_multipart", "The multipart body is malformed."));
    try {
      parser = busboy({
        headers: { "content-type": type },
        // Browsers send UTF-8 filenames; busboy's default would read them as latin1.
        defParamCharset: "utf8",
        limits: { files: 1, fileSize: maxBytes, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
      });
    } catch {
      throw new ApiError(400, "invalid_multipart", "The multipart body could not be parsed.");
    }
    parser.on("file", (name, stream, info) => {
      if (name !== "document" || file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on("limit", () => fail(tooLarge(maxBytes)));
      // busboy's own error (a body that ends inside the part), not one of ours: the upload's fault.
      stream.on("error", malformed);
      stream.on("end", () => {
        const bytes = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          bytes.set(chunk, offset);
          offset += chunk.length;
        }
        file = { bytes, filename: cleanFilename(info.filename) };
      });
    });
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(new ApiError(400, "invalid_field", `The field \`${name}\` is too long.`));
      const list = fields.get(name) ?? [];
      list.push(value);
      fields.set(name, list);
    });
    parser.on("fieldsLimit", () => fail(new ApiError(400, "too_many_fields", `At most ${MAX_FIELDS} form fields are accepted.`)));
    parser.on("partsLimit", () => fail(new ApiError(400, "too_many_fields", `At most ${MAX_FIELDS} form fields are accepted.`)));
    parser.on("filesLimit", () => fail(new ApiError(400, "too_many_files", "Send one document per request.")));
    parser.on("error", malformed);
    parser.on("close", () => {
      if (settled) return;
      settled = true;
      resolve({ file, fields });
    });
    body.on("error", () => fail(new ApiError(400, "invalid_multipart", "The upload was interrupted.")));
    body.pipe(parser);
  });
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, "document_too_large", `The document exceeds the ${maxBytes}-byte limit.`);
}

function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  // Control characters never belong in a filename we echo back.
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 255);
  return cleaned || "document";
}
