/**
 * Group commit for the document update log. Every update a client sends waits for its
 * row in the database before the server applies and acknowledges it; batching the
 * appends that arrive while a batch is being written into the next statement keeps that
 * cheap. A batch is written as soon as none is in flight: under load the batches grow by
 * themselves, and a lone append does not wait for company that is not coming.
 */
import { withDefaults } from "@switchboard/domain";
import type { DocumentLog } from "@switchboard/storage";
import { noSyncMetrics, type SyncMetrics } from "./sync-metrics.ts";

interface Pending {
	name: string;
	update: Uint8Array;
	resolve(id: number): void;
	reject(error: unknown): void;
}

export interface GroupCommitOptions {
	/**
	 * How long the first append of a batch waits for company, in milliseconds. With 0 it
	 * waits only for the appends of the same event-loop turn (messages read together).
	 * @default 0 (a waiting first append only added its delay to every acknowledgement)
	 */
	delayMs?: number;
	/**
	 * Most appends written in one statement.
	 * @default 500
	 */
	maxBatch?: number;
}

export const defaultGroupCommitOptions: Required<GroupCommitOptions> = {
	delayMs: 0,
	maxBatch: 500,
};

export class GroupCommitter {
	private readonly storage: DocumentLog;
	private readonly delayMs: number;
	private readonly maxBatch: number;
	private readonly metrics: Pick<SyncMetrics, "batchWritten">;
	private queue: Pending[] = [];
	private timer: { cancel(): void } | null = null;
	private inFlight: Promise<void> | null = null;

	constructor(
		storage: DocumentLog,
		options: GroupCommitOptions & { metrics?: Pick<SyncMetrics, "batchWritten"> } = {},
	) {
		this.storage = storage;
		this.metrics = options.metrics ?? noSyncMetrics;
		const tuning = withDefaults(defaultGroupCommitOptions, options);
		this.delayMs = tuning.delayMs;
		this.maxBatch = tuning.maxBatch;
	}

	/** Resolves with the log id once the update is durable; rejects when it could not be stored. */
	append(name: string, update: Uint8Array): Promise<number> {
		return new Promise((resolve, reject) => {
			this.queue.push({ name, update, resolve, reject });
			this.schedule();
		});
	}

	/** Resolves when everything appended so far has been written or has failed. */
	async drain(): Promise<void> {
		while (this.queue.length > 0 || this.inFlight || this.timer) {
			if (this.timer) {
				this.timer.cancel();
				this.timer = null;
				this.inFlight ??= this.flush();
			}
			await this.inFlight;
		}
	}

	private schedule(): void {
		// While a batch is being written, new appends wait for it: they form the next batch.
		if (this.timer || this.inFlight) return;
		const run = () => {
			this.timer = null;
			this.inFlight = this.flush();
		};
		if (this.delayMs <= 0) {
			// After the I/O of this turn, not a timer's 1 ms or more later.
			const handle = setImmediate(run);
			this.timer = { cancel: () => clearImmediate(handle) };
		} else {
			const handle = setTimeout(run, this.delayMs);
			this.timer = { cancel: () => clearTimeout(handle) };
		}
	}

	private async flush(): Promise<void> {
		const batch = this.queue.splice(0, this.maxBatch);
		try {
			if (batch.length > 0) {
				const ids = await this.storage.appendUpdates(
					batch.map(({ name, update }) => ({ name, update })),
				);
				this.metrics.batchWritten(batch.length);
				for (const [i, pending] of batch.entries()) pending.resolve(ids[i] ?? 0);
			}
		} catch (error) {
			for (const pending of batch) pending.reject(error);
		} finally {
			this.inFlight = null;
			if (this.queue.length > 0) this.schedule();
		}
	}
}
