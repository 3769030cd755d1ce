/**
 * Sends commands on a board document and resolves each with the server's answer.
 * Commands carry a client-made id; the server applies a repeated id once, so a command
 * can be sent again after a reconnect without fear of doing it twice.
 */
import {
	type Ack,
	type CommandInput,
	encodeCommand,
	type Notice,
	type NotificationsMessage,
	PROTOCOL_VERSION,
	parseServerMessage,
	type Reject,
} from "@switchboard/domain";

export type CommandAnswer = Ack | Reject;

/**
 * Where stateless messages go and come from: a board's `HocuspocusProvider`, or the
 * client's bridge to a board provider that lives in a worker.
 */
export interface StatelessLink {
	sendStateless(payload: string): void;
	on(event: "stateless", listener: (data: { payload: string }) => void): unknown;
	off(event: "stateless", listener: (data: { payload: string }) => void): unknown;
}

export interface CommandChannelOptions {
	/** Called for server notices and for answers nobody waits for. */
	onNotice?: (notice: Notice) => void;
	onUnmatched?: (answer: CommandAnswer) => void;
	/** Called when the member's notifications change (a new one, or read elsewhere). */
	onNotifications?: (message: NotificationsMessage) => void;
}

export class CommandChannel {
	private readonly provider: StatelessLink;
	private readonly options: CommandChannelOptions;
	private readonly waiting = new Map<string, (answer: CommandAnswer) => void>();
	private readonly onStateless = ({ payload }: { payload: string }) => this.receive(payload);

	constructor(provider: StatelessLink, options: CommandChannelOptions = {}) {
		this.provider = provider;
		this.options = options;
		provider.on("stateless", this.onStateless);
	}

	/**
	 * Send a command and wait for its ack or reject. `id` defaults to a new UUID, `version`
	 * to this build's protocol version (a command queued by an earlier release keeps its own).
	 */
	send(
		command: CommandInput,
		id: string = crypto.randomUUID(),
		version: number = PROTOCOL_VERSION,
	): Promise<CommandAnswer> {
		return new Promise((resolve) => {
			this.waiting.set(id, resolve);
			this.provider.sendStateless(encodeCommand(id, command, version));
		});
	}

	/** Send a raw payload (tests of malformed input) and wait for the next unmatched answer. */
	sendRaw(payload: string): Promise<CommandAnswer> {
		return new Promise((resolve) => {
			const previous = this.options.onUnmatched;
			this.options.onUnmatched = (answer) => {
				this.options.onUnmatched = previous;
				resolve(answer);
			};
			this.provider.sendStateless(payload);
		});
	}

	destroy(): void {
		this.provider.off("stateless", this.onStateless);
		this.waiting.clear();
	}

	private receive(payload: string): void {
		const message = parseServerMessage(payload);
		if (!message) return;
		switch (message.type) {
			case "notice":
				this.options.onNotice?.(message);
				return;
			case "notifications":
				this.options.onNotifications?.(message);
				return;
			case "ack":
			case "reject": {
				const resolve = message.id === null ? undefined : this.waiting.get(message.id);
				if (resolve && message.id !== null) {
					this.waiting.delete(message.id);
					resolve(message);
				} else {
					this.options.onUnmatched?.(message);
				}
				return;
			}
			default: {
				const unreachable: never = message;
				throw new Error(`unknown server message ${JSON.stringify(unreachable)}`);
			}
		}
	}
}
