/**
 * Single sign-on with OpenID Connect (issue 12, part 5; docs/SSO.md): what an admin
 * configures for their organisation, what the server shows of it (never the client
 * secret), and the reasons a sign-in through the identity provider is refused, by code,
 * so the sign-in page words them and a link cannot inject text into it.
 */
import * as v from "valibot";
import { RoleSchema } from "./model.ts";

/** Where the identity provider sends the browser back: the redirect URI to register. */
export const SSO_CALLBACK_PATH = "/api/sso/callback";

/** Most email domains one organisation allows. */
export const MAX_SSO_DOMAINS = 50;

/** A domain as it follows the `@` of an email, lower case, without the `@`. */
export const EmailDomainSchema = v.pipe(
	v.string(),
	v.trim(),
	v.toLowerCase(),
	v.regex(
		/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
		"must be a domain such as example.com",
	),
);

/** Just-in-time membership: who a verified email of an allowed domain becomes. */
export const SsoJitSchema = v.strictObject({
	enabled: v.boolean(),
	role: v.optional(RoleSchema, "ambassador"),
	/** The board the new member is put on; none when absent. */
	boardId: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(64))), null),
});

/** What an admin saves. `clientSecret` may be left out to keep the stored one. */
export const SsoConfigInputSchema = v.strictObject({
	issuer: v.pipe(
		v.string(),
		v.trim(),
		v.url("must be the identity provider's issuer URL"),
		v.check((url) => /^https?:\/\//i.test(url), "must be an http(s) URL"),
		v.maxLength(2000),
	),
	clientId: v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty"), v.maxLength(500)),
	clientSecret: v.optional(
		v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(2000)),
	),
	allowedDomains: v.pipe(
		v.array(EmailDomainSchema),
		v.maxLength(MAX_SSO_DOMAINS, `at most ${MAX_SSO_DOMAINS} domains`),
	),
	jit: v.optional(SsoJitSchema, { enabled: false, role: "ambassador", boardId: null }),
	/** Members sign in only through the identity provider: passwords are refused. */
	ssoOnly: v.optional(v.boolean(), false),
});
export type SsoConfigInput = v.InferOutput<typeof SsoConfigInputSchema>;

/** What the server shows of an organisation's configuration: everything but the secret. */
export const SsoConfigSchema = v.object({
	issuer: v.string(),
	clientId: v.string(),
	allowedDomains: v.array(v.string()),
	jit: v.object({ enabled: v.boolean(), role: RoleSchema, boardId: v.nullable(v.string()) }),
	ssoOnly: v.boolean(),
	updatedAt: v.string(),
});
export type SsoConfig = v.InferOutput<typeof SsoConfigSchema>;

/** Why a sign-in through the identity provider was refused; the sign-in page words each. */
export const SsoRefusals = {
	state: "The sign-in took too long or was already used. Start again.",
	provider:
		"The identity provider refused the sign-in or could not be reached. Start again, or ask an admin.",
	unverified_email:
		"The identity provider did not confirm your email address, so it cannot sign you in here.",
	domain_not_allowed:
		"Your email's domain is not one this organisation signs in with single sign-on.",
	unknown_member:
		"There is no Switchboard account for your email in this organisation. Ask an admin to invite you.",
	deactivated: "Your membership was deactivated. Ask an admin of your organisation.",
	other_organisation:
		"Your email belongs to another organisation on this server: sign in with that organisation's method.",
} as const;
export type SsoRefusal = keyof typeof SsoRefusals;

/** Words for a refusal code from the callback's redirect; a general one for anything else. */
export function ssoRefusalMessage(code: string | null | undefined): string {
	return code && Object.hasOwn(SsoRefusals, code)
		? SsoRefusals[code as SsoRefusal]
		: SsoRefusals.provider;
}

/** The password sign-in's refusal for a member of an organisation that allows only SSO. */
export const SSO_ONLY_REFUSAL =
	"Your organisation signs in with single sign-on only: use “Sign in with single sign-on”.";
