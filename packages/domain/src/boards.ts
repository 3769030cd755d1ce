/**
 * Teams = boards (issue 12, part 4): who sees which board, what an admin may change about
 * one, and where a mention goes when the board it was routed to is archived. Pure rules;
 * the server, the sync extensions and the web client all ask these.
 */
import * as v from "valibot";
import type { Board, Role } from "./model.ts";

/** The board `switchboard setup` and the demo create first; where routing falls back to. */
export const FIRST_BOARD_ID = "main";

/**
 * The roles that see and open every board of their organisation, whatever boards they are
 * on: admins run the organisation, and moderators watch coverage per board and across them
 * and reassign between teams. Ambassadors see the boards they belong to.
 */
export const SEES_EVERY_BOARD: readonly Role[] = ["moderator", "admin"];

/** Whether a member of `role` sees every board of the organisation (not only their own). */
export function seesEveryBoard(role: Role): boolean {
	return SEES_EVERY_BOARD.includes(role);
}

/**
 * Whether a member of `role` on `memberBoards` may see and open `boardId`. An archived
 * board stays open to the same people (read-only): its history is theirs to read.
 */
export function mayOpenBoard(
	role: Role,
	memberBoards: readonly string[],
	boardId: string,
): boolean {
	return seesEveryBoard(role) || memberBoards.includes(boardId);
}

/** What a member refused a board is told (HTTP 403 and the sync server's 4403). */
export function notOnBoard(boardId: string): string {
	return `You are not a member of the board ${boardId}; an admin can add you to it.`;
}

/** What a change on an archived board is told. */
export function boardArchived(name: string): string {
	return `The board ${name} is archived: it is read-only. An admin can bring it back.`;
}

/**
 * Where a new conversation goes: the first of `wanted` (a triage rule's board, then its
 * source's) that is an active board of the organisation; when none is (archived or gone),
 * the organisation's first board (`main`) if it is active, else the first active board by
 * name. Null when the organisation has no active board (it always has one: the last active
 * board cannot be archived).
 */
export function routeToBoard(
	boards: readonly Board[],
	...wanted: readonly (string | null | undefined)[]
): string | null {
	const active = boards.filter((board) => board.archivedAt === null);
	for (const id of wanted) {
		if (id && active.some((board) => board.id === id)) return id;
	}
	const fallback =
		active.find((board) => board.id === FIRST_BOARD_ID) ??
		[...active].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))[0];
	return fallback?.id ?? null;
}

const BoardName = v.pipe(
	v.string(),
	v.trim(),
	v.minLength(1, "must not be empty"),
	v.maxLength(200, "must be at most 200 characters"),
);

/**
 * A new board: its id (letters, digits, `-` and `_`, up to 64; from its name when left out)
 * and its name.
 */
export const NewBoardSchema = v.strictObject({
	id: v.optional(
		v.pipe(
			v.string(),
			v.regex(
				/^[A-Za-z0-9_-]{1,64}$/,
				"must be 1 to 64 letters, digits, - or _ (it appears in links and document names)",
			),
		),
	),
	name: BoardName,
});
export type NewBoard = v.InferOutput<typeof NewBoardSchema>;

/** A change to a board: a new name, archived or brought back. */
export const BoardPatchSchema = v.pipe(
	v.strictObject({ name: v.optional(BoardName), archived: v.optional(v.boolean()) }),
	v.check((patch) => Object.keys(patch).length > 0, "change at least one field"),
);
export type BoardPatch = v.InferOutput<typeof BoardPatchSchema>;

/**
 * A board id made from a name: lower case, words joined by `-`, accents dropped, at most
 * 64 characters; `board` when nothing is left ("東京" has no Latin letters).
 */
export function boardIdFrom(name: string): string {
	const id = name
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-+|-+$/g, "")
		.slice(0, 64)
		.replace(/-+$/, "");
	return id || "board";
}
