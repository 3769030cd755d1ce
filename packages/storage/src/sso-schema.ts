/** Tables of the SSO migration (2026-12-03T02-00-00-sso), as kysely sees them. */
import type { Role } from "@switchboard/domain";
import type { DefaultTimestamp, Json, Timestamp } from "./schema.ts";

export interface SsoConfigsTable {
	org_id: string;
	issuer: string;
	client_id: string;
	client_secret_sealed: string;
	allowed_domains: Json<string[]>;
	jit_enabled: boolean;
	jit_role: Role;
	jit_board_id: string | null;
	sso_only: boolean;
	updated_at: DefaultTimestamp;
}

export interface SsoDomainsTable {
	domain: string;
	org_id: string;
}

export interface SsoLoginsTable {
	state_hash: string;
	org_id: string;
	nonce: string;
	code_verifier: string;
	invitation_code_hash: string | null;
	expires_at: Timestamp;
}

export interface SsoTables {
	sso_configs: SsoConfigsTable;
	sso_domains: SsoDomainsTable;
	sso_logins: SsoLoginsTable;
}
