import { brotliCompressSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { scratchSwitchboardForTests } from "./scratch-switchboard.ts";

const SECRET = "web-client-test-secret-web-client-test-secret";

/** A Content-Security-Policy header as directive → sources. */
function directives(header: string | null): Map<string, string[]> {
	const policy = new Map<string, string[]>();
	for (const part of (header ?? "").split(";")) {
		const [name, ...sources] = part.trim().split(/\s+/);
		if (name) policy.set(name, sources);
	}
	return policy;
}
const INDEX = "<!doctype html><title>Switchboard</title><div id=root></div>";
const ASSET = "console.log('app');";
/** A chunk of the build large enough to have compressed copies beside it (apps/web/precompress.ts). */
const CHUNK = "export const words = ['answer', 'your', 'public', 'together'];\n".repeat(200);

describe("web client", () => {
	const switchboard = scratchSwitchboardForTests(SECRET, {
		web: {
			"index.html": INDEX,
			"sw.js": "self.addEventListener('fetch', () => {});",
			"assets/index-3f2a1b.js": ASSET,
			"assets/workspace-9c8d7e.js": CHUNK,
			"assets/workspace-9c8d7e.js.br": brotliCompressSync(CHUNK),
			"assets/workspace-9c8d7e.js.gz": gzipSync(CHUNK),
			"index.html.gz": gzipSync(INDEX),
		},
	});

	const get = (path: string, init?: RequestInit) => fetch(`${switchboard.url}${path}`, init);

	it("serves index.html at / and at client routes, never cached without revalidation", async () => {
		for (const path of ["/", "/board/acme/main", "/m/some-mention", "/queue", "/login"]) {
			const response = await get(path);
			expect(response.status, path).toBe(200);
			expect(response.headers.get("content-type"), path).toMatch(/^text\/html/);
			expect(response.headers.get("cache-control"), path).toBe("no-cache");
			expect(await response.text(), path).toBe(INDEX);
		}
	});

	it("serves hashed assets with a long cache and the service worker with none", async () => {
		const asset = await get("/assets/index-3f2a1b.js");
		expect(asset.status).toBe(200);
		expect(asset.headers.get("content-type")).toMatch(/javascript/);
		expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
		expect(await asset.text()).toBe(ASSET);

		const worker = await get("/sw.js");
		expect(worker.status).toBe(200);
		expect(worker.headers.get("cache-control")).toBe("no-cache");
	});

	it("sends the build's compressed copy the browser accepts, and the file itself otherwise", async () => {
		for (const [accepted, encoding, copy] of [
			["gzip, deflate, br, zstd", "br", brotliCompressSync(CHUNK)],
			["gzip, deflate", "gzip", gzipSync(CHUNK)],
		] as const) {
			const response = await get("/assets/workspace-9c8d7e.js", {
				headers: { "accept-encoding": accepted },
			});
			expect(response.status, accepted).toBe(200);
			expect(response.headers.get("content-encoding"), accepted).toBe(encoding);
			expect(response.headers.get("content-length"), accepted).toBe(String(copy.byteLength));
			expect(response.headers.get("vary"), accepted).toBe("Accept-Encoding");
			expect(response.headers.get("content-type"), accepted).toMatch(/javascript/);
			expect(response.headers.get("cache-control"), accepted).toBe(
				"public, max-age=31536000, immutable",
			);
			// fetch decodes what it was sent: the file's own text.
			expect(await response.text(), accepted).toBe(CHUNK);
		}
		const plain = await get("/assets/workspace-9c8d7e.js", {
			headers: { "accept-encoding": "identity" },
		});
		expect(plain.headers.get("content-encoding")).toBeNull();
		// Still keyed on Accept-Encoding: a shared cache must not hand this copy to a browser
		// that accepts Brotli.
		expect(plain.headers.get("vary")).toBe("Accept-Encoding");
		expect(plain.headers.get("content-length")).toBe(String(Buffer.byteLength(CHUNK)));
		expect(await plain.text()).toBe(CHUNK);
		// The app's shell at a client route, too.
		const shell = await get("/m/some-mention", { headers: { "accept-encoding": "gzip" } });
		expect(shell.headers.get("content-encoding")).toBe("gzip");
		expect(shell.headers.get("cache-control")).toBe("no-cache");
		expect(await shell.text()).toBe(INDEX);
		// A file with no copy goes as it is, whatever is accepted.
		const small = await get("/assets/index-3f2a1b.js", { headers: { "accept-encoding": "br" } });
		expect(small.headers.get("content-encoding")).toBeNull();
		expect(await small.text()).toBe(ASSET);
	});

	it("answers a missing file with 404, not with the app shell", async () => {
		const response = await get("/assets/gone-123.js");
		expect(response.status).toBe(404);
		expect(response.headers.get("cache-control")).toBeNull();
		expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
	});

	it("keeps JSON errors for /api paths", async () => {
		const anonymous = await get("/api/nope");
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });

		const { storage, tokens } = switchboard;
		await storage.createOrganisation({ id: "acme", name: "Acme" });
		const member = await storage.createMember({
			orgId: "acme",
			email: "dana@acme.test",
			name: "Dana",
			role: "ambassador",
			capacity: 5,
			passwordHash: "unused",
		});
		const token = await tokens.sign({
			memberId: member.id,
			orgId: "acme",
			role: "ambassador",
			name: "Dana",
		});
		const signed = await get("/api/nope", { headers: { authorization: `Bearer ${token}` } });
		expect(signed.status).toBe(404);
		expect(await signed.json()).toEqual({
			error: { code: "not_found", message: "No route GET /api/nope." },
		});
	});

	it("sends the web client with a strict Content-Security-Policy and no framing (issue 15, row 8)", async () => {
		for (const path of ["/", "/m/some-mention", "/assets/index-3f2a1b.js", "/sw.js"]) {
			const response = await get(path);
			expect(response.status, path).toBe(200);
			const policy = directives(response.headers.get("content-security-policy"));
			expect(policy.get("script-src"), path).toEqual(["'self'"]);
			expect(policy.get("style-src"), path).toEqual(["'self'", "'unsafe-inline'"]);
			expect(policy.get("object-src"), path).toEqual(["'none'"]);
			expect(policy.get("base-uri"), path).toEqual(["'none'"]);
			expect(policy.get("frame-ancestors"), path).toEqual(["'none'"]);
			expect(policy.get("connect-src"), path).toEqual(["'self'"]);
			// No way around the policy: no inline script, nothing evaluated, no foreign host
			// (inline style only, see security-headers.ts).
			for (const [directive, sources] of policy) {
				if (directive === "style-src") continue;
				for (const source of sources) {
					expect(source, `${path} ${directive}`).not.toMatch(/unsafe|^\*$|^https?:$|^blob:$/);
				}
			}
			expect(response.headers.get("x-frame-options"), path).toBe("DENY");
			expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
			expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
			// Plain http: HSTS would be wrong here (PUBLIC_URL is not https).
			expect(response.headers.get("strict-transport-security"), path).toBeNull();
		}
	});

	it("sends the API's answers, errors included, with a policy that lets nothing load", async () => {
		for (const path of ["/api/health", "/api/nope", "/healthz", "/assets/gone-123.js"]) {
			const response = await get(path);
			expect(response.headers.get("content-security-policy"), path).toBe(
				"default-src 'none'; frame-ancestors 'none'",
			);
			expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
			expect(response.headers.get("x-frame-options"), path).toBe("DENY");
			expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
		}
		const tooLarge = await get("/api/auth/login", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: "x".repeat(64 * 1024),
		});
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.headers.get("x-content-type-options")).toBe("nosniff");
	});

	it("leaves health checks to the API", async () => {
		const response = await get("/healthz");
		expect(await response.json()).toEqual({ ok: true });
	});
});
