/**
 * Password hashes with scrypt (node:crypto). Stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so parameters can be raised later.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const KEY_LENGTH = 64;
const DEFAULTS = { N: 16384, r: 8, p: 1 };

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
	return new Promise((resolvePromise, reject) => {
		scrypt(
			password.normalize("NFKC"),
			salt,
			KEY_LENGTH,
			{ ...options, maxmem: 64 * 1024 * 1024 },
			(error, key) => (error ? reject(error) : resolvePromise(key)),
		);
	});
}

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(password, salt, DEFAULTS);
	const { N, r, p } = DEFAULTS;
	return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Constant-time check; false for a malformed hash rather than an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, hash] = stored.split("$");
	if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
	const expected = Buffer.from(hash, "base64");
	let key: Buffer;
	try {
		key = await derive(password, Buffer.from(salt, "base64"), {
			N: Number(n),
			r: Number(r),
			p: Number(p),
		});
	} catch {
		// Parameters node:crypto refuses (not numbers, N not a power of two, over maxmem).
		return false;
	}
	return key.length === expected.length && timingSafeEqual(key, expected);
}
