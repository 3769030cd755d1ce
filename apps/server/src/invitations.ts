/**
 * Invitations and password-reset links: the one mechanism behind `switchboard setup`,
 * `switchboard invite`, the admin screen and an admin's password reset. A link carries a
 * random code (192 bits); only its SHA-256 is stored, so a copy of the database opens no
 * account. A batch is checked row by row (schema, the same email twice, an email that is
 * already a member's, a board that does not exist) and, unless the admin asks for the
 * good rows only, nothing of a batch with a bad row is stored.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
	AppError,
	type AuditActor,
	DEFAULT_INVITE_TTL_MS,
	DEFAULT_RESET_TTL_MS,
	describeIssues,
	FIRST_BOARD_ID,
	type InviteInput,
	InviteInputSchema,
	type InviteLink,
	type RejectedInvite,
	routeToBoard,
} from "@switchboard/domain";
import {
	type AuditLog,
	type Directory,
	type NewInvitation,
	type PeopleStore,
	recordAudit,
} from "@switchboard/storage";
import type { Logger } from "pino";
import * as v from "valibot";
import type { Mailer, MailLink } from "./mailer.ts";

/** How long links work, in milliseconds (see the domain's defaults for why). */
export interface InvitationTuning {
	/** @default DEFAULT_INVITE_TTL_MS (7 days) */
	inviteTtlMs: number;
	/** @default DEFAULT_RESET_TTL_MS (24 hours) */
	resetTtlMs: number;
}

export const defaultInvitationTuning: InvitationTuning = {
	inviteTtlMs: DEFAULT_INVITE_TTL_MS,
	resetTtlMs: DEFAULT_RESET_TTL_MS,
};

/** One row of a batch: what was sent, and the CSV line it came from (when it did). */
export interface InviteRow {
	value: unknown;
	line?: number;
}

export interface InviteBatchResult {
	invites: InviteLink[];
	rejected: RejectedInvite[];
	mailed: boolean;
}

/**
 * What became of the email of a new organisation's first link: handed to the mail server,
 * not sent because SMTP_URL is not set, or refused (`reason`, the mail server's or the
 * network's words). The link works whichever.
 */
export type SetupMail =
	| { status: "sent" }
	| { status: "not_configured" }
	| { status: "failed"; reason: string };

/** A batch with bad rows, none stored: the rows and why, for the caller to show. */
export class InviteBatchError extends AppError {
	readonly rejected: RejectedInvite[];
	/** How many rows would be invited with `goodRowsOnly`. */
	readonly goodRows: number;

	constructor(rejected: RejectedInvite[], goodRows: number) {
		const conflict = rejected.every((row) => row.status === 409);
		const first = rejected[0];
		const where =
			first?.line !== undefined ? `line ${first.line}` : `row ${(first?.index ?? 0) + 1}`;
		super(
			conflict ? "conflict" : "invalid",
			`${rejected.length} ${rejected.length === 1 ? "row is" : "rows are"} refused (first: ${where}, ${first?.email || "no email"}: ${first?.message}); nothing was invited. Fix ${rejected.length === 1 ? "it" : "them"}${goodRows > 0 ? ", or invite the good rows only" : ": no row can be invited as it is"}.`,
		);
		this.rejected = rejected;
		this.goodRows = goodRows;
	}
}

/** A new code and the hash that is stored for it. */
export function newInviteCode(): { code: string; codeHash: string } {
	const code = randomBytes(24).toString("base64url");
	return { code, codeHash: hashInviteCode(code) };
}

export function hashInviteCode(code: string): string {
	return createHash("sha256").update(code).digest("base64url");
}

/** `<base>/invite/<code>`: the page of the web client that accepts it. */
export function inviteUrl(baseUrl: string, code: string): string {
	return `${baseUrl.replace(/\/+$/, "")}/invite/${code}`;
}

export interface InvitationServiceOptions {
	storage: PeopleStore & Directory & AuditLog;
	logger: Logger;
	/** Sends the links by email when SMTP_URL is set; null: the admin hands them out. */
	mailer?: Mailer | null;
	tuning?: Partial<InvitationTuning>;
	/**
	 * Resolve `invite` only once the emails were handed to the mail server: the CLI, whose
	 * process ends after. @default false (a server answers first and mails after)
	 */
	waitForMail?: boolean;
	now?: () => Date;
}

export interface InvitationService {
	/** Check a batch without storing it: the good rows and the refused ones. */
	check(
		orgId: string,
		rows: readonly InviteRow[],
	): Promise<{ good: InviteInput[]; rejected: RejectedInvite[] }>;
	/** Check and store a batch; throws `InviteBatchError` on a bad row unless `goodRowsOnly`. */
	invite(
		orgId: string,
		rows: readonly InviteRow[],
		options: { baseUrl: string; invitedBy: string | null; goodRowsOnly?: boolean },
	): Promise<InviteBatchResult>;
	/**
	 * A one-time link for a member to choose a new password, made by an admin
	 * (`invitedBy`) or asked for by the member (`invitedBy: null`, "forgot password").
	 */
	resetLink(
		orgId: string,
		memberId: string,
		options: { baseUrl: string; invitedBy: string | null },
	): Promise<InviteLink & { mailed: boolean }>;
	/** Whether links are mailed (SMTP_URL is set). */
	readonly mails: boolean;
	/**
	 * A new organisation with its board `main` and its first admin's invitation, mailed to
	 * them when SMTP_URL is set. Waits for the mail, one message, whatever `waitForMail`:
	 * the operator is told whether it went. A mail that fails fails nothing else.
	 */
	setup(input: {
		orgId: string;
		name: string;
		adminEmail: string;
		adminName?: string;
		baseUrl: string;
	}): Promise<InviteLink & { mail: SetupMail }>;
}

export function createInvitationService(options: InvitationServiceOptions): InvitationService {
	const { storage, logger } = options;
	const tuning = { ...defaultInvitationTuning, ...options.tuning };
	const now = options.now ?? (() => new Date());
	const mailer = options.mailer ?? null;

	async function check(orgId: string, rows: readonly InviteRow[]) {
		if (!(await storage.getOrganisation(orgId))) {
			throw new AppError("not_found", `No organisation ${orgId}.`);
		}
		const all = await storage.listBoards(orgId);
		const boards = new Set(all.map((board) => board.id));
		// New members join active boards only: an archived one takes no new work.
		const archived = new Set(all.filter((board) => board.archivedAt).map((board) => board.id));
		// A board is named by its id or by the name the screens show ("Initech" for `main`): a
		// CSV's team column written from what the admin sees must not need an id shown nowhere.
		const byName = new Map<string, string[]>();
		for (const board of all) {
			const key = board.name.trim().toLowerCase();
			byName.set(key, [...(byName.get(key) ?? []), board.id]);
		}
		const boardId = (named: string) => {
			if (boards.has(named)) return named;
			const ids = byName.get(named.trim().toLowerCase());
			return ids?.length === 1 ? (ids[0] as string) : named;
		};
		const active = all.filter((board) => !board.archivedAt);
		const known = active.map((board) => `${board.name} (${board.id})`).join(", ");
		const rejected: RejectedInvite[] = [];
		const parsed: { index: number; line?: number; input: InviteInput }[] = [];
		const seen = new Map<string, number | undefined>();
		rows.forEach((row, index) => {
			const line = row.line !== undefined ? { line: row.line } : {};
			const email =
				typeof row.value === "object" && row.value !== null
					? String((row.value as { email?: unknown }).email ?? "").trim()
					: "";
			const refuse = (message: string) =>
				rejected.push({ index, ...line, email, status: 400, code: "invalid", message });
			const result = v.safeParse(InviteInputSchema, row.value);
			if (!result.success) {
				refuse(describeIssues(result.issues));
				return;
			}
			const input = result.output.boards
				? { ...result.output, boards: result.output.boards.map(boardId) }
				: result.output;
			const missing = input.boards?.find((board) => !boards.has(board) || archived.has(board));
			if (missing !== undefined) {
				refuse(
					archived.has(missing)
						? `boards: the board ${missing} is archived`
						: `boards: the organisation has no board ${missing}; its boards are ${known}`,
				);
				return;
			}
			if (seen.has(input.email)) {
				const before = seen.get(input.email);
				refuse(
					`email: ${input.email} is already on ${before !== undefined ? `line ${before}` : "an earlier row"}.`,
				);
				return;
			}
			seen.set(input.email, row.line ?? index + 1);
			parsed.push({ index, ...line, input });
		});
		const members = await storage.existingMemberEmails(parsed.map((row) => row.input.email));
		const good: InviteInput[] = [];
		const goodIndex: number[] = [];
		for (const row of parsed) {
			if (members.has(row.input.email)) {
				rejected.push({
					index: row.index,
					...(row.line !== undefined ? { line: row.line } : {}),
					email: row.input.email,
					status: 409,
					code: "conflict",
					message: `email: ${row.input.email} already belongs to a member.`,
				});
				continue;
			}
			good.push(row.input);
			goodIndex.push(row.index);
		}
		rejected.sort((a, b) => a.index - b.index);
		return {
			good,
			rejected,
			// The first board, or the board its new conversations go to when it is archived: a
			// member invited to none would open to an empty page.
			defaultBoards: [routeToBoard(all)].filter((board) => board !== null),
			archived,
		};
	}

	async function mail(links: MailLink[]) {
		if (!mailer || links.length === 0) return false;
		// After the answer: a thousand messages must not hold the admin's request.
		const sending = mailer.sendLinks(links).catch((error: unknown) => {
			logger.warn({ err: error, links: links.length }, "sending invitation emails failed");
		});
		if (options.waitForMail) await sending;
		return true;
	}

	async function mailSetupLink(link: MailLink): Promise<SetupMail> {
		if (!mailer) return { status: "not_configured" };
		try {
			await mailer.sendLinks([link]);
			return { status: "sent" };
		} catch (error) {
			// The mailer has logged it; the operator reads the reason beside the link.
			const cause = (error as Error).cause;
			return {
				status: "failed",
				reason: cause instanceof Error ? cause.message : (error as Error).message,
			};
		}
	}

	/** A link made by a member, or at the command line (`invitedBy` null). */
	function actorOf(invitedBy: string | null): AuditActor {
		return invitedBy === null ? { kind: "cli" } : { kind: "member", memberId: invitedBy };
	}

	async function orgName(orgId: string): Promise<string> {
		return (await storage.getOrganisation(orgId))?.name ?? orgId;
	}

	return {
		mails: mailer !== null,

		async check(orgId, rows) {
			const { good, rejected } = await check(orgId, rows);
			return { good, rejected };
		},

		async invite(orgId, rows, { baseUrl, invitedBy, goodRowsOnly = false }) {
			const { good, rejected, defaultBoards, archived } = await check(orgId, rows);
			if (rejected.length > 0 && !goodRowsOnly) throw new InviteBatchError(rejected, good.length);
			const at = now();
			const expiresAt = new Date(at.getTime() + tuning.inviteTtlMs);
			const invites: InviteLink[] = [];
			const stored: NewInvitation[] = [];
			// Inviting again (a fresh link for an expired one, a CSV imported again) changes only
			// what this row gives: a name, a role or teams left out are the open link's still.
			const open = new Map(
				(
					await storage.openInvitationsFor(
						orgId,
						"invite",
						good.map((input) => input.email),
					)
				).map((invitation) => [invitation.email, invitation]),
			);
			for (const input of good) {
				const { code, codeHash } = newInviteCode();
				const before = open.get(input.email);
				// The open link's boards archived since are left out, as a typed one is refused; with
				// none left, the default board, as for a row without boards.
				const kept = before?.boards.filter((board) => !archived.has(board));
				const keptBoards =
					kept === undefined || (kept.length === 0 && before?.boards.length) ? defaultBoards : kept;
				stored.push({
					id: randomUUID(),
					orgId,
					kind: "invite",
					codeHash,
					email: input.email,
					role: input.role ?? before?.role ?? "ambassador",
					name: input.name ?? before?.name ?? null,
					capacity: input.capacity ?? before?.capacity ?? null,
					skills: input.skills ?? before?.skills ?? [],
					languages: input.languages ?? before?.languages ?? [],
					boards: input.boards ?? keptBoards,
					invitedBy,
					expiresAt,
				});
				invites.push({
					email: input.email,
					url: inviteUrl(baseUrl, code),
					expiresAt: expiresAt.toISOString(),
				});
			}
			const replaced = new Set((await storage.createInvitations(stored, at)).replaced);
			for (const link of invites) {
				if (replaced.has(link.email.toLowerCase())) link.replaced = true;
			}
			await storage.appendAuditEntries(
				stored.map((invitation) => ({
					orgId,
					actor: actorOf(invitedBy),
					action: "invitation.created",
					target: { type: "invitation", id: invitation.id ?? "" },
					details: {
						email: invitation.email,
						role: invitation.role,
						boards: invitation.boards ?? [],
						...(replaced.has(invitation.email.toLowerCase()) ? { replacedOpenLink: true } : {}),
					},
				})),
			);
			const name = await orgName(orgId);
			// Who invites them, by name: people open an invitation from someone they know.
			const inviter = invitedBy === null ? null : await storage.getMember(invitedBy);
			const mailed = await mail(
				invites.map((link) => ({
					...link,
					kind: "invite",
					orgName: name,
					...(inviter ? { invitedByName: inviter.name } : {}),
				})),
			);
			return { invites, rejected, mailed };
		},

		async resetLink(orgId, memberId, { baseUrl, invitedBy }) {
			const member = await storage.getMember(memberId);
			if (!member || member.orgId !== orgId) {
				throw new AppError("not_found", "No such member in your organisation.");
			}
			if (!member.active) {
				throw new AppError("conflict", `${member.name} is deactivated: activate them first.`);
			}
			const at = now();
			const expiresAt = new Date(at.getTime() + tuning.resetTtlMs);
			const { code, codeHash } = newInviteCode();
			await storage.createInvitations(
				[
					{
						orgId,
						kind: "reset",
						codeHash,
						email: member.email,
						role: member.role,
						name: member.name,
						memberId,
						invitedBy,
						expiresAt,
					},
				],
				at,
			);
			// A link nobody made for them was asked for by the member ("forgot password").
			await recordAudit(storage, {
				orgId,
				actor: { kind: "member", memberId: invitedBy ?? memberId },
				action: invitedBy === null ? "password.reset_requested" : "password.reset_link_created",
				target: { type: "member", id: memberId },
				details: { email: member.email },
			});
			const link = {
				email: member.email,
				url: inviteUrl(baseUrl, code),
				expiresAt: expiresAt.toISOString(),
			};
			const mailed = await mail([
				{
					...link,
					kind: "reset",
					orgName: await orgName(orgId),
					requestedBySelf: invitedBy === null,
				},
			]);
			return { ...link, mailed };
		},

		async setup({ orgId, name, adminEmail, adminName, baseUrl }) {
			const parsed = v.safeParse(InviteInputSchema, {
				email: adminEmail,
				role: "admin",
				...(adminName ? { name: adminName } : {}),
			});
			if (!parsed.success) {
				// Said by the flag the operator typed: "--admin: must be an email address".
				const flags: Record<string, string> = { email: "--admin", name: "--admin-name" };
				const message = parsed.issues
					.map((issue) => {
						const path = v.getDotPath(issue) ?? "";
						return `${flags[path] ?? path}: ${issue.message}`;
					})
					.join("; ");
				throw new AppError("invalid", `${message}.`);
			}
			if (!/^[A-Za-z0-9_-]{1,64}$/.test(orgId)) {
				throw new AppError(
					"invalid",
					"--org: letters, digits, - and _ only (at most 64), e.g. acme.",
				);
			}
			if (await storage.getOrganisation(orgId)) {
				throw new AppError(
					"conflict",
					`The organisation ${orgId} exists already; nothing was changed.`,
				);
			}
			if ((await storage.existingMemberEmails([parsed.output.email])).size > 0) {
				// Not "conflict": that is the exit code (3) of an organisation set up already, which
				// a script reads as done; an admin email of another organisation leaves it undone.
				throw new AppError(
					"invalid",
					`--admin: ${parsed.output.email} already belongs to a member; give the new organisation's admin an address of their own. Nothing was changed.`,
				);
			}
			const at = now();
			const expiresAt = new Date(at.getTime() + tuning.inviteTtlMs);
			const { code, codeHash } = newInviteCode();
			await storage.setupOrganisation({
				organisation: { id: orgId, name },
				board: { id: FIRST_BOARD_ID, name },
				invitation: {
					kind: "invite",
					codeHash,
					email: parsed.output.email,
					role: "admin",
					name: parsed.output.name ?? null,
					boards: [FIRST_BOARD_ID],
					invitedBy: null,
					expiresAt,
				},
			});
			await recordAudit(storage, {
				orgId,
				actor: { kind: "cli" },
				action: "organisation.set_up",
				target: { type: "organisation", id: orgId },
				details: { name, adminEmail: parsed.output.email },
			});
			logger.info({ orgId }, "organisation set up");
			const link = {
				email: parsed.output.email,
				url: inviteUrl(baseUrl, code),
				expiresAt: expiresAt.toISOString(),
			};
			return { ...link, mail: await mailSetupLink({ ...link, kind: "setup", orgName: name }) };
		},
	};
}
