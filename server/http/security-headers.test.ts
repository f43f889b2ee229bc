import { describe, expect, it } from "vitest";
import nextConfig from "~/next.config";

// The headers Next.js sends with every page and route (next.config.ts `headers()`).
describe("security headers", () => {
  it("every path gets a Content-Security-Policy that allows only this origin (finding 10)", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    const csp = all?.headers.find((h) => h.key === "Content-Security-Policy")?.value ?? "";
    const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives).toMatchObject({
      "default-src": ["'self'"],
      "img-src": ["'self'", "data:", "blob:"],
      "connect-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
    expect(directives["script-src"]).not.toContain("*");
    expect(directives["script-src"]).not.toContain("'unsafe-eval'");
  });
});
