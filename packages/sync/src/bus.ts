/**
 * A bus carries messages that every instance must act on (a revocation, a member's new
 * notification) to every instance, the sender included: in memory for one instance, Redis
 * pub/sub across several (the server's redis-bus.ts). Delivery is at most once; what the
 * messages tell is in the database first, so a missed one costs promptness, not truth.
 */
import type { Hocuspocus, onConfigurePayload } from "@hocuspocus/server";

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

/**
 * The part of an extension that acts on what a bus carries: it listens from when its
 * Hocuspocus instance is configured until the instance is destroyed, and hands each
 * message to `receive`, with the instance's connections at hand in `instance`.
 */
export abstract class BusListener<T> {
	protected instance: Hocuspocus | null = null;
	private readonly bus: Bus<T>;
	private unsubscribe: (() => void) | null = null;

	constructor(bus: Bus<T>) {
		this.bus = bus;
	}

	async onConfigure({ instance }: onConfigurePayload): Promise<void> {
		this.instance = instance;
		this.unsubscribe ??= this.bus.subscribe((message) => this.receive(message));
	}

	async onDestroy(): Promise<void> {
		this.unsubscribe?.();
		this.unsubscribe = null;
	}

	protected abstract receive(message: T): void;
}
