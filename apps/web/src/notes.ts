/**
 * @mentions in internal notes: `@Dana` or `@dana.scully` names a member by first name or by
 * full name written without spaces (or with dots, dashes or underscores), case-insensitively.
 */
import { isActiveMember, type MemberCard } from "@switchboard/domain";

const MENTION = /(^|[^\p{L}\p{N}@])@([\p{L}\p{N}](?:[\p{L}\p{N}._-]*[\p{L}\p{N}])?)/gu;

function normalise(name: string): string {
	return name.toLowerCase().replace(/[\s._-]+/g, "");
}

/** The member a token (without its @) names, if exactly one. */
export function memberForToken(token: string, members: readonly MemberCard[]): MemberCard | null {
	const wanted = normalise(token);
	if (!wanted) return null;
	const full = members.filter((member) => normalise(member.name) === wanted);
	if (full.length === 1) return full[0] ?? null;
	const first = members.filter(
		(member) => normalise(member.name.trim().split(/\s+/)[0] ?? "") === wanted,
	);
	return first.length === 1 ? (first[0] ?? null) : null;
}

/** Ids of the members a note mentions, in order of first mention. */
export function parseNoteMentions(text: string, members: readonly MemberCard[]): string[] {
	const ids: string[] = [];
	for (const match of text.matchAll(MENTION)) {
		const member = memberForToken(match[2] ?? "", members);
		if (member && !ids.includes(member.id)) ids.push(member.id);
	}
	return ids;
}

export type NotePart =
	| { kind: "text"; text: string }
	| { kind: "mention"; text: string; member: MemberCard };

/** The note's text cut into plain runs and @mentions of members, for display. */
export function noteParts(text: string, members: readonly MemberCard[]): NotePart[] {
	const parts: NotePart[] = [];
	let last = 0;
	for (const match of text.matchAll(MENTION)) {
		const member = memberForToken(match[2] ?? "", members);
		if (!member) continue;
		const start = (match.index ?? 0) + (match[1]?.length ?? 0);
		if (start > last) parts.push({ kind: "text", text: text.slice(last, start) });
		const end = start + 1 + (match[2]?.length ?? 0);
		parts.push({ kind: "mention", text: text.slice(start, end), member });
		last = end;
	}
	if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
	return parts;
}

/** The @name being typed just before the caret: where its @ is and what follows it so far. */
export function mentionQueryAt(
	text: string,
	caret: number,
): { start: number; query: string } | null {
	const match = /(^|[^\p{L}\p{N}@])@([\p{L}\p{N}._-]{0,40})$/u.exec(text.slice(0, caret));
	if (!match) return null;
	const query = match[2] ?? "";
	return { start: caret - query.length - 1, query };
}

/**
 * Active teammates whose first or full name starts with what was typed, first names first
 * (a deactivated member would never read the note; an @name already written still resolves).
 */
export function suggestMembers(
	query: string,
	members: readonly MemberCard[],
	excludeId: string,
	max = 6,
): MemberCard[] {
	const wanted = normalise(query);
	const first = (member: MemberCard) => normalise(member.name.trim().split(/\s+/)[0] ?? "");
	return members
		.filter((member) => member.id !== excludeId && isActiveMember(member))
		.filter(
			(member) => first(member).startsWith(wanted) || normalise(member.name).startsWith(wanted),
		)
		.sort(
			(a, b) =>
				Number(!first(a).startsWith(wanted)) - Number(!first(b).startsWith(wanted)) ||
				a.name.localeCompare(b.name),
		)
		.slice(0, max);
}

/** What to write after @ so that the note names exactly this member: the first name if unique. */
export function mentionToken(member: MemberCard, members: readonly MemberCard[]): string {
	const firstName = member.name.trim().split(/\s+/)[0] ?? member.name;
	if (memberForToken(firstName, members)?.id === member.id) return firstName;
	return member.name.trim().replace(/\s+/g, "");
}

/** The text with the @query from `start` to `caret` replaced by the member's @token. */
export function insertMention(
	text: string,
	start: number,
	caret: number,
	token: string,
): { text: string; caret: number } {
	const inserted = `@${token} `;
	const after = text.slice(caret).replace(/^ /, "");
	return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length };
}
