/**
 * Background work on a timer, one round at a time: a tick that comes while a round still
 * runs is skipped (a slow feed or database must not pile rounds up), `runNow` joins the
 * round in progress or starts one, and `stop` waits for the round in progress. A round
 * that fails is reported to `onError`, and the next tick tries again.
 */
export interface PeriodicTaskOptions {
	/** Time between ticks, in milliseconds. */
	intervalMs: number;
	/** One round of the work. */
	round: () => Promise<unknown>;
	/** A round started by a tick failed. */
	onError: (error: unknown) => void;
}

export interface PeriodicTask {
	/** Tick every `intervalMs` until `stop`; a timer that does not keep the process alive. */
	start(): void;
	/** The round in progress, or a new one; rejects when that round fails. */
	runNow(): Promise<void>;
	/** Stop ticking and wait for the round in progress. */
	stop(): Promise<void>;
}

export function createPeriodicTask(options: PeriodicTaskOptions): PeriodicTask {
	let timer: ReturnType<typeof setInterval> | null = null;
	let current: Promise<void> | null = null;

	const runNow = (): Promise<void> => {
		current ??= (async () => {
			try {
				await options.round();
			} finally {
				current = null;
			}
		})();
		return current;
	};

	return {
		start() {
			if (timer) return;
			timer = setInterval(() => {
				if (current) return;
				runNow().catch(options.onError);
			}, options.intervalMs);
			timer.unref?.();
		},
		runNow,
		async stop() {
			if (timer) clearInterval(timer);
			timer = null;
			await current?.catch(() => undefined);
		},
	};
}
