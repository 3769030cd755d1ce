/**
 * People of an organisation: invitations (and the password-reset links made the same way),
 * what an admin may change about a member, and the password rules. Pure: the server hashes
 * codes and passwords and stores them; these are the shapes and the rules they follow.
 */
import * as v from "valibot";
import { type Member, MemberSchema, type Role, RoleSchema } from "./model.ts";

/**
 * The password every demo account shares. It is printed on the console of a demo start,
 * so an account created by invitation or reset never gets it (see {@link passwordProblem}).
 */
export const DEMO_PASSWORD = "switchboard";

/**
 * Shortest password accepted when one is chosen (invitation, reset, change). Twelve
 * characters: the length NIST SP 800-63B asks of a password that is a member's only factor.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted: scrypt hashes it whole, so the length bounds the work. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Why a newly chosen password is refused, or null when it is fine. */
export function passwordProblem(password: string, email?: string): string | null {
	if (password.length < MIN_PASSWORD_LENGTH) {
		return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
	}
	if (password.length > MAX_PASSWORD_LENGTH) {
		return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
	}
	const folded = password.trim().toLowerCase();
	if (folded.includes(DEMO_PASSWORD)) {
		// Named: someone who never saw the demo cannot guess which word of theirs it is.
		return `must not contain the word "${DEMO_PASSWORD}" (the demo accounts' password)`;
	}
	if (email && folded === email.trim().toLowerCase()) return "must not be your email address";
	if (new Set(password).size < 4) return "must not repeat so few characters";
	return null;
}

/** A password as chosen by a member: the rules of {@link passwordProblem}. */
export const NewPasswordSchema = v.pipe(
	v.string(),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const problem = passwordProblem(dataset.value);
		if (problem) addIssue({ message: problem });
	}),
);

/** An email address as typed: trimmed, compared in lower case everywhere. */
export const EmailSchema = v.pipe(
	v.string(),
	v.trim(),
	v.toLowerCase(),
	v.maxLength(320, "must be at most 320 characters"),
	v.email("must be an email address"),
);

const Label = v.pipe(
	v.string(),
	v.trim(),
	v.minLength(1, "must not be empty"),
	v.maxLength(200, "must be at most 200 characters"),
);
/** Skills or languages: a list, or one text separated by `;`, `|` or `,` (as in a CSV cell). */
const Labels = v.pipe(v.array(Label), v.maxLength(50, "must have at most 50 entries"));
/**
 * The languages a member answers in, as the codes conversations are detected in (ISO 639,
 * "en", "fr"): Claim next matches them exactly, so "English" or "en-GB" would match nothing and
 * the member would be passed over for every conversation in a known language.
 */
const LanguageCodes = v.pipe(
	v.array(
		v.pipe(
			v.string(),
			v.trim(),
			v.toLowerCase(),
			v.regex(/^[a-z]{2,3}$/, "must be a language code such as en or fr"),
		),
	),
	v.maxLength(50, "must have at most 50 entries"),
);
const BoardIds = v.pipe(
	v.array(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a board id"))),
	v.maxLength(100, "at most 100 boards"),
);
const Capacity = v.pipe(
	v.number("must be a whole number from 0 to 1000"),
	v.integer("must be a whole number"),
	v.minValue(0, "must be at least 0"),
	v.maxValue(1000, "must be at most 1000"),
);

/** Open conversations a member may hold when the invitation does not say. */
export const DEFAULT_CAPACITY: Record<Role, number> = { ambassador: 5, moderator: 10, admin: 10 };

/**
 * One person to invite. Fields left out keep what the open invitation it replaces says (an
 * admin inviting again for a fresh link changes only what they give), or take their defaults.
 */
export const InviteInputSchema = v.strictObject({
	email: EmailSchema,
	/** @default "ambassador" */
	role: v.optional(RoleSchema),
	name: v.optional(Label),
	capacity: v.optional(Capacity),
	skills: v.optional(Labels),
	languages: v.optional(LanguageCodes),
	/** Boards (teams) the member belongs to. @default the organisation's board `main` */
	boards: v.optional(BoardIds),
});
export type InviteInput = v.InferOutput<typeof InviteInputSchema>;

/** Most invitations one request or one admin-channel call creates. */
export const MAX_INVITES_PER_REQUEST = 10_000;

/** What a link is for: joining an organisation, or choosing a new password. */
export const InvitationKinds = ["invite", "reset"] as const;
export type InvitationKind = (typeof InvitationKinds)[number];

/**
 * How long an invitation link works.
 * @default 7 days
 */
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long a password-reset link works: shorter, it opens an existing account.
 * @default 24 hours
 */
export const DEFAULT_RESET_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * What became of the newer link that replaced a revoked one (an invitation or reset made again
 * for the same email, by an admin or by the member asking for another reset): still open, used,
 * or none to send the person to (there is none, or it was withdrawn or expired too).
 */
export type LinkReplacement = "open" | "used" | null;

/** What a revoked link answers, from what replaced it. */
export function revokedLinkMessage(kind: InvitationKind, replacement: LinkReplacement): string {
	const newer = kind === "reset" ? "A newer reset link" : "A newer invitation";
	if (replacement === "open") {
		return `${newer} replaced this one: open the latest link you were sent.`;
	}
	if (replacement === "used") {
		return kind === "reset"
			? `${newer} replaced this one and was used: sign in with the password chosen then.`
			: `${newer} replaced this one and was used: sign in.`;
	}
	return "This link was withdrawn. Ask an admin for a new one.";
}

/** A link as made: where it goes (the code is in the URL only, never stored). */
export const InviteLinkSchema = v.object({
	email: v.string(),
	url: v.string(),
	expiresAt: v.string(),
	/** An open link of the same kind for this email was withdrawn in favour of this one. */
	replaced: v.optional(v.boolean()),
});
export type InviteLink = v.InferOutput<typeof InviteLinkSchema>;

/** Why one row of a batch was refused: its HTTP status as if sent alone, and why. */
export const RejectedInviteSchema = v.object({
	/** 0-based position in `invites`. */
	index: v.number(),
	/** 1-based line of the CSV file, when the rows came from one. */
	line: v.optional(v.number()),
	email: v.string(),
	/** 409 for an email that is already a member's; 400 for anything else. */
	status: v.picklist([400, 409]),
	code: v.picklist(["invalid", "conflict"]),
	message: v.string(),
});
export type RejectedInvite = v.InferOutput<typeof RejectedInviteSchema>;

/** An invitation not yet used or revoked, as an admin lists it. */
export const PendingInviteSchema = v.object({
	id: v.string(),
	email: v.string(),
	name: v.nullable(v.string()),
	role: RoleSchema,
	kind: v.picklist(InvitationKinds),
	boards: v.array(v.string()),
	createdAt: v.string(),
	expiresAt: v.string(),
	/** True once `expiresAt` has passed: invite again to send a fresh link. */
	expired: v.boolean(),
});
export type PendingInvite = v.InferOutput<typeof PendingInviteSchema>;

/** A member as the admin screen shows them: with their boards and how much they hold. */
export const MemberRecordSchema = v.object({
	...MemberSchema.entries,
	boards: v.array(v.string()),
	/** Open conversations they own now; above `capacity` after a lowered capacity. */
	load: v.number(),
});
export type MemberRecord = v.InferOutput<typeof MemberRecordSchema>;

/** What an admin may change about a member; at least one field. */
export const MemberPatchSchema = v.pipe(
	v.strictObject({
		role: v.optional(RoleSchema),
		capacity: v.optional(Capacity),
		skills: v.optional(Labels),
		languages: v.optional(LanguageCodes),
		active: v.optional(v.boolean()),
		/** Replaces the set. */
		boards: v.optional(BoardIds),
	}),
	v.check((patch) => Object.keys(patch).length > 0, "change at least one field"),
);
export type MemberPatch = v.InferOutput<typeof MemberPatchSchema>;

/** What a member may change about themselves. */
export const ProfilePatchSchema = v.pipe(
	v.strictObject({ name: v.optional(Label), languages: v.optional(LanguageCodes) }),
	v.check((patch) => Object.keys(patch).length > 0, "change at least one field"),
);

/** The members an admin change would leave without an active admin: refuse it. */
export function leavesNoAdmin(
	admins: readonly Pick<Member, "id" | "role" | "active">[],
	memberId: string,
	patch: Pick<MemberPatch, "role" | "active">,
): boolean {
	const remaining = admins.filter((admin) => {
		if (admin.id !== memberId) return admin.active && admin.role === "admin";
		const role = patch.role ?? admin.role;
		const active = patch.active ?? admin.active;
		return active && role === "admin";
	});
	return remaining.length === 0;
}
