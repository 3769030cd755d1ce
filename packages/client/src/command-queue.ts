/**
 * The command queue: every command is stored first, then sent in order, one at a time,
 * each only after the previous one was answered. Command ids are idempotent on the
 * server, so a command whose answer was lost (the socket closed, the answer timed out)
 * is simply sent again with the same id.
 */
import {
	type CommandInput,
	exponentialBackoff,
	PROTOCOL_VERSION,
	type Reject,
	type RejectCode,
} from "@switchboard/domain";
import type { CommandResult, PendingCommand } from "./api.ts";
import type { CommandAnswer } from "./command-channel.ts";
import { explainReject } from "./explain.ts";

/** A command as the queue stores it. `seq` orders the queue across page loads. */
export interface QueuedCommand extends PendingCommand {
	seq: number;
	/**
	 * The protocol version the command was made under, sent with it however much later:
	 * after an upgrade the server still reads it as its maker meant it. Records written
	 * before the stamp existed have none and mean version 1 (versions 1 and 2 differ
	 * only in close codes).
	 */
	v?: number;
	/** Made while the queue was offline; commands of an earlier page load count as such. */
	offline?: boolean;
}

/** The version an unstamped stored command was made under. */
export const UNSTAMPED_VERSION = 1;

/** Where the queue keeps commands across reloads. */
export interface QueueStore {
	/** Every stored command, in any order. */
	load(): Promise<QueuedCommand[]>;
	put(command: QueuedCommand): Promise<void>;
	delete(id: string): Promise<void>;
}

/** Sends one command and waits for its answer. */
export interface CommandTransport {
	/**
	 * The answer, or null when the connection dropped (or it took too long) first.
	 * `version` is the protocol version to stamp the command with.
	 */
	send(id: string, command: CommandInput, version: number): Promise<CommandAnswer | null>;
}

export interface CommandQueueOptions {
	store: QueueStore;
	transport: CommandTransport;
	/** The pending list changed (a command was added or answered). */
	onChange?: () => void;
	/** Every final answer, including those of commands from an earlier page load. */
	onAnswer?: (result: CommandResult) => void;
	/** A failure the queue worked around (the store could not be read or written). */
	onError?: (error: unknown) => void;
	/**
	 * Milliseconds to wait before sending again after the n-th (1-based) answer in a row
	 * that says "try later".
	 * @default 500 ms doubling up to 30 s, with jitter
	 */
	retryDelay?: (attempt: number) => number;
}

/** Rejects that changed nothing and say "try later": the command stays queued. */
const RETRY_LATER: ReadonlySet<RejectCode> = new Set(["unavailable", "rate_limited"]);

export function defaultRetryDelay(attempt: number): number {
	const ceiling = exponentialBackoff(attempt, { baseMs: 500, maxMs: 30_000 });
	return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * A random (v4) UUID. `crypto.randomUUID` exists only in secure contexts (https,
 * localhost); a team testing on a LAN address over plain http still needs command ids.
 */
export function commandId(): string {
	if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
	bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
	const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Orders commands by their sequence number. */
export function bySeq(a: QueuedCommand, b: QueuedCommand): number {
	return a.seq - b.seq;
}

interface Entry extends QueuedCommand {
	/** True once the store holds it (or failed to): only then may it be sent. */
	stored: boolean;
	/** What `pending()` shows of it: one object for the entry's whole life. */
	view: PendingCommand;
}

function entryOf(command: QueuedCommand, stored: boolean): Entry {
	const { id, createdAt } = command;
	return { ...command, stored, view: { id, command: command.command, createdAt } };
}

/** The final answer to a command, as the SDK reports it. */
export function toResult(answer: CommandAnswer): CommandResult {
	if (answer.type === "ack") {
		return answer.result
			? { ok: true, id: answer.id, result: answer.result }
			: { ok: true, id: answer.id };
	}
	const reject: Reject = answer;
	return { ok: false, id: reject.id ?? "", reject, explanation: explainReject(reject) };
}

export class CommandQueue {
	readonly #options: CommandQueueOptions;
	readonly #entries: Entry[] = [];
	readonly #waiters = new Map<string, (result: CommandResult) => void>();
	readonly #loaded: Promise<void>;
	#lastSeq = 0;
	#isLoaded = false;
	#online = false;
	#pumping = false;
	/** Set when the connection came back while a send was waiting for its answer. */
	#reconnected = false;
	#retryTimer: ReturnType<typeof setTimeout> | null = null;
	#attempts = 0;
	#destroyed = false;
	#snapshot: readonly PendingCommand[] = [];

	constructor(options: CommandQueueOptions) {
		this.#options = options;
		this.#loaded = options.store
			.load()
			.then(
				(stored) => {
					if (this.#destroyed) return;
					stored.sort(bySeq);
					// Commands of an earlier page load go first: they were made first.
					this.#entries.unshift(...stored.map((command) => entryOf(command, true)));
					this.#lastSeq = Math.max(this.#lastSeq, ...stored.map((command) => command.seq));
					if (stored.length > 0) this.#changed();
				},
				(error: unknown) => this.#options.onError?.(error),
			)
			.then(() => {
				this.#isLoaded = true;
				this.#pump();
			});
	}

	/** Resolves once commands stored by an earlier page load are in the queue. */
	whenLoaded(): Promise<void> {
		return this.#loaded;
	}

	/** The commands not answered yet, oldest first. The same array until the next change. */
	pending(): readonly PendingCommand[] {
		return this.#snapshot;
	}

	/** Queue a command; resolves with its final answer (ack or a reject that is not "try later"). */
	enqueue(command: CommandInput, now: Date = new Date()): Promise<CommandResult> {
		if (this.#destroyed) return Promise.reject(new Error("The client was destroyed."));
		const entry = entryOf(
			{
				id: commandId(),
				command,
				createdAt: now.toISOString(),
				seq: 0,
				v: PROTOCOL_VERSION,
				offline: !this.#online,
			},
			false,
		);
		this.#entries.push(entry);
		const result = new Promise<CommandResult>((resolve) => this.#waiters.set(entry.id, resolve));
		this.#changed();
		void this.#store(entry);
		return result;
	}

	/** Tell the queue whether commands can be sent now; it resumes when they can. */
	setOnline(online: boolean): void {
		const was = this.#online;
		this.#online = online;
		// What waits through a disconnection is answered after it: say so if it is refused.
		if (!online) for (const entry of this.#entries) entry.offline = true;
		if (!online || was) return;
		this.#reconnected = true;
		// A fresh connection is a good moment to try again what the server deferred.
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		this.#pump();
	}

	/** Stop sending. Stored commands stay stored for the next page load. */
	destroy(): void {
		this.#destroyed = true;
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		this.#retryTimer = null;
		this.#waiters.clear();
	}

	async #store(entry: Entry): Promise<void> {
		// After the earlier page load's commands, so sequence numbers keep growing. Stored
		// even when the queue was destroyed meanwhile: the next page load sends it.
		await this.#loaded;
		this.#lastSeq += 1;
		entry.seq = this.#lastSeq;
		const { id, command, createdAt, seq, v } = entry;
		try {
			// Stored as made offline: if it is still waiting when the page reloads, it was.
			await this.#options.store.put({ id, command, createdAt, seq, v, offline: true });
		} catch (error) {
			// Still sent from memory; only a reload before the answer would lose it.
			this.#options.onError?.(error);
		}
		entry.stored = true;
		this.#pump();
	}

	#pump(): void {
		if (this.#pumping) return;
		this.#pumping = true;
		void this.#drain();
	}

	async #drain(): Promise<void> {
		// Cleared in the step that ends the loop, not in a later callback: a pump() right
		// after the loop gave up must start a new loop, not see a running one.
		try {
			while (this.#canSend()) {
				const head = this.#entries[0];
				if (!head?.stored) return;
				this.#reconnected = false;
				const answer = await this.#options.transport.send(
					head.id,
					head.command,
					head.v ?? UNSTAMPED_VERSION,
				);
				if (this.#destroyed) return;
				if (answer === null) {
					// Lost. Offline: `setOnline(true)` resumes. Back online already: send again now.
					// Online all along (the answer timed out): send again after a pause.
					if (!this.#online || this.#reconnected) continue;
					this.#retryLater();
					return;
				}
				if (answer.type === "reject" && RETRY_LATER.has(answer.code)) {
					this.#retryLater();
					return;
				}
				this.#attempts = 0;
				this.#settle(head, answer);
			}
		} finally {
			this.#pumping = false;
		}
	}

	#retryLater(): void {
		this.#attempts += 1;
		const delay = (this.#options.retryDelay ?? defaultRetryDelay)(this.#attempts);
		this.#retryTimer = setTimeout(() => {
			this.#retryTimer = null;
			this.#pump();
		}, delay);
	}

	#canSend(): boolean {
		return this.#online && this.#isLoaded && !this.#destroyed && this.#retryTimer === null;
	}

	#settle(entry: Entry, answer: CommandAnswer): void {
		const index = this.#entries.indexOf(entry);
		if (index >= 0) this.#entries.splice(index, 1);
		this.#options.store.delete(entry.id).catch((error: unknown) => this.#options.onError?.(error));
		const result = toResult(answer);
		if (!result.ok) {
			// The server answers with the id we sent; keep ours for a reject without one.
			if (!result.id) result.id = entry.id;
			result.command = entry.command;
			result.madeOffline = entry.offline ?? true;
		}
		const waiter = this.#waiters.get(entry.id);
		this.#waiters.delete(entry.id);
		this.#changed();
		waiter?.(result);
		this.#options.onAnswer?.(result);
	}

	#changed(): void {
		this.#snapshot = this.#entries.map((entry) => entry.view);
		this.#options.onChange?.();
	}
}

/** A queue store in memory: for Node, tests, and when IndexedDB is not wanted. */
export class MemoryQueueStore implements QueueStore {
	readonly #commands = new Map<string, QueuedCommand>();

	async load(): Promise<QueuedCommand[]> {
		return [...this.#commands.values()].map((command) => structuredClone(command));
	}

	async put(command: QueuedCommand): Promise<void> {
		this.#commands.set(command.id, structuredClone(command));
	}

	async delete(id: string): Promise<void> {
		this.#commands.delete(id);
	}
}
