import { describe, expect, it } from "vitest";
import {
	hashPassword,
	needsRehash,
	OLDER_SCRYPT_PARAMETERS as OLD,
	PasswordHasher,
	SCRYPT_PARAMETERS,
	verifyPassword,
} from "./passwords.ts";

describe("passwords", () => {
	it("hashes at OWASP's scrypt parameters (N=2^17, r=8, p=1) and verifies the password", async () => {
		const hash = await hashPassword("correct horse battery staple");
		expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
		expect(hash).not.toContain("correct horse");
		await expect(verifyPassword("correct horse battery staple", hash)).resolves.toBe(true);
		await expect(verifyPassword("correct horse battery stapl", hash)).resolves.toBe(false);
		expect(needsRehash(hash)).toBe(false);
	});

	it("still verifies a hash made with older parameters, and says it needs a rehash", async () => {
		const old = await hashPassword("correct horse battery staple", OLD);
		expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
		await expect(verifyPassword("correct horse battery staple", old)).resolves.toBe(true);
		expect(needsRehash(old)).toBe(true);
		expect(SCRYPT_PARAMETERS).toEqual({ N: 131072, r: 8, p: 1 });
	});

	it("rejects any other password", async () => {
		const hash = await hashPassword("correct horse battery staple", OLD);
		await expect(verifyPassword("correct horse battery stapl", hash)).resolves.toBe(false);
		await expect(verifyPassword("Correct horse battery staple", hash)).resolves.toBe(false);
		await expect(verifyPassword("", hash)).resolves.toBe(false);
	});

	it("salts every hash, so equal passwords do not give equal hashes", async () => {
		const [first, second] = await Promise.all([
			hashPassword("same", OLD),
			hashPassword("same", OLD),
		]);
		expect(first).not.toBe(second);
		await expect(verifyPassword("same", first)).resolves.toBe(true);
		await expect(verifyPassword("same", second)).resolves.toBe(true);
	});

	it("accepts the same password typed in another Unicode normal form", async () => {
		// "é" precomposed (NFC) and as "e" plus a combining accent (NFD) look the same.
		const hash = await hashPassword("caf\u00e9", OLD);
		await expect(verifyPassword("cafe\u0301", hash)).resolves.toBe(true);
	});

	it("answers false for a malformed stored hash instead of throwing", async () => {
		const [, n, r, p, salt, key] = (await hashPassword("secret", OLD)).split("$");
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

describe("PasswordHasher", () => {
	it("computes a few hashes at once, queues a few, and refuses the rest with a retry time", async () => {
		const hasher = new PasswordHasher({ concurrency: 1, queue: 2 });
		const stored = await hashPassword("secret", OLD);
		const attempts = Array.from({ length: 6 }, () =>
			hasher.verify("guess", stored).then(
				(matches) => ({ matches }),
				(error: unknown) => ({ error }),
			),
		);
		const outcomes = await Promise.all(attempts);
		expect(outcomes.filter((outcome) => "matches" in outcome)).toHaveLength(3);
		const refused = outcomes.filter((outcome) => "error" in outcome);
		expect(refused).toHaveLength(3);
		expect(refused[0]).toMatchObject({
			error: { kind: "unavailable", details: { retryAfterSeconds: 1 } },
		});
		// Nothing left behind: the next one is computed.
		await expect(hasher.verify("secret", stored)).resolves.toBe(true);
	});

	it("refuses up front while its queue is full, and not once there is room", async () => {
		const hasher = new PasswordHasher({ concurrency: 1, queue: 1 });
		const stored = await hashPassword("secret", OLD);
		expect(() => hasher.refuseIfFull()).not.toThrow();
		const busy = [hasher.verify("guess", stored), hasher.verify("guess", stored)];
		expect(() => hasher.refuseIfFull()).toThrow(
			expect.objectContaining({ kind: "unavailable", details: { retryAfterSeconds: 1 } }),
		);
		await Promise.all(busy);
		expect(() => hasher.refuseIfFull()).not.toThrow();
	});
});
