/**
 * A bus carries messages that every instance must act on (a revocation, a member's new
 * notification) to every instance, the sender included: in memory for one instance, Redis
 * pub/sub across several (the server's redis-bus.ts). Delivery is at most once; what the
 * messages tell is in the database first, so a missed one costs promptness, not truth.
 */
export interface Bus<T> {
	publish(message: T): Promise<void>;
	/** Returns the function that unsubscribes. */
	subscribe(listener: (message: T) => void): () => void;
	close(): Promise<void>;
}

/** The bus of a single instance. */
export function createLocalBus<T>(): Bus<T> {
	const listeners = new Set<(message: T) => void>();
	return {
		async publish(message) {
			for (const listener of listeners) listener(message);
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		async close() {
			listeners.clear();
		},
	};
}
