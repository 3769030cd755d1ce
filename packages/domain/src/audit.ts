/**
 * The admin audit log (issue 12, part 7; issue 16's retention and erasure): who changed
 * what about an organisation's people, settings and data, and when. Entries are only ever
 * added (the storage port has no update or delete, and PostgreSQL refuses both). This
 * module holds the closed set of actions, who may be an actor, and the entry's shape;
 * docs/HTTP-API.md lists what each action's `details` carry.
 */
import * as v from "valibot";

/**
 * Every action the log records. Names are `<thing>.<what happened>`, past tense, and are
 * stored as they are written here: rename one only with a migration of the rows.
 */
export const AuditActions = [
	// People (issue 12, part 3 and 6).
	"invitation.created",
	"invitation.revoked",
	"invitation.accepted",
	"member.changed",
	"member.deactivated",
	"member.reactivated",
	"password.reset_link_created",
	// A member asked for a reset link themself ("forgot password").
	"password.reset_requested",
	"password.reset",
	"password.changed",
	"organisation.set_up",
	// Settings.
	"board.settings_changed",
	"rules.changed",
	"source.created",
	"source.changed",
	"source.secret_rotated",
	"source.deleted",
	"webhook.created",
	"webhook.changed",
	"webhook.secret_rotated",
	"webhook.deleted",
	"webhook.delivery_retried",
	// Teams = boards (issue 12, part 4).
	"board.created",
	"board.renamed",
	"board.archived",
	"board.unarchived",
	// Single sign-on (issue 12, part 5).
	"sso.configured",
	"sso.removed",
	"sso.member_joined",
	// Data the organisation deletes or takes away (issue 16).
	"retention.changed",
	"retention.deleted",
	"author.erased",
	"data.exported",
] as const;
export type AuditAction = (typeof AuditActions)[number];

export const AuditActionSchema = v.picklist(AuditActions, "is not an action of the audit log");

/**
 * Who did it: a member (by id), the server on its own (a periodic task), or someone at the
 * server's command line (`pnpm switchboard …`), who signs in as nobody.
 */
export type AuditActor =
	| { kind: "member"; memberId: string }
	| { kind: "system" }
	| { kind: "cli" };

/** The actors that are not members, as the `actor` filter and the CSV write them. */
export const AuditNonMemberActors = ["system", "cli"] as const;

/** What an entry is about; `id` is the member's, board's, invitation's… id. */
export const AuditTargetTypes = [
	"organisation",
	"member",
	"invitation",
	"board",
	"rules",
	"source",
	"webhook",
	"sso",
	"author",
] as const;
export type AuditTargetType = (typeof AuditTargetTypes)[number];

export interface AuditTarget {
	type: AuditTargetType;
	id: string;
}

/**
 * Largest `details`, as JSON text. Details are a few facts (fields changed, counts),
 * never content: a post's text or a password does not belong in the log.
 */
export const MAX_AUDIT_DETAILS_BYTES = 4096;

/** JSON a detail may hold. */
export type AuditDetailValue =
	| string
	| number
	| boolean
	| null
	| readonly AuditDetailValue[]
	| { readonly [key: string]: AuditDetailValue };
export type AuditDetails = { readonly [key: string]: AuditDetailValue };

/** An entry as it is read back. */
export const AuditEntrySchema = v.object({
	/** Increases with every entry of the database; the list is newest (highest) first. */
	id: v.string(),
	orgId: v.string(),
	/** A member's id, or `system` / `cli`. */
	actor: v.string(),
	/** The member's name when the actor is a member (as it is now). */
	actorName: v.nullable(v.string()),
	action: AuditActionSchema,
	target: v.nullable(
		v.object({
			type: v.picklist(AuditTargetTypes),
			id: v.string(),
			/**
			 * Named as they are now: a member by name and email, a board or source by name, a
			 * webhook by its address's host, an invitation by email. Absent for other targets,
			 * and for one removed since.
			 */
			name: v.optional(v.string()),
			email: v.optional(v.string()),
		}),
	),
	details: v.record(v.string(), v.unknown()),
	/** ISO time. */
	at: v.string(),
});
export type AuditEntry = v.InferOutput<typeof AuditEntrySchema>;

/** How an actor is written in an entry, the filter and the CSV. */
export function auditActorText(actor: AuditActor): string {
	return actor.kind === "member" ? actor.memberId : actor.kind;
}

/** The actor a filter or stored text names. */
export function parseAuditActor(text: string): AuditActor {
	return text === "system" || text === "cli" ? { kind: text } : { kind: "member", memberId: text };
}

/** Why `details` cannot be recorded, or null. */
export function auditDetailsProblem(details: AuditDetails): string | null {
	const bytes = new TextEncoder().encode(JSON.stringify(details)).length;
	return bytes > MAX_AUDIT_DETAILS_BYTES
		? `details are ${bytes} bytes of JSON; at most ${MAX_AUDIT_DETAILS_BYTES} (record counts and names, not content)`
		: null;
}
