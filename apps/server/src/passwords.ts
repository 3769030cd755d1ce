/**
 * Password hashes with scrypt (node:crypto). Stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, so a hash says how it was made: one made with
 * older parameters still verifies, and is replaced on the member's next sign-in.
 *
 * Every hash costs 128·N·r bytes of memory and a few hundred milliseconds of a core, so
 * the server computes them through a {@link PasswordHasher}: a few at a time, a short queue,
 * and a refusal beyond it (40 concurrent wrong guesses used to slow a genuine sign-in to
 * 5–16 s).
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { AppError } from "@switchboard/domain";
import pLimit, { type LimitFunction } from "p-limit";

const KEY_LENGTH = 64;

/** scrypt's cost parameters. */
export interface ScryptParameters {
	N: number;
	r: number;
	p: number;
}

/**
 * The parameters new hashes are made with: OWASP's recommendation for scrypt (Password
 * Storage Cheat Sheet: N=2^17, r=8, p=1), 128 MiB and about 0.3 s per hash on one core.
 * Hashes with other parameters are rehashed on sign-in (see `needsRehash`).
 */
export const SCRYPT_PARAMETERS: ScryptParameters = { N: 2 ** 17, r: 8, p: 1 };

/**
 * What hashes were made with before OWASP's parameters (N=2^14: 16 MiB, a tenth of the
 * time). They still verify, and are rehashed on sign-in. Tests whose subject is not the
 * hashing make theirs with them (`StartOptions.passwordHashing`).
 */
export const OLDER_SCRYPT_PARAMETERS: ScryptParameters = { N: 2 ** 14, r: 8, p: 1 };

/**
 * scrypt's memory ceiling. node:crypto's default (32 MiB) refuses N=2^17, r=8, which needs
 * 128·N·r = 128 MiB; twice that leaves room without admitting an absurd stored hash.
 */
const MAX_MEMORY = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
	return new Promise((resolvePromise, reject) => {
		scrypt(
			password.normalize("NFKC"),
			salt,
			KEY_LENGTH,
			{ ...options, maxmem: MAX_MEMORY },
			(error, key) => (error ? reject(error) : resolvePromise(key)),
		);
	});
}

/** A new salted hash of `password`, with `parameters` (tests make old-style hashes). */
export async function hashPassword(
	password: string,
	parameters: ScryptParameters = SCRYPT_PARAMETERS,
): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(password, salt, parameters);
	const { N, r, p } = parameters;
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

/** True when `stored` was made with other parameters than new hashes are. */
export function needsRehash(
	stored: string,
	parameters: ScryptParameters = SCRYPT_PARAMETERS,
): boolean {
	const [, n, r, p] = stored.split("$");
	const { N, r: R, p: P } = parameters;
	return Number(n) !== N || Number(r) !== R || Number(p) !== P;
}

/** How many password hashes the server computes at once, and how many may wait. */
export interface HashingLimits {
	/**
	 * Hashes computed at once. Each holds 128 MiB and a libuv thread (4 by default, shared
	 * with file and DNS work). @default 2
	 */
	concurrency: number;
	/**
	 * Hashes waiting for a turn; one more is refused with 503 and Retry-After instead of
	 * queueing scrypt work nobody will wait for. @default 8 (about 1.5 s of waiting)
	 */
	queue: number;
}

export const defaultHashingLimits: HashingLimits = { concurrency: 2, queue: 8 };

/** Seconds a refused sign-in is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/** scrypt behind a bounded queue (see the file's comment). */
export class PasswordHasher {
	readonly #limit: LimitFunction;
	readonly #queue: number;
	readonly #parameters: ScryptParameters;
	/** Compared against when an email is unknown, so a sign-in takes as long either way. */
	#decoy: Promise<string> | undefined;

	constructor(
		limits: HashingLimits = defaultHashingLimits,
		/**
		 * What new hashes are made with, and what older ones are rehashed to. Tests whose
		 * subject is not the hashing pass cheaper ones.
		 * @default SCRYPT_PARAMETERS
		 */
		parameters: ScryptParameters = SCRYPT_PARAMETERS,
	) {
		this.#limit = pLimit(limits.concurrency);
		this.#queue = limits.queue;
		this.#parameters = parameters;
	}

	/** The refusal of a full queue, or null when a hash can wait for its turn. */
	#refusal(): AppError | null {
		// Counted together: p-limit starts a queued task a microtask later, so in a burst the
		// running ones still show as pending.
		const taken = this.#limit.activeCount + this.#limit.pendingCount;
		if (taken < this.#limit.concurrency + this.#queue) return null;
		return new AppError(
			"unavailable",
			"Too many sign-ins are being checked at once; try again in a moment.",
			{ retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
		);
	}

	#run<T>(work: () => Promise<T>): Promise<T> {
		const refusal = this.#refusal();
		return refusal ? Promise.reject(refusal) : this.#limit(work);
	}

	/**
	 * Throw the busy refusal now if the queue is full, before a caller does anything else
	 * for a hash it would not get: in a burst of sign-ins most attempts are refused, and
	 * each would otherwise cost its rate-limit counts and member lookup first.
	 */
	refuseIfFull(): void {
		const refusal = this.#refusal();
		if (refusal) throw refusal;
	}

	hash(password: string): Promise<string> {
		return this.#run(() => hashPassword(password, this.#parameters));
	}

	/** True when `stored` was made with other parameters than this hasher makes. */
	needsRehash(stored: string): boolean {
		return needsRehash(stored, this.#parameters);
	}

	/** Check `password` against `stored`, or against a decoy hash when there is none. */
	async verify(password: string, stored: string | undefined): Promise<boolean> {
		if (stored === undefined) {
			// Made on the first unknown email rather than at start: every start would pay it.
			this.#decoy ??= this.#limit(() =>
				hashPassword("decoy password that matches nothing", this.#parameters),
			);
			const decoy = await this.#decoy;
			await this.#run(() => verifyPassword(password, decoy));
			return false;
		}
		return this.#run(() => verifyPassword(password, stored));
	}
}
