/**
 * A real OpenID Connect provider for the tests (oidc-provider on 127.0.0.1, port 0) with
 * one confidential client, PKCE required, and its development login and consent pages
 * (any password; the login names an account of `accounts`). tests/sso.test.ts drives it
 * over HTTP, the end-to-end tests in Chromium.
 *
 * `tamper`, when set, changes the claims of the ID tokens the token endpoint answers and
 * re-signs them with the provider's own key, so that the relying party meets a wrong
 * audience or an expired token that is validly signed.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** What the provider says of a person. */
export interface IdentityAccount {
	email: string;
	email_verified: boolean;
	name: string;
}

export interface TestIdentityProvider {
	/** `http://127.0.0.1:<port>`, where its discovery document is. */
	issuer: string;
	clientId: string;
	clientSecret: string;
	/** The provider's accounts, by the login typed on its page. */
	accounts: Map<string, IdentityAccount>;
	/** Changes the next ID tokens' claims (wrong audience, expired); none when null. */
	tamper: ((claims: Record<string, unknown>) => void) | null;
	close(): Promise<void>;
}

export const TEST_CLIENT_ID = "switchboard";
export const TEST_CLIENT_SECRET = "a client secret the provider issued 0123456789";

function base64url(data: Buffer | string): string {
	return Buffer.from(data).toString("base64url");
}

/** The ID token with `change` applied to its claims, signed again with `key`. */
function resign(
	idToken: string,
	change: (claims: Record<string, unknown>) => void,
	key: KeyObject,
): string {
	const [header = "", payload = ""] = idToken.split(".");
	const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<
		string,
		unknown
	>;
	change(claims);
	const body = `${header}.${base64url(JSON.stringify(claims))}`;
	return `${body}.${base64url(sign("sha256", Buffer.from(body), key))}`;
}

/** A provider whose one client sends browsers back to `redirectUri`. */
export async function startIdentityProvider(redirectUri: string): Promise<TestIdentityProvider> {
	const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
	const jwk = {
		...keys.privateKey.export({ format: "jwk" }),
		kid: "test-key",
		alg: "RS256",
		use: "sig",
	};
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const accounts = new Map<string, IdentityAccount>();
	const idp: TestIdentityProvider = {
		issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		clientId: TEST_CLIENT_ID,
		clientSecret: TEST_CLIENT_SECRET,
		accounts,
		tamper: null,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
	const provider = new Provider(idp.issuer, {
		clients: [
			{
				client_id: TEST_CLIENT_ID,
				client_secret: TEST_CLIENT_SECRET,
				redirect_uris: [redirectUri],
				response_types: ["code"],
				grant_types: ["authorization_code"],
				token_endpoint_auth_method: "client_secret_basic",
			},
		],
		jwks: { keys: [jwk as never] },
		claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
		cookies: { keys: ["cookie key for the test provider"] },
		pkce: { required: () => true },
		features: { devInteractions: { enabled: true } },
		async findAccount(_ctx, id) {
			const account = accounts.get(id);
			if (!account) return undefined;
			return { accountId: id, claims: () => ({ sub: id, ...account }) };
		},
	});
	/** In front of the provider: the token endpoint's answer passes through `tamper`. */
	const tampering = (res: ServerResponse) => {
		const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
		(res as { end: unknown }).end = (chunk?: unknown) => {
			const change = idp.tamper;
			if (!change || chunk === undefined || chunk === null) return end(chunk);
			const answer = JSON.parse(String(chunk)) as { id_token?: string };
			if (answer.id_token) answer.id_token = resign(answer.id_token, change, keys.privateKey);
			const text = JSON.stringify(answer);
			if (!res.headersSent) res.setHeader("content-length", Buffer.byteLength(text));
			return end(text);
		};
	};
	const callback = provider.callback();
	server.on("request", (req: IncomingMessage, res: ServerResponse) => {
		if (req.method === "POST" && req.url?.startsWith("/token")) tampering(res);
		callback(req, res);
	});
	return idp;
}
