import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.ts";

describe("passwords", () => {
	it("verifies the password a hash was made from", async () => {
		const hash = await hashPassword("correct horse battery staple");
		expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
		expect(hash).not.toContain("correct horse");
		await expect(verifyPassword("correct horse battery staple", hash)).resolves.toBe(true);
	});

	it("rejects any other password", async () => {
		const hash = await hashPassword("correct horse battery staple");
		await expect(verifyPassword("correct horse battery stapl", hash)).resolves.toBe(false);
		await expect(verifyPassword("Correct horse battery staple", hash)).resolves.toBe(false);
		await expect(verifyPassword("", hash)).resolves.toBe(false);
	});

	it("salts every hash, so equal passwords do not give equal hashes", async () => {
		const [first, second] = await Promise.all([hashPassword("same"), hashPassword("same")]);
		expect(first).not.toBe(second);
		await expect(verifyPassword("same", first)).resolves.toBe(true);
		await expect(verifyPassword("same", second)).resolves.toBe(true);
	});

	it("accepts the same password typed in another Unicode normal form", async () => {
		// "é" precomposed (NFC) and as "e" plus a combining accent (NFD) look the same.
		const hash = await hashPassword("caf\u00e9");
		await expect(verifyPassword("cafe\u0301", hash)).resolves.toBe(true);
	});

	it("answers false for a malformed stored hash instead of throwing", async () => {
		const [, n, r, p, salt, key] = (await hashPassword("secret")).split("$");
		const malformed = [
			"",
			"secret",
			"scrypt$$$$$",
			`bcrypt$${n}$${r}$${p}$${salt}$${key}`,
			`scrypt$${n}$${r}$${p}$${salt}`,
			`scrypt$abc$${r}$${p}$${salt}$${key}`,
			// N must be a power of two.
			`scrypt$1000$${r}$${p}$${salt}$${key}`,
			// Needs far more memory than the limit.
			`scrypt$${2 ** 30}$${r}$${p}$${salt}$${key}`,
			`scrypt$${n}$${r}$${p}$${salt}$AAAA`,
		];
		for (const stored of malformed) {
			await expect(verifyPassword("secret", stored), stored).resolves.toBe(false);
		}
	});
});
