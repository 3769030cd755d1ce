/**
 * Session tokens: HS256 JWTs signed with the server secret. The same token
 * authenticates HTTP requests (bearer or cookie) and WebSocket documents.
 */
import { AppError, type Role, RoleSchema, SESSION_END_MESSAGES } from "@switchboard/domain";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import * as v from "valibot";

const ISSUER = "switchboard";
const AUDIENCE = "switchboard";
const ALGORITHM = "HS256";

/** What a token says about its bearer. */
export interface TokenClaims {
	memberId: string;
	orgId: string;
	role: Role;
	name: string;
	/**
	 * The session the token belongs to (its `jti`), set for tokens issued at sign-in and
	 * revoked at logout; tokens that operator tools sign with the secret have none.
	 */
	sessionId?: string;
	/** When the token was issued, in seconds since the epoch (set by `verify`). */
	issuedAt?: number;
	/** When the token expires, in seconds since the epoch (set by `verify`). */
	expiresAt?: number;
}

const ClaimsSchema = v.object({
	sub: v.pipe(v.string(), v.minLength(1)),
	org: v.pipe(v.string(), v.minLength(1)),
	role: RoleSchema,
	name: v.string(),
});

export interface TokenService {
	/** A token for these claims, valid for the service's lifetime; `sessionId` becomes its `jti`. */
	sign(claims: TokenClaims): Promise<string>;
	/** Throws `AppError("unauthorized")` for a missing, malformed, tampered or expired token. */
	verify(token: string): Promise<TokenClaims>;
}

export interface TokenOptions {
	/** At least 32 bytes of secret. */
	secret: string;
	/**
	 * How long a token stays valid, in seconds.
	 * @default 43200 (12 hours: a working day plus slack)
	 */
	ttlSeconds?: number;
}

export function createTokenService(options: TokenOptions): TokenService {
	if (options.secret.length < 32) {
		throw new Error("The token secret must be at least 32 characters long.");
	}
	const key = new TextEncoder().encode(options.secret);
	const ttl = options.ttlSeconds ?? 12 * 60 * 60;
	return {
		async sign(claims) {
			const jwt = new SignJWT({ org: claims.orgId, role: claims.role, name: claims.name });
			if (claims.sessionId) jwt.setJti(claims.sessionId);
			return jwt
				.setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
				.setSubject(claims.memberId)
				.setIssuer(ISSUER)
				.setAudience(AUDIENCE)
				.setIssuedAt()
				.setExpirationTime(`${ttl}s`)
				.sign(key);
		},
		async verify(token) {
			if (!token) throw new AppError("unauthorized", "No token was given.");
			try {
				const { payload } = await jwtVerify(token, key, {
					issuer: ISSUER,
					audience: AUDIENCE,
					algorithms: [ALGORITHM],
					// A token without an expiry would be valid for ever.
					requiredClaims: ["exp", "iat"],
				});
				const claims = v.parse(ClaimsSchema, payload);
				return {
					memberId: claims.sub,
					orgId: claims.org,
					role: claims.role,
					name: claims.name,
					...(typeof payload.jti === "string" ? { sessionId: payload.jti } : {}),
					...(typeof payload.iat === "number" ? { issuedAt: payload.iat } : {}),
					...(typeof payload.exp === "number" ? { expiresAt: payload.exp } : {}),
				};
			} catch (error) {
				// jose checks the signature before the claims: an expired token is a genuine one,
				// and its bearer may be told that it expired. Any other failure says nothing more.
				if (error instanceof joseErrors.JWTExpired) {
					throw new AppError("unauthorized", SESSION_END_MESSAGES.expired, {
						reason: "expired",
					});
				}
				throw new AppError("unauthorized", "The token is not valid.");
			}
		},
	};
}
