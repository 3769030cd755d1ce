/**
 * Roles as the app shows them: their names, the pages each may open, and what a member is
 * told when an admin changes theirs while they are signed in (the server closes their
 * sockets, they connect again with the new role, and the app reads it: session-context.tsx).
 */
import type { Role } from "@switchboard/domain";

/** A role in words. */
export const ROLE_LABELS: Record<Role, string> = {
	ambassador: "Ambassador",
	moderator: "Moderator",
	admin: "Admin",
};

/** Who the pages that are not everyone's are for (the server refuses the others their data). */
export const AUDIENCE_ROLES = {
	moderators: ["moderator", "admin"],
	admins: ["admin"],
} as const satisfies Record<string, readonly Role[]>;
export type Audience = keyof typeof AUDIENCE_ROLES;

/** Whether `role` is among the `audience`'s roles. */
export function inAudience(audience: Audience, role: Role): boolean {
	return (AUDIENCE_ROLES[audience] as readonly Role[]).includes(role);
}

/** The pages of each audience, by the first part of their path (app.tsx's routes). */
const PAGES: Readonly<Record<string, Audience>> = {
	coverage: "moderators",
	reviews: "moderators",
	reports: "moderators",
	admin: "admins",
};

/** Whether `role` may open the page at `pathname`. */
export function pageAllows(pathname: string, role: Role): boolean {
	const audience = PAGES[pathname.split("/")[1] ?? ""];
	return audience === undefined || inAudience(audience, role);
}

/**
 * What a member is told when their role changes: the new role, and what it takes from them
 * where it takes something ("Your role is now Ambassador: Coverage and Reviews are for
 * moderators."). `keptComments`: how many comments asking for changes they had typed and
 * not sent; a role that may no longer review says where those are kept.
 */
export function roleChangeWords(from: Role, to: Role, keptComments = 0): string {
	const lost = (audience: Audience) => inAudience(audience, from) && !inAudience(audience, to);
	const why = [
		lost("moderators") ? "Coverage and Reviews are for moderators" : null,
		lost("admins") ? (lost("moderators") ? "Admin for admins" : "Admin is for admins") : null,
	].filter((part) => part !== null);
	const now = `Your role is now ${ROLE_LABELS[to]}`;
	const told = why.length === 0 ? `${now}.` : `${now}: ${why.join(", ")}.`;
	if (keptComments === 0 || inAudience("moderators", to)) return told;
	return keptComments === 1
		? `${told} The comment you were typing to ask for changes is kept, not sent, on its conversation's page.`
		: `${told} The ${keptComments} comments you were typing to ask for changes are kept, not sent, on their conversations' pages.`;
}
