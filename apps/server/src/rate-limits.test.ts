/**
 * The edge's rate limits against the Hono app itself (no listener): sign-in throttling per
 * account and per address, requests per member and per address, the bounded password
 * hashing, and how the limits are read from the environment. Addresses are told apart by
 * `X-Forwarded-For` behind one trusted proxy, as a deployment behind a reverse proxy does.
 */
import { openStorage, type Storage } from "@switchboard/storage";
import { testTemplate } from "@switchboard/storage/test-template";
import {
	createLocalRevocationBus,
	createSessionService,
	createTokenService,
} from "@switchboard/sync";
import type { Hono } from "hono";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ApiEnv, createHttpApi } from "./http-api.ts";
import { hashPassword, OLDER_SCRYPT_PARAMETERS, PasswordHasher } from "./passwords.ts";
import {
	clientAddress,
	createRateLimiters,
	defaultRateLimits,
	type RateLimits,
	rateLimitsFromEnv,
	rateLimitsWith,
} from "./rate-limits.ts";

const PASSWORD = "correct horse battery staple";
/**
 * Old-style hashes (N=2^14) keep this file cheap: members are made with them, and the apps
 * hash with them too unless a test is about today's parameters (at those, each hash costs
 * 128 MiB and a few hundred ms, and every sign-in would rehash an old one).
 */
const CHEAP = OLDER_SCRYPT_PARAMETERS;
const logger = pino({ level: "silent" });

let storage: Storage;
let passwordHash: string;

beforeAll(async () => {
	storage = await openStorage({ template: await testTemplate() });
	passwordHash = await hashPassword(PASSWORD, CHEAP);
	await storage.createOrganisation({ id: "acme", name: "Acme" });
	await storage.createBoard({ id: "main", orgId: "acme", name: "Main" });
});
afterAll(async () => {
	await storage?.close();
});

let people = 0;
/** A new member of Acme, so every test counts from zero. */
async function newMember(): Promise<{ id: string; email: string }> {
	people += 1;
	const email = `person${people}@acme.test`;
	const member = await storage.createMember({
		orgId: "acme",
		email,
		name: `Person ${people}`,
		role: "ambassador",
		capacity: 2,
		passwordHash,
	});
	return { id: member.id, email };
}

/** The HTTP API with `limits`; its hasher makes CHEAP hashes unless one is given. */
function api(limits: Partial<RateLimits>, hasher?: PasswordHasher): Hono<ApiEnv> {
	const rateLimits = createRateLimiters({
		limits: rateLimitsWith({ trustedProxies: 1, ...limits }),
		logger,
	});
	return createHttpApi({
		storage,
		tokens: createSessionService({
			tokens: createTokenService({ secret: "rate-limit-test-secret-rate-limit-test" }),
			storage,
			bus: createLocalRevocationBus(),
		}),
		logger,
		rateLimits,
		hasher: hasher ?? new PasswordHasher(rateLimits.limits.hashing, CHEAP),
	});
}

async function login(
	app: Hono<ApiEnv>,
	from: string,
	email: string,
	password: string,
): Promise<Response> {
	return app.request("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json", "x-forwarded-for": from },
		body: JSON.stringify({ email, password }),
	});
}

async function get(
	app: Hono<ApiEnv>,
	path: string,
	from: string,
	token?: string,
): Promise<Response> {
	return app.request(path, {
		headers: { "x-forwarded-for": from, ...(token ? { authorization: `Bearer ${token}` } : {}) },
	});
}

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
	return (await Promise.all(responses)).map((response) => response.status);
}

describe("sign-in throttling", () => {
	it("refuses an account's guesses past the limit with 429 and Retry-After, from any address", async () => {
		// The window is long enough that hashing five guesses on a busy machine cannot outlast it;
		// its end is reached by moving the clock the limiter reads, not by waiting.
		const window = 600;
		const app = api({ loginPerAccount: { points: 3, seconds: window } });
		const dana = await newMember();
		const guesses = await statuses(
			[1, 2, 3, 4, 5].map((i) => login(app, `203.0.113.${i}`, dana.email, `guess ${i}`)),
		);
		expect(guesses.filter((status) => status === 401)).toHaveLength(3);
		expect(guesses.filter((status) => status === 429)).toHaveLength(2);

		// The right password is refused too while the window lasts, saying when to return...
		const refused = await login(app, "198.51.100.7", dana.email, PASSWORD);
		expect(refused.status).toBe(429);
		const retryAfter = Number(refused.headers.get("retry-after"));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(window);
		// The words say it too, for the person at the sign-in page: 600 s is "in 10 minutes".
		expect(await refused.json()).toMatchObject({
			error: {
				code: "rate_limited",
				message: `Too many failed sign-ins for this account; try again in ${Math.ceil(retryAfter / 60)} minutes.`,
			},
		});
		// ...and signs in once it has passed: the refused attempts did not lengthen it.
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + retryAfter * 1000 + 1000 });
		try {
			expect((await login(app, "198.51.100.7", dana.email, PASSWORD)).status).toBe(200);
		} finally {
			vi.useRealTimers();
		}
		// Another account was never held back.
		const sam = await newMember();
		expect((await login(app, "203.0.113.1", sam.email, PASSWORD)).status).toBe(200);
	});

	it("forgets an account's failures when it signs in", async () => {
		const app = api({ loginPerAccount: { points: 3, seconds: 600 } });
		const dana = await newMember();
		for (const guess of ["a", "b"]) {
			expect((await login(app, "203.0.113.9", dana.email, guess)).status).toBe(401);
		}
		expect((await login(app, "203.0.113.9", dana.email, PASSWORD)).status).toBe(200);
		for (const guess of ["c", "d", "e"]) {
			expect((await login(app, "203.0.113.9", dana.email, guess)).status).toBe(401);
		}
		expect((await login(app, "203.0.113.9", dana.email, "f")).status).toBe(429);
	});

	it("refuses one address guessing many accounts, not another address", async () => {
		const app = api({ loginPerIp: { points: 4, seconds: 600 } });
		const targets = await Promise.all([1, 2, 3, 4, 5].map(() => newMember()));
		const answers = [];
		for (const target of targets) answers.push(await login(app, "192.0.2.66", target.email, "x"));
		expect(answers.map((response) => response.status)).toEqual([401, 401, 401, 401, 429]);
		// Unknown emails count the same: the attacker learns nothing from the answer.
		expect((await login(app, "192.0.2.66", "nobody@acme.test", "x")).status).toBe(429);
		const someoneElse = await login(app, "192.0.2.67", targets[0]!.email, PASSWORD);
		expect(someoneElse.status).toBe(200);
		// Sign-ins that work do not use the address's budget up (a shared office address).
		const colleague = await newMember();
		for (let i = 0; i < 5; i++) {
			expect((await login(app, "192.0.2.67", colleague.email, PASSWORD)).status).toBe(200);
		}
	});

	it("hashes a few passwords at a time and answers the excess 503 with Retry-After", async () => {
		const app = api(
			{ loginPerAccount: { points: 100, seconds: 600 } },
			new PasswordHasher({ concurrency: 1, queue: 1 }),
		);
		const dana = await newMember();
		// At today's parameters a check takes a few hundred ms: the burst arrives meanwhile.
		await storage.replacePasswordHash(dana.id, passwordHash, await hashPassword(PASSWORD));
		const burst = await Promise.all(
			Array.from({ length: 8 }, (_, i) => login(app, `203.0.113.${20 + i}`, dana.email, `g${i}`)),
		);
		const busy = burst.filter((response) => response.status === 503);
		const checked = burst.filter((response) => response.status === 401);
		expect(busy.length + checked.length).toBe(8);
		expect(busy.length).toBeGreaterThan(0);
		expect(busy[0]?.headers.get("retry-after")).toBe("1");
		expect(await busy[0]?.json()).toMatchObject({ error: { code: "unavailable" } });
		// Nothing piled up: the genuine sign-in is checked at once.
		expect((await login(app, "203.0.113.99", dana.email, PASSWORD)).status).toBe(200);
	});

	it("rehashes a password made with older scrypt parameters when it signs in", async () => {
		const app = api({}, new PasswordHasher());
		const dana = await newMember();
		expect((await storage.findMemberByEmail(dana.email))?.passwordHash).toMatch(/^scrypt\$16384\$/);
		expect((await login(app, "203.0.113.50", dana.email, PASSWORD)).status).toBe(200);
		const rehashed = (await storage.findMemberByEmail(dana.email))?.passwordHash;
		expect(rehashed).toMatch(/^scrypt\$131072\$8\$1\$/);
		// The new hash signs in, the old password only.
		expect((await login(app, "203.0.113.50", dana.email, PASSWORD)).status).toBe(200);
		expect((await login(app, "203.0.113.50", dana.email, "wrong")).status).toBe(401);
		expect((await storage.findMemberByEmail(dana.email))?.passwordHash).toBe(rehashed);
	});
});

describe("request rates", () => {
	it("refuses a member's requests past the limit with 429, and no one else's", async () => {
		const app = api({ requestsPerMember: { points: 5, seconds: 600 } });
		const dana = await newMember();
		const sam = await newMember();
		const tokenOf = async (email: string) =>
			((await (await login(app, "203.0.113.70", email, PASSWORD)).json()) as { token: string })
				.token;
		const [danaToken, samToken] = [await tokenOf(dana.email), await tokenOf(sam.email)];
		// The mention list, in parallel from many addresses: the member is what counts.
		const answers = await statuses(
			Array.from({ length: 12 }, (_, i) =>
				get(app, "/api/boards/main/mentions", `198.51.100.${i}`, danaToken),
			),
		);
		expect(answers.filter((status) => status === 200)).toHaveLength(5);
		expect(answers.filter((status) => status === 429)).toHaveLength(7);
		const refused = await get(app, "/api/me", "198.51.100.1", danaToken);
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(500);
		expect((await get(app, "/api/me", "198.51.100.1", samToken)).status).toBe(200);
	});

	it("refuses one address's requests past the limit before their session is checked, health excepted", async () => {
		const app = api({ requestsPerIp: { points: 4, seconds: 600 } });
		const answers = [];
		for (let i = 0; i < 6; i++) {
			answers.push((await get(app, "/api/me", "192.0.2.10", "not-a-token")).status);
		}
		expect(answers).toEqual([401, 401, 401, 401, 429, 429]);
		expect((await get(app, "/healthz", "192.0.2.10")).status).toBe(200);
		expect((await get(app, "/api/me", "192.0.2.11", "not-a-token")).status).toBe(401);
	});
});

describe("the counters' store", () => {
	it("counts in memory for the embedded database", () => {
		expect(createRateLimiters({ limits: defaultRateLimits, storage, logger }).store).toBe("memory");
	});

	it("falls back to counting in memory, with the same numbers, when Redis does not answer", async () => {
		const limiters = createRateLimiters({
			limits: rateLimitsWith({ loginPerAccount: { points: 2, seconds: 600 } }),
			// Nothing listens on port 1: every command fails at once (no offline queue).
			redisUrl: "redis://127.0.0.1:1",
			logger,
		});
		try {
			expect(limiters.store).toBe("redis");
			await limiters.take("loginPerAccount", "a");
			await limiters.take("loginPerAccount", "a");
			await expect(limiters.take("loginPerAccount", "a")).rejects.toMatchObject({
				kind: "rate_limited",
			});
		} finally {
			await limiters.close();
		}
	});
});

describe("client addresses", () => {
	it("uses the socket's address unless proxies are trusted, then the entry they appended", () => {
		expect(clientAddress("10.0.0.5", "1.2.3.4", 0)).toBe("10.0.0.5");
		expect(clientAddress("10.0.0.5", "1.2.3.4", 1)).toBe("1.2.3.4");
		// A client's own X-Forwarded-For entries come first; the trusted proxy's last.
		expect(clientAddress("10.0.0.5", "6.6.6.6, 1.2.3.4", 1)).toBe("1.2.3.4");
		expect(clientAddress("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9", 2)).toBe("1.2.3.4");
		expect(clientAddress("::ffff:127.0.0.1", undefined, 0)).toBe("127.0.0.1");
	});

	it("counts IPv6 addresses by their /64", () => {
		expect(clientAddress("2001:db8:1:2:aaaa::1", undefined, 0)).toBe("2001:db8:1:2::/64");
		expect(clientAddress("2001:db8:1:2:bbbb:cccc:dddd:eeee", undefined, 0)).toBe(
			"2001:db8:1:2::/64",
		);
		expect(clientAddress("2001:db8::1", undefined, 0)).toBe("2001:db8:0:0::/64");
		expect(clientAddress("::1", undefined, 0)).toBe("0:0:0:0::/64");
	});
});

describe("rate limits from the environment", () => {
	it("keeps the defaults, and reads SWITCHBOARD_RATE_* over them", () => {
		expect(rateLimitsFromEnv({})).toEqual(defaultRateLimits);
		const limits = rateLimitsFromEnv({
			SWITCHBOARD_RATE_LOGIN_PER_ACCOUNT: "5/60",
			SWITCHBOARD_RATE_REQUESTS_PER_IP: "100000/10",
			SWITCHBOARD_RATE_SOCKETS_PER_MEMBER: "5000",
			SWITCHBOARD_RATE_HASHING_QUEUE: "0",
			SWITCHBOARD_RATE_TRUSTED_PROXIES: "1",
		});
		expect(limits).toEqual({
			...defaultRateLimits,
			loginPerAccount: { points: 5, seconds: 60 },
			requestsPerIp: { points: 100000, seconds: 10 },
			socketsPerMember: 5000,
			hashing: { ...defaultRateLimits.hashing, queue: 0 },
			trustedProxies: 1,
		});
	});

	it("names every bad value", () => {
		expect(() =>
			rateLimitsFromEnv({
				SWITCHBOARD_RATE_LOGIN_PER_IP: "lots",
				SWITCHBOARD_RATE_SOCKETS_PER_MEMBER: "0",
			}),
		).toThrow(
			/SWITCHBOARD_RATE_LOGIN_PER_IP.*points\/seconds[\s\S]*SWITCHBOARD_RATE_SOCKETS_PER_MEMBER/,
		);
	});
});
