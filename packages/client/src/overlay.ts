/**
 * The optimistic overlay: the user's pending commands applied, in order, on top of the
 * board with the same `decide` the server runs. Pure; the result is shown, never written
 * into the board document (a read-only doc could not take it back).
 */
import {
	bulkItems,
	type Command,
	CommandArgs,
	countsAgainstCapacity,
	type DecisionContext,
	decide,
	isActiveMember,
	type Member,
	type MemberCard,
	type Mention,
	mentionWork,
	type Network,
	targetMentionId,
} from "@switchboard/domain";
import * as v from "valibot";
import type { BoardMention, Me, PendingCommand } from "./api.ts";

export interface OverlayInput {
	/** Who sends the commands. */
	me: Me;
	/** The pending commands of `me`, oldest first. */
	pending: readonly PendingCommand[];
	/** A mention as the board has it. */
	mention(id: string): Mention | undefined;
	/** A member card from the board. */
	card(id: string): MemberCard | undefined;
	/** Every mention on the board, for capacity counts (read only when a command needs it). */
	mentions(): Iterable<Mention>;
	/** The board's reply limits, which hold a reviewed text; the defaults when left out. */
	replyLimits?: Record<Network, number>;
}

/**
 * A member as `decide` needs it, from the board's card: active unless the card says an
 * admin deactivated them, so a hand-off or assignment to them shows refused at once, as
 * the server will refuse it. Cards carry no email, and `decide` does not read it.
 */
export function memberFromCard(card: MemberCard, orgId: string): Member {
	return { ...card, orgId, email: "", active: isActiveMember(card) };
}

/**
 * The sender as `decide` sees them: their card when the board has it; otherwise what the
 * sign-in said, without a capacity limit (the server still enforces it).
 */
function actorOf(input: OverlayInput): Member {
	const card = input.card(input.me.id);
	if (card) return memberFromCard(card, input.me.orgId);
	return {
		id: input.me.id,
		orgId: input.me.orgId,
		email: "",
		name: input.me.name,
		role: input.me.role,
		capacity: Number.MAX_SAFE_INTEGER,
		skills: [],
		languages: [],
		active: true,
	};
}

/** The command with its arguments parsed (defaults filled in), or null when invalid. */
export function parseCommand(input: PendingCommand["command"]): Command | null {
	const schema = CommandArgs[input.name];
	if (!schema) return null;
	const args = v.safeParse(schema, input.args);
	return args.success ? ({ name: input.name, args: args.output } as Command) : null;
}

/**
 * The mentions that pending commands touch, as the user should see them: each with the
 * work state its accepted commands lead to and the list of its pending commands. A
 * command `decide` would refuse changes nothing here but is still listed (the server has
 * the last word). `claimNext` names no mention until the server answers, so it shows on
 * none. Mentions not in the result are unchanged.
 */
export function overlayPending(input: OverlayInput): Map<string, BoardMention> {
	const out = new Map<string, BoardMention>();
	if (input.pending.length === 0) return out;
	const actor = actorOf(input);
	// Open conversations per owner, counted on first need: O(n) once, then kept up to date.
	const owned = { counts: null as Map<string, number> | null };
	const ownedCounts = () => {
		if (!owned.counts) {
			const counts = new Map<string, number>();
			for (const mention of input.mentions()) {
				// Commands decided before the first count already changed their mentions.
				const owner = countedOwner(out.get(mention.id) ?? mention);
				if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
			}
			owned.counts = counts;
		}
		return owned.counts;
	};
	for (const pending of input.pending) {
		const command = parseCommand(pending.command);
		// A bulk command shows on each conversation it names, as its items would apply.
		const steps: { command: Command | null; target: string | null }[] =
			command?.name === "bulk"
				? bulkItems(command).map((item) => ({ command: item, target: item.args.mentionId }))
				: [{ command, target: command ? targetMentionId(command) : rawTarget(pending.command) }];
		for (const { command, target } of steps) {
			if (!target) continue;
			apply(pending, command, target);
		}
	}
	return out;

	function apply(pending: PendingCommand, command: Command | null, target: string): void {
		const current: BoardMention | undefined =
			out.get(target) ??
			(() => {
				const mention = input.mention(target);
				return mention ? { ...mention, pending: [] } : undefined;
			})();
		if (!current) return;
		const context: DecisionContext = {
			actor,
			now: pending.createdAt,
			mention: current,
			member: (id) => {
				if (id === actor.id) return actor;
				const card = input.card(id);
				return card ? memberFromCard(card, input.me.orgId) : undefined;
			},
			openOwnedCount: (memberId) => ownedCounts().get(memberId) ?? 0,
		};
		if (input.replyLimits) context.replyLimits = input.replyLimits;
		// A command that does not parse changes nothing; the server's reject will say why.
		const decision = command ? decide(command, context) : null;
		let next: BoardMention = current;
		if (decision?.ok) {
			next = { ...current, ...decision.work };
			// Keep the capacity counts true for the commands after this one.
			const counts = owned.counts;
			if (counts) {
				const before = countedOwner(current);
				const after = countedOwner(next);
				if (before) counts.set(before, (counts.get(before) ?? 1) - 1);
				if (after) counts.set(after, (counts.get(after) ?? 0) + 1);
			}
		}
		out.set(target, {
			...next,
			pending: [...current.pending, pending],
			// What the server has, for what must never be shown optimistically (review status).
			confirmed: current.confirmed ?? mentionWork(input.mention(target) ?? current),
		});
	}
}

/** The mention a command names, read without parsing it. */
function rawTarget(command: PendingCommand["command"]): string | null {
	const args: unknown = command.args;
	if (typeof args !== "object" || args === null) return null;
	const mentionId = (args as Record<string, unknown>).mentionId;
	return typeof mentionId === "string" ? mentionId : null;
}

/** The member whose capacity a mention counts against, or null. */
function countedOwner(mention: Mention): string | null {
	return mention.owner && countsAgainstCapacity(mention.status) ? mention.owner.memberId : null;
}
