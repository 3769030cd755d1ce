/**
 * Updates a provider sent before its sync step 2 go to Hocuspocus after it.
 *
 * A provider that reconnects first sends what it queued while offline (one update per
 * edit), then, once the server's sync step 1 arrives, a sync step 2 with everything the
 * server lacks. When the server lost the provider's last unacknowledged edit (a crash), each
 * queued update builds on an edit the server has not got: Yjs keeps it as a pending struct
 * and merges the whole pending update again with every further one. Measured on a draft:
 * 1,990 such notes took 12.6 s to apply, the same notes in order 28 ms
 * (`node bench/src/pending-structs.ts`). Held until the sync step 2 is in, the queued
 * updates add nothing new and cost nothing.
 *
 * Nothing is dropped and every message still gets its sync status: the held updates
 * follow the step 2, so their statuses come after its status instead of before. When a
 * status arrives, everything the provider sent up to the step 2 is stored, so it holds
 * for whichever of those messages a client counts it against. A client that sends no
 * step 2 gets its updates forwarded after `maxHoldMs`, or once `maxHeld` wait.
 */
import { withDefaults } from "@switchboard/domain";
import { type DecodedFrame, decodeFrame, SyncSteps } from "./frame-codec.ts";

/** How long updates may be held; the defaults are in `defaultFirstSyncOrderTuning`. */
export interface FirstSyncOrderTuning {
	/**
	 * Longest hold, in ms: a provider answers the server's sync step 1 within a round trip,
	 * so one that has not after this long is not going to, and its updates go on alone.
	 * @default 5000
	 */
	maxHoldMs: number;
	/**
	 * Most updates held per document: as many as the message-rate burst lets a provider
	 * flush at once, so a reconnect's whole queue waits, and memory stays bounded.
	 * @default 2000
	 */
	maxHeld: number;
}

export const defaultFirstSyncOrderTuning: FirstSyncOrderTuning = {
	maxHoldMs: 5_000,
	maxHeld: 2_000,
};

export interface FirstSyncOrderOptions extends Partial<FirstSyncOrderTuning> {
	/** Forward frames to Hocuspocus (also later, when a hold times out). */
	forward(frame: Uint8Array): void;
}

type SyncKind = "update" | "step2" | "other";

/** The address a frame is for and, for sync messages, whether it is an update or a step 2. */
function classify(frame: DecodedFrame): { address: string; kind: SyncKind } | null {
	// The guard judged the frame already; what is not a message goes to Hocuspocus as it is.
	if (frame.kind === "pong" || frame.kind === "malformed") return null;
	const { address } = frame;
	if (frame.kind !== "sync") return { address, kind: "other" };
	if (frame.step === SyncSteps.update) return { address, kind: "update" };
	if (frame.step === SyncSteps.step2) return { address, kind: "step2" };
	return { address, kind: "other" };
}

interface Held {
	frames: Uint8Array[];
	timer: ReturnType<typeof setTimeout>;
}

/** One per socket. */
export class FirstSyncOrder {
	private readonly options: FirstSyncOrderOptions;
	private readonly tuning: FirstSyncOrderTuning;
	/** Addresses whose first sync step 2 was forwarded. */
	private readonly synced = new Set<string>();
	private readonly held = new Map<string, Held>();

	constructor(options: FirstSyncOrderOptions) {
		this.options = options;
		this.tuning = withDefaults(defaultFirstSyncOrderTuning, options);
	}

	/** Route one frame the guard let through; `decoded` is what the frame codec made of it. */
	receive(frame: Uint8Array, decoded: DecodedFrame = decodeFrame(frame)): void {
		const message = classify(decoded);
		if (!message || this.synced.has(message.address)) {
			this.options.forward(frame);
			return;
		}
		const { address, kind } = message;
		if (kind === "update") {
			this.hold(address, frame);
			return;
		}
		this.options.forward(frame);
		if (kind === "step2") {
			this.synced.add(address);
			this.release(address);
		}
	}

	/**
	 * The document's connection closed: a new one syncs afresh. What waits here was never
	 * acknowledged; the provider's next sync step 2 carries it.
	 */
	forget(documentName: string): void {
		for (const address of [...this.synced, ...this.held.keys()]) {
			if (address === documentName || address.startsWith(`${documentName}\0`)) {
				this.synced.delete(address);
				clearTimeout(this.held.get(address)?.timer);
				this.held.delete(address);
			}
		}
	}

	/** The socket closed: nothing more to forward. */
	close(): void {
		for (const held of this.held.values()) clearTimeout(held.timer);
		this.held.clear();
	}

	private hold(address: string, frame: Uint8Array): void {
		let held = this.held.get(address);
		if (!held) {
			const timer = setTimeout(() => this.release(address), this.tuning.maxHoldMs);
			timer.unref?.();
			held = { frames: [], timer };
			this.held.set(address, held);
		}
		held.frames.push(frame);
		if (held.frames.length >= this.tuning.maxHeld) this.release(address);
	}

	private release(address: string): void {
		const held = this.held.get(address);
		if (!held) return;
		this.held.delete(address);
		clearTimeout(held.timer);
		for (const frame of held.frames) this.options.forward(frame);
	}
}
