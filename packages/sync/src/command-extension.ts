/**
 * Commands: the only way a client changes a board. Each arrives as a stateless message
 * on the board document, is parsed with the protocol schemas, decided and recorded by
 * the database in one transaction, projected onto the board, and answered with an ack
 * or a reject on the same document. Commands of one connection run in arrival order,
 * so a replayed offline queue is applied as it was made.
 */
import type { Connection, Document, Extension, onStatelessPayload } from "@hocuspocus/server";
import {
	type Ack,
	type BulkItemResult,
	boardArchived,
	bulkItemCommandId,
	bulkItems,
	type Command,
	type CommandMessage,
	type MentionWork,
	parseClientMessage,
	type Reject,
	rejectCodeFor,
	type ServerMessage,
} from "@switchboard/domain";
import type { CommandArbiter, CommandOutcome, Directory } from "@switchboard/storage";
import type { Logger } from "pino";
import type { BoardProjector } from "./board-projector.ts";
import type { SyncContext } from "./context.ts";
import type { DraftTexts } from "./draft-texts.ts";
import type { RecordedReplies } from "./recorded-replies.ts";
import {
	noSyncMetrics,
	type CommandOutcome as SyncCommandOutcome,
	type SyncMetrics,
} from "./sync-metrics.ts";

export interface CommandExtensionOptions {
	/**
	 * Decides commands, refusing them on an archived board inside their transaction; and
	 * tells whether a board is archived before a bulk command, which is refused as a whole.
	 */
	storage: CommandArbiter & Pick<Directory, "getBoard">;
	projector: BoardProjector;
	logger: Logger;
	/** Where each answer is counted, by command and outcome. */
	metrics?: Pick<SyncMetrics, "commandAnswered">;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
	/**
	 * Told of each command accepted for the first time (not a replay), after the board shows
	 * it; the notifier tells whom it concerns. Must not throw or wait. Each item of a bulk
	 * command is told as a command of its own.
	 */
	onApplied?: (applied: AppliedCommand) => void;
	/**
	 * The draft's text, for submitForReview and approve from clients that send only its
	 * hash (protocol 1 and 2): the server holds them to the same limits (`DraftTexts`).
	 */
	draftTexts?: Pick<DraftTexts, "textFor">;
	/**
	 * Told of each reply recorded (markReplied accepted, replays too), after the board shows
	 * it and without holding up the ack: the reply joins the thread and its draft empties.
	 */
	replies?: Pick<RecordedReplies, "recorded">;
}

/** A command the database accepted, as `onApplied` hears of it. */
export interface AppliedCommand {
	orgId: string;
	boardId: string;
	mentionId: string;
	actorId: string;
	commandId: string;
	command: Command;
	/** The conversation as the command left it. */
	work: MentionWork;
	/** Who owned it before the command; null when nobody did. */
	ownerBefore: string | null;
}

/** What each log line of a command names. */
interface CommandLogFields {
	commandId: string;
	command: string;
	member: string;
}

/** Who sends a command, on which board. */
interface BoardActor {
	orgId: string;
	boardId: string;
	actorId: string;
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
		const arrived = performance.now();
		const next = previous.then(() => this.handle(data, arrived));
		this.queues.set(connection, next);
		await next;
	}

	/** Handle one command that arrived at `arrived` (`performance.now()`). */
	private async handle(
		{ connection, document, payload }: onStatelessPayload,
		arrived: number,
	): Promise<void> {
		const context = connection.context as SyncContext;
		const send = (message: ServerMessage) => connection.sendStateless(JSON.stringify(message));
		let name = "unknown";
		const answered = (outcome: SyncCommandOutcome) =>
			this.metrics.commandAnswered(name, outcome, (performance.now() - arrived) / 1000);
		const reject = (id: string | null, code: Reject["code"], message: string) => {
			answered(code);
			send({ type: "reject", id, code, message });
		};

		if (context.doc.kind !== "board") {
			reject(null, "malformed", "Commands are sent on a board document, not on a draft.");
			return;
		}
		const parsed = parseClientMessage(payload);
		if (!parsed.ok) {
			answered(parsed.reject.code);
			send(parsed.reject);
			return;
		}
		const { message } = parsed;
		name = message.name;
		const board: BoardActor = {
			orgId: context.doc.orgId,
			boardId: context.doc.boardId,
			actorId: context.member.memberId,
		};
		const log = context.log ?? this.options.logger;
		// On each of the command's lines. Not a child logger: pino builds one in about 18 µs,
		// for every command of a storm, to write a debug line that is mostly off.
		const about: CommandLogFields = {
			commandId: message.id,
			command: message.name,
			member: context.member.memberId,
		};
		try {
			if (message.name === "bulk") {
				// Asked per command, not at connection time: a board archived while its page
				// is open takes no change from then on. The arbiter refuses any other command
				// on it inside the command's own transaction, without a query of its own
				// before each (in a claim storm those queued on the pool).
				const stored = await this.options.storage.getBoard(board.orgId, board.boardId);
				if (stored?.archivedAt) {
					reject(message.id, "forbidden", boardArchived(stored.name));
					return;
				}
				const ack = await this.runBulk(board, document, message, log, about);
				answered("ack");
				send(ack);
				return;
			}
			const command = await this.withDraftText(board, message);
			const outcome = await this.runOne(board, document, message.id, command);
			if (!outcome.ok) {
				log.debug({ ...about, code: outcome.code }, "command rejected");
				reject(message.id, rejectCodeFor(outcome.code, message.v), outcome.message);
				return;
			}
			const ack: Ack = { type: "ack", id: message.id };
			if (outcome.result) ack.result = outcome.result;
			answered("ack");
			send(ack);
			log.debug({ ...about, replayed: outcome.replayed }, "command applied");
		} catch (error) {
			log.error({ ...about, err: error }, "command could not be recorded");
			reject(
				message.id,
				"unavailable",
				"The server could not record this right now; it will be retried.",
			);
		}
	}

	/**
	 * A review command that names only the hash (protocol 1 and 2) gets the draft's text, so
	 * it is decided like a version 3 one: refused when empty or over the network's limit.
	 */
	private async withDraftText(board: BoardActor, message: CommandMessage): Promise<Command> {
		const { draftTexts } = this.options;
		if (message.name !== "submitForReview" && message.name !== "approve") return message;
		if (message.args.text !== undefined || !draftTexts) return message;
		const { mentionId, hash } = message.args;
		const text = await draftTexts.textFor(board.orgId, mentionId, hash);
		return { ...message, args: { ...message.args, text } };
	}

	/** Decide and record one command, and project what it changed onto the board. */
	private async runOne(
		board: BoardActor,
		document: Document,
		commandId: string,
		command: Command,
	): Promise<CommandOutcome> {
		const outcome = await this.options.storage.executeCommand({
			...board,
			commandId,
			command,
			now: (this.options.now?.() ?? new Date()).toISOString(),
		});
		if (outcome.ok) {
			// A replayed id is projected again: harmless (stale revisions are skipped) and it
			// repairs a board whose process stopped between commit and projection.
			await this.options.projector.applyWork(
				document,
				board.orgId,
				outcome.mentionId,
				outcome.work,
				outcome.rev,
			);
			const { replies } = this.options;
			if (replies && command.name === "markReplied" && outcome.work.reply) {
				const mentionId = outcome.mentionId;
				replies
					.recorded({
						orgId: board.orgId,
						mentionId,
						reply: outcome.work.reply,
						firstTime: !outcome.replayed,
					})
					.catch((error: unknown) => {
						// The reply is recorded; only its place in the thread waits for a replay.
						this.options.logger.warn(
							{ err: error, mentionId },
							"the recorded reply could not join its thread",
						);
					});
			}
			if (!outcome.replayed) {
				this.options.onApplied?.({
					...board,
					mentionId: outcome.mentionId,
					commandId,
					command,
					work: outcome.work,
					ownerBefore: outcome.ownerBefore ?? null,
				});
			}
		}
		return outcome;
	}

	/**
	 * A bulk command: each item in order, as a command of its own under an id derived from
	 * the bulk command's (bulkItemCommandId), so a repeat of the bulk command answers every
	 * item as the first time. Acknowledged with one result per item; when the database
	 * fails midway the whole is answered `unavailable` and the client sends it again, which
	 * finds the items already done.
	 */
	private async runBulk(
		board: BoardActor,
		document: Document,
		message: CommandMessage & { name: "bulk" },
		log: Logger,
		about: CommandLogFields,
	): Promise<Ack> {
		const items: BulkItemResult[] = [];
		for (const [index, item] of bulkItems(message).entries()) {
			const outcome = await this.runOne(
				board,
				document,
				bulkItemCommandId(message.id, index),
				item,
			);
			items.push(
				outcome.ok
					? { mentionId: outcome.mentionId, ok: true }
					: {
							mentionId: item.args.mentionId,
							ok: false,
							code: outcome.code,
							message: outcome.message,
						},
			);
		}
		log.debug(
			{ ...about, items: items.length, refused: items.filter((i) => !i.ok).length },
			"bulk applied",
		);
		return { type: "ack", id: message.id, result: { items } };
	}
}
