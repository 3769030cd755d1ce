/**
 * The typist of scenario 1, in a load process of its own so that the readers' work never
 * delays its keystrokes or its reading of acknowledgements. It inserts one character per
 * update; the readers' process tells it when to type each window.
 */
import { connectClient } from "../lib/clients.ts";
import type { LoadTask } from "../lib/load.ts";
import type { ServerTarget } from "../lib/servers.ts";

export interface TypistParams {
	target: ServerTarget;
	document: string;
	rate: number;
	windows: number;
	windowSeconds: number;
	/**
	 * Updates typed as fast as `rate` allows before the readers connect, unmeasured, for the
	 * server's per-update code to reach V8's optimising tiers (see 01-hot-draft.ts).
	 * @default none
	 */
	burst?: { updates: number; rate: number };
}

export interface Typed {
	/** Clock of the first character of the window. */
	firstClock: number;
	/** Send time of each character of the window (performance.timeOrigin + now, in ms). */
	sentAt: number[];
	/** Send-to-acknowledgement times of the window's updates (Hocuspocus protocol only). */
	ackMs: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const wallClock = () => performance.timeOrigin + performance.now();

const run: LoadTask<TypistParams, null> = async (params, control) => {
	const typist = connectClient({ target: params.target, document: params.document });
	await typist.synced;
	const body = typist.doc.getText("body");
	if (params.burst) {
		const period = 1000 / params.burst.rate;
		const t0 = performance.now();
		for (let i = 0; i < params.burst.updates; i++) {
			const wait = t0 + i * period - performance.now();
			if (wait > 0) await sleep(wait);
			body.insert(body.length, String.fromCharCode(97 + (i % 26)));
		}
		const deadline = performance.now() + 10_000;
		while (typist.stats.waiting.length > 0 && performance.now() < deadline) await sleep(5);
	}
	await control.mark("connected", typist.doc.clientID);
	const count = Math.round(params.rate * params.windowSeconds);
	const period = 1000 / params.rate;
	for (let w = 0; w < params.windows; w++) {
		await control.mark("window", w);
		typist.stats.ackMs.length = 0;
		const firstClock = body.length;
		const sentAt: number[] = [];
		const t0 = performance.now();
		for (let i = 0; i < count; i++) {
			const wait = t0 + i * period - performance.now();
			if (wait > 0) await sleep(wait);
			sentAt.push(wallClock());
			body.insert(body.length, String.fromCharCode(97 + (i % 26)));
		}
		// Acknowledgements of the last updates.
		const deadline = performance.now() + 2_000;
		while (typist.stats.waiting.length > 0 && performance.now() < deadline) await sleep(5);
		await control.mark("typed", {
			firstClock,
			sentAt,
			ackMs: [...typist.stats.ackMs],
		} satisfies Typed);
	}
	// Leave when the readers' process says so (servers measured side by side).
	await control.mark("finished");
	typist.destroy();
	return null;
};

export default run;
