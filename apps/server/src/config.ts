/**
 * Configuration from the environment. Everything has a default that runs Switchboard
 * on one machine with an embedded database; PostgreSQL and Redis are opt-in.
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseOutboundAllow } from "@switchboard/connectors";
import { securePrivateFolder } from "@switchboard/storage";
import * as v from "valibot";
import type { MailTimeouts } from "./mailer.ts";
import { type RateLimits, rateLimitsFromEnv } from "./rate-limit-config.ts";

export interface Config {
	/** TCP port of the one HTTP + WebSocket listener. @default 8080 (0 picks a free port) */
	port: number;
	/**
	 * Interface to listen on. Loopback by default, so a first `pnpm start` (the demo, with
	 * its published password) is not reachable from the network; `HOST=0.0.0.0` opens it.
	 * @default "127.0.0.1"
	 */
	host: string;
	/** Folder for the embedded database and the generated secret. @default "./data" */
	dataDir: string;
	/**
	 * The entries of `dataDir` that `loadConfig` found readable by other users and made
	 * private, for the storage to report once there is a logger; unset when the folder was
	 * not made private here (a configuration built by hand: the storage does it).
	 */
	dataDirTightened?: readonly string[];
	/** PostgreSQL connection string; when unset, PGlite in `dataDir` is used. */
	databaseUrl: string | undefined;
	/** Redis URL; when set, instances exchange document updates and awareness through it. */
	redisUrl: string | undefined;
	/**
	 * Namespace in front of every Redis key and channel (`REDIS_PREFIX`), for deployments
	 * that share one Redis; every instance of a deployment needs the same (redis-names.ts).
	 * @default none: the names are `hocuspocus:<document>`, `switchboard:…`
	 */
	redisPrefix?: string;
	/** Secret that signs tokens; generated into `dataDir/secret` when unset. */
	secret: string;
	/** Seed the demo organisations into an empty database. @default true */
	demo: boolean;
	/**
	 * Let the demo (every password `switchboard`) listen on a non-loopback address, from
	 * `SWITCHBOARD_DEMO_PUBLIC=1`; without it such a start is refused. @default false
	 */
	demoPublic?: boolean;
	/**
	 * The address people open, e.g. `https://switchboard.example.com` (`PUBLIC_URL`). When it
	 * is https, the session cookie is `Secure` and every response carries HSTS; browser
	 * requests must then come from exactly this origin (or `allowedOrigins`), whatever
	 * `Host` a proxy forwards. Invitation and reset links start with it (else with the
	 * request's origin; the CLI without a server: `http://localhost:<port>`).
	 * @default unset: the server's own host, any scheme
	 */
	publicUrl?: string;
	/** Folder with the demo dataset. @default the repository's `demo/` */
	demoDataDir: string;
	/** Folder with the built web client, served at `/` when it exists. */
	webDir: string | undefined;
	/** pino log level. @default "info" */
	logLevel: string;
	/**
	 * Origins besides the server's own whose pages may open the WebSocket and use the
	 * session cookie, e.g. `https://switchboard.example.com`. @default [] (same origin only)
	 */
	allowedOrigins?: string[];
	/**
	 * Poll sources and deliver outgoing webhooks on a timer. On by default from the
	 * environment (`SWITCHBOARD_BACKGROUND=0` turns it off); off when left out, as tests do.
	 */
	background?: boolean;
	/**
	 * Hosts, `host:port` pairs and CIDR ranges that feeds, connected accounts and outgoing
	 * webhooks may reach although they are not public addresses (an intranet feed), from
	 * `SWITCHBOARD_OUTBOUND_ALLOW`. @default nothing: public addresses only
	 */
	outboundAllow?: string;
	/**
	 * The VAPID key pair Web Push is signed with, from `SWITCHBOARD_VAPID_PUBLIC_KEY` and
	 * `SWITCHBOARD_VAPID_PRIVATE_KEY`; instances behind one load balancer need the same.
	 * @default generated into `dataDir/vapid.json` on first start
	 */
	vapid?: { publicKey: string; privateKey: string };
	/**
	 * The contact push services may write to about this server's messages
	 * (`SWITCHBOARD_VAPID_SUBJECT`, a `mailto:` or `https:` URL).
	 * @default "mailto:admin@switchboard.invalid"
	 */
	vapidSubject?: string;
	/**
	 * Sign-in, request and socket limits (rate-limits.ts has each default and why), from
	 * `SWITCHBOARD_RATE_*`; the limits left out keep their defaults.
	 * @default `defaultRateLimits`
	 */
	rateLimits?: Partial<RateLimits>;
	/**
	 * Bearer token that `GET /metrics` asks for (`SWITCHBOARD_METRICS_TOKEN`, at least 24
	 * characters). Without one the metrics are not served: the port faces the same network
	 * as the app, and the figures tell an outsider how busy each part is.
	 * @default undefined (metrics off)
	 */
	metricsToken?: string;
	/**
	 * SMTP server invitation and reset links are mailed through, e.g.
	 * `smtps://user:pass@mail.example.com`, from `SMTP_URL`. @default none: links are shown
	 * to the admin to hand out
	 */
	smtpUrl?: string;
	/** Sender of those emails, from `MAIL_FROM`. @default "Switchboard <switchboard@localhost>" */
	mailFrom?: string;
	/**
	 * How long a send waits on the mail server to connect, to greet, and for each reply;
	 * `SMTP_TIMEOUT_SECONDS` sets all three. @default `defaultMailTimeouts` (10 s, 10 s, 30 s)
	 */
	smtpTimeouts?: Partial<MailTimeouts>;
	/**
	 * Accept single sign-on issuers at `http:` URLs (`SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER=1`):
	 * for tests and a local identity provider only; tokens would cross the network in the
	 * clear. @default false (https issuers only)
	 */
	ssoAllowHttpIssuer?: boolean;
}

const EnvSchema = v.object({
	PORT: v.optional(
		v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(65535)),
		"8080",
	),
	HOST: v.optional(v.string(), "127.0.0.1"),
	DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), "./data"),
	DATABASE_URL: v.optional(v.pipe(v.string(), v.url("DATABASE_URL must be a postgres:// URL"))),
	REDIS_URL: v.optional(v.pipe(v.string(), v.url("REDIS_URL must be a redis:// URL"))),
	REDIS_PREFIX: v.optional(
		v.pipe(
			v.string(),
			v.regex(
				/^[A-Za-z0-9._-]{1,64}$/,
				"REDIS_PREFIX is 1 to 64 letters, digits, dots, dashes or underscores",
			),
		),
	),
	SWITCHBOARD_SECRET: v.optional(
		v.pipe(v.string(), v.minLength(32, "SWITCHBOARD_SECRET must be at least 32 characters")),
	),
	SWITCHBOARD_DEMO: v.optional(v.picklist(["0", "1", "false", "true"]), "1"),
	SWITCHBOARD_DEMO_PUBLIC: v.optional(v.picklist(["0", "1", "false", "true"]), "0"),
	SWITCHBOARD_DEMO_DATA: v.optional(v.string()),
	PUBLIC_URL: v.optional(
		v.pipe(
			v.string(),
			v.url("PUBLIC_URL must be a URL like https://switchboard.example.com"),
			v.check(
				(url) => /^https?:\/\/[^/]+\/?$/.test(url),
				"PUBLIC_URL is an origin: http(s), host and port, no path",
			),
			v.transform((url) => new URL(url).origin),
		),
	),
	SWITCHBOARD_WEB_DIR: v.optional(v.string()),
	SWITCHBOARD_BACKGROUND: v.optional(v.picklist(["0", "1", "false", "true"]), "1"),
	ALLOWED_ORIGINS: v.optional(
		v.pipe(
			v.string(),
			v.transform((list) =>
				list
					.split(",")
					.map((origin) => origin.trim())
					.filter((origin) => origin.length > 0),
			),
			v.array(
				v.pipe(
					v.string(),
					v.url(
						"ALLOWED_ORIGINS must be a comma-separated list of origins like https://example.com",
					),
					v.check(
						(origin) => /^https?:\/\/[^/]+$/.test(origin),
						"ALLOWED_ORIGINS entries are origins: scheme and host, no path",
					),
				),
			),
		),
	),
	SWITCHBOARD_METRICS_TOKEN: v.optional(
		v.pipe(
			v.string(),
			v.minLength(24, "SWITCHBOARD_METRICS_TOKEN must be at least 24 characters"),
			v.regex(
				/^[\x21-\x7e]+$/,
				"SWITCHBOARD_METRICS_TOKEN must be printable ASCII without spaces (it travels in a header)",
			),
		),
	),
	SWITCHBOARD_OUTBOUND_ALLOW: v.optional(
		v.pipe(
			v.string(),
			v.rawCheck(({ dataset, addIssue }) => {
				if (!dataset.typed) return;
				try {
					parseOutboundAllow(dataset.value);
				} catch (error) {
					addIssue({ message: (error as Error).message });
				}
			}),
		),
	),
	SWITCHBOARD_VAPID_PUBLIC_KEY: v.optional(
		v.pipe(
			v.string(),
			v.regex(
				/^[A-Za-z0-9_-]{87}$/,
				"SWITCHBOARD_VAPID_PUBLIC_KEY must be a base64url P-256 public key",
			),
		),
	),
	SWITCHBOARD_VAPID_PRIVATE_KEY: v.optional(
		v.pipe(
			v.string(),
			v.regex(
				/^[A-Za-z0-9_-]{43}$/,
				"SWITCHBOARD_VAPID_PRIVATE_KEY must be a base64url P-256 private key",
			),
		),
	),
	SWITCHBOARD_VAPID_SUBJECT: v.optional(
		v.pipe(
			v.string(),
			v.regex(
				/^(mailto:|https:\/\/)\S+$/,
				"SWITCHBOARD_VAPID_SUBJECT must be a mailto: or https: URL",
			),
		),
	),
	SMTP_URL: v.optional(
		v.pipe(
			v.string(),
			v.url("SMTP_URL must be a URL like smtp://user:password@mail.example.com:587"),
			v.check((url) => /^smtps?:\/\//.test(url), "SMTP_URL must start with smtp:// or smtps://"),
		),
	),
	MAIL_FROM: v.optional(v.pipe(v.string(), v.minLength(3))),
	SMTP_TIMEOUT_SECONDS: v.optional(
		v.pipe(
			v.string(),
			v.toNumber(),
			v.check(
				(seconds) => seconds > 0 && seconds <= 600,
				"SMTP_TIMEOUT_SECONDS is a number of seconds above 0, at most 600",
			),
		),
	),
	SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER: v.optional(v.picklist(["0", "1", "false", "true"]), "0"),
	LOG_LEVEL: v.optional(
		v.picklist(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
		"info",
	),
});

/** Sender of invitation emails when MAIL_FROM is not set. */
export const DEFAULT_MAIL_FROM = "Switchboard <switchboard@localhost>";

const repoRoot = resolve(import.meta.dirname, "../../..");

/** Read the configuration; a bad value fails with a message that names the variable. */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
	const defined = Object.fromEntries(
		Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
	);
	const parsed = v.safeParse(EnvSchema, defined);
	if (!parsed.success) {
		const problems = parsed.issues.map(
			(issue) => `${v.getDotPath(issue) ?? "env"}: ${issue.message}`,
		);
		throw new Error(`Invalid configuration:\n  ${problems.join("\n  ")}`);
	}
	const e = parsed.output;
	if (!e.SWITCHBOARD_VAPID_PUBLIC_KEY !== !e.SWITCHBOARD_VAPID_PRIVATE_KEY) {
		throw new Error(
			"Invalid configuration:\n  SWITCHBOARD_VAPID_PUBLIC_KEY and SWITCHBOARD_VAPID_PRIVATE_KEY go together",
		);
	}
	let rateLimits: RateLimits;
	try {
		rateLimits = rateLimitsFromEnv(defined);
	} catch (error) {
		throw new Error(`Invalid configuration:\n  ${(error as Error).message}`);
	}
	const demo = e.SWITCHBOARD_DEMO === "1" || e.SWITCHBOARD_DEMO === "true";
	const demoPublic = e.SWITCHBOARD_DEMO_PUBLIC === "1" || e.SWITCHBOARD_DEMO_PUBLIC === "true";
	const exposure = demoExposure({ host: e.HOST, demo, demoPublic });
	if (exposure) throw new Error(`Invalid configuration:\n  HOST: ${exposure}`);
	// `pnpm start` runs in apps/server; relative paths mean where the user typed it.
	const cwd = env.INIT_CWD ?? process.cwd();
	const dataDir = resolve(cwd, e.DATA_DIR);
	// 0700, and everything in it private, before the secret is read or written.
	const dataDirTightened = await securePrivateFolder(dataDir);
	return {
		port: e.PORT,
		host: e.HOST,
		dataDir,
		dataDirTightened,
		databaseUrl: e.DATABASE_URL,
		redisUrl: e.REDIS_URL,
		...(e.REDIS_PREFIX ? { redisPrefix: e.REDIS_PREFIX } : {}),
		secret: e.SWITCHBOARD_SECRET ?? (await readOrCreateSecret(dataDir)),
		demo,
		demoPublic,
		demoDataDir: resolve(cwd, e.SWITCHBOARD_DEMO_DATA ?? join(repoRoot, "demo")),
		webDir: resolve(cwd, e.SWITCHBOARD_WEB_DIR ?? join(repoRoot, "apps/web/dist")),
		logLevel: e.LOG_LEVEL,
		allowedOrigins: e.ALLOWED_ORIGINS ?? [],
		background: e.SWITCHBOARD_BACKGROUND === "1" || e.SWITCHBOARD_BACKGROUND === "true",
		...(e.SWITCHBOARD_OUTBOUND_ALLOW ? { outboundAllow: e.SWITCHBOARD_OUTBOUND_ALLOW } : {}),
		...(e.SWITCHBOARD_METRICS_TOKEN ? { metricsToken: e.SWITCHBOARD_METRICS_TOKEN } : {}),
		...(e.SWITCHBOARD_VAPID_PUBLIC_KEY && e.SWITCHBOARD_VAPID_PRIVATE_KEY
			? {
					vapid: {
						publicKey: e.SWITCHBOARD_VAPID_PUBLIC_KEY,
						privateKey: e.SWITCHBOARD_VAPID_PRIVATE_KEY,
					},
				}
			: {}),
		...(e.SWITCHBOARD_VAPID_SUBJECT ? { vapidSubject: e.SWITCHBOARD_VAPID_SUBJECT } : {}),
		rateLimits,
		...(e.PUBLIC_URL ? { publicUrl: e.PUBLIC_URL } : {}),
		...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
		...(e.MAIL_FROM ? { mailFrom: e.MAIL_FROM } : {}),
		...(e.SMTP_TIMEOUT_SECONDS
			? {
					smtpTimeouts: {
						connectionMs: e.SMTP_TIMEOUT_SECONDS * 1000,
						greetingMs: e.SMTP_TIMEOUT_SECONDS * 1000,
						socketMs: e.SMTP_TIMEOUT_SECONDS * 1000,
					},
				}
			: {}),
		...(e.SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER === "1" ||
		e.SWITCHBOARD_SSO_ALLOW_HTTP_ISSUER === "true"
			? { ssoAllowHttpIssuer: true }
			: {}),
	};
}

/** True for names and addresses that only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
	const bare = host.toLowerCase();
	if (bare === "localhost") return true;
	if (bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
	return /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(bare);
}

/**
 * Why this configuration must not start: the demo, whose accounts share a published
 * password, on an address other machines reach without `SWITCHBOARD_DEMO_PUBLIC=1`.
 */
export function demoExposure(config: Pick<Config, "host" | "demo" | "demoPublic">): string | null {
	if (!config.demo || config.demoPublic || isLoopbackHost(config.host)) return null;
	return `the demo's accounts have a published password ("switchboard"), so the demo listens only on this machine (HOST=127.0.0.1). To listen on ${config.host}, start without the demo (SWITCHBOARD_DEMO=0), or set SWITCHBOARD_DEMO_PUBLIC=1 to expose the demo anyway.`;
}

/** A secret kept in the data folder, so tokens survive restarts. */
async function readOrCreateSecret(dataDir: string): Promise<string> {
	const path = join(dataDir, "secret");
	try {
		const secret = (await readFile(path, "utf8")).trim();
		if (secret.length >= 32) return secret;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
	}
	const secret = randomBytes(32).toString("base64url");
	await writeFile(path, `${secret}\n`, { mode: 0o600 });
	// `mode` only applies when the file is created; a replaced file keeps its old bits.
	await chmod(path, 0o600);
	return secret;
}
