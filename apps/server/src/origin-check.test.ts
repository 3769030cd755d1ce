import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { checkCookieRequest, createOriginPolicy } from "./origin-check.ts";

describe("origin policy", () => {
	const policy = createOriginPolicy(["https://switchboard.example", "http://localhost:5173/"]);

	it("allows no Origin (not a cross-origin browser request), the own host and listed origins", () => {
		expect(policy.allows(undefined, "app.internal:8080")).toBe(true);
		expect(policy.allows("http://app.internal:8080", "app.internal:8080")).toBe(true);
		// TLS may end at a proxy: the own host counts whatever the scheme.
		expect(policy.allows("https://app.internal:8080", "app.internal:8080")).toBe(true);
		expect(policy.allows("https://switchboard.example", "app.internal:8080")).toBe(true);
		expect(policy.allows("http://localhost:5173", "localhost:8080")).toBe(true);
	});

	it("refuses other origins, null and anything that is not an origin", () => {
		for (const origin of [
			"https://evil.example",
			"https://switchboard.example.evil.example",
			"http://switchboard.example",
			"null",
			"file://",
			"javascript:alert(1)",
			"not a url",
		]) {
			expect(policy.allows(origin, "app.internal:8080"), origin).toBe(false);
		}
	});

	it("asks cookie-authenticated writes for the CSRF header, reads not", () => {
		const request = { origin: undefined, host: "h", csrf: undefined };
		expect(() => checkCookieRequest(policy, { ...request, method: "GET" })).not.toThrow();
		expect(() => checkCookieRequest(policy, { ...request, method: "POST" })).toThrow(/csrf/i);
		expect(() =>
			checkCookieRequest(policy, { ...request, method: "DELETE", csrf: "1" }),
		).not.toThrow();
		expect(() =>
			checkCookieRequest(policy, { ...request, method: "GET", origin: "https://evil.example" }),
		).toThrow(/may not use this session/);
	});
});

describe("ALLOWED_ORIGINS", () => {
	it("is a comma-separated list of origins, empty by default, and names bad entries", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "switchboard-origins-"));
		try {
			expect((await loadConfig({ DATA_DIR: dataDir })).allowedOrigins).toEqual([]);
			expect(
				(
					await loadConfig({
						DATA_DIR: dataDir,
						ALLOWED_ORIGINS: "https://a.example, http://localhost:5173",
					})
				).allowedOrigins,
			).toEqual(["https://a.example", "http://localhost:5173"]);
			await expect(
				loadConfig({ DATA_DIR: dataDir, ALLOWED_ORIGINS: "https://a.example/path" }),
			).rejects.toThrow(/ALLOWED_ORIGINS/);
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});
