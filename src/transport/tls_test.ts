import assert from "node:assert/strict";
import type { Peer, SessionHandle } from "../router/peer.ts";
import { loadTlsCredentials, TlsConfigError } from "./tls.ts";
import { serveRawSocket } from "./rawsocket_server.ts";
import { makeTestCertificate } from "./rawsocket_test_kit.ts";

async function withCert(
  fn: (dir: string, cert: Awaited<ReturnType<typeof makeTestCertificate>>) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "xbar-tls-" });
  try {
    await fn(dir, await makeTestCertificate(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadTlsCredentials() reads key and certificate relative to baseDir", async () => {
  await withCert(async (dir, cert) => {
    const creds = await loadTlsCredentials({ key: "server.key", certificate: "server.crt" }, {
      baseDir: dir,
    });
    assert.match(creds.key, /-----BEGIN PRIVATE KEY-----/);
    assert.equal(creds.cert.trim(), cert.certPem.trim());
  });
});

Deno.test("loadTlsCredentials() appends chain certificates after the certificate, and takes inline PEM", async () => {
  await withCert(async (dir, cert) => {
    const key = await Deno.readTextFile(cert.keyPath);
    const creds = await loadTlsCredentials({
      key,
      certificate: cert.certPem,
      chainCertificates: ["server.crt"],
    }, { baseDir: dir });
    assert.equal(creds.cert.match(/BEGIN CERTIFICATE/g)?.length, 2);
  });
});

Deno.test("loadTlsCredentials() names the missing key file", async () => {
  await withCert(async (dir) => {
    await assert.rejects(
      loadTlsCredentials({ key: "missing.key", certificate: "server.crt" }, { baseDir: dir }),
      (e) =>
        e instanceof TlsConfigError &&
        e.message === `TLS key "${dir}/missing.key": cannot read: file not found`,
    );
  });
});

Deno.test("loadTlsCredentials() names a file that holds no PEM certificate or key", async () => {
  await withCert(async (dir) => {
    await Deno.writeTextFile(`${dir}/junk.pem`, "hello");
    await assert.rejects(
      loadTlsCredentials({ key: "server.key", certificate: "junk.pem" }, { baseDir: dir }),
      new RegExp(`TLS certificate "${dir}/junk.pem": no PEM certificate found`),
    );
    await assert.rejects(
      loadTlsCredentials({ key: "server.crt", certificate: "server.crt" }, { baseDir: dir }),
      new RegExp(`TLS key "${dir}/server.crt": no PEM private key found`),
    );
  });
});

Deno.test({
  name: "loadTlsCredentials() names an unreadable key file",
  ignore: Deno.uid() === 0, // root reads everything
}, async () => {
  await withCert(async (_dir, cert) => {
    await Deno.chmod(cert.keyPath, 0o000);
    await assert.rejects(
      loadTlsCredentials({ key: cert.keyPath, certificate: cert.certPath }),
      new RegExp(`TLS key "${cert.keyPath}": cannot read: permission denied`),
    );
  });
});

/** Starts a RawSocket TLS listener on 127.0.0.1 (port 0) whose sessions do nothing. */
function serveTls(dir: string, tls: { key: string; certificate: string }) {
  const acceptor = {
    attach: (_p: Peer): SessionHandle => ({
      receive() {},
      protocolViolation() {},
      overflow() {},
      closed() {},
    }),
  };
  return serveRawSocket(acceptor, {
    endpoint: { type: "tcp", hostname: "127.0.0.1", port: 0, tls },
    baseDir: dir,
  });
}

Deno.test("serveRawSocket() with TLS fails at start naming a missing certificate file", async () => {
  await withCert(async (dir) => {
    await assert.rejects(
      serveTls(dir, { key: "server.key", certificate: "nope.crt" }),
      new RegExp(`TLS certificate "${dir}/nope.crt": cannot read: file not found`),
    );
  });
});

Deno.test("serveRawSocket() with TLS rejects a key that does not match the certificate, naming both", async () => {
  await withCert(async (dir) => {
    const other = await Deno.makeTempDir({ dir });
    await makeTestCertificate(other);
    await assert.rejects(
      serveTls(dir, { key: `${other}/server.key`, certificate: "server.crt" }),
      new RegExp(
        `TLS key "${other}/server.key" / certificate "${dir}/server.crt": not usable: .*KeyMismatch`,
      ),
    );
  });
});
