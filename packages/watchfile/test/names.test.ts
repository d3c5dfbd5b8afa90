import { describe, expect, it } from "vitest";
import { safeBuilderFileName, watchFileNameFor } from "@autowatch/watchfile/text";

describe("safeBuilderFileName", () => {
  it("keeps plain names", () => {
    expect(watchFileNameFor("odoo-10.0")).toBe("odoo-10.0.json");
    expect(safeBuilderFileName("A_b-9.x")).toBe("A_b-9.x");
  });
  it("encodes names that could escape or hide", () => {
    expect(safeBuilderFileName("../etc/passwd")).toBe("%2E.%2Fetc%2Fpasswd");
    expect(safeBuilderFileName(".hidden")).toBe("%2Ehidden");
    expect(safeBuilderFileName("a b")).toBe("a%20b");
    expect(safeBuilderFileName("")).toBe("%");
  });
  it("is collision-free between kept and encoded names", () => {
    const names = ["a b", "a%20b", "a_b", "a/b", "a%2Fb", ".x", "%2Ex", "é", "%C3%A9"];
    const mapped = new Set(names.map(safeBuilderFileName));
    expect(mapped.size).toBe(names.length);
  });
  it("bounds the length with a hash suffix", () => {
    const long = "x".repeat(300);
    const other = `${"x".repeat(299)}y`;
    expect(Buffer.byteLength(safeBuilderFileName(long))).toBeLessThanOrEqual(200);
    expect(safeBuilderFileName(long)).not.toBe(safeBuilderFileName(other));
  });
});
