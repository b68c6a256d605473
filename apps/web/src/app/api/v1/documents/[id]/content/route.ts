import { serverContext } from "~/server/context";
import { ApiError, handle } from "~/server/errors";
import { asSeenBy, mayReadDocument } from "~/server/mcp/documents";
import { authenticate } from "~/server/principal";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The stored bytes of a document, for result review (the console shows PDFs inline) and for
 * clients that want their original back. Same visibility as the MCP document resources.
 */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  const { id } = await params;
  if (!(await mayReadDocument(principal, id))) throw new ApiError(404, "document_not_found", "There is no document with this id.");
  const doc = await serverContext().db.document.findUnique({ where: { id }, select: { bytes: true, mimeType: true, filename: true } });
  if (!doc) throw new ApiError(404, "document_not_found", "There is no document with this id.");
  // The name this caller sent it under, not the first sender's (the row is shared by sha256).
  const filename = (await asSeenBy(principal, [id])).get(id)?.filename ?? doc.filename;
  const inline = doc.mimeType === "application/pdf";
  return new Response(doc.bytes, {
    headers: {
      "Content-Type": doc.mimeType,
      "Content-Length": String(doc.bytes.byteLength),
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "Cache-Control": "private, max-age=300",
      // Only PDFs are shown inline, and only inside our own pages; never run as HTML.
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'; sandbox",
      "X-Frame-Options": "SAMEORIGIN",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
