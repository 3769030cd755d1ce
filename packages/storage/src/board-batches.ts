/**
 * Work queued per key (a board) and run a batch at a time: what arrives while a key's batch
 * runs waits for it and forms the next one. Under load the batches grow by themselves, and
 * a lone item waits only for the items of the same event-loop turn, or, with a linger, for
 * as long as every turn brings more (up to the linger): a wave still being read then forms
 * one batch, rather than its first item a batch of one that the rest wait behind. The
 * command arbiter decides claimNext commands this way: a storm of them costs one
 * transaction per batch instead of one per command, each of which waited for a pool
 * connection.
 */
interface Waiting<T, R> {
	item: T;
	resolve(result: R): void;
	reject(error: unknown): void;
}

export class BoardBatches<T, R> {
	readonly #queues = new Map<string, Waiting<T, R>[]>();
	readonly #run: (batch: readonly T[]) => Promise<PromiseSettledResult<R>[]>;
	readonly #maxBatch: number;
	readonly #lingerMs: number;

	/**
	 * `run` answers a batch with one settled result per item, in order; when it throws,
	 * every item of the batch fails with its error. A key's first item waits up to
	 * `lingerMs` while each event-loop turn brings more items for it.
	 */
	constructor(
		run: (batch: readonly T[]) => Promise<PromiseSettledResult<R>[]>,
		maxBatch: number,
		lingerMs = 0,
	) {
		this.#run = run;
		this.#maxBatch = maxBatch;
		this.#lingerMs = lingerMs;
	}

	/** Queue `item` under `key`; resolves with its own result. */
	submit(key: string, item: T): Promise<R> {
		return new Promise<R>((resolve, reject) => {
			const waiting = { item, resolve, reject };
			const queue = this.#queues.get(key);
			if (queue) {
				queue.push(waiting);
				return;
			}
			const fresh = [waiting];
			this.#queues.set(key, fresh);
			// After the I/O of this turn: items read together form one batch; while each turn
			// brings more (a wave of them still being read), wait for the wave.
			const until = performance.now() + this.#lingerMs;
			let seen = 0;
			const check = () => {
				if (fresh.length > seen && fresh.length < this.#maxBatch && performance.now() < until) {
					seen = fresh.length;
					setImmediate(check);
					return;
				}
				void this.#drain(key, fresh);
			};
			setImmediate(check);
		});
	}

	async #drain(key: string, queue: Waiting<T, R>[]): Promise<void> {
		while (queue.length > 0) {
			const batch = queue.splice(0, this.#maxBatch);
			try {
				const results = await this.#run(batch.map((waiting) => waiting.item));
				for (const [i, waiting] of batch.entries()) {
					const result = results[i];
					if (result?.status === "fulfilled") waiting.resolve(result.value);
					else waiting.reject(result ? result.reason : new Error("The batch gave no answer."));
				}
			} catch (error) {
				for (const waiting of batch) waiting.reject(error);
			}
		}
		this.#queues.delete(key);
	}
}
