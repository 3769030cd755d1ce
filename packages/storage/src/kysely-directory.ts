/**
 * The directory port on kysely: organisations, members and boards.
 */
import { randomUUID } from "node:crypto";
import type { Board, Member, Organisation } from "@switchboard/domain";
import type { Kysely } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import { findInOrg, listOwned } from "./org-rows.ts";
import { json, toBoard, toMember, toMemberWithSecret, toOrganisation } from "./rows.ts";
import type { Database } from "./schema.ts";
import type { Directory, MemberWithSecret, NewMember } from "./storage.ts";

/** Emails compare case-blind: store and look them up in one form. */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/**
 * Insert a member and their boards (in the caller's transaction, when there are boards).
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
	if (input.boards && input.boards.length > 0) {
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

export class KyselyDirectory implements Directory {
	readonly #db: Kysely<Database>;

	constructor(db: Kysely<Database>) {
		this.#db = db;
	}

	createOrganisation(input: { id?: string; name: string }): Promise<Organisation> {
		return mapConstraintErrors("The organisation", async () => {
			const row = await this.#db
				.insertInto("organisations")
				.values({ id: input.id ?? randomUUID(), name: input.name })
				.returningAll()
				.executeTakeFirstOrThrow();
			return toOrganisation(row);
		});
	}

	async getOrganisation(id: string): Promise<Organisation | null> {
		const row = await this.#db
			.selectFrom("organisations")
			.selectAll()
			.where("id", "=", id)
			.executeTakeFirst();
		return row ? toOrganisation(row) : null;
	}

	async listOrganisations(): Promise<Organisation[]> {
		const rows = await this.#db
			.selectFrom("organisations")
			.selectAll()
			.orderBy("name")
			.orderBy("id")
			.execute();
		return rows.map(toOrganisation);
	}

	createMember(input: NewMember): Promise<Member> {
		return mapConstraintErrors("A member with that email", () =>
			input.boards && input.boards.length > 0
				? this.#db.transaction().execute((trx) => insertMember(trx, input))
				: insertMember(this.#db, input),
		);
	}

	async getMember(id: string): Promise<Member | null> {
		const row = await this.#db
			.selectFrom("members")
			.selectAll()
			.where("id", "=", id)
			.executeTakeFirst();
		return row ? toMember(row) : null;
	}

	async findMemberByEmail(email: string): Promise<MemberWithSecret | null> {
		const row = await this.#db
			.selectFrom("members")
			.selectAll()
			.where("email", "=", normalizeEmail(email))
			.executeTakeFirst();
		return row ? toMemberWithSecret(row) : null;
	}

	async replacePasswordHash(memberId: string, expected: string, next: string): Promise<boolean> {
		const result = await this.#db
			.updateTable("members")
			.set({ password_hash: next })
			.where("id", "=", memberId)
			.where("password_hash", "=", expected)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	listMembers(orgId: string): Promise<Member[]> {
		return listOwned(this.#db, "members", "org_id", orgId, "name", toMember);
	}

	createBoard(input: { id?: string; orgId: string; name: string }): Promise<Board> {
		return mapConstraintErrors("The board", async () => {
			const row = await this.#db
				.insertInto("boards")
				.values({ id: input.id ?? randomUUID(), org_id: input.orgId, name: input.name })
				.returningAll()
				.executeTakeFirstOrThrow();
			return toBoard(row);
		});
	}

	getBoard(orgId: string, boardId: string): Promise<Board | null> {
		return findInOrg(this.#db, "boards", orgId, boardId, toBoard);
	}

	listBoards(orgId: string): Promise<Board[]> {
		return listOwned(this.#db, "boards", "org_id", orgId, "name", toBoard);
	}
}
