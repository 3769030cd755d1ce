/** The people port on kysely (see `people-storage.ts`). */
import { randomUUID } from "node:crypto";
import {
	AppError,
	DEFAULT_CAPACITY,
	type InvitationKind,
	type LinkReplacement,
	leavesNoAdmin,
	type MemberRecord,
	OPEN_OWNED_STATUSES,
	type Organisation,
	revokedLinkMessage,
} from "@switchboard/domain";
import { type Kysely, type Selectable, sql } from "kysely";
import { mapConstraintErrors } from "./database-errors.ts";
import { insertMember, normalizeEmail } from "./kysely-directory.ts";
import { KyselyPort } from "./kysely-port.ts";
import { findOne } from "./org-rows.ts";
import type { InvitationsTable } from "./people-schema.ts";
import type {
	AcceptedInvitation,
	AcceptInvitationInput,
	CreatedInvitations,
	Invitation,
	MemberChange,
	NewInvitation,
	PageQuery,
	PeopleStore,
} from "./people-storage.ts";
import { iso, json, recordOf, toMember } from "./rows.ts";
import type { Database } from "./schema.ts";

/** Emails looked up per statement: a 10,000-row import stays a handful of queries. */
const LOOKUP_CHUNK = 1_000;
/** Invitations inserted per statement (15 parameters each, well under PostgreSQL's 65,535). */
const INSERT_CHUNK = 1_000;

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
	const { code_hash: _, ...invitation } = row;
	return recordOf(invitation);
}

/** `%text%` for LIKE, with the wildcards of the text itself escaped. */
function containing(text: string): string {
	return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Revokes the organisation's invitations still open (not used, not revoked) that the caller picks. */
function revokeOpenInvitations(db: Kysely<Database>, orgId: string, now: Date) {
	return db
		.updateTable("invitations")
		.set({ revoked_at: now })
		.where("org_id", "=", orgId)
		.where("used_at", "is", null)
		.where("revoked_at", "is", null);
}

/**
 * What became of the newest link of `link`'s kind made after it for the same email: open (not
 * used, revoked nor expired at `now`), used, or neither.
 */
async function replacementIn(
	db: Kysely<Database>,
	link: Pick<Invitation, "id" | "orgId" | "kind" | "email" | "createdAt">,
	now: Date,
): Promise<LinkReplacement> {
	const newer = await db
		.selectFrom("invitations")
		.select(["used_at", "revoked_at", "expires_at"])
		.where("org_id", "=", link.orgId)
		.where("kind", "=", link.kind)
		.where("email", "=", link.email)
		.where("id", "<>", link.id)
		.where("created_at", ">=", new Date(link.createdAt))
		.orderBy("created_at", "desc")
		.limit(1)
		.executeTakeFirst();
	if (!newer) return null;
	if (newer.used_at) return "used";
	if (newer.revoked_at || newer.expires_at.getTime() <= now.getTime()) return null;
	return "open";
}

function gone(message: string): AppError {
	return new AppError("gone", message);
}

function chunks<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

export class KyselyPeopleStore extends KyselyPort implements PeopleStore {
	async createInvitations(
		invitations: NewInvitation[],
		now = new Date(),
	): Promise<CreatedInvitations> {
		if (invitations.length === 0) return { replaced: [] };
		return this.db.transaction().execute((trx) => this.#insertInvitations(trx, invitations, now));
	}

	async #insertInvitations(
		db: Kysely<Database>,
		invitations: NewInvitation[],
		now: Date,
	): Promise<CreatedInvitations> {
		const replaced = new Set<string>();
		const orgIds = [...new Set(invitations.map((invitation) => invitation.orgId))];
		const boards = await db
			.selectFrom("boards")
			.select(["org_id", "id"])
			.where("org_id", "in", orgIds)
			.execute();
		const known = new Set(boards.map((board) => `${board.org_id}/${board.id}`));
		for (const invitation of invitations) {
			const missing = (invitation.boards ?? []).find(
				(boardId) => !known.has(`${invitation.orgId}/${boardId}`),
			);
			if (missing !== undefined) {
				throw new AppError(
					"not_found",
					`Organisation ${invitation.orgId} has no board ${missing}.`,
				);
			}
		}
		for (const part of chunks(invitations, INSERT_CHUNK)) {
			// Inviting again replaces the open link: revoke it, in the same transaction.
			const groups = new Map<
				string,
				{ orgId: string; kind: NewInvitation["kind"]; emails: string[] }
			>();
			for (const invitation of part) {
				const key = `${invitation.orgId}\u0000${invitation.kind}`;
				const group = groups.get(key) ?? {
					orgId: invitation.orgId,
					kind: invitation.kind,
					emails: [],
				};
				group.emails.push(normalizeEmail(invitation.email));
				groups.set(key, group);
			}
			for (const { orgId, kind, emails } of groups.values()) {
				const revoked = await revokeOpenInvitations(db, orgId, now)
					.where("kind", "=", kind)
					.where("email", "in", emails)
					.returning("email")
					.execute();
				for (const { email } of revoked) replaced.add(email);
			}
			await mapConstraintErrors("An open invitation for that email", () =>
				db
					.insertInto("invitations")
					.values(
						part.map((invitation) => ({
							id: invitation.id ?? randomUUID(),
							org_id: invitation.orgId,
							kind: invitation.kind,
							code_hash: invitation.codeHash,
							email: normalizeEmail(invitation.email),
							role: invitation.role,
							name: invitation.name ?? null,
							capacity: invitation.capacity ?? null,
							skills: json(invitation.skills ?? []),
							languages: json(invitation.languages ?? []),
							boards: json(invitation.boards ?? []),
							member_id: invitation.memberId ?? null,
							invited_by: invitation.invitedBy,
							created_at: now,
							expires_at: invitation.expiresAt,
						})),
					)
					.execute(),
			);
		}
		return { replaced: [...replaced] };
	}

	setupOrganisation(input: {
		organisation: Organisation;
		board: { id: string; name: string };
		invitation: Omit<NewInvitation, "orgId">;
	}): Promise<Organisation> {
		const { organisation, board, invitation } = input;
		return mapConstraintErrors(`The organisation ${organisation.id}`, () =>
			this.db.transaction().execute(async (trx) => {
				await trx
					.insertInto("organisations")
					.values({ id: organisation.id, name: organisation.name })
					.execute();
				await trx
					.insertInto("boards")
					.values({ id: board.id, org_id: organisation.id, name: board.name })
					.execute();
				await this.#insertInvitations(trx, [{ ...invitation, orgId: organisation.id }], new Date());
				return organisation;
			}),
		);
	}

	findInvitation(codeHash: string): Promise<Invitation | null> {
		return findOne(this.db, "invitations", "code_hash", codeHash, toInvitation);
	}

	replacementOf(
		link: Pick<Invitation, "id" | "orgId" | "kind" | "email" | "createdAt">,
		now = new Date(),
	): Promise<LinkReplacement> {
		return replacementIn(this.db, link, now);
	}

	async openInvitationsFor(
		orgId: string,
		kind: InvitationKind,
		emails: readonly string[],
	): Promise<Invitation[]> {
		const found: Invitation[] = [];
		for (const part of chunks([...new Set(emails.map(normalizeEmail))], LOOKUP_CHUNK)) {
			if (part.length === 0) continue;
			const rows = await this.db
				.selectFrom("invitations")
				.selectAll()
				.where("org_id", "=", orgId)
				.where("kind", "=", kind)
				.where("email", "in", part)
				.where("used_at", "is", null)
				.where("revoked_at", "is", null)
				.execute();
			found.push(...rows.map(toInvitation));
		}
		return found;
	}

	async listOpenInvitations(orgId: string, query: PageQuery): Promise<Invitation[]> {
		let select = this.db
			.selectFrom("invitations")
			.selectAll()
			.where("org_id", "=", orgId)
			.where("used_at", "is", null)
			.where("revoked_at", "is", null);
		if (query.q) {
			const pattern = containing(query.q);
			select = select.where((eb) =>
				eb.or([eb("email", "like", pattern), eb(sql`lower(coalesce(name, ''))`, "like", pattern)]),
			);
		}
		if (query.after) {
			const { key, id } = query.after;
			select = select.where((eb) =>
				eb.or([eb("email", ">", key), eb.and([eb("email", "=", key), eb("id", ">", id)])]),
			);
		}
		const rows = await select.orderBy("email").orderBy("id").limit(query.limit).execute();
		return rows.map(toInvitation);
	}

	async revokeInvitation(orgId: string, invitationId: string, now = new Date()): Promise<boolean> {
		const result = await revokeOpenInvitations(this.db, orgId, now)
			.where("id", "=", invitationId)
			.executeTakeFirst();
		return result.numUpdatedRows > 0n;
	}

	acceptInvitation(input: AcceptInvitationInput): Promise<AcceptedInvitation> {
		return this.db.transaction().execute(async (trx) => {
			// Locked: two accepts of one link at once, one wins and the other finds it used.
			const row = await trx
				.selectFrom("invitations")
				.selectAll()
				.where("code_hash", "=", input.codeHash)
				.forUpdate()
				.executeTakeFirst();
			if (!row) {
				throw new AppError(
					"not_found",
					"This link is not valid: check that it was copied whole, or ask an admin for a new one.",
				);
			}
			if (row.used_at) {
				throw gone(
					row.kind === "invite"
						? "This invitation was already used. Sign in, or ask an admin for a new one."
						: "This reset link was already used. Ask an admin for a new one.",
				);
			}
			if (row.revoked_at) {
				const replacement = await replacementIn(trx, toInvitation(row), input.now);
				throw gone(revokedLinkMessage(row.kind, replacement));
			}
			if (row.expires_at.getTime() <= input.now.getTime()) {
				throw gone(
					`This link expired on ${iso(row.expires_at).slice(0, 10)}. Ask an admin for a new one.`,
				);
			}
			let member: AcceptedInvitation["member"];
			if (row.kind === "invite") {
				const name = input.name ?? row.name;
				if (!name) throw new AppError("invalid", "name: say what your teammates should call you.");
				const taken = await trx
					.selectFrom("members")
					.select("id")
					.where("email", "=", row.email)
					.executeTakeFirst();
				if (taken) {
					throw new AppError(
						"conflict",
						"An account with this email exists already: sign in with it instead.",
					);
				}
				// No query for none: a text parameter may not hold the NUL a placeholder id would
				// need, and PostgreSQL refused the whole acceptance (an organisation whose first
				// board is archived invites to no board by default).
				const boards =
					row.boards.length === 0
						? []
						: await trx
								.selectFrom("boards")
								.select("id")
								.where("org_id", "=", row.org_id)
								.where("id", "in", row.boards)
								.execute();
				member = await insertMember(trx, {
					id: input.memberId,
					orgId: row.org_id,
					email: row.email,
					name,
					role: row.role,
					capacity: row.capacity ?? DEFAULT_CAPACITY[row.role],
					skills: row.skills,
					languages: row.languages,
					passwordHash: input.passwordHash,
					boards: boards.map((board) => board.id),
				});
			} else {
				const updated = await trx
					.updateTable("members")
					.set({ password_hash: input.passwordHash })
					.where("id", "=", row.member_id ?? "")
					.where("org_id", "=", row.org_id)
					.where("active", "=", true)
					.returningAll()
					.executeTakeFirst();
				if (!updated) throw gone("This account is no longer active. Ask an admin.");
				member = toMember(updated);
			}
			await trx
				.updateTable("invitations")
				.set({ used_at: input.now, member_id: member.id })
				.where("id", "=", row.id)
				.execute();
			return { kind: row.kind, member };
		});
	}

	async existingMemberEmails(emails: readonly string[]): Promise<Set<string>> {
		const found = new Set<string>();
		for (const part of chunks([...new Set(emails.map(normalizeEmail))], LOOKUP_CHUNK)) {
			if (part.length === 0) continue;
			const rows = await this.db
				.selectFrom("members")
				.select("email")
				.where("email", "in", part)
				.execute();
			for (const row of rows) found.add(row.email);
		}
		return found;
	}

	async listMemberRecords(orgId: string, query: PageQuery): Promise<MemberRecord[]> {
		return this.#records(this.db, orgId, query);
	}

	async getMemberRecord(orgId: string, memberId: string): Promise<MemberRecord | null> {
		const [record] = await this.#records(this.db, orgId, { limit: 1 }, memberId);
		return record ?? null;
	}

	async #records(
		db: Kysely<Database>,
		orgId: string,
		query: PageQuery,
		memberId?: string,
	): Promise<MemberRecord[]> {
		let select = db.selectFrom("members").selectAll().where("org_id", "=", orgId);
		if (memberId !== undefined) select = select.where("id", "=", memberId);
		if (query.q) {
			const pattern = containing(query.q);
			select = select.where((eb) =>
				eb.or([eb("email", "like", pattern), eb(sql`lower(name)`, "like", pattern)]),
			);
		}
		if (query.after) {
			const { key, id } = query.after;
			select = select.where((eb) =>
				eb.or([eb("name", ">", key), eb.and([eb("name", "=", key), eb("id", ">", id)])]),
			);
		}
		const rows = await select.orderBy("name").orderBy("id").limit(query.limit).execute();
		if (rows.length === 0) return [];
		const ids = rows.map((row) => row.id);
		const [boards, loads] = await Promise.all([
			db
				.selectFrom("member_boards")
				.select(["member_id", "board_id"])
				.where("member_id", "in", ids)
				.orderBy("board_id")
				.execute(),
			db
				.selectFrom("mentions")
				.select(["owner_id", (eb) => eb.fn.countAll<string | number>().as("n")])
				.where("org_id", "=", orgId)
				.where("owner_id", "in", ids)
				.where("status", "in", [...OPEN_OWNED_STATUSES])
				.groupBy("owner_id")
				.execute(),
		]);
		const boardsOf = new Map<string, string[]>();
		for (const { member_id, board_id } of boards) {
			boardsOf.set(member_id, [...(boardsOf.get(member_id) ?? []), board_id]);
		}
		const loadOf = new Map(loads.map((row) => [row.owner_id, Number(row.n)]));
		return rows.map((row) => ({
			...toMember(row),
			boards: boardsOf.get(row.id) ?? [],
			load: loadOf.get(row.id) ?? 0,
		}));
	}

	updateMember(orgId: string, memberId: string, change: MemberChange): Promise<MemberRecord> {
		return this.db.transaction().execute(async (trx) => {
			const current = await trx
				.selectFrom("members")
				.selectAll()
				.where("org_id", "=", orgId)
				.where("id", "=", memberId)
				.forUpdate()
				.executeTakeFirst();
			if (!current) throw new AppError("not_found", "No such member in your organisation.");
			if (change.role !== undefined || change.active !== undefined) {
				// Locked in id order, so two admins demoting each other cannot both succeed.
				const admins = await trx
					.selectFrom("members")
					.select(["id", "role", "active"])
					.where("org_id", "=", orgId)
					.where((eb) => eb.or([eb("id", "=", memberId), eb("role", "=", "admin")]))
					.orderBy("id")
					.forUpdate()
					.execute();
				if (
					leavesNoAdmin(admins, memberId, change) &&
					admins.some((admin) => admin.active && admin.role === "admin")
				) {
					throw new AppError(
						"conflict",
						`${current.name} is the organisation's last active admin: make another member an admin first.`,
					);
				}
			}
			if (change.boards !== undefined) {
				const wanted = [...new Set(change.boards)];
				// None to look up for none (see acceptInvitation: no NUL placeholder).
				const existing =
					wanted.length === 0
						? []
						: await trx
								.selectFrom("boards")
								.select("id")
								.where("org_id", "=", orgId)
								.where("id", "in", wanted)
								.execute();
				const missing = wanted.filter((id) => !existing.some((board) => board.id === id));
				if (missing.length > 0) {
					throw new AppError(
						"invalid",
						`boards: the organisation has no board ${missing.join(", ")}.`,
					);
				}
				await trx.deleteFrom("member_boards").where("member_id", "=", memberId).execute();
				if (wanted.length > 0) {
					await trx
						.insertInto("member_boards")
						.values(wanted.map((board_id) => ({ member_id: memberId, org_id: orgId, board_id })))
						.execute();
				}
			}
			const set = {
				...(change.role !== undefined ? { role: change.role } : {}),
				...(change.capacity !== undefined ? { capacity: change.capacity } : {}),
				...(change.skills !== undefined ? { skills: json(change.skills) } : {}),
				...(change.languages !== undefined ? { languages: json(change.languages) } : {}),
				...(change.active !== undefined ? { active: change.active } : {}),
				...(change.name !== undefined ? { name: change.name } : {}),
				...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}),
			};
			if (Object.keys(set).length > 0) {
				await trx.updateTable("members").set(set).where("id", "=", memberId).execute();
			}
			const [record] = await this.#records(trx, orgId, { limit: 1 }, memberId);
			if (!record) throw new Error(`member ${memberId} vanished inside its own transaction`);
			return record;
		});
	}
}
