/**
 * Single sign-on with OpenID Connect (issue 12, part 5; docs/SSO.md), with openid-client:
 * authorization code flow with PKCE (S256), a state and a nonce per sign-in.
 *
 * - The state, nonce and code verifier stay on the server (`sso_logins`, by the state's
 *   SHA-256, ten minutes, taken once in one statement), and the state is also in an
 *   HttpOnly cookie of the browser that started: a callback in another browser, a state
 *   used before or an expired one is refused.
 * - Every request to the identity provider (discovery, keys, token) goes through the
 *   server's one guarded outbound client; an `http:` issuer only with
 *   `SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER=1` (tests).
 * - openid-client checks the ID token: signature by the issuer's keys, `iss`, `aud` (our
 *   client id), `exp`, `iat`, the nonce. Then the email must be verified
 *   (`email_verified: true`); it names the member of the organisation, or, with
 *   just-in-time membership, a new one if its domain is allowed.
 * - The client secret is sealed with the server's secret box, like source credentials,
 *   and never answered.
 */
import { createHash, randomUUID } from "node:crypto";
import type { OutboundClient } from "@switchboard/connectors";
import {
	AppError,
	HttpRoutes,
	type Member,
	SSO_CALLBACK_PATH,
	type SsoConfig,
	type SsoConfigInput,
	type SsoRefusal,
} from "@switchboard/domain";
import { recordAudit, type Storage, type StoredSsoConfig } from "@switchboard/storage";
import type { SessionService } from "@switchboard/sync";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type * as oidc from "openid-client";
import type { Logger } from "pino";
import { handle } from "./contract-route.ts";
import { type ApiEnv, startSession } from "./http-api.ts";
import { hashInviteCode } from "./invitations.ts";
import type { SecretBox } from "./secret-box.ts";

/** The cookie that ties a sign-in's state to the browser that started it. */
export const SSO_STATE_COOKIE = "sb_sso_state";

/** How long a sign-in may take at the identity provider. @default 10 minutes */
export const SSO_LOGIN_TTL_MS = 10 * 60 * 1000;

/** How long a discovered issuer configuration is reused. @default 10 minutes */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

/** The password hash of a member made by SSO: no password matches it (not a scrypt hash). */
export const NO_PASSWORD = "sso:no-password";

export interface SsoOptions {
	storage: Storage;
	tokens: SessionService;
	secrets: SecretBox;
	outbound: OutboundClient;
	logger: Logger;
	/** `PUBLIC_URL`; the redirect URI is built from it (else from the request's origin). */
	publicUrl?: string | undefined;
	/** Accept `http:` issuers (`SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER=1`; tests). @default false */
	allowHttpIssuer?: boolean;
	/** Shows a member made just in time on the live boards. */
	publishMember(member: Member): Promise<void>;
}

export interface Sso {
	routes: Hono<ApiEnv>;
	publicRoutes: Hono<ApiEnv>;
	/** True when the organisation allows only single sign-on. */
	ssoOnly(orgId: string): Promise<boolean>;
}

function sha256(text: string): string {
	return createHash("sha256").update(text).digest("base64url");
}

function view(config: StoredSsoConfig): SsoConfig {
	const { orgId: _orgId, clientSecretSealed: _secret, ...shown } = config;
	return shown;
}

function domainOf(email: string): string {
	return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** A sign-in the identity provider vouched for that Switchboard refuses, and why. */
class Refused extends Error {
	readonly reason: SsoRefusal;

	constructor(reason: SsoRefusal) {
		super(reason);
		this.reason = reason;
	}
}

/** openid-client, loaded at the first sign-in: most servers have no SSO (idle memory). */
const openidClient = () => import("openid-client");

export function createSso(options: SsoOptions): Sso {
	const { storage, tokens, secrets, outbound, logger } = options;
	const secureCookies = options.publicUrl?.startsWith("https:") ?? false;
	const routes = new Hono<ApiEnv>();
	const publicRoutes = new Hono<ApiEnv>();
	const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

	const baseUrl = (c: Context) =>
		(options.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
	const redirectUri = (c: Context) => `${baseUrl(c)}${SSO_CALLBACK_PATH}`;

	/** The issuer's configuration for this client, read through the guarded client. */
	async function discover(issuer: string, clientId: string, clientSecret: string) {
		const url = new URL(issuer);
		if (url.protocol === "http:" && !options.allowHttpIssuer) {
			throw new AppError(
				"invalid",
				"issuer: must be an https URL (an http issuer only with SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER=1, for tests).",
			);
		}
		const client = await openidClient();
		return client.discovery(url, clientId, undefined, client.ClientSecretBasic(clientSecret), {
			[client.customFetch]: (href, init) => outbound.fetch(href, init as RequestInit),
			...(url.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
		});
	}

	function configurationOf(config: StoredSsoConfig): Promise<oidc.Configuration> {
		const key = `${config.orgId}\n${config.updatedAt}`;
		const cached = discovered.get(key);
		if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
		const fresh = discover(config.issuer, config.clientId, secrets.open(config.clientSecretSealed));
		discovered.set(key, { at: Date.now(), config: fresh });
		fresh.catch(() => discovered.delete(key));
		return fresh;
	}

	handle(routes, HttpRoutes.ssoSettings, async (c, { params }) => {
		const stored = await storage.getSsoConfig(params.orgId);
		return { sso: stored ? view(stored) : null, redirectUri: redirectUri(c) };
	});

	handle(routes, HttpRoutes.saveSsoSettings, async (c, { params, body }) => {
		const before = await storage.getSsoConfig(params.orgId);
		const input: SsoConfigInput = body;
		const clientSecret =
			input.clientSecret ?? (before ? secrets.open(before.clientSecretSealed) : undefined);
		if (clientSecret === undefined) {
			throw new AppError(
				"invalid",
				"clientSecret: give the client secret the identity provider issued.",
			);
		}
		// A board that is not the organisation's would fail the first just-in-time sign-in. Not
		// judged while nobody joins at sign-in: the form keeps its choice, checked when turned on.
		const jitBoard = input.jit.enabled ? (input.jit.boardId ?? null) : null;
		const board = jitBoard === null ? null : await storage.getBoard(params.orgId, jitBoard);
		if (jitBoard !== null && !board) {
			throw new AppError("invalid", `jit.boardId: the organisation has no board ${jitBoard}.`);
		}
		if (board?.archivedAt) {
			throw new AppError(
				"invalid",
				`jit.boardId: the board ${board.name} is archived and takes no new members.`,
			);
		}
		// Read the issuer's discovery document first: a typo is refused now, not at the
		// first member's sign-in.
		try {
			await discover(input.issuer, input.clientId, clientSecret);
		} catch (error) {
			if (error instanceof AppError) throw error;
			logger.info({ err: error, orgId: params.orgId }, "SSO issuer discovery failed");
			throw new AppError(
				"invalid",
				`issuer: its OpenID configuration could not be read at ${input.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration.`,
			);
		}
		const saved = await storage.saveSsoConfig({
			orgId: params.orgId,
			issuer: input.issuer,
			clientId: input.clientId,
			clientSecretSealed: secrets.seal(clientSecret),
			allowedDomains: input.allowedDomains,
			jit: { enabled: input.jit.enabled, role: input.jit.role, boardId: input.jit.boardId ?? null },
			ssoOnly: input.ssoOnly,
		});
		await recordAudit(storage, {
			orgId: params.orgId,
			actor: { kind: "member", memberId: c.get("member").memberId },
			action: "sso.configured",
			target: { type: "sso", id: params.orgId },
			details: {
				issuer: saved.issuer,
				clientId: saved.clientId,
				domains: saved.allowedDomains.length,
				jit: saved.jit.enabled,
				ssoOnly: saved.ssoOnly,
				secretChanged: input.clientSecret !== undefined,
			},
		});
		return { sso: view(saved), redirectUri: redirectUri(c) };
	});

	handle(routes, HttpRoutes.deleteSsoSettings, async (c, { params }) => {
		if (!(await storage.deleteSsoConfig(params.orgId))) {
			throw new AppError("not_found", "Single sign-on is not set up for this organisation.");
		}
		await recordAudit(storage, {
			orgId: params.orgId,
			actor: { kind: "member", memberId: c.get("member").memberId },
			action: "sso.removed",
			target: { type: "sso", id: params.orgId },
		});
		return { ok: true as const };
	});

	/** The organisation a sign-in is for, and the invitation it accepts if any. */
	async function organisationFor(body: {
		email?: string | undefined;
		orgId?: string | undefined;
		inviteCode?: string | undefined;
	}): Promise<{ config: StoredSsoConfig; invitationCodeHash: string | null; loginHint?: string }> {
		const notSetUp = () =>
			new AppError("not_found", "Single sign-on is not set up for this email or organisation.");
		if (body.inviteCode !== undefined) {
			const codeHash = hashInviteCode(body.inviteCode);
			const invitation = await storage.findInvitation(codeHash);
			if (
				!invitation ||
				invitation.usedAt ||
				invitation.revokedAt ||
				Date.parse(invitation.expiresAt) <= Date.now()
			) {
				throw new AppError(
					"gone",
					"This invitation does not work any more. Ask an admin for a new one.",
				);
			}
			const config = await storage.getSsoConfig(invitation.orgId);
			if (!config) throw notSetUp();
			return { config, invitationCodeHash: codeHash, loginHint: invitation.email };
		}
		let orgId = body.orgId;
		if (orgId === undefined && body.email !== undefined) {
			const member = await storage.findMemberByEmail(body.email);
			orgId = member?.orgId ?? (await storage.ssoOrgOfDomain(domainOf(body.email))) ?? undefined;
		}
		if (orgId === undefined) {
			throw new AppError("invalid", "Give your work email or your organisation's id.");
		}
		const config = await storage.getSsoConfig(orgId);
		if (!config) throw notSetUp();
		return { config, invitationCodeHash: null, ...(body.email ? { loginHint: body.email } : {}) };
	}

	handle(publicRoutes, HttpRoutes.ssoStart, async (c, { body }) => {
		const { config, invitationCodeHash, loginHint } = await organisationFor(body);
		let configuration: oidc.Configuration;
		try {
			configuration = await configurationOf(config);
		} catch (error) {
			logger.warn({ err: error, orgId: config.orgId }, "SSO issuer discovery failed");
			throw new AppError(
				"unavailable",
				"The identity provider could not be reached; try again in a moment.",
			);
		}
		const client = await openidClient();
		const state = client.randomState();
		const nonce = client.randomNonce();
		const codeVerifier = client.randomPKCECodeVerifier();
		await storage.createSsoLogin({
			stateHash: sha256(state),
			orgId: config.orgId,
			nonce,
			codeVerifier,
			invitationCodeHash,
			expiresAt: new Date(Date.now() + SSO_LOGIN_TTL_MS),
		});
		setCookie(c, SSO_STATE_COOKIE, state, {
			httpOnly: true,
			// Lax: the identity provider's redirect back is a top-level GET navigation.
			sameSite: "Lax",
			path: SSO_CALLBACK_PATH,
			secure: secureCookies,
			maxAge: SSO_LOGIN_TTL_MS / 1000,
		});
		const url = client.buildAuthorizationUrl(configuration, {
			redirect_uri: redirectUri(c),
			scope: "openid email profile",
			response_type: "code",
			code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
			code_challenge_method: "S256",
			state,
			nonce,
			...(loginHint ? { login_hint: loginHint } : {}),
		});
		return { url: url.href };
	});

	/** The member the identity provider vouched for, made just in time when allowed. */
	async function memberFor(
		config: StoredSsoConfig,
		claims: oidc.IDToken | oidc.UserInfoResponse,
		invitationCodeHash: string | null,
	): Promise<Member> {
		const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
		if (!email || claims.email_verified !== true) throw new Refused("unverified_email");
		const existing = await storage.findMemberByEmail(email);
		if (existing) {
			if (existing.orgId !== config.orgId) throw new Refused("other_organisation");
			if (!existing.active) throw new Refused("deactivated");
			const { passwordHash: _hash, ...member } = existing;
			return member;
		}
		if (invitationCodeHash !== null) {
			const invitation = await storage.findInvitation(invitationCodeHash);
			if (invitation && invitation.orgId === config.orgId && invitation.email === email) {
				const accepted = await storage.acceptInvitation({
					codeHash: invitationCodeHash,
					now: new Date(),
					memberId: randomUUID(),
					passwordHash: NO_PASSWORD,
					...(typeof claims.name === "string" && !invitation.name ? { name: claims.name } : {}),
				});
				await options.publishMember(accepted.member);
				return accepted.member;
			}
		}
		if (!config.allowedDomains.includes(domainOf(email))) throw new Refused("domain_not_allowed");
		if (!config.jit.enabled) throw new Refused("unknown_member");
		const name =
			typeof claims.name === "string" && claims.name.trim()
				? claims.name.trim().slice(0, 200)
				: (email.split("@")[0] ?? email);
		// The default board while it takes members; without one (none set, or archived since),
		// every active board, as for a member created without a list.
		const jitBoard = config.jit.boardId
			? await storage.getBoard(config.orgId, config.jit.boardId)
			: null;
		const member = await storage.createMember({
			orgId: config.orgId,
			email,
			name,
			role: config.jit.role,
			capacity: 5,
			passwordHash: NO_PASSWORD,
			...(jitBoard && !jitBoard.archivedAt ? { boards: [jitBoard.id] } : {}),
		});
		await recordAudit(storage, {
			orgId: config.orgId,
			actor: { kind: "system" },
			action: "sso.member_joined",
			target: { type: "member", id: member.id },
			details: { role: member.role, board: config.jit.boardId, issuer: config.issuer },
		});
		await options.publishMember(member);
		logger.info(
			{ orgId: config.orgId, memberId: member.id },
			"member joined through single sign-on",
		);
		return member;
	}

	handle(publicRoutes, HttpRoutes.ssoCallback, async (c, { query }) => {
		const refuse = (reason: SsoRefusal) => {
			deleteCookie(c, SSO_STATE_COOKIE, { path: SSO_CALLBACK_PATH, secure: secureCookies });
			return c.redirect(`${baseUrl(c)}/login?sso=${reason}`, 302);
		};
		const state = query.state;
		const cookieState = getCookie(c, SSO_STATE_COOKIE);
		if (!state || !cookieState || cookieState !== state) return refuse("state");
		const login = await storage.takeSsoLogin(sha256(state));
		if (!login) return refuse("state");
		const config = await storage.getSsoConfig(login.orgId);
		if (!config) return refuse("provider");
		try {
			const configuration = await configurationOf(config);
			// The URL the provider sent the browser to, as registered (a proxy may change the
			// request's own URL), with the answer's parameters.
			const current = new URL(redirectUri(c));
			current.search = new URL(c.req.url).search;
			const client = await openidClient();
			const answer = await client.authorizationCodeGrant(configuration, current, {
				pkceCodeVerifier: login.codeVerifier,
				expectedState: state,
				expectedNonce: login.nonce,
				idTokenExpected: true,
			});
			const idToken = answer.claims();
			if (!idToken) return refuse("provider");
			// A conformant provider may leave the scope's claims out of the ID token (OIDC
			// Core 5.4): then they come from its userinfo endpoint, for the same subject.
			const claims =
				typeof idToken.email === "string"
					? idToken
					: {
							...idToken,
							...(await client.fetchUserInfo(configuration, answer.access_token, idToken.sub)),
						};
			const member = await memberFor(config, claims, login.invitationCodeHash);
			deleteCookie(c, SSO_STATE_COOKIE, { path: SSO_CALLBACK_PATH, secure: secureCookies });
			await startSession(c, tokens, member, { secureCookies });
			logger.info({ orgId: member.orgId, memberId: member.id }, "signed in through single sign-on");
			return c.redirect(`${baseUrl(c)}/sso/done`, 302);
		} catch (error) {
			if (error instanceof Refused) {
				logger.info({ orgId: login.orgId, reason: error.reason }, "single sign-on refused");
				return refuse(error.reason);
			}
			logger.info(
				{ err: error, orgId: login.orgId },
				"single sign-on failed at the provider's answer",
			);
			return refuse("provider");
		}
	});

	return {
		routes,
		publicRoutes,
		async ssoOnly(orgId) {
			return (await storage.getSsoConfig(orgId))?.ssoOnly ?? false;
		},
	};
}
