import assert from "node:assert/strict";
import { corsHeadersFor, OriginPolicy } from "./origin_policy.ts";

Deno.test("OriginPolicy.check() lets requests without Origin in, null per allowNullOrigin, others by pattern", () => {
  const p = new OriginPolicy({
    allowedOrigins: ["https://app.example.com", "https://*.example.org", "http://localhost:*"],
    allowNullOrigin: false,
  });
  assert.ok(p.check(null).ok);
  assert.ok(!p.check("null").ok);
  assert.ok(p.check("https://app.example.com").ok);
  assert.ok(p.check("HTTPS://APP.EXAMPLE.COM").ok);
  assert.ok(p.check("https://a.b.example.org").ok);
  assert.ok(p.check("http://localhost:8080").ok);
  for (
    const evil of ["http://evil.example", "https://app.example.com.evil", "https://example.org"]
  ) {
    const v = p.check(evil);
    assert.ok(!v.ok, evil);
    if (!v.ok) assert.match(v.reason, /not allowed/);
  }
  // Regex characters in patterns are literal.
  assert.ok(!new OriginPolicy({ allowedOrigins: ["https://a.b"] }).check("https://axb").ok);
});

Deno.test("corsHeadersFor(): credentials only for an explicitly allowed origin, never for the catch-all", () => {
  const req = (origin: string) => new Request("http://x/", { headers: { origin } });
  const any = corsHeadersFor(req("https://evil.example"));
  assert.equal(any.get("access-control-allow-origin"), "https://evil.example");
  assert.equal(any.get("access-control-allow-credentials"), null);
  const listed = new OriginPolicy({ allowedOrigins: ["https://app.example.com"] });
  const ok = corsHeadersFor(req("https://app.example.com"), listed);
  assert.equal(ok.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(ok.get("access-control-allow-credentials"), "true");
  assert.equal(ok.get("vary"), "origin");
  const refused = corsHeadersFor(req("https://evil.example"), listed);
  assert.equal(refused.get("access-control-allow-origin"), null);
  const mixed = new OriginPolicy({ allowedOrigins: ["*", "https://app.example.com"] });
  assert.equal(
    corsHeadersFor(req("https://app.example.com"), mixed).get("access-control-allow-credentials"),
    "true",
  );
  assert.equal(
    corsHeadersFor(req("https://other.example"), mixed).get("access-control-allow-credentials"),
    null,
  );
});
