/**
 * Servers measured side by side, taking turns window by window. A comparison run one server
 * after the other compares the machine's speed at two moments as much as the servers: on
 * this shared virtual machine a fixed workload took 1.75 s one minute and 2.4 s the next
 * (bench/findings/06.md). Taking turns puts every server's windows in the same minutes, so
 * such a change falls on all of them alike, and only one server is measured at a time.
 */

/** Who measures which window when: window 0 in the given order, window 1 reversed, and so on. */
export function turnOrder<K>(kinds: readonly K[], windows: number): { kind: K; window: number }[] {
	const order: { kind: K; window: number }[] = [];
	for (let window = 0; window < windows; window++) {
		const round = window % 2 === 0 ? kinds : [...kinds].reverse();
		for (const kind of round) order.push({ kind, window });
	}
	return order;
}

/**
 * Grants windows in `turnOrder`: `take(kind, w)` resolves when it is that window's turn and
 * `release(kind, w)` passes the turn on. The first turn waits until every kind asked for its
 * window 0, so that no server is still warming up beside a measured window.
 */
export class WindowTurns<K> {
	private readonly order: { kind: K; window: number }[];
	private readonly kinds: readonly K[];
	private readonly waiting = new Map<string, () => void>();
	private readonly arrived = new Set<K>();
	private next = 0;
	private busy = false;

	constructor(kinds: readonly K[], windows: number) {
		this.kinds = kinds;
		this.order = turnOrder(kinds, windows);
	}

	take(kind: K, window: number): Promise<void> {
		const key = this.key(kind, window);
		if (this.waiting.has(key)) throw new Error(`window ${window} of ${kind} asked for twice`);
		if (!this.order.some((turn) => this.key(turn.kind, turn.window) === key)) {
			throw new Error(`window ${window} of ${kind} has no turn`);
		}
		const granted = new Promise<void>((resolve) => this.waiting.set(key, resolve));
		if (window === 0) this.arrived.add(kind);
		this.grant();
		return granted;
	}

	release(kind: K, window: number): void {
		const current = this.order[this.next];
		if (
			!this.busy ||
			!current ||
			this.key(current.kind, current.window) !== this.key(kind, window)
		) {
			throw new Error(`window ${window} of ${kind} released out of turn`);
		}
		this.busy = false;
		this.next += 1;
		this.grant();
	}

	private grant(): void {
		if (this.busy || this.arrived.size < this.kinds.length) return;
		const current = this.order[this.next];
		if (!current) return;
		const key = this.key(current.kind, current.window);
		const resolve = this.waiting.get(key);
		if (!resolve) return;
		this.waiting.delete(key);
		this.busy = true;
		resolve();
	}

	private key(kind: K, window: number): string {
		return `${String(kind)}\u0000${window}`;
	}
}
