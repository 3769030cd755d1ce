/**
 * Commands as a load generator sends them: over a board provider's stateless channel, in
 * the protocol module's encoding, each answered by an ack or a reject that the provider's
 * `onStateless` hands to `CommandChannel.receive`. An answer that never comes is reported as
 * a reject `no_answer` after `timeoutMs` (a lost acknowledgement, a correctness figure),
 * never waited for without end.
 *
 * A socket that closes takes the answers still on their way with it. As the web client's
 * queue does (`@switchboard/client`, command-queue.ts), a command still waiting is sent
 * again under the same id once the board is authenticated on the next socket; the server
 * answers a repeated id as it answered the first time and applies it once.
 */
import { randomUUID } from "node:crypto";
import type { HocuspocusProvider } from "@hocuspocus/provider";
import { type CommandInput, encodeCommand, parseServerMessage } from "@switchboard/domain";

/** What became of a command. */
export type CommandAnswer =
	| { type: "ack"; result: Record<string, unknown> | undefined }
	| { type: "reject"; code: string };

/** The code of a command that was never answered within the channel's timeout. */
export const NO_ANSWER = "no_answer";

interface Waiting {
	payload: string;
	answer: (answer: CommandAnswer) => void;
	/** Restarted at every send: each attempt gets `timeoutMs`, as the web client's. */
	timer: ReturnType<typeof setTimeout> | undefined;
}

export class CommandChannel {
	private readonly waiting = new Map<string, Waiting>();
	private readonly timeoutMs: number;
	private provider: HocuspocusProvider | null = null;
	/** Commands sent again after a reconnect (each time one was). */
	resent = 0;

	/** @param timeoutMs how long an answer may take before it counts as lost. @default 30000 */
	constructor(timeoutMs = 30_000) {
		this.timeoutMs = timeoutMs;
	}

	/** The board provider to send through (made after the channel: its onStateless calls receive). */
	attach(provider: HocuspocusProvider): void {
		this.provider = provider;
		provider.on("authenticated", () => {
			for (const [id, waiting] of this.waiting) {
				this.resent++;
				this.transmit(id, waiting);
			}
		});
	}

	/** For the provider's `onStateless`. */
	readonly receive = ({ payload }: { payload: string }): void => {
		const message = parseServerMessage(payload);
		if (!message || (message.type !== "ack" && message.type !== "reject") || !message.id) return;
		const waiting = this.waiting.get(message.id);
		if (!waiting) return;
		this.waiting.delete(message.id);
		clearTimeout(waiting.timer);
		waiting.answer(
			message.type === "ack"
				? { type: "ack", result: message.result }
				: { type: "reject", code: message.code },
		);
	};

	send(command: CommandInput): Promise<CommandAnswer> {
		if (!this.provider) throw new Error("CommandChannel.send before attach");
		const id = randomUUID();
		return new Promise((answer) => {
			const waiting: Waiting = { payload: encodeCommand(id, command), answer, timer: undefined };
			this.waiting.set(id, waiting);
			// Offline, it waits for the next authentication (the web client's queue too).
			if (this.provider?.isAuthenticated) this.transmit(id, waiting);
			else this.arm(id, waiting);
		});
	}

	private transmit(id: string, waiting: Waiting): void {
		this.arm(id, waiting);
		this.provider?.sendStateless(waiting.payload);
	}

	private arm(id: string, waiting: Waiting): void {
		clearTimeout(waiting.timer);
		waiting.timer = setTimeout(() => {
			this.waiting.delete(id);
			waiting.answer({ type: "reject", code: NO_ANSWER });
		}, this.timeoutMs);
	}
}
