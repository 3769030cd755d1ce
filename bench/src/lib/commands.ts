/**
 * Commands as a load generator sends them: over a board provider's stateless channel, in
 * the protocol module's encoding, each answered by an ack or a reject that the provider's
 * `onStateless` hands to `CommandChannel.receive`. An answer that never comes is reported as
 * a reject `no_answer` after `timeoutMs` (a lost acknowledgement, a correctness figure),
 * never waited for without end.
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

export class CommandChannel {
	private readonly waiting = new Map<string, (answer: CommandAnswer) => void>();
	private readonly timeoutMs: number;
	private provider: HocuspocusProvider | null = null;

	/** @param timeoutMs how long an answer may take before it counts as lost. @default 30000 */
	constructor(timeoutMs = 30_000) {
		this.timeoutMs = timeoutMs;
	}

	/** The board provider to send through (made after the channel: its onStateless calls receive). */
	attach(provider: HocuspocusProvider): void {
		this.provider = provider;
	}

	/** For the provider's `onStateless`. */
	readonly receive = ({ payload }: { payload: string }): void => {
		const message = parseServerMessage(payload);
		if (!message || (message.type !== "ack" && message.type !== "reject") || !message.id) return;
		const resolve = this.waiting.get(message.id);
		this.waiting.delete(message.id);
		resolve?.(
			message.type === "ack"
				? { type: "ack", result: message.result }
				: { type: "reject", code: message.code },
		);
	};

	send(command: CommandInput): Promise<CommandAnswer> {
		const provider = this.provider;
		if (!provider) throw new Error("CommandChannel.send before attach");
		const id = randomUUID();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.waiting.delete(id);
				resolve({ type: "reject", code: NO_ANSWER });
			}, this.timeoutMs);
			this.waiting.set(id, (answer) => {
				clearTimeout(timer);
				resolve(answer);
			});
			provider.sendStateless(encodeCommand(id, command));
		});
	}
}
