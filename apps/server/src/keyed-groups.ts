/**
 * Group commit by key, for statements that many requests make alike (the rate-limit count
 * of one address, the read of one webhook source): the callers of a key that arrive while
 * that key's statement is under way wait for it, then go as one statement. A lone caller
 * goes at once. Each group's statement starts after every member of it arrived, so each
 * caller gets an answer as fresh as a statement of its own would have been.
 */

/** A caller's share of its group's statement: the result and its place in the group. */
export type Joined<R> =
	| { ok: true; value: R; index: number; size: number }
	| { ok: false; error: unknown };

interface Member<R> {
	run: (size: number) => Promise<R>;
	resolve(joined: Joined<R>): void;
}

interface KeyQueue<R> {
	/** The callers that wait for the next statement. */
	waiting: Member<R>[];
	/** A statement for the key is under way. */
	busy: boolean;
}

export class KeyedGroups<R> {
	private readonly queues = new Map<string, KeyQueue<R>>();

	/**
	 * Join the next statement for `key`. `run(size)` makes it for a group of `size` callers;
	 * a group runs its first member's (the callers of a key all ask the same).
	 */
	join(key: string, run: (size: number) => Promise<R>): Promise<Joined<R>> {
		return new Promise((resolve) => {
			let queue = this.queues.get(key);
			if (!queue) {
				queue = { waiting: [], busy: false };
				this.queues.set(key, queue);
			}
			queue.waiting.push({ run, resolve });
			if (!queue.busy) void this.drain(key, queue);
		});
	}

	private async drain(key: string, queue: KeyQueue<R>): Promise<void> {
		queue.busy = true;
		try {
			while (queue.waiting.length > 0) {
				const group = queue.waiting.splice(0);
				const size = group.length;
				let value: R;
				try {
					value = await (group[0] as Member<R>).run(size);
				} catch (error) {
					for (const member of group) member.resolve({ ok: false, error });
					continue;
				}
				for (const [index, member] of group.entries()) {
					member.resolve({ ok: true, value, index, size });
				}
			}
		} finally {
			queue.busy = false;
			this.queues.delete(key);
		}
	}
}
