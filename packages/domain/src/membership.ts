/** What a session is told when the member behind its token can no longer act. */
export const MEMBERSHIP_ENDED = "Your membership is no longer active.";

/**
 * The close reason (after "Unauthorized: ") of the sockets of a member whose role changed:
 * they connect again and authenticate with the new role (docs/PROTOCOL.md, Authentication).
 */
export const ROLE_CHANGED = "Your role changed; connect again.";

/**
 * Whether the stored member behind a token may still act in `orgId`: the member exists,
 * is active and still belongs to that organisation. A token outlives a membership, so every
 * entry point (sign-in to a document, each HTTP request, the socket watcher) asks this.
 */
export function isActiveMembership<M extends { active: boolean; orgId: string }>(
	member: M | null | undefined,
	orgId: string,
): member is M {
	return member?.active === true && member.orgId === orgId;
}
