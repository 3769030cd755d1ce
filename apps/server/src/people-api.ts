/**
 * The people API (issue 12; docs/PEOPLE.md): invitations one by one or from a CSV, their
 * list and revocation, accepting a link, the admin's members list and changes, password
 * reset links, and a member's own name, languages and password.
 *
 * Deactivating a member is one act with four parts, in this order: the membership is
 * stored inactive (every later request and socket authentication refuses it), their
 * sessions are revoked (their open sockets close with 4401 at once, on every instance),
 * and their open conversations go back to the board with the reason recorded.
 */
import { randomUUID } from "node:crypto";
import {
	AppError,
	HttpRoutes,
	type Member,
	type MemberRecord,
	passwordProblem,
	revokedLinkMessage,
	SystemActions,
} from "@switchboard/domain";
import {
	type NewAuditEntry,
	type PageAfter,
	type PageQuery,
	recordAudit,
	type Storage,
} from "@switchboard/storage";
import type { BoardExtension, SessionService } from "@switchboard/sync";
import { type Context, Hono } from "hono";
import type { Logger } from "pino";
import { auditRequest, changesOf, requestActor } from "./audit.ts";
import { type BoardsApi, createBoardAccess, releaseHeld } from "./boards-api.ts";
import { handle } from "./contract-route.ts";
import { type ApiEnv, requestAddress, startSession } from "./http-api.ts";
import {
	hashInviteCode,
	type InvitationService,
	InviteBatchError,
	type InviteRow,
} from "./invitations.ts";
import { parseMembersCsv } from "./members-csv.ts";
import { fetchPage, type PageRequest } from "./paging.ts";
import type { PasswordHasher } from "./passwords.ts";
import { accountKey, type RateLimiters } from "./rate-limits.ts";

export interface PeopleApiOptions {
	storage: Storage;
	tokens: SessionService;
	invitations: InvitationService;
	/** The server's one scrypt queue (a busy one answers 503). */
	hasher: PasswordHasher;
	/** Projects released conversations and changed member cards onto live boards. */
	board: Pick<BoardExtension, "publish" | "publishMembers">;
	logger: Logger;
	/** Where links point (`PUBLIC_URL`); the request's origin when unset. */
	publicUrl?: string | undefined;
	/** The edge's limits: "forgot password" is counted per email and per address. */
	rateLimits: RateLimiters;
	/** True when an organisation allows only single sign-on (no passwords). */
	ssoOnly?: (orgId: string) => Promise<boolean>;
	/** A member's role or boards changed: out of the boards they lost (boards-api.ts). */
	boardsLost: BoardsApi["boardsLost"];
}

export interface PeopleApi {
	/** Behind the session (admins' and the member's own routes). */
	routes: Hono<ApiEnv>;
	/** Without a session: what a link is for, and accepting it. */
	publicRoutes: Hono<ApiEnv>;
	/** Deactivate a member: sessions, sockets, conversations (see the file's comment). */
	deactivate(orgId: string, memberId: string, byId: string | null): Promise<number>;
	/** Show a member's new card on every board of the organisation. */
	publishMember(member: Member): Promise<void>;
}

/** A page of a list of people: filtered by a part of a name or email, kept by `endOf`'s key. */
function fetchPeoplePage<T>(
	request: PageRequest & { q?: string | undefined },
	list: (query: PageQuery) => Promise<T[]>,
	endOf: (row: T) => PageAfter,
) {
	return fetchPage(
		request,
		(after, limit) =>
			list({ ...(request.q ? { q: request.q } : {}), ...(after ? { after } : {}), limit }),
		endOf,
	);
}

export function createPeopleApi(options: PeopleApiOptions): PeopleApi {
	const { storage, tokens, invitations, board, logger, hasher, rateLimits } = options;
	const boards = createBoardAccess(storage);
	const ssoOnly = options.ssoOnly ?? (async () => false);
	// As sign-in sets it: Secure behind an https PUBLIC_URL.
	const secureCookies = options.publicUrl?.startsWith("https:") ?? false;
	const routes = new Hono<ApiEnv>();
	const publicRoutes = new Hono<ApiEnv>();

	const baseUrl = (c: Context) => options.publicUrl ?? new URL(c.req.url).origin;

	/**
	 * Show a member's new card on every board of the organisation. The change is stored
	 * before this runs, and a board reads its members' cards from the database whenever it
	 * loads, so a board that cannot be opened now (Redis away, on an instance that does not
	 * hold it) is logged and skipped: the admin's change has happened and is answered so.
	 */
	async function publishMember(member: Member): Promise<void> {
		for (const { id } of await storage.listBoards(member.orgId)) {
			try {
				await board.publishMembers(member.orgId, id, [member]);
			} catch (error) {
				logger.warn(
					{ err: error, orgId: member.orgId, boardId: id, memberId: member.id },
					"a member's card could not be shown on a board now; the board reads it when it loads",
				);
			}
		}
	}

	async function deactivate(orgId: string, memberId: string, byId: string | null): Promise<number> {
		await tokens.revokeSessions(memberId, "deactivated");
		const released = await releaseHeld(
			{ storage, board },
			{ orgId, memberId, boardIds: null, action: SystemActions.memberDeactivated, byId },
		);
		logger.info({ orgId, memberId, released }, "member deactivated");
		return released;
	}

	/**
	 * A refused batch's answer: the error, the refused rows, and how many rows would be invited
	 * with `goodRowsOnly` (none: the admin has only the file to fix, nothing to send again).
	 */
	function refusedBatch(c: Context<ApiEnv>, error: InviteBatchError) {
		const { rejected, goodRows } = error;
		return c.json(
			{ error: { code: error.kind, message: error.message }, rejected, goodRows },
			error.kind === "conflict" ? 409 : 400,
		);
	}

	/** A batch's answer: 201, or the refused rows with 409 or 400 and nothing invited. */
	async function inviteRows(
		c: Context<ApiEnv>,
		orgId: string,
		rows: InviteRow[],
		goodRowsOnly: boolean,
	) {
		try {
			return await invitations.invite(orgId, rows, {
				baseUrl: baseUrl(c),
				invitedBy: c.get("member").memberId,
				goodRowsOnly,
			});
		} catch (error) {
			if (!(error instanceof InviteBatchError)) throw error;
			return refusedBatch(c, error);
		}
	}

	handle(routes, HttpRoutes.invite, (c, { params, body }) =>
		inviteRows(
			c,
			params.orgId,
			body.invites.map((value) => ({ value })),
			body.goodRowsOnly,
		),
	);

	handle(routes, HttpRoutes.inviteCsv, async (c, { params, body }) => {
		const parsed = parseMembersCsv(body.csv);
		const rows: InviteRow[] = parsed.rows.map((row) => ({ value: row.invite, line: row.line }));
		if (parsed.problems.length > 0) {
			// A row that is not a row is refused like any other, by its line.
			const offset = rows.length;
			const rejected = parsed.problems.map((problem, i) => ({
				index: offset + i,
				line: problem.line,
				email: problem.email,
				status: 400 as const,
				code: "invalid" as const,
				message: problem.reason,
			}));
			if (!body.goodRowsOnly) {
				const checked = await invitations.check(params.orgId, rows);
				const all = [...checked.rejected, ...rejected].sort(
					(a, b) => (a.line ?? 0) - (b.line ?? 0),
				);
				return refusedBatch(c, new InviteBatchError(all, checked.good.length));
			}
			const answer = await inviteRows(c, params.orgId, rows, true);
			if (answer instanceof Response) return answer;
			return {
				...answer,
				rejected: [...answer.rejected, ...rejected].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
			};
		}
		return inviteRows(c, params.orgId, rows, body.goodRowsOnly);
	});

	handle(routes, HttpRoutes.invites, async (_c, { params, query }) => {
		const { page, nextCursor } = await fetchPeoplePage(
			query,
			(pageQuery) => storage.listOpenInvitations(params.orgId, pageQuery),
			(row) => ({ key: row.email, id: row.id }),
		);
		const now = Date.now();
		return {
			invites: page.map((row) => ({
				id: row.id,
				email: row.email,
				name: row.name,
				role: row.role,
				kind: row.kind,
				boards: row.boards,
				createdAt: row.createdAt,
				expiresAt: row.expiresAt,
				expired: Date.parse(row.expiresAt) <= now,
			})),
			nextCursor,
		};
	});

	handle(routes, HttpRoutes.revokeInvite, async (c, { params }) => {
		if (!(await storage.revokeInvitation(params.orgId, params.inviteId))) {
			throw new AppError("not_found", "No open invitation with that id in your organisation.");
		}
		await auditRequest(storage, c, {
			orgId: params.orgId,
			action: "invitation.revoked",
			target: { type: "invitation", id: params.inviteId },
		});
		return { ok: true as const };
	});

	handle(routes, HttpRoutes.orgMembers, async (_c, { params, query }) => {
		const { page, nextCursor } = await fetchPeoplePage(
			query,
			(pageQuery) => storage.listMemberRecords(params.orgId, pageQuery),
			(row) => ({ key: row.name, id: row.id }),
		);
		return { members: page, nextCursor };
	});

	handle(routes, HttpRoutes.updateMember, async (c, { params, body }) => {
		const before = await storage.getMemberRecord(params.orgId, params.memberId);
		const member = await storage.updateMember(params.orgId, params.memberId, body);
		let released = 0;
		if (body.active === false && before?.active) {
			released = await deactivate(params.orgId, member.id, c.get("member").memberId);
			member.load = 0;
		} else if (before && member.active) {
			// Taken off a board, or a role that sees fewer boards: out of them at once.
			released = await options.boardsLost(
				params.orgId,
				member.id,
				before,
				member,
				c.get("member").memberId,
			);
			if (released > 0) member.load = Math.max(0, member.load - released);
			// Signed in now: their sockets connect again with the new role, and the app, told by
			// that, reads it and shows the pages it allows (not only at the next check, 30 s on).
			if (before.role !== member.role) tokens.roleChanged(member.id, member.role);
		}
		await publishMember(member);
		await auditMemberChange(c, before, member, released);
		return { member, released };
	});

	/** What a PATCH changed: the fields as `member.changed`, (de)activation on its own. */
	async function auditMemberChange(
		c: Context<ApiEnv>,
		before: MemberRecord | null,
		after: MemberRecord,
		released: number,
	): Promise<void> {
		const fields = ["role", "capacity", "skills", "languages", "boards"] as const;
		const pick = (record: MemberRecord | null) =>
			Object.fromEntries(fields.map((field) => [field, record?.[field] ?? null]));
		const base = { orgId: after.orgId, actor: requestActor(c) };
		const target = { type: "member" as const, id: after.id };
		const details = changesOf(pick(before), pick(after));
		const entries: NewAuditEntry[] = [];
		if ((details.changed as string[]).length > 0) {
			entries.push({ ...base, action: "member.changed", target, details });
		}
		if (before && before.active !== after.active) {
			entries.push({
				...base,
				action: after.active ? "member.reactivated" : "member.deactivated",
				target,
				details: after.active ? {} : { released },
			});
		}
		await storage.appendAuditEntries(entries);
	}

	handle(routes, HttpRoutes.resetPassword, (c, { params }) =>
		invitations.resetLink(params.orgId, params.memberId, {
			baseUrl: baseUrl(c),
			invitedBy: c.get("member").memberId,
		}),
	);

	handle(routes, HttpRoutes.updateMe, async (c, { body }) => {
		const { orgId, memberId } = c.get("member");
		const {
			boards: _boards,
			load: _load,
			...member
		} = await storage.updateMember(orgId, memberId, body);
		await publishMember(member);
		return { member };
	});

	handle(routes, HttpRoutes.changePassword, async (c, { body }) => {
		const { memberId } = c.get("member");
		const member = await storage.getMember(memberId);
		const stored = member ? await storage.findMemberByEmail(member.email) : null;
		if (!member || !stored || !(await hasher.verify(body.currentPassword, stored.passwordHash))) {
			throw new AppError("forbidden", "currentPassword: that is not your current password.");
		}
		const problem = passwordProblem(body.newPassword, member.email);
		if (problem) throw new AppError("invalid", `newPassword: ${problem}`);
		await storage.updateMember(member.orgId, member.id, {
			passwordHash: await hasher.hash(body.newPassword),
		});
		// This session goes on; every other one (other devices, a stolen token) ends.
		await tokens.endOtherSessions(c.get("member"), "password_changed");
		await auditRequest(storage, c, {
			orgId: member.orgId,
			action: "password.changed",
			target: { type: "member", id: member.id },
		});
		return { ok: true as const };
	});

	/** Mail a reset link to `email` if it is an active member's; nothing otherwise. */
	async function mailResetLink(email: string, publicUrl: string): Promise<void> {
		try {
			const member = await storage.findMemberByEmail(email);
			// A member of an organisation that allows only single sign-on has no password to reset.
			if (!member?.active || (await ssoOnly(member.orgId))) return;
			await invitations.resetLink(member.orgId, member.id, {
				baseUrl: publicUrl,
				invitedBy: null,
			});
			logger.info({ orgId: member.orgId, memberId: member.id }, "reset link asked for and mailed");
		} catch (error) {
			logger.warn({ err: error }, "a reset link asked for could not be made");
		}
	}

	// "Forgot password": the same answer, as fast, whether or not the email is a member's;
	// the lookup and the mail happen after the answer. Links point at PUBLIC_URL only: a
	// link built from the request's Host would let anyone send a member a genuine reset
	// link to a host of their own (reset poisoning).
	handle(publicRoutes, HttpRoutes.forgotPasswordByEmail, async () => ({
		byEmail: Boolean(invitations.mails && options.publicUrl),
	}));
	handle(publicRoutes, HttpRoutes.forgotPassword, async (c, { body }) => {
		const publicUrl = options.publicUrl;
		if (!invitations.mails || !publicUrl) {
			throw new AppError(
				"unavailable",
				"This server does not send reset links by email. Ask an admin of your organisation for one.",
			);
		}
		await rateLimits.take("resetPerIp", requestAddress(c, rateLimits));
		await rateLimits.take("resetPerAccount", accountKey(body.email));
		setImmediate(() => void mailResetLink(body.email, publicUrl));
		return { ok: true as const };
	});

	handle(publicRoutes, HttpRoutes.invitation, async (_c, { params }) => {
		const invitation = await storage.findInvitation(hashInviteCode(params.code));
		if (!invitation) {
			throw new AppError(
				"not_found",
				"This link is not valid: check that it was copied whole, or ask an admin for a new one.",
			);
		}
		if (invitation.usedAt) {
			throw new AppError(
				"gone",
				"This link was already used. Sign in, or ask an admin for a new one.",
			);
		}
		if (invitation.revokedAt) {
			const replacement = await storage.replacementOf(invitation);
			throw new AppError("gone", revokedLinkMessage(invitation.kind, replacement));
		}
		if (Date.parse(invitation.expiresAt) <= Date.now()) {
			throw new AppError("gone", "This link has expired. Ask an admin for a new one.");
		}
		const organisation = await storage.getOrganisation(invitation.orgId);
		if (!organisation) throw new AppError("not_found", "The organisation no longer exists.");
		return {
			kind: invitation.kind,
			email: invitation.email,
			name: invitation.name,
			organisation,
			...(invitation.kind === "invite" ? { role: invitation.role } : {}),
			expiresAt: invitation.expiresAt,
			ssoOnly: await ssoOnly(invitation.orgId),
		};
	});

	handle(publicRoutes, HttpRoutes.acceptInvite, async (c, { params, body }) => {
		const codeHash = hashInviteCode(params.code);
		const invitation = await storage.findInvitation(codeHash);
		if (invitation && (await ssoOnly(invitation.orgId))) {
			throw new AppError(
				"forbidden",
				"Your organisation signs in with single sign-on only: accept the invitation by signing in with it.",
			);
		}
		const problem = invitation ? passwordProblem(body.password, invitation.email) : null;
		if (problem) throw new AppError("invalid", `password: ${problem}`);
		const accepted = await storage.acceptInvitation({
			codeHash,
			now: new Date(),
			memberId: randomUUID(),
			...(body.name !== undefined ? { name: body.name } : {}),
			passwordHash: await hasher.hash(body.password),
		});
		await recordAudit(storage, {
			orgId: accepted.member.orgId,
			actor: { kind: "member", memberId: accepted.member.id },
			action: accepted.kind === "invite" ? "invitation.accepted" : "password.reset",
			target: { type: "member", id: accepted.member.id },
			details: {
				email: accepted.member.email,
				// A reset link nobody made for them is one they asked for ("forgot password").
				...(accepted.kind === "reset"
					? { link: invitation?.invitedBy ? "made by an admin" : "asked for by the member" }
					: {}),
			},
		});
		if (accepted.kind === "invite") {
			logger.info(
				{ orgId: accepted.member.orgId, memberId: accepted.member.id },
				"invitation accepted",
			);
			await publishMember(accepted.member);
			return startSession(c, tokens, accepted.member, { secureCookies, boards });
		}
		return startSession(c, tokens, accepted.member, {
			secureCookies,
			boards,
			endOthers: "password_reset",
		});
	});

	return { routes, publicRoutes, deactivate, publishMember };
}
