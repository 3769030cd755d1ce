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
	/**
	 * Run the first round as the task starts, not a tick later: work whose results people
	 * read (the breaches a moderator's Coverage counts) is otherwise missing for a whole
	 * interval after every restart. @default false
	 */
	firstRoundAtStart?: boolean;
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
			const tick = () => {
				if (current) return;
				runNow().catch(options.onError);
			};
			timer = setInterval(tick, options.intervalMs);
			timer.unref?.();
			if (options.firstRoundAtStart) tick();
		},
		runNow,
		async stop() {
			if (timer) clearInterval(timer);
			timer = null;
			await current?.catch(() => undefined);
		},
	};
}

/** Calls of one piece of work that must not overlap; see `oneAfterAnother`. */
export interface OneAfterAnother<A extends unknown[], R> {
	/** Runs the work once the calls before have settled; rejects when this one fails. */
	run(...args: A): Promise<R>;
	/** Resolves once every call made so far has settled, failed or not. */
	idle(): Promise<void>;
}

/**
 * The work `work` does, one call after another: a call while one runs waits for it, then
 * runs with its own arguments (a watcher's rounds at a time a test chose, say), where a
 * `PeriodicTask`'s `runNow` would join the round in progress.
 */
export function oneAfterAnother<A extends unknown[], R>(
	work: (...args: A) => Promise<R>,
): OneAfterAnother<A, R> {
	let last: Promise<unknown> = Promise.resolve();
	return {
		run(...args) {
			const next = last.then(() => work(...args));
			last = next.catch(() => undefined);
			return next;
		},
		idle: () => last.then(() => undefined),
	};
}
