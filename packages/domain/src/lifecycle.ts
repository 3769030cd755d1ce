/**
 * The conversation lifecycle: given a command, who sends it and the current state of
 * what it touches, decide the new state or why not. Pure: the server loads the state
 * inside a database transaction, calls `decide`, and stores what it returns.
 */
import { approvalBlock, NO_APPROVAL_RULES, needsApproval, replyTextBlock } from "./approval.ts";
import { draftHash } from "./draft-doc.ts";
import {
	type ApprovalRules,
	type ChangesAsked,
	countsAgainstCapacity,
	DEFAULT_BOARD_SETTINGS,
	type Member,
	type Mention,
	type MentionStatus,
	type MentionWork,
	mayReplyIn,
	mentionWork,
	type Network,
	type Priority,
	type Review,
	type Role,
	replyLimitFor,
	webLink,
} from "./model.ts";
import type { BulkItem, Command, CommandName, RejectCode } from "./protocol.ts";
import { replyLinkProblem } from "./reply-link.ts";
import { plural } from "./text.ts";

const EVERYONE: readonly Role[] = ["ambassador", "moderator", "admin"];
/** Roles that run the team: assign work, approve replies, read reports and addresses. */
export const MODERATORS: readonly Role[] = ["moderator", "admin"];

/** Which roles may send each command at all. Ownership rules apply on top. */
export const COMMAND_ROLES: Record<CommandName, readonly Role[]> = {
	claim: EVERYONE,
	claimNext: EVERYONE,
	release: EVERYONE,
	handoff: EVERYONE,
	assign: MODERATORS,
	unassign: MODERATORS,
	submitForReview: EVERYONE,
	approve: MODERATORS,
	requestChanges: MODERATORS,
	markReplied: EVERYONE,
	dismiss: EVERYONE,
	snooze: EVERYONE,
	escalate: EVERYONE,
	tag: EVERYONE,
	setPriority: EVERYONE,
	close: EVERYONE,
	reopen: EVERYONE,
	// Each item is decided on its own, with its own command's roles.
	bulk: EVERYONE,
};

/** What `decide` may look at. The caller has locked `mention` against concurrent change. */
export interface DecisionContext {
	actor: Member;
	/** ISO time of the decision. */
	now: string;
	/** The mention the command names (for claimNext: the one picked), or null if none exists. */
	mention: Mention | null;
	/** Look up a member of the actor's organisation (handoff/assign targets, owners' names). */
	member(id: string): Member | undefined;
	/** How many conversations this member currently owns that count against capacity. */
	openOwnedCount(memberId: string): number;
	/** The board's approval rules; without them no conversation needs approval. */
	approval?: ApprovalRules;
	/** The board's reply limits per network; the defaults when left out. */
	replyLimits?: Record<Network, number>;
}

/** The activity record an accepted command leaves. */
export interface ActivityDraft {
	action: CommandName;
	fromStatus: MentionStatus;
	toStatus: MentionStatus;
	detail: Record<string, unknown>;
}

export type Decision =
	| {
			ok: true;
			mentionId: string;
			/** The mention's complete work state after the command. */
			work: MentionWork;
			activity: ActivityDraft;
			/** Extra data for the ack (claimNext names what it claimed). */
			result?: Record<string, unknown>;
	  }
	| { ok: false; code: RejectCode; message: string };

function no(code: RejectCode, message: string): Decision {
	return { ok: false, code, message };
}

const isModerator = (member: Member) => MODERATORS.includes(member.role);

/** A conversation nobody works on yet that anyone may take (snoozes end by time). */
export function isClaimable(mention: Mention, now: string): boolean {
	if (mention.owner) return false;
	if (mention.status === "new" || mention.status === "escalated") return true;
	return mention.status === "snoozed" && (mention.snoozedUntil ?? "") <= now;
}

const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/**
 * Order the conversations a member could claim next, best first: by priority, then
 * those whose tags match the member's skills, then oldest first. Conversations in a
 * language the member does not write are left out when the member lists languages.
 */
export function rankForMember(
	candidates: readonly Mention[],
	member: Member,
	now: string,
): Mention[] {
	const { eligible, before } = rankingFor(member, now);
	return candidates.filter(eligible).sort(before);
}

/**
 * The conversations a batch of claimNext commands shares: each command takes the first of
 * `rankForMember` over what is left for its member. The candidates are put in order once
 * (priority, then age); a member's best is then the first one left they may take, or the
 * first of that priority matching their skills, found without comparing strings. In a
 * 200-claim batch the per-command ranking compared strings some 50,000 times, 5 to 30 ms
 * of the batch while the whole wave waited for it.
 */
export class ClaimPool {
	readonly #order: Mention[];
	readonly #taken = new Set<string>();
	/** Every candidate before this index is taken. */
	#firstLeft = 0;

	constructor(candidates: Iterable<Mention>) {
		this.#order = [...candidates].sort(byPriorityAndAge);
	}

	/** The best conversation left for `member`, or null when none is. */
	best(member: Member, now: string): Mention | null {
		const { eligible, skillMatch } = rankingFor(member, now);
		let first: Mention | null = null;
		for (let i = this.#firstLeft; i < this.#order.length; i++) {
			const candidate = this.#order[i] as Mention;
			if (this.#taken.has(candidate.id) || !eligible(candidate)) continue;
			// Priority outranks skills: past the first one's priority, nothing is better.
			if (first && candidate.priority !== first.priority) break;
			if (member.skills.length === 0 || skillMatch(candidate) === 0) return candidate;
			first ??= candidate;
		}
		return first;
	}

	/** `mentionId` is no longer left to anyone. */
	take(mentionId: string): void {
		this.#taken.add(mentionId);
		while (this.#taken.has(this.#order[this.#firstLeft]?.id as string)) this.#firstLeft++;
	}
}

/** Which conversations a member may claim next, and their order (`rankForMember`). */
function rankingFor(member: Member, now: string) {
	const skills = new Set(member.skills);
	const writes = (m: Mention) =>
		member.languages.length === 0 || m.language === null || member.languages.includes(m.language);
	const skillMatch = (m: Mention) => (m.tags.some((tag) => skills.has(tag)) ? 0 : 1);
	return {
		eligible: (m: Mention) => isClaimable(m, now) && writes(m),
		skillMatch,
		before: (a: Mention, b: Mention) =>
			PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
			skillMatch(a) - skillMatch(b) ||
			byPriorityAndAge(a, b),
	};
}

/** The ranking without skills: priority, then oldest first. */
function byPriorityAndAge(a: Mention, b: Mention): number {
	return (
		PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
		a.postedAt.localeCompare(b.postedAt) ||
		a.id.localeCompare(b.id)
	);
}

function nameOf(ctx: DecisionContext, memberId: string): string {
	return ctx.member(memberId)?.name ?? "another member";
}

function hasRoom(ctx: DecisionContext, member: Member): boolean {
	return ctx.openOwnedCount(member.id) < member.capacity;
}

/**
 * Why a conversation cannot go to `to`: nobody of that id, or a member an admin deactivated
 * (a board still lists them until it reloads its members, so a hand-off or an assignment to
 * them is a real mistake to explain, not a stranger's id).
 */
function notAvailable(to: Member | undefined): Decision {
	return no(
		"not_found",
		to
			? `${to.name} was deactivated and can no longer take conversations: choose someone else.`
			: "That member is not in your organisation.",
	);
}

/**
 * Why `member` has no room: what they hold, which is their capacity, or more than a capacity
 * an admin lowered since ("You hold 1 open conversation and your capacity is 0").
 */
function capacityMessage(ctx: DecisionContext, member: Member, self: boolean): string {
	const count = ctx.openOwnedCount(member.id);
	const held = plural(count, "open conversation");
	if (count > member.capacity) {
		return self
			? `You hold ${held} and your capacity is ${member.capacity}. Release or finish one first.`
			: `${member.name} holds ${held} and their capacity is ${member.capacity}.`;
	}
	return self
		? `You already hold ${held}, your capacity. Release or finish one first.`
		: `${member.name} already holds ${held}, their capacity.`;
}

/**
 * Decide a command. Returns the mention's new work state and the activity to record,
 * or a reject. Never throws for a well-formed command.
 */
export function decide(command: Command, ctx: DecisionContext): Decision {
	const { actor, now } = ctx;
	if (command.name === "bulk") {
		// The server runs each item as a command of its own (see bulkItems).
		return no("invalid", "A bulk command is decided item by item.");
	}
	if (!actor.active) return no("forbidden", "Your membership is not active.");
	if (!COMMAND_ROLES[command.name].includes(actor.role)) {
		return no("forbidden", `Only moderators and admins may ${command.name}.`);
	}
	const mention = ctx.mention;
	if (!mention) {
		return command.name === "claimNext"
			? no("nothing_to_claim", "No open conversation is waiting for you right now.")
			: no("not_found", "That conversation is not on the board.");
	}
	const from = mention.status;
	const before = mentionWork(mention);
	const ownerId = mention.owner?.memberId ?? null;
	const ownedByActor = ownerId === actor.id;
	const mayActAsOwner = ownedByActor || isModerator(actor);
	const rules = ctx.approval ?? NO_APPROVAL_RULES;

	const accept = (
		changes: Partial<MentionWork>,
		detail: Record<string, unknown> = {},
		result?: Record<string, unknown>,
	): Decision => {
		const work: MentionWork = { ...before, ...changes, updatedAt: now };
		// A rule that matched the state before or after this command binds from now on,
		// whatever later commands change (see approval.ts).
		work.approvalRequired = needsApproval(mention, rules) || needsApproval(work, rules);
		const accepted: Decision = {
			ok: true,
			mentionId: mention.id,
			work,
			activity: { action: command.name, fromStatus: from, toStatus: work.status, detail },
		};
		if (result) accepted.result = result;
		return accepted;
	};
	const notOwner = () =>
		no(
			"not_owner",
			ownerId
				? `${nameOf(ctx, ownerId)} owns this conversation; only they or a moderator can do that.`
				: "Nobody owns this conversation; claim it first.",
		);
	const wrongStatus = (what: string) =>
		no("invalid_transition", `Cannot ${what} a conversation that is ${from.replace("_", " ")}.`);
	/**
	 * The text submitted or approved (sent from version 3, the draft's for older clients): it
	 * must be the hashed one, and fit the network.
	 */
	const textBlock = (text: string | undefined, hash: string): Decision | null => {
		if (text === undefined) return null;
		if (draftHash(text) !== hash) {
			return no(
				"invalid",
				"The draft changed while this was sent: its text is not the one named. Look at the current text and send it again.",
			);
		}
		const limits = ctx.replyLimits ?? DEFAULT_BOARD_SETTINGS.replyLimits;
		const block = replyTextBlock(text, mention.network, replyLimitFor(limits, mention.network));
		return block ? no(block.code, block.message) : null;
	};
	/** A review step the actor takes now, on the draft text with this hash. */
	const reviewBy = (state: Review["state"], hash: string | null, comment: string | null = null) =>
		({ state, hash, by: actor.id, at: now, comment }) satisfies Review;
	/** The actor submits (or approves) the draft text with this hash, if the text is it. */
	const reviewText = (
		status: "in_review" | "approved",
		state: "requested" | "approved",
		args: { text?: string | undefined; hash: string },
	) => {
		const review: Review = reviewBy(state, args.hash);
		const asked = state === "requested" ? changesAskedOf(mention.review) : undefined;
		if (asked) review.changesAsked = asked;
		return textBlock(args.text, args.hash) ?? accept({ status, review }, { hash: args.hash });
	};

	switch (command.name) {
		case "claim":
		case "claimNext": {
			if (ownerId) {
				return ownedByActor
					? no("already_claimed", "You already own this conversation.")
					: no("already_claimed", `Already claimed by ${nameOf(ctx, ownerId)}.`);
			}
			if (!isClaimable(mention, now)) return wrongStatus("claim");
			if (!hasRoom(ctx, actor)) return no("capacity_reached", capacityMessage(ctx, actor, true));
			return accept(
				{
					status: from === "escalated" ? "escalated" : "claimed",
					owner: { memberId: actor.id, since: now },
					snoozedUntil: null,
				},
				{},
				command.name === "claimNext" ? { mentionId: mention.id } : undefined,
			);
		}
		case "release": {
			if (!ownerId) return no("not_owner", "Nobody owns this conversation.");
			if (!mayActAsOwner) return notOwner();
			// A replied conversation keeps its owner for the record; releasing it must not
			// put it back on the board as new.
			if (!countsAgainstCapacity(from)) return wrongStatus("release");
			return accept(
				{ status: from === "escalated" ? "escalated" : "new", owner: null },
				{ previousOwner: ownerId },
			);
		}
		case "handoff": {
			if (!ownerId) return no("not_owner", "Nobody owns this conversation; claim it first.");
			if (!mayActAsOwner) return notOwner();
			const to = ctx.member(command.args.to);
			if (!to?.active) return notAvailable(to);
			if (to.id === ownerId)
				return no("invalid_transition", `${to.name} already owns this conversation.`);
			if (!hasRoom(ctx, to)) return no("capacity_reached", capacityMessage(ctx, to, false));
			return accept({ owner: { memberId: to.id, since: now } }, { from: ownerId, to: to.id });
		}
		case "assign": {
			const to = ctx.member(command.args.memberId);
			if (!to?.active) return notAvailable(to);
			if (ownerId === to.id)
				return no("already_claimed", `${to.name} already owns this conversation.`);
			if (!countsAgainstCapacity(from) && !isClaimable({ ...mention, owner: null }, now)) {
				return wrongStatus("assign");
			}
			if (!hasRoom(ctx, to)) return no("capacity_reached", capacityMessage(ctx, to, false));
			return accept(
				{
					status: countsAgainstCapacity(from) ? from : "claimed",
					owner: { memberId: to.id, since: now },
					snoozedUntil: null,
				},
				{ from: ownerId, to: to.id },
			);
		}
		case "unassign": {
			if (!ownerId) return no("not_owner", "Nobody owns this conversation.");
			if (!countsAgainstCapacity(from)) return wrongStatus("unassign");
			return accept(
				{ status: from === "escalated" ? "escalated" : "new", owner: null },
				{ previousOwner: ownerId },
			);
		}
		case "submitForReview": {
			if (!ownedByActor) return notOwner();
			// From approved too: a text changed after its approval goes back for a new one. In
			// review, a text changed since it was submitted replaces it (a moderator approves only
			// the text submitted, and the owner went on writing).
			if (from === "in_review") {
				if (mention.review?.hash === command.args.hash) {
					return no("invalid_transition", "This text is already waiting for review.");
				}
			} else if (from !== "claimed" && from !== "drafting" && from !== "approved") {
				return wrongStatus("submit for review");
			}
			return reviewText("in_review", "requested", command.args);
		}
		case "approve": {
			if (from !== "in_review") return wrongStatus("approve");
			if (mention.review?.hash !== command.args.hash) {
				return no(
					"stale_hash",
					"The draft changed since it was submitted; review the current text.",
				);
			}
			return reviewText("approved", "approved", command.args);
		}
		case "requestChanges": {
			if (from !== "in_review") return wrongStatus("request changes on");
			return accept(
				{
					status: "drafting",
					review: reviewBy("changes_requested", mention.review?.hash ?? null, command.args.comment),
				},
				{ comment: command.args.comment },
			);
		}
		case "markReplied": {
			if (!ownerId) return notOwner();
			if (!mayActAsOwner) return notOwner();
			if (!mayReplyIn(from)) return wrongStatus("mark replied");
			// The wire accepts any URL (the protocol is pinned); only web links are stored.
			if (webLink(command.args.url) === null) {
				return no("invalid", "The reply's link must be an http: or https: URL.");
			}
			const elsewhere = replyLinkProblem(mention.network, command.args.url);
			if (elsewhere) return no("invalid", elsewhere);
			const block = approvalBlock(mention, rules, command.args.hash ?? null);
			if (block) return no(block.code, block.message);
			return accept(
				{
					status: "replied",
					reply: {
						url: command.args.url,
						hash: command.args.hash ?? null,
						by: actor.id,
						sentAt: now,
					},
				},
				{ url: command.args.url },
			);
		}
		case "dismiss": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (from === "replied" || from === "closed" || from === "dismissed")
				return wrongStatus("dismiss");
			return accept(
				{ status: "dismissed", owner: null },
				{ reason: command.args.reason ?? null, previousOwner: ownerId },
			);
		}
		case "snooze": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (command.args.until <= now) return no("invalid", "Snooze until a time in the future.");
			if (from !== "new" && from !== "snoozed" && !countsAgainstCapacity(from))
				return wrongStatus("snooze");
			return accept(
				{ status: "snoozed", owner: null, snoozedUntil: command.args.until },
				{ until: command.args.until, previousOwner: ownerId },
			);
		}
		case "escalate": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (from === "escalated") return wrongStatus("escalate");
			if (from !== "new" && from !== "snoozed" && !countsAgainstCapacity(from))
				return wrongStatus("escalate");
			return accept(
				{ status: "escalated", snoozedUntil: null },
				{ reason: command.args.reason ?? null },
			);
		}
		case "tag": {
			// Tags decide approval and routing: on an owned conversation they are the owner's
			// and the moderators' to change. Anyone may still sort an unowned one.
			if (ownerId && !mayActAsOwner) return notOwner();
			const removed = new Set(command.args.remove);
			const tags = [
				...new Set([...mention.tags.filter((t) => !removed.has(t)), ...command.args.add]),
			];
			if (tags.length > 32) return no("invalid", "A conversation can carry at most 32 tags.");
			return accept({ tags }, { add: command.args.add, remove: command.args.remove });
		}
		case "setPriority": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (command.args.priority === mention.priority) {
				return no("invalid_transition", `The priority is already ${mention.priority}.`);
			}
			return accept(
				{ priority: command.args.priority },
				{ from: mention.priority, to: command.args.priority },
			);
		}
		case "close": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (from === "closed" || from === "dismissed") return wrongStatus("close");
			// The owner stays on record: a follow-up reopens the conversation to them.
			return accept(
				{ status: "closed", snoozedUntil: null },
				{ reason: command.args.reason ?? null },
			);
		}
		case "reopen": {
			if (ownerId && !mayActAsOwner) return notOwner();
			if (!REOPENABLE.includes(from)) return wrongStatus("reopen");
			const owner = ownerId ? ctx.member(ownerId) : undefined;
			// Back to its owner when they are still here; to the board when they are gone.
			if (owner?.active) {
				if (!hasRoom(ctx, owner)) {
					return no("capacity_reached", capacityMessage(ctx, owner, owner.id === actor.id));
				}
				return accept({ status: "claimed", review: null, snoozedUntil: null }, { owner: owner.id });
			}
			return accept(
				{ status: "new", owner: null, review: null, snoozedUntil: null },
				{ previousOwner: ownerId },
			);
		}
		default: {
			const unreachable: never = command;
			return unreachable;
		}
	}
}

/**
 * The changes asked for that a text submitted now answers: those of a review that asked for
 * them, or those a text submitted since (replaced now by a newer one) answered. An approval
 * in between settled them.
 */
function changesAskedOf(review: Review | null): ChangesAsked | undefined {
	if (review?.state === "changes_requested") {
		return { by: review.by, at: review.at, comment: review.comment };
	}
	return review?.state === "requested" ? review.changesAsked : undefined;
}

/** Statuses `reopen` brings back to work: finished, or set aside for later. */
export const REOPENABLE: readonly MentionStatus[] = ["replied", "closed", "dismissed", "snoozed"];

/** The commands a bulk command carries, each as a command of its own; empty for any other. */
export function bulkItems(command: Command): BulkItem[] {
	return command.name === "bulk" ? command.args.items : [];
}

/**
 * The mention id a command names, or null for claimNext (the server picks one) and for
 * bulk (each of its items names its own).
 */
export function targetMentionId(command: Command): string | null {
	return command.name === "claimNext" || command.name === "bulk" ? null : command.args.mentionId;
}
