/**
 * Whom an invitation or reset link signs out on this device. Accepting one signs in as
 * its account, so whoever is signed in here now stops being: a teammate who opens a
 * colleague's invitation on their own phone must be told before, not find out after.
 * And where a reset link an admin made went besides their screen, and why a CSV row was
 * refused, in words.
 */
import { plural, type Role } from "@switchboard/domain";

/** The member signed in on this device, as the invite page knows them. */
export interface SignedIn {
	name: string;
	/** From `GET /api/me`; null until it answered, or when it could not. */
	email: string | null;
}

/** What the link is for (`GET /api/invites/:code`). */
export interface LinkFor {
	kind: "invite" | "reset";
	email: string;
}

/**
 * The member that accepting `link` signs out here, or null when nobody is or it goes on
 * as the same member. An invitation always makes a new account, even for the same email
 * (another organisation); a reset link continues as the signed-in member only when it is
 * theirs, which takes their email: unknown, they are warned rather than surprised.
 */
export function signedOutByAccepting(signedIn: SignedIn | null, link: LinkFor): SignedIn | null {
	if (!signedIn) return null;
	const same =
		link.kind === "reset" &&
		signedIn.email !== null &&
		signedIn.email.toLowerCase() === link.email.toLowerCase();
	return same ? null : signedIn;
}

/** A role with its article, as a sentence says it: "an admin", "a moderator". */
const ROLE_WITH_ARTICLE: Record<Role, string> = {
	ambassador: "an ambassador",
	moderator: "a moderator",
	admin: "an admin",
};

/**
 * What the invitation page says of an invitation: to which organisation, as what (when the
 * server names the role; an older one does not) and with which email.
 */
export function invitedAs(invitation: {
	email: string;
	organisation: { name: string };
	role?: Role;
}): string {
	const as = invitation.role ? ` as ${ROLE_WITH_ARTICLE[invitation.role]}` : "";
	return `You are invited to ${invitation.organisation.name}${as}, with the email ${invitation.email}.`;
}

/** A reset link an admin made (`POST …/password-reset`), and for whom. */
export interface MadeResetLink {
	email: string;
	/** The server mailed it to `email` too (SMTP_URL set). */
	mailed: boolean;
}

/**
 * What the admin's screen says under a reset link it shows: that the member has it by
 * email too, so the admin need not hand it over (and knows to tell them to look); or that
 * nobody has it but the admin, who must hand it over now, as it is shown only once.
 */
export function resetLinkDelivery(link: MadeResetLink, name: string): string {
	return link.mailed
		? `Also sent to ${link.email}.`
		: `Not sent by email: hand it to ${name} yourself; it is shown only now.`;
}

/**
 * What the admin's screen says of the invitations it just made, links listed under it:
 * whether the server emailed them (it does whenever mail is set up), or nobody has them but
 * the admin, who must pass each on now, as they are shown only once.
 */
export function invitesDelivery(emails: readonly string[], mailed: boolean): string {
	const made = `${plural(emails.length, "invitation")} made.`;
	const one = emails.length === 1 ? emails[0] : undefined;
	if (mailed) {
		return one
			? `${made} Its link was sent by email to ${one}.`
			: `${made} Each link was sent by email to its person.`;
	}
	return one
		? `${made} Not sent by email (this server has no mail set up): copy the link and pass it to ${one} yourself; it is shown only now.`
		: `${made} Not sent by email (this server has no mail set up): copy each link and pass it on yourself; they are shown only now.`;
}

/**
 * The links shown before a batch that stay listed under its own: a link is shown only once,
 * so another invitation must not push one off the screen before it was copied. One the batch
 * made again for the same email is left out: it no longer works.
 */
export function earlierLinks<Link extends { email: string }>(
	made: readonly Link[],
	before: readonly Link[],
): Link[] {
	const emails = new Set(made.map((link) => link.email.toLowerCase()));
	return before.filter((link) => !emails.has(link.email.toLowerCase()));
}

/**
 * A refused row's reason as a sentence: the server names the column first ("role: must be
 * one of …"), which reads "the role must be one of …" in a list of refused lines. A reason
 * that is a sentence of its own ("boards: the board main is archived") keeps its words.
 */
export function refusalInWords(message: string): string {
	const named = /^([a-z]+): (.*)$/s.exec(message);
	if (!named) return message;
	const [, column, reason = ""] = named;
	return reason.startsWith("the ") ? reason : `the ${column} ${reason}`;
}
