/**
 * The people port (issue 12): invitations and password-reset links, the admin's view of
 * members (with their boards and load) and the changes an admin or a member makes. The
 * server makes the codes and hashes; this port stores only the hash of a code and decides,
 * inside one transaction each, what must not race: a link used twice, an organisation
 * left without an active admin.
 */
import type {
	InvitationKind,
	LinkReplacement,
	Member,
	MemberPatch,
	MemberRecord,
	Organisation,
	Role,
} from "@switchboard/domain";

export interface NewInvitation {
	id?: string;
	orgId: string;
	kind: InvitationKind;
	/** SHA-256 of the code (base64url). */
	codeHash: string;
	email: string;
	role: Role;
	name?: string | null;
	capacity?: number | null;
	skills?: string[];
	languages?: string[];
	boards?: string[];
	/** The member a reset link is for. */
	memberId?: string | null;
	/** Who made it; null for `switchboard setup`. */
	invitedBy: string | null;
	expiresAt: Date;
}

/** A stored invitation or reset link. Times are ISO strings. */
export interface Invitation {
	id: string;
	orgId: string;
	kind: InvitationKind;
	email: string;
	role: Role;
	name: string | null;
	capacity: number | null;
	skills: string[];
	languages: string[];
	boards: string[];
	memberId: string | null;
	invitedBy: string | null;
	createdAt: string;
	expiresAt: string;
	usedAt: string | null;
	revokedAt: string | null;
}

/** Keyset paging: the sort key (name or email) and id of the last row of the page before. */
export interface PageAfter {
	key: string;
	id: string;
}

export interface PageQuery {
	/** Case-blind part of a name or email. */
	q?: string;
	after?: PageAfter;
	limit: number;
}

export interface AcceptInvitationInput {
	codeHash: string;
	now: Date;
	/** The new member's id (an invitation). */
	memberId: string;
	/** An invitation's member name; the invitation's own name when absent. */
	name?: string;
	passwordHash: string;
}

export interface AcceptedInvitation {
	kind: InvitationKind;
	member: Member;
}

/** Member fields an admin or the member changes; `name` and `passwordHash` are the member's. */
export type MemberChange = MemberPatch & { name?: string; passwordHash?: string };

/** What `createInvitations` did besides storing the new links. */
export interface CreatedInvitations {
	/** Emails (lower case) whose open link of the same kind was revoked for the new one. */
	replaced: string[];
}

export interface PeopleStore {
	/**
	 * Store invitations in one transaction. An open link of the same organisation, kind and
	 * email is revoked first (inviting again sends a fresh link), and named in the answer so
	 * the admin can be told. Boards are checked to exist (`not_found` otherwise).
	 */
	createInvitations(invitations: NewInvitation[], now?: Date): Promise<CreatedInvitations>;
	/**
	 * A new organisation, its first board and its first admin's invitation in one
	 * transaction; `conflict` when the organisation exists (and nothing is changed).
	 */
	setupOrganisation(input: {
		organisation: Organisation;
		board: { id: string; name: string };
		invitation: Omit<NewInvitation, "orgId">;
	}): Promise<Organisation>;
	findInvitation(codeHash: string): Promise<Invitation | null>;
	/**
	 * For a revoked link: what became of the newest link of its kind made after it for the same
	 * email in its organisation (`revokedLinkMessage` words the answer).
	 */
	replacementOf(
		link: Pick<Invitation, "id" | "orgId" | "kind" | "email" | "createdAt">,
		now?: Date,
	): Promise<LinkReplacement>;
	/**
	 * The links of `kind` not used nor revoked (expired ones too) for these emails (any case):
	 * what inviting them again replaces.
	 */
	openInvitationsFor(
		orgId: string,
		kind: InvitationKind,
		emails: readonly string[],
	): Promise<Invitation[]>;
	/** Links not used nor revoked (expired ones too, flagged by `expiresAt`), by email. */
	listOpenInvitations(orgId: string, query: PageQuery): Promise<Invitation[]>;
	/** Revoke an open link; false when there is none with that id in the organisation. */
	revokeInvitation(orgId: string, invitationId: string, now?: Date): Promise<boolean>;
	/**
	 * Use a link, once: an invitation creates the member (with its boards), a reset sets
	 * the member's password. `not_found` for an unknown code, `gone` for a used, revoked or
	 * expired one, `conflict` when the email became a member's meanwhile.
	 */
	acceptInvitation(input: AcceptInvitationInput): Promise<AcceptedInvitation>;
	/** Which of these emails (lower case) belong to a member of any organisation. */
	existingMemberEmails(emails: readonly string[]): Promise<Set<string>>;
	/** Members of an organisation by name, then id, with their boards and load. */
	listMemberRecords(orgId: string, query: PageQuery): Promise<MemberRecord[]>;
	getMemberRecord(orgId: string, memberId: string): Promise<MemberRecord | null>;
	/**
	 * Change a member in one transaction. `boards` replaces the set (each must exist,
	 * `invalid` otherwise). A change that would leave the organisation without an active
	 * admin is refused with `conflict`. `not_found` when the member is not in `orgId`.
	 */
	updateMember(orgId: string, memberId: string, change: MemberChange): Promise<MemberRecord>;
}
