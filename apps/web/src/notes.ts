/**
 * @mentions in internal notes: `@Dana` or `@dana.scully` names a member by first name or by
 * full name written without spaces (or with dots, dashes or underscores), case-insensitively.
 */
import type { MemberCard } from "@switchboard/domain";

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
