/**
 * Builders for the client's unit tests. Not exported from the package index.
 */
import type { MemberCard, Mention } from "@switchboard/domain";
import type { Me, PendingCommand } from "./api.ts";

export const T0 = "2026-01-05T09:00:00.000Z";

/** ISO time `minutes` after T0. */
export function at(minutes: number): string {
	return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

export function card(id: string, overrides: Partial<MemberCard> = {}): MemberCard {
	return {
		id,
		name: id[0]!.toUpperCase() + id.slice(1),
		role: "ambassador",
		capacity: 2,
		skills: [],
		languages: [],
		...overrides,
	};
}

export function meOf(member: MemberCard): Me {
	return { id: member.id, orgId: "acme", role: member.role, name: member.name };
}

export function mention(id: string, overrides: Partial<Mention> = {}): Mention {
	return {
		id,
		network: "mastodon",
		externalId: `ext-${id}`,
		url: `https://social.example/@someone/${id}`,
		author: { handle: "@someone@social.example", name: "Someone", reach: 120 },
		text: "Is the service down?",
		thread: [],
		postedAt: T0,
		ingestedAt: T0,
		language: "en",
		sentiment: -0.5,
		status: "new",
		priority: "normal",
		tags: [],
		owner: null,
		review: null,
		reply: null,
		snoozedUntil: null,
		approvalRequired: false,
		updatedAt: T0,
		...overrides,
	};
}

let counter = 0;

export function pending(
	command: PendingCommand["command"],
	createdAt: string = at(1),
): PendingCommand {
	counter += 1;
	return { id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`, command, createdAt };
}
