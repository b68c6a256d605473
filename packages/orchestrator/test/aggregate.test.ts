import { describe, expect, it } from "vitest";
import { aggregateStatus } from "../src/aggregate";

describe("aggregateStatus", () => {
  it("is succeeded only when every service succeeded", () => {
    expect(aggregateStatus(["succeeded", "succeeded"])).toBe("succeeded");
  });
  it("is partial when some services succeeded and some did not", () => {
    expect(aggregateStatus(["succeeded", "failed"])).toBe("partial");
    expect(aggregateStatus(["cancelled", "succeeded"])).toBe("partial");
  });
  it("is failed when nothing succeeded", () => {
    expect(aggregateStatus(["failed", "failed"])).toBe("failed");
    expect(aggregateStatus(["failed", "cancelled"])).toBe("failed");
    expect(aggregateStatus([])).toBe("failed");
  });
  it("is cancelled when every task was cancelled", () => {
    expect(aggregateStatus(["cancelled", "cancelled"])).toBe("cancelled");
  });
});
