// Pure pieces of access control: the signature format and the CSV export.
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalRequest, signRequest } from "~/server/access/signing";
import { auditCsv } from "~/server/access/audit-csv";

describe("request signatures", () => {
  it("are v1= HMAC-SHA256 over method, path with query, timestamp and the body's SHA-256", () => {
    const body = '{"name":"ci"}';
    const canonical = `POST\n/api/v1/api-keys?x=1\n1700000000\n${createHash("sha256").update(body).digest("hex")}`;
    expect(canonicalRequest({ method: "post", path: "/api/v1/api-keys?x=1", timestamp: "1700000000", bodySha256: createHash("sha256").update(body).digest("hex") })).toBe(canonical);
    expect(signRequest("dgs_secret", { method: "POST", path: "/api/v1/api-keys?x=1", timestamp: "1700000000", body }))
      .toBe(`v1=${createHmac("sha256", "dgs_secret").update(canonical).digest("hex")}`);
    // An empty body signs the SHA-256 of nothing.
    expect(signRequest("k", { method: "GET", path: "/p", timestamp: "1" })).toBe(signRequest("k", { method: "GET", path: "/p", timestamp: "1", body: "" }));
  });
});

describe("audit CSV", () => {
  it("quotes separators and defuses spreadsheet formulas", () => {
    const csv = auditCsv([{
      id: "7", at: new Date("2026-01-02T03:04:05.000Z"), actorType: "user", actorId: "u1", action: "user.create",
      target: "=HYPERLINK(\"http://evil\")", ip: "10.0.0.1", userAgent: "curl, 8", metadata: { note: "a\nb" }, hash: "abc",
    }]);
    const [header, row] = csv.split("\r\n");
    expect(header).toBe("id,at,actorType,actorId,action,target,ip,userAgent,metadata,hash");
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).toContain(`"curl, 8"`);
    expect(row).toContain("2026-01-02T03:04:05.000Z");
    expect(csv).toContain(`"{""note"":""a\\nb""}"`);
  });
});
