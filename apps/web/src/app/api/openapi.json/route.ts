import { openApiDocument } from "~/server/openapi";

export const runtime = "nodejs";

export function GET() {
  return Response.json(openApiDocument());
}
