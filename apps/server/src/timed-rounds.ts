/**
 * The skeleton of a service whose work goes in rounds at a given time (the coverage watcher,
 * the retention sweep): its options, with the tuning filled in from its defaults; rounds on a
 * timer between `start` and `stop`, one as it starts and then every `tickMs`, each at the time
 * it starts, or at a time a caller chooses with `roundAt(now)` (a test driving the clock). Rounds never overlap: a call
 * while one runs waits for it, then runs at its own time, and a tick that comes while one
 * runs is skipped. A round the timer started that fails is logged as a warning, and the next
 * tick tries again.
 */
import { withDefaults } from "@switchboard/domain";
import { createPeriodicTask, oneAfterAnother, type PeriodicTask } from "@switchboard/sync";
import type { Logger } from "pino";

export abstract class TimedRounds<
	Tuning extends { tickMs: number },
	Options extends Partial<Tuning> & { logger: Pick<Logger, "warn"> },
	Round,
> {
	protected readonly options: Options;
	protected readonly tuning: Tuning;
	readonly #rounds = oneAfterAnother((now: Date) => this.round(now));
	readonly #background: PeriodicTask;

	/** `name` is what a failed round is called in the warning ("coverage round"). */
	protected constructor(options: Options, defaults: Tuning, name: string) {
		this.options = options;
		this.tuning = withDefaults(defaults, options);
		this.#background = createPeriodicTask({
			intervalMs: this.tuning.tickMs,
			round: () => this.roundAt(new Date()),
			// A server that starts has had no round for as long as it was down.
			firstRoundAtStart: true,
			onError: (error) =>
				options.logger.warn({ err: error }, `${name} failed; trying again next tick`),
		});
	}

	/** The work of one round at `now`. */
	protected abstract round(now: Date): Promise<Round>;

	/** Runs one round at `now`, once the rounds called before have settled. */
	protected roundAt(now: Date): Promise<Round> {
		return this.#rounds.run(now);
	}

	/** Run rounds on a timer until `stop`. */
	start(): void {
		this.#background.start();
	}

	/** Stop the timer and wait for the rounds in progress. */
	async stop(): Promise<void> {
		await this.#background.stop();
		await this.#rounds.idle();
	}
}
