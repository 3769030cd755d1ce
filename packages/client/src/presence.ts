/**
 * Presence from Yjs awareness: who is online, who looks at which conversation, who types
 * in its draft. Awareness is never a document write; these are its shapes and the pure
 * derivation of what the board shows.
 */
import type { MemberCard } from "@switchboard/domain";
import type { Me, Presence } from "./api.ts";

/** The `user` field of an awareness state (y-codemirror.next reads `name` and `color`). */
export interface PresenceUser {
	id: string;
	name: string;
	color: string;
}

/** My awareness state on the board document. */
export interface BoardAwarenessState {
	user: PresenceUser;
	/** The mention id I am looking at. */
	viewing: string | null;
	/** True while I type in the draft of `viewing`. */
	typing: boolean;
}

/**
 * My awareness state on a conversation's draft document: seen by the few people in the
 * conversation at once (the draft's presence is relayed without coalescing), where the
 * board's badges are coalesced for everyone (packages/sync/src/presence-relay.ts).
 * y-codemirror.next adds `cursor`.
 */
export interface DraftAwarenessState {
	user: PresenceUser;
	/** True while a view of the conversation is open (not a draft held or listed elsewhere). */
	here: boolean;
	/** True while I type in this draft. */
	typing: boolean;
}

/**
 * Colors for people (cursors, avatars): distinct hues, each with a contrast of at least
 * 4.5:1 against white, so white initials on them and the color as a cursor on a white
 * page both stay readable (WCAG AA).
 */
export const PRESENCE_COLORS = [
	"#c2410c",
	"#b45309",
	"#4d7c0f",
	"#047857",
	"#0e7490",
	"#1d4ed8",
	"#6d28d9",
	"#a21caf",
	"#be123c",
	"#475569",
	"#4338ca",
	"#be185d",
] as const;

/** A stable color for a member: FNV-1a hash of the id into PRESENCE_COLORS. */
export function memberColor(memberId: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < memberId.length; i++) {
		hash ^= memberId.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return PRESENCE_COLORS[hash % PRESENCE_COLORS.length] as string;
}

export function presenceUser(me: Pick<Me, "id" | "name">): PresenceUser {
	return { id: me.id, name: me.name, color: memberColor(me.id) };
}

/** Awareness states come from other clients: keep only well-formed ones. */
export function readAwarenessState(state: unknown): BoardAwarenessState | null {
	if (typeof state !== "object" || state === null) return null;
	const { user, viewing, typing } = state as Record<string, unknown>;
	if (typeof user !== "object" || user === null) return null;
	const { id, name, color } = user as Record<string, unknown>;
	if (typeof id !== "string" || typeof name !== "string") return null;
	return {
		user: { id, name, color: typeof color === "string" ? color : memberColor(id) },
		viewing: typeof viewing === "string" ? viewing : null,
		typing: typing === true,
	};
}

export interface PresenceView {
	/** Per mention id, only mentions somebody other than me is on. */
	presence: Map<string, Presence>;
	/** Members online, including me, by name. */
	online: MemberCard[];
}

/**
 * Derive presence from awareness states. A member with several tabs counts once: as a
 * viewer of every mention one of their tabs shows, as a typer where one of them types.
 * `card` finds the board's member card; a member the board does not list (yet) gets a
 * card from their awareness name.
 */
export function derivePresence(
	states: ReadonlyMap<number, unknown>,
	meId: string,
	card: (id: string) => MemberCard | undefined,
): PresenceView {
	const cards = new Map<string, MemberCard>();
	const cardOf = (user: PresenceUser) => {
		let found = cards.get(user.id);
		if (!found) {
			found = card(user.id) ?? {
				id: user.id,
				name: user.name,
				role: "ambassador",
				capacity: 0,
				skills: [],
				languages: [],
			};
			cards.set(user.id, found);
		}
		return found;
	};
	const viewers = new Map<string, Map<string, MemberCard>>();
	const typers = new Map<string, Map<string, MemberCard>>();
	const add = (into: Map<string, Map<string, MemberCard>>, mentionId: string, who: MemberCard) => {
		let members = into.get(mentionId);
		if (!members) {
			members = new Map();
			into.set(mentionId, members);
		}
		members.set(who.id, who);
	};
	for (const raw of states.values()) {
		const state = readAwarenessState(raw);
		if (!state) continue;
		const who = cardOf(state.user);
		if (state.user.id === meId || state.viewing === null) continue;
		add(viewers, state.viewing, who);
		if (state.typing) add(typers, state.viewing, who);
	}
	const byName = (a: MemberCard, b: MemberCard) =>
		a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
	const presence = new Map<string, Presence>();
	for (const [mentionId, members] of viewers) {
		presence.set(mentionId, {
			viewers: [...members.values()].sort(byName),
			typers: [...(typers.get(mentionId)?.values() ?? [])].sort(byName),
		});
	}
	return { presence, online: [...cards.values()].sort(byName) };
}

/**
 * A draft's awareness states as the board's: each member whose view of the conversation is
 * open (`here`) views it, under the key {@link IN_DRAFT}, with their typing. Who else is in a
 * conversation is then `derivePresence(draftStatesAsViews(states), …).presence.get(IN_DRAFT)`:
 * counted as the board's badges are, a member with several tabs once.
 */
export function draftStatesAsViews(states: ReadonlyMap<number, unknown>): Map<number, unknown> {
	const views = new Map<number, unknown>();
	for (const [clientId, raw] of states) {
		const state = raw as Partial<DraftAwarenessState> | null;
		if (state?.here === true) views.set(clientId, { ...state, viewing: IN_DRAFT });
	}
	return views;
}

/** The conversation a draft's states "view", for {@link draftStatesAsViews}. */
export const IN_DRAFT = "in-draft";
