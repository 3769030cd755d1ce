/** The single sign-on port on kysely (see `sso-storage.ts`). */
import { AppError } from "@switchboard/domain";
import { type Selectable, sql } from "kysely";
import { KyselyPort } from "./kysely-port.ts";
import { findOne } from "./org-rows.ts";
import { iso } from "./rows.ts";
import type { SsoConfigsTable } from "./sso-schema.ts";
import type { SsoLogin, SsoStore, StoredSsoConfig } from "./sso-storage.ts";

function toConfig(row: Selectable<SsoConfigsTable>): StoredSsoConfig {
	return {
		orgId: row.org_id,
		issuer: row.issuer,
		clientId: row.client_id,
		clientSecretSealed: row.client_secret_sealed,
		allowedDomains: row.allowed_domains,
		jit: { enabled: row.jit_enabled, role: row.jit_role, boardId: row.jit_board_id },
		ssoOnly: row.sso_only,
		updatedAt: iso(row.updated_at),
	};
}

export class KyselySsoStore extends KyselyPort implements SsoStore {
	getSsoConfig(orgId: string): Promise<StoredSsoConfig | null> {
		return findOne(this.db, "sso_configs", "org_id", orgId, toConfig);
	}

	async saveSsoConfig(config: Omit<StoredSsoConfig, "updatedAt">): Promise<StoredSsoConfig> {
		return this.db.transaction().execute(async (trx) => {
			const domains = [...new Set(config.allowedDomains.map((domain) => domain.toLowerCase()))];
			if (domains.length > 0) {
				const taken = await trx
					.selectFrom("sso_domains")
					.select(["domain", "org_id"])
					.where("domain", "in", domains)
					.where("org_id", "<>", config.orgId)
					.executeTakeFirst();
				if (taken) {
					throw new AppError(
						"conflict",
						`allowedDomains: ${taken.domain} signs in with another organisation's identity provider.`,
					);
				}
			}
			if (config.jit.boardId !== null) {
				const board = await trx
					.selectFrom("boards")
					.select("id")
					.where("org_id", "=", config.orgId)
					.where("id", "=", config.jit.boardId)
					.executeTakeFirst();
				if (!board) {
					throw new AppError(
						"invalid",
						`jit.boardId: the organisation has no board ${config.jit.boardId}.`,
					);
				}
			}
			const values = {
				issuer: config.issuer,
				client_id: config.clientId,
				client_secret_sealed: config.clientSecretSealed,
				allowed_domains: JSON.stringify(domains),
				jit_enabled: config.jit.enabled,
				jit_role: config.jit.role,
				jit_board_id: config.jit.boardId,
				sso_only: config.ssoOnly,
				updated_at: sql<Date>`now()`,
			};
			const row = await trx
				.insertInto("sso_configs")
				.values({ org_id: config.orgId, ...values })
				.onConflict((oc) => oc.column("org_id").doUpdateSet(values))
				.returningAll()
				.executeTakeFirstOrThrow();
			await trx.deleteFrom("sso_domains").where("org_id", "=", config.orgId).execute();
			if (domains.length > 0) {
				await trx
					.insertInto("sso_domains")
					.values(domains.map((domain) => ({ domain, org_id: config.orgId })))
					.execute();
			}
			return toConfig(row);
		});
	}

	async deleteSsoConfig(orgId: string): Promise<boolean> {
		return this.db.transaction().execute(async (trx) => {
			await trx.deleteFrom("sso_domains").where("org_id", "=", orgId).execute();
			const result = await trx
				.deleteFrom("sso_configs")
				.where("org_id", "=", orgId)
				.executeTakeFirst();
			return result.numDeletedRows > 0n;
		});
	}

	async ssoOrgOfDomain(domain: string): Promise<string | null> {
		const row = await this.db
			.selectFrom("sso_domains")
			.select("org_id")
			.where("domain", "=", domain.toLowerCase())
			.executeTakeFirst();
		return row?.org_id ?? null;
	}

	async createSsoLogin(login: SsoLogin, now = new Date()): Promise<void> {
		await this.db.deleteFrom("sso_logins").where("expires_at", "<=", now).execute();
		await this.db
			.insertInto("sso_logins")
			.values({
				state_hash: login.stateHash,
				org_id: login.orgId,
				nonce: login.nonce,
				code_verifier: login.codeVerifier,
				invitation_code_hash: login.invitationCodeHash,
				expires_at: login.expiresAt,
			})
			.execute();
	}

	async takeSsoLogin(stateHash: string, now = new Date()): Promise<SsoLogin | null> {
		// One statement: of two callbacks with the same state, one gets the row.
		const row = await this.db
			.deleteFrom("sso_logins")
			.where("state_hash", "=", stateHash)
			.returningAll()
			.executeTakeFirst();
		if (!row || row.expires_at.getTime() <= now.getTime()) return null;
		return {
			stateHash: row.state_hash,
			orgId: row.org_id,
			nonce: row.nonce,
			codeVerifier: row.code_verifier,
			invitationCodeHash: row.invitation_code_hash,
			expiresAt: row.expires_at,
		};
	}
}
