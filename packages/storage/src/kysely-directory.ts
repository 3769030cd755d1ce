/**
 * The directory port on kysely: organisations, members and boards.
 */
import { randomUUID } from "node:crypto";
import { AppError, type Board, type Member, type Organisation } from "@switchboard/domain";
import type { Kysely } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import { KyselyPort } from "./kysely-port.ts";
import { findInOrg, findOne, insertOne, listOwned } from "./org-rows.ts";
import { json, toBoard, toMember, toMemberWithSecret, toOrganisation } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { BoardChange, Directory, MemberWithSecret, NewMember } from "./storage.ts";

/** Emails compare case-blind: store and look them up in one form. */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/**
 * Insert a member and their boards (every active board when `boards` is left out; in the
 * caller's transaction, when there are boards).
 * Shared with the people port, which creates members when an invitation is accepted.
 */
export async function insertMember(db: Kysely<Database>, input: NewMember): Promise<Member> {
	const row = await db
		.insertInto("members")
		.values({
			id: input.id ?? randomUUID(),
			org_id: input.orgId,
			email: normalizeEmail(input.email),
			name: input.name,
			role: input.role,
			capacity: input.capacity,
			skills: json(input.skills ?? []),
			languages: json(input.languages ?? []),
			password_hash: input.passwordHash,
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	if (input.boards === undefined) {
		await db
			.insertInto("member_boards")
			.columns(["member_id", "org_id", "board_id"])
			.expression((eb) =>
				eb
					.selectFrom("boards")
					.select([eb.val(row.id).as("member_id"), "org_id", "id"])
					.where("org_id", "=", row.org_id)
					.where("archived_at", "is", null),
			)
			.execute();
	} else if (input.boards.length > 0) {
		await db
			.insertInto("member_boards")
			.values(
				[...new Set(input.boards)].map((boardId) => ({
					member_id: row.id,
					org_id: row.org_id,
					board_id: boardId,
				})),
			)
			.execute();
	}
	return toMember(row);
}

export class KyselyDirectory extends KyselyPort implements Directory {
	createOrganisation(input: { id?: string; name: string }): Promise<Organisation> {
		return mapConstraintErrors("The organisation", () =>
			insertOne(
				this.db,
				"organisations",
				{ id: input.id ?? randomUUID(), name: input.name },
				toOrganisation,
			),
		);
	}

	getOrganisation(id: string): Promise<Organisation | null> {
		return findOne(this.db, "organisations", "id", id, toOrganisation);
	}

	async listOrganisations(): Promise<Organisation[]> {
		const rows = await this.db
			.selectFrom("organisations")
			.selectAll()
			.orderBy("name")
			.orderBy("id")
			.execute();
		return rows.map(toOrganisation);
	}

	createMember(input: NewMember): Promise<Member> {
		return mapConstraintErrors("A member with that email", () =>
			input.boards?.length === 0
				? insertMember(this.db, input)
				: this.db.transaction().execute((trx) => insertMember(trx, input)),
		);
	}

	getMember(id: string): Promise<Member | null> {
		return findOne(this.db, "members", "id", id, toMember);
	}

	findMemberByEmail(email: string): Promise<MemberWithSecret | null> {
		return findOne(this.db, "members", "email", normalizeEmail(email), toMemberWithSecret);
	}

	async replacePasswordHash(memberId: string, expected: string, next: string): Promise<boolean> {
		const result = await this.db
			.updateTable("members")
			.set({ password_hash: next })
			.where("id", "=", memberId)
			.where("password_hash", "=", expected)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	listMembers(orgId: string): Promise<Member[]> {
		return listOwned(this.db, "members", "org_id", orgId, "name", toMember);
	}

	createBoard(input: { id?: string; orgId: string; name: string }): Promise<Board> {
		return mapConstraintErrors(`The board ${input.id ?? ""}`.trimEnd(), () =>
			this.db.transaction().execute(async (trx) => {
				const boards = await lockBoards(trx, input.orgId);
				refuseTakenName(boards, input.name, null);
				return insertOne(
					trx,
					"boards",
					{ id: input.id ?? randomUUID(), org_id: input.orgId, name: input.name },
					toBoard,
				);
			}),
		);
	}

	getBoard(orgId: string, boardId: string): Promise<Board | null> {
		return findInOrg(this.db, "boards", orgId, boardId, toBoard);
	}

	listBoards(orgId: string): Promise<Board[]> {
		return listOwned(this.db, "boards", "org_id", orgId, "name", toBoard);
	}

	updateBoard(
		orgId: string,
		boardId: string,
		change: BoardChange,
		now: Date = new Date(),
	): Promise<{ before: Board; after: Board }> {
		return this.db.transaction().execute(async (trx) => {
			const boards = await lockBoards(trx, orgId);
			const before = boards.find((board) => board.id === boardId);
			if (!before) throw new AppError("not_found", `Your organisation has no board ${boardId}.`);
			if (change.name !== undefined) refuseTakenName(boards, change.name, boardId);
			const archiving = change.archived === true && before.archivedAt === null;
			if (archiving && !boards.some((board) => board.id !== boardId && !board.archivedAt)) {
				throw new AppError(
					"conflict",
					`${before.name} is the organisation's last active board: create or bring back another before archiving it.`,
				);
			}
			const archivedAt =
				change.archived === undefined
					? before.archivedAt
					: change.archived
						? (before.archivedAt ?? now.toISOString())
						: null;
			const row = await trx
				.updateTable("boards")
				.set({ name: change.name ?? before.name, archived_at: archivedAt })
				.where("org_id", "=", orgId)
				.where("id", "=", boardId)
				.returningAll()
				.executeTakeFirstOrThrow();
			return { before, after: toBoard(row) };
		});
	}

	async boardIdsOf(memberId: string): Promise<string[]> {
		const rows = await this.db
			.selectFrom("member_boards")
			.select("board_id")
			.where("member_id", "=", memberId)
			.orderBy("board_id")
			.execute();
		return rows.map((row) => row.board_id);
	}
}

/**
 * The organisation's boards, locked until the transaction ends: two admins archiving the
 * last two boards, or naming two boards alike, at once cannot both succeed.
 */
async function lockBoards(trx: Kysely<Database>, orgId: string): Promise<Board[]> {
	const rows = await trx
		.selectFrom("boards")
		.selectAll()
		.where("org_id", "=", orgId)
		.orderBy("id")
		.forUpdate()
		.execute();
	return rows.map(toBoard);
}

/** Two active boards never share a name (any case): a switcher could not tell them apart. */
function refuseTakenName(boards: readonly Board[], name: string, except: string | null): void {
	const wanted = name.trim().toLocaleLowerCase();
	const taken = boards.find(
		(board) =>
			board.id !== except && board.archivedAt === null && board.name.toLocaleLowerCase() === wanted,
	);
	if (taken) {
		// In the admin's words: the board's name, which the admin typed or sees, not its id.
		throw new AppError(
			"conflict",
			`A board named “${taken.name}” exists already; give this one another name.`,
		);
	}
}
