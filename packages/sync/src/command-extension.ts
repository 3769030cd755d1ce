/**
 * Commands: the only way a client changes a board. Each arrives as a stateless message
 * on the board document, is parsed with the protocol schemas, decided and recorded by
 * the database in one transaction, projected onto the board, and answered with an ack
 * or a reject on the same document. Commands of one connection run in arrival order,
 * so a replayed offline queue is applied as it was made.
 */
import type { Connection, Extension, onStatelessPayload } from "@hocuspocus/server";
import {
	type Ack,
	type Command,
	type MentionWork,
	parseClientMessage,
	type Reject,
	type ServerMessage,
} from "@switchboard/domain";
import type { CommandArbiter } from "@switchboard/storage";
import type { Logger } from "pino";
import type { BoardProjector } from "./board-projector.ts";
import type { SyncContext } from "./context.ts";
import { noSyncMetrics, type SyncMetrics } from "./sync-metrics.ts";

export interface CommandExtensionOptions {
	storage: CommandArbiter;
	projector: BoardProjector;
	logger: Logger;
	/** Where each answer is counted, by command and outcome. */
	metrics?: Pick<SyncMetrics, "commandAnswered">;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
	/**
	 * Told of each command accepted for the first time (not a replay), after the board shows
	 * it; the notifier tells whom it concerns. Must not throw or wait.
	 */
	onApplied?: (applied: AppliedCommand) => void;
}

/** A command the database accepted, as `onApplied` hears of it. */
export interface AppliedCommand {
	orgId: string;
	boardId: string;
	mentionId: string;
	actorId: string;
	commandId: string;
	command: Command;
	work: MentionWork;
}

export class CommandExtension implements Extension {
	readonly extensionName = "switchboard-commands";
	private readonly options: CommandExtensionOptions;
	private readonly metrics: Pick<SyncMetrics, "commandAnswered">;
	private readonly queues = new WeakMap<Connection, Promise<void>>();

	constructor(options: CommandExtensionOptions) {
		this.options = options;
		this.metrics = options.metrics ?? noSyncMetrics;
	}

	async onStateless(data: onStatelessPayload): Promise<void> {
		const { connection } = data;
		const previous = this.queues.get(connection) ?? Promise.resolve();
		const next = previous.then(() => this.handle(data));
		this.queues.set(connection, next);
		await next;
	}

	private async handle({ connection, document, payload }: onStatelessPayload): Promise<void> {
		const context = connection.context as SyncContext;
		const send = (message: ServerMessage) => connection.sendStateless(JSON.stringify(message));
		let name = "unknown";
		const reject = (id: string | null, code: Reject["code"], message: string) => {
			this.metrics.commandAnswered(name, code);
			send({ type: "reject", id, code, message });
		};

		if (context.doc.kind !== "board") {
			reject(null, "malformed", "Commands are sent on a board document, not on a draft.");
			return;
		}
		const parsed = parseClientMessage(payload);
		if (!parsed.ok) {
			this.metrics.commandAnswered(name, parsed.reject.code);
			send(parsed.reject);
			return;
		}
		const { message } = parsed;
		name = message.name;
		const { orgId, boardId } = context.doc;
		const log = (context.log ?? this.options.logger).child({
			commandId: message.id,
			command: message.name,
			member: context.member.memberId,
		});
		let outcome: Awaited<ReturnType<Storage["executeCommand"]>>;
		try {
			outcome = await this.options.storage.executeCommand({
				orgId,
				boardId,
				actorId: context.member.memberId,
				commandId: message.id,
				command: message,
				now: (this.options.now?.() ?? new Date()).toISOString(),
			});
		} catch (error) {
			log.error({ err: error }, "command could not be recorded");
			reject(
				message.id,
				"unavailable",
				"The server could not record this right now; it will be retried.",
			);
			return;
		}
		if (!outcome.ok) {
			log.debug({ code: outcome.code }, "command rejected");
			reject(message.id, outcome.code, outcome.message);
			return;
		}
		// A replayed id is projected again: harmless (stale revisions are skipped) and it
		// repairs a board whose process stopped between commit and projection.
		await this.options.projector.applyWork(
			document,
			orgId,
			outcome.mentionId,
			outcome.work,
			outcome.rev,
		);
		const ack: Ack = { type: "ack", id: message.id };
		if (outcome.result) ack.result = outcome.result;
		this.metrics.commandAnswered(name, "ack");
		send(ack);
		log.debug({ replayed: outcome.replayed }, "command applied");
		if (!outcome.replayed) {
			this.options.onApplied?.({
				orgId,
				boardId,
				mentionId: outcome.mentionId,
				actorId: context.member.memberId,
				commandId: message.id,
				command: message,
				work: outcome.work,
			});
		}
	}
}
