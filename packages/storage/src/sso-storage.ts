/**
 * The single sign-on port (issue 12, part 5): an organisation's OpenID Connect settings,
 * which organisation an email domain signs in with, and the sign-ins under way, each
 * taken once.
 */
import type { Role } from "@switchboard/domain";

/** An organisation's settings as stored; the client secret sealed by the server. */
export interface StoredSsoConfig {
	orgId: string;
	issuer: string;
	clientId: string;
	clientSecretSealed: string;
	allowedDomains: string[];
	jit: { enabled: boolean; role: Role; boardId: string | null };
	ssoOnly: boolean;
	updatedAt: string;
}

/** A sign-in under way: what the callback checks the identity provider's answer against. */
export interface SsoLogin {
	/** SHA-256 of the state (base64url). */
	stateHash: string;
	orgId: string;
	nonce: string;
	codeVerifier: string;
	/** The hash of the invitation this sign-in accepts, when it started from one. */
	invitationCodeHash: string | null;
	expiresAt: Date;
}

export interface SsoStore {
	getSsoConfig(orgId: string): Promise<StoredSsoConfig | null>;
	/**
	 * Store the settings and the domains they claim, in one transaction. `conflict` when a
	 * domain is another organisation's already; `not_found` when the board for new members
	 * does not exist.
	 */
	saveSsoConfig(config: Omit<StoredSsoConfig, "updatedAt">): Promise<StoredSsoConfig>;
	/** False when the organisation had none. */
	deleteSsoConfig(orgId: string): Promise<boolean>;
	/** The organisation whose settings allow this email domain, if any. */
	ssoOrgOfDomain(domain: string): Promise<string | null>;
	/** Keep a sign-in under way; expired ones are dropped on the way. */
	createSsoLogin(login: SsoLogin, now?: Date): Promise<void>;
	/** Take a sign-in under way, once: null when unknown, taken already, or expired. */
	takeSsoLogin(stateHash: string, now?: Date): Promise<SsoLogin | null>;
}
