/**
 * Work queued per key (a board) and run a batch at a time: what arrives while a key's batch
 * runs waits for it and forms the next one. Under load the batches grow by themselves, and
 * a lone item waits only for the items of the same event-loop turn. The command arbiter
 * decides claimNext commands this way: a storm of them costs one transaction per batch
 * instead of one per command, each of which waited for a pool connection.
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

	/**
	 * `run` answers a batch with one settled result per item, in order; when it throws,
	 * every item of the batch fails with its error.
	 */
	constructor(run: (batch: readonly T[]) => Promise<PromiseSettledResult<R>[]>, maxBatch: number) {
		this.#run = run;
		this.#maxBatch = maxBatch;
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
			// After the I/O of this turn: items read together form one batch.
			setImmediate(() => void this.#drain(key, fresh));
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
