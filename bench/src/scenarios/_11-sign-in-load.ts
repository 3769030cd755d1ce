/**
 * Scenario 11's sign-in burst, in a load process: `members` people press "Sign in" at the
 * same moment, each from an address of their own (the server sits behind a trusted proxy
 * that names it in `X-Forwarded-For`, as a deployment behind a load balancer does). An
 * answer of 503 (the password hasher's queue is full) or 429 is retried after its
 * Retry-After, spread over a second, as the sign-in page lets a person press again.
 */
import type { LoadTask } from "../lib/load.ts";

export interface SignInParams {
	url: string;
	/** `emailOf(i)` is `<prefix><i>@<domain>`. */
	emailPrefix: string;
	domain: string;
	password: string;
	members: number;
	/** Give up on a member after this long. */
	deadlineMs: number;
}

export interface SignInResult {
	/** From each member's first press until they were signed in, in ms. */
	latencyMs: number[];
	/** From the first press until the last member was signed in, in ms. */
	allMs: number;
	signedIn: number;
	answered503: number;
	answered429: number;
	/** Requests that got no answer (the connection failed) and were made again. */
	networkErrors: number;
	/** Other refusals by status. */
	other: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const task: LoadTask<SignInParams, SignInResult> = async (params, control) => {
	const latencyMs: number[] = [];
	const other: Record<string, number> = {};
	let answered503 = 0;
	let answered429 = 0;
	let networkErrors = 0;
	await control.mark("start");
	const started = performance.now();
	await Promise.all(
		Array.from({ length: params.members }, async (_, i) => {
			const body = JSON.stringify({
				email: `${params.emailPrefix}${i}@${params.domain}`,
				password: params.password,
			});
			// 10.x.y.z: one address per member.
			const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
			const first = performance.now();
			while (performance.now() - first < params.deadlineMs) {
				let response: Response;
				try {
					response = await fetch(`${params.url}/api/auth/login`, {
						method: "POST",
						headers: { "content-type": "application/json", "x-forwarded-for": address },
						body,
					});
					await response.arrayBuffer();
				} catch {
					// A connection reset (a kept-alive socket the server closed meanwhile): press again.
					networkErrors++;
					await sleep(500 + Math.random() * 1000);
					continue;
				}
				if (response.status === 200) {
					latencyMs.push(performance.now() - first);
					return;
				}
				if (response.status === 503) answered503++;
				else if (response.status === 429) answered429++;
				else {
					other[response.status] = (other[response.status] ?? 0) + 1;
					return;
				}
				const retryAfter = Number(response.headers.get("retry-after") ?? "1");
				await sleep((Number.isFinite(retryAfter) ? retryAfter : 1) * 1000 * (0.5 + Math.random()));
			}
		}),
	);
	const allMs = performance.now() - started;
	await control.mark("stop");
	return {
		latencyMs,
		allMs,
		signedIn: latencyMs.length,
		answered503,
		answered429,
		networkErrors,
		other,
	};
};

export default task;
