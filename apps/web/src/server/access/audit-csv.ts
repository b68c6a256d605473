import type { AuditRowView } from "@docgate/db";

const COLUMNS = ["id", "at", "actorType", "actorId", "action", "target", "ip", "userAgent", "metadata", "hash"] as const;

/** RFC 4180 CSV. Cells that a spreadsheet would run as a formula are prefixed with `'`. */
export function auditCsv(rows: AuditRowView[]): string {
  const lines = [COLUMNS.join(",")];
  for (const row of rows) {
    lines.push(COLUMNS.map((c) => cell(c === "metadata" ? JSON.stringify(row.metadata) : c === "at" ? row.at.toISOString() : row[c])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function cell(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
