/**
 * What the moderator's view needs from the sync layer:
 *
 * - presence for leases: every board connection a member opens or closes here is
 *   counted, and the count (with the time) is written to `member_presence`, so every
 *   instance's coverage watcher can tell who is online; `heartbeat` refreshes the
 *   instance's rows so they do not go stale while people stay connected;
 * - SLA breaches on the board: a loaded board gets the breaches of its conversations
 *   from the database, and `publishBreaches` writes new ones as the watcher records them;
 * - board settings: the database's (SLA targets, lease, approval rules) are written onto
 *   a board when it loads and when an admin changes them (`publishSettings`).
 */
import type {
	afterLoadDocumentPayload,
	connectedPayload,
	Extension,
	Hocuspocus,
	onDisconnectPayload,
} from "@hocuspocus/server";
import {
	type BoardSettings,
	boardDocumentName,
	boardRevisions,
	boardRoots,
	breachKey,
	parseDocumentName,
	readKeyed,
	removeBreaches,
	writeBreaches,
	writeSettings,
} from "@switchboard/domain";
import type { CoverageStore, RecordedSlaBreach } from "@switchboard/storage";
import type { Logger } from "pino";
import type * as Y from "yjs";
import { Origins, type SyncContext } from "./context.ts";

export interface CoverageExtensionOptions {
	storage: CoverageStore;
	logger: Pick<Logger, "warn" | "debug">;
	/** This server instance's id in `member_presence`; unique per process. */
	instanceId: string;
	/** The clock; tests pass a fixed one. */
	now?: () => Date;
}

interface Counted {
	orgId: string;
	connections: number;
}

export class CoverageExtension implements Extension {
	readonly extensionName = "switchboard-coverage";
	private readonly options: CoverageExtensionOptions;
	private instance: Hocuspocus | null = null;
	/** Board connections per member on this instance. */
	private readonly members = new Map<string, Counted>();
	/** The connections counted, by socket and document, so each is uncounted once. */
	private readonly counted = new Map<string, string>();
	/** Presence writes in flight, in order, so a late write never overtakes a newer one. */
	private writes: Promise<void> = Promise.resolve();

	constructor(options: CoverageExtensionOptions) {
		this.options = options;
	}

	async onConfigure({ instance }: { instance: Hocuspocus }): Promise<void> {
		this.instance = instance;
	}

	async connected({
		context,
		documentName,
		socketId,
	}: connectedPayload<SyncContext>): Promise<void> {
		if (context.doc?.kind !== "board" || !context.member) return;
		const key = `${socketId}\n${documentName}`;
		if (this.counted.has(key)) return;
		const { memberId, orgId } = context.member;
		this.counted.set(key, memberId);
		const entry = this.members.get(memberId) ?? { orgId, connections: 0 };
		entry.connections += 1;
		this.members.set(memberId, entry);
		await this.write([memberId]);
	}

	async onDisconnect({ documentName, socketId }: onDisconnectPayload<SyncContext>): Promise<void> {
		const key = `${socketId}\n${documentName}`;
		const memberId = this.counted.get(key);
		if (memberId === undefined) return;
		this.counted.delete(key);
		const entry = this.members.get(memberId);
		if (!entry) return;
		entry.connections = Math.max(0, entry.connections - 1);
		await this.write([memberId]);
		if (entry.connections === 0) this.members.delete(memberId);
	}

	/** The server stops: the last presence writes (disconnects) land before storage closes. */
	async onDestroy(): Promise<void> {
		await this.writes;
	}

	/** Members connected to a board here, now. */
	connectedMembers(): string[] {
		return [...this.members.entries()]
			.filter(([, entry]) => entry.connections > 0)
			.map(([memberId]) => memberId);
	}

	/** Confirm this instance's connected members as seen at `now`. */
	async heartbeat(now: Date = this.now()): Promise<void> {
		await this.write(this.connectedMembers(), now);
	}

	async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
		const ref = parseDocumentName(documentName);
		if (ref?.kind !== "board") return;
		const settings = await this.options.storage.getBoardSettings(ref.orgId, ref.boardId);
		writeSettings(document, settings, Origins.projection);
		await this.reconcileBreaches(document, ref.orgId, ref.boardId);
	}

	/** Write a board's settings onto it (loaded here, or through Redis). */
	async publishSettings(orgId: string, boardId: string, settings: BoardSettings): Promise<void> {
		await this.withBoard(orgId, boardId, (doc) => {
			writeSettings(doc, settings, Origins.projection);
		});
	}

	/**
	 * Bring the board's breaches in line with the database: those of conversations on the
	 * board, no others. Runs after the board projection (extension order), so the
	 * conversations on the board are the database's.
	 */
	async reconcileBreaches(doc: Y.Doc, orgId: string, boardId: string): Promise<void> {
		const recorded = await this.options.storage.listSlaBreaches(orgId, boardId);
		const onBoard = boardRevisions(doc);
		const wanted = recorded.filter((breach) => onBoard.has(breach.mentionId));
		const keep = new Set(wanted.map((breach) => breachKey(breach.mentionId, breach.kind)));
		const stale = [...readKeyed(boardRoots(doc).breaches).keys()].filter((key) => !keep.has(key));
		doc.transact(() => {
			writeBreaches(doc, wanted.map(toWrite));
			removeBreaches(doc, stale);
		}, Origins.projection);
	}

	/** Write newly recorded breaches onto their board (loaded here, or through Redis). */
	async publishBreaches(
		orgId: string,
		boardId: string,
		breaches: readonly RecordedSlaBreach[],
	): Promise<void> {
		if (breaches.length === 0) return;
		await this.withBoard(orgId, boardId, (doc) => {
			writeBreaches(doc, breaches.map(toWrite), Origins.projection);
		});
	}

	private async withBoard(
		orgId: string,
		boardId: string,
		write: (doc: Y.Doc) => void,
	): Promise<void> {
		if (!this.instance) return;
		const name = boardDocumentName(orgId, boardId);
		// Loaded here: write into it like any server write (logged, stored when due). A direct
		// connection would store the whole board on every disconnect.
		const loaded = this.instance.documents.get(name);
		if (loaded) {
			write(loaded);
			return;
		}
		// Not loaded here: load it, so the write reaches other instances through Redis; the
		// next load reconciles from the database anyway.
		const connection = await this.instance.openDirectConnection(name);
		try {
			if (connection.document) write(connection.document);
		} finally {
			await connection.disconnect();
		}
	}

	private now(): Date {
		return this.options.now?.() ?? new Date();
	}

	private write(memberIds: readonly string[], at: Date = this.now()): Promise<void> {
		const writes = memberIds.flatMap((memberId) => {
			const entry = this.members.get(memberId);
			return entry
				? [
						{
							orgId: entry.orgId,
							memberId,
							instanceId: this.options.instanceId,
							connections: entry.connections,
							at: at.toISOString(),
						},
					]
				: [];
		});
		if (writes.length === 0) return this.writes;
		this.writes = this.writes.then(() =>
			this.options.storage.recordPresence(writes).catch((error: unknown) => {
				// Presence is best effort: a missed write is repaired by the next heartbeat.
				this.options.logger.warn({ err: error }, "could not record presence");
			}),
		);
		return this.writes;
	}
}

function toWrite(breach: RecordedSlaBreach) {
	return {
		breach: { mentionId: breach.mentionId, kind: breach.kind, dueAt: breach.dueAt, at: breach.at },
		rev: breach.id,
	};
}
