/**
 * Teams = boards (issue 12, part 4; docs/PEOPLE.md, "Boards"): admins create, rename,
 * archive and bring back boards, and every route that names a board or a conversation asks
 * {@link BoardAccess} whether the caller may open it. Ambassadors open the boards they
 * belong to; moderators and admins every board (`seesEveryBoard`).
 *
 * A member who can no longer open a board (taken off it, or a role that sees less) loses
 * it at once: their sockets on its documents close with 4403 on every instance (the
 * revocation bus) and their open conversations on it go back to the board, each recorded
 * as `member_left_board`.
 */
import {
	AppError,
	type Board,
	boardIdFrom,
	HttpRoutes,
	mayOpenBoard,
	notOnBoard,
	OPEN_OWNED_STATUSES,
	type Role,
	type SystemAction,
	SystemActions,
	seesEveryBoard,
} from "@switchboard/domain";
import {
	type CommandArbiter,
	type Directory,
	type MentionStore,
	recordAudit,
	type Storage,
	type StoredMention,
} from "@switchboard/storage";
import type { BoardExtension, BoardStates, SessionService, StateEncoding } from "@switchboard/sync";
import { Hono } from "hono";
import { accepts } from "hono/accepts";
import type { Logger } from "pino";
import { requestActor } from "./audit.ts";
import { handle } from "./contract-route.ts";
import type { ApiEnv } from "./http-api.ts";
import { runSystemCommand } from "./system-command.ts";

/** Who asks: what the session middleware puts on the context. */
export interface BoardCaller {
	orgId: string;
	memberId: string;
	role: Role;
}

/** Whether a caller may see and open a board, asked by every route that names one. */
export interface BoardAccess {
	/** The boards the caller may open; archived ones only with `archived`. */
	visibleBoards(caller: BoardCaller, options?: { archived?: boolean }): Promise<Board[]>;
	/**
	 * The boards the caller may open, as a filter: null when they see every board (no
	 * filter needed), else the ids of their own.
	 */
	boardFilter(caller: BoardCaller): Promise<string[] | null>;
	/** The board, when the caller may open it: 404 when there is none, 403 when not theirs. */
	openBoard(caller: BoardCaller, boardId: string): Promise<Board>;
	/** The board of a conversation the caller may open: 404 when none, 403 when not theirs. */
	openMentionBoard(caller: BoardCaller, mentionId: string): Promise<string>;
}

export function createBoardAccess(
	storage: Pick<Directory, "getBoard" | "listBoards" | "boardIdsOf"> &
		Pick<MentionStore, "getMentionBoardId">,
): BoardAccess {
	const mayOpen = async (caller: BoardCaller, boardId: string) =>
		mayOpenBoard(caller.role, (await access.boardFilter(caller)) ?? [], boardId);
	const access: BoardAccess = {
		async visibleBoards(caller, options = {}) {
			const [boards, mine] = await Promise.all([
				storage.listBoards(caller.orgId),
				access.boardFilter(caller),
			]);
			return boards.filter(
				(board) =>
					(options.archived || board.archivedAt === null) &&
					(mine === null || mine.includes(board.id)),
			);
		},
		async boardFilter(caller) {
			return seesEveryBoard(caller.role) ? null : storage.boardIdsOf(caller.memberId);
		},
		async openBoard(caller, boardId) {
			const board = await storage.getBoard(caller.orgId, boardId);
			if (!board) throw new AppError("not_found", "No such board in your organisation.");
			if (!(await mayOpen(caller, board.id))) throw new AppError("forbidden", notOnBoard(board.id));
			return board;
		},
		async openMentionBoard(caller, mentionId) {
			const boardId = await storage.getMentionBoardId(caller.orgId, mentionId);
			if (boardId === null) {
				throw new AppError("not_found", "No such conversation in your organisation.");
			}
			if (!(await mayOpen(caller, boardId))) throw new AppError("forbidden", notOnBoard(boardId));
			return boardId;
		},
	};
	return access;
}

/**
 * Refuse (400, naming `field`) a board that a source or a rule would route to when the
 * organisation has no such board, or only an archived one: it takes no new conversations.
 */
export async function checkRoutableBoard(
	storage: Pick<Directory, "getBoard">,
	orgId: string,
	boardId: string,
	field: string,
): Promise<void> {
	const board = await storage.getBoard(orgId, boardId);
	if (!board) throw new AppError("invalid", `${field}: no board ${boardId} in this organisation.`);
	if (board.archivedAt) {
		throw new AppError(
			"invalid",
			`${field}: the board ${board.name} is archived and takes no new conversations.`,
		);
	}
}

/**
 * Give back a member's open conversations on `boardIds` (all boards when null), each
 * recorded in the activity log with `action`, and show them on the live boards. Answers
 * how many went back.
 */
export async function releaseHeld(
	deps: {
		storage: Pick<Directory, "listBoards"> &
			Pick<MentionStore, "listMentions" | "getMention"> &
			Pick<CommandArbiter, "executeSystemCommand">;
		board: Pick<BoardExtension, "publish">;
	},
	input: {
		orgId: string;
		memberId: string;
		boardIds: readonly string[] | null;
		action: SystemAction;
		byId: string | null;
	},
): Promise<number> {
	const { storage, board } = deps;
	const { orgId, memberId, action, byId } = input;
	const now = new Date().toISOString();
	const boardIds = input.boardIds ?? (await storage.listBoards(orgId)).map((b) => b.id);
	let released = 0;
	for (const boardId of boardIds) {
		const owned = await storage.listMentions(orgId, boardId, {
			ownerId: memberId,
			status: [...OPEN_OWNED_STATUSES],
		});
		const changed: StoredMention[] = [];
		for (const { mention } of owned) {
			const outcome = await runSystemCommand(storage, {
				orgId,
				boardId,
				command: { name: "release", args: { mentionId: mention.id } },
				action,
				detail: { by: byId },
				now,
				expectOwnerId: memberId,
			});
			if (outcome.ok && outcome.stored) changed.push(outcome.stored);
		}
		released += changed.length;
		await board.publish(orgId, boardId, changed);
	}
	return released;
}

export interface BoardsApiOptions {
	storage: Storage;
	tokens: Pick<SessionService, "endBoardAccess">;
	board: Pick<BoardExtension, "publish">;
	/** The boards' live documents, for `GET /api/boards/:boardId/state`. */
	states: Pick<BoardStates, "read">;
	logger: Logger;
}

/**
 * The encoding a board's state goes out in: Brotli when the request takes it (it is a
 * quarter smaller than gzip on a board), else gzip, else none. Hono's own match would take
 * the first of equal weights in the header's order, and browsers list gzip first.
 */
const stateEncoding: NonNullable<Parameters<typeof accepts>[1]["match"]> = (accepted) => {
	const weight = (name: string) =>
		accepted.find((entry) => entry.type.toLowerCase() === name)?.q ??
		accepted.find((entry) => entry.type === "*")?.q ??
		0;
	return weight("br") > 0 ? "br" : weight("gzip") > 0 ? "gzip" : "identity";
};

export interface BoardsApi {
	routes: Hono<ApiEnv>;
	/**
	 * A member's role or boards changed: for each board they could open before and cannot
	 * now, close their sockets on it and release what they hold there. Answers how many
	 * conversations went back.
	 */
	boardsLost(
		orgId: string,
		memberId: string,
		before: { role: Role; boards: readonly string[] },
		after: { role: Role; boards: readonly string[] },
		byId: string,
	): Promise<number>;
}

/** A board id made from `name` that the organisation does not use yet (`press`, `press-2`…). */
function freeBoardId(name: string, taken: readonly Board[]): string {
	const base = boardIdFrom(name);
	const ids = new Set(taken.map((board) => board.id));
	let id = base;
	for (let n = 2; ids.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
	return id;
}

export function createBoardsApi(options: BoardsApiOptions): BoardsApi {
	const { storage, tokens, board, states, logger } = options;
	const routes = new Hono<ApiEnv>();
	const access = createBoardAccess(storage);

	handle(routes, HttpRoutes.boardState, async (c, { params }) => {
		const caller = c.get("member");
		const { id } = await access.openBoard(caller, params.boardId);
		const encoding = accepts(c, {
			header: "Accept-Encoding",
			supports: ["br", "gzip", "identity"],
			default: "identity",
			match: stateEncoding,
		}) as StateEncoding;
		const state = await states.read(caller.orgId, id, encoding);
		return new Response(state.body, {
			headers: {
				"content-type": HttpRoutes.boardState.bytes,
				...(state.encoding === "identity" ? {} : { "content-encoding": state.encoding }),
				vary: "Accept-Encoding",
				// A member's view of a live board: never kept by a cache, shared or not.
				"cache-control": "private, no-store",
			},
		});
	});

	handle(routes, HttpRoutes.createBoard, async (c, { params, body }) => {
		const id = body.id ?? freeBoardId(body.name, await storage.listBoards(params.orgId));
		const created = await storage.createBoard({ id, orgId: params.orgId, name: body.name });
		await recordAudit(storage, {
			orgId: params.orgId,
			actor: requestActor(c),
			action: "board.created",
			target: { type: "board", id: created.id },
			details: { name: created.name },
		});
		logger.info({ orgId: params.orgId, boardId: created.id }, "board created");
		return { board: created };
	});

	handle(routes, HttpRoutes.updateBoard, async (c, { params, body }) => {
		const { before, after } = await storage.updateBoard(params.orgId, params.boardId, body);
		const base = {
			orgId: params.orgId,
			actor: requestActor(c),
			target: { type: "board" as const, id: after.id },
		};
		const entries = [];
		if (before.name !== after.name) {
			entries.push({
				...base,
				action: "board.renamed" as const,
				details: { from: before.name, to: after.name },
			});
		}
		if ((before.archivedAt === null) !== (after.archivedAt === null)) {
			entries.push({
				...base,
				action: after.archivedAt ? ("board.archived" as const) : ("board.unarchived" as const),
				details: { name: after.name },
			});
		}
		await storage.appendAuditEntries(entries);
		return { board: after };
	});

	async function boardsLost(
		orgId: string,
		memberId: string,
		before: { role: Role; boards: readonly string[] },
		after: { role: Role; boards: readonly string[] },
		byId: string,
	): Promise<number> {
		const all = (await storage.listBoards(orgId)).map((b) => b.id);
		const lost = all.filter(
			(boardId) =>
				mayOpenBoard(before.role, before.boards, boardId) &&
				!mayOpenBoard(after.role, after.boards, boardId),
		);
		for (const boardId of lost) {
			await tokens.endBoardAccess(memberId, boardId, notOnBoard(boardId));
		}
		if (lost.length === 0) return 0;
		const released = await releaseHeld(
			{ storage, board },
			{ orgId, memberId, boardIds: lost, action: SystemActions.memberLeftBoard, byId },
		);
		logger.info({ orgId, memberId, boards: lost, released }, "member left boards");
		return released;
	}

	return { routes, boardsLost };
}
