/**
 * The one way the server reaches other hosts (feeds, Mastodon, Bluesky, outgoing webhooks;
 * later OIDC discovery and Web Push). URLs come from admins and members, so without a
 * guard they could make the server talk to its own network: the database, the cloud's
 * metadata service at 169.254.169.254, an admin port on loopback.
 *
 * - Only `http:` and `https:`.
 * - Every address a name resolves to must be public unicast (ipaddr.js's `unicast` range):
 *   loopback, private, link-local, unique-local, multicast, unspecified, carrier-grade NAT,
 *   and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are refused.
 *   Odd IPv4 spellings (`0x7f000001`, `2130706433`, `127.1`) are normalised by the WHATWG
 *   URL parser before anything looks at them.
 * - The check runs inside the connection's own DNS lookup, so the socket connects to the
 *   addresses that were checked: a name that resolves differently a moment later (DNS
 *   rebinding) cannot slip in between check and connect.
 * - Redirects are followed by hand, at most {@link OUTBOUND_DEFAULTS.maxRedirects} times,
 *   each hop checked like the first.
 * - An operator allowlist (`SWITCHBOARD_OUTBOUND_ALLOW`) opens hosts, `host:port` pairs or
 *   CIDR ranges, e.g. an intranet feed, or the tests' stand-ins on 127.0.0.1.
 * - Refusals and connection failures answer one message, "could not be reached", so an
 *   error shown to a member does not tell an open port from a closed one, nor what a name
 *   resolves to; the detail goes to the debug log. One exception, {@link PrivateAddressError}:
 *   a URL whose host is itself a non-public address (or `localhost`) is refused before any
 *   connection, saying why, since that tells nothing the URL's author did not write.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import type { Agent } from "undici";
import { lazyRequire } from "./lazy-module.ts";

/** ~25 MiB resident: loaded with the first outbound request (lazy-module.ts). */
const undici = lazyRequire<typeof import("undici")>("undici");

export const OUTBOUND_DEFAULTS = {
	/** Redirects followed per request; each one is checked again. */
	maxRedirects: 3,
	/** Time to open a connection. */
	connectTimeoutMs: 10_000,
} as const;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** `localhost` and its subdomains (RFC 6761: always loopback), as the URL parser writes them. */
function isLocalhost(host: string): boolean {
	const name = host.replace(/\.$/, "");
	return name === "localhost" || name.endsWith(".localhost");
}

/** What the operator opened beyond the public internet. */
export interface OutboundAllow {
	/** Host names (lowercase, as the URL parser writes them) allowed on any port. */
	hosts: ReadonlySet<string>;
	/** `host:port` pairs allowed on that port only. */
	hostPorts: ReadonlySet<string>;
	/** Address ranges (a single address is a /32 or /128). */
	ranges: readonly [Address, number][];
}

/** What `localhost` resolves to. */
const LOOPBACK = ["127.0.0.1", "::1"] as const;

/** Nothing beyond public addresses: the default. */
export const NO_OUTBOUND_ALLOW: OutboundAllow = {
	hosts: new Set(),
	hostPorts: new Set(),
	ranges: [],
};

/** How a URL's host is written once the WHATWG URL parser normalised it. */
function normaliseHost(host: string): string {
	return new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}`)
		.hostname;
}

/** A parsed address, IPv4-mapped IPv6 taken as the IPv4 address it carries. */
function parseAddress(text: string): Address {
	const address = ipaddr.parse(text.replace(/^\[|\]$/g, ""));
	return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()
		? address.toIPv4Address()
		: address;
}

/**
 * Parse `SWITCHBOARD_OUTBOUND_ALLOW`: comma-separated host names, `host:port` pairs,
 * addresses or CIDR ranges (`feeds.intranet, wiki.intranet:8443, 10.1.0.0/16, [::1]:4000`).
 * Throws on an entry it cannot read, so a typo stops the server instead of silently
 * opening nothing (or more than meant).
 */
export function parseOutboundAllow(text: string | undefined): OutboundAllow {
	const hosts = new Set<string>();
	const hostPorts = new Set<string>();
	const ranges: [Address, number][] = [];
	for (const raw of (text ?? "").split(",")) {
		const entry = raw.trim().toLowerCase();
		if (!entry) continue;
		if (entry.includes("/")) {
			if (!ipaddr.isValidCIDR(entry)) throw new Error(`Outbound allowlist: bad range "${entry}".`);
			ranges.push(ipaddr.parseCIDR(entry));
			continue;
		}
		// `[v6]:port`, `host:port`, or a bare host or address (IPv6 has several colons).
		const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(entry);
		const withPort = /^([^:]+):(\d+)$/.exec(entry);
		const host = bracketed?.[1] ?? withPort?.[1] ?? entry;
		const port = bracketed?.[2] ?? withPort?.[2];
		if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) {
			throw new Error(`Outbound allowlist: bad port in "${entry}".`);
		}
		let normalised: string;
		try {
			normalised = normaliseHost(host);
		} catch {
			throw new Error(`Outbound allowlist: bad host "${entry}".`);
		}
		if (port !== undefined) hostPorts.add(`${normalised}:${port}`);
		else if (ipaddr.isValid(normalised.replace(/^\[|\]$/g, ""))) {
			const address = parseAddress(normalised);
			ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
		} else hosts.add(normalised);
	}
	return { hosts, hostPorts, ranges };
}

/** True when the server may connect to this address: public unicast, or allowed. */
export function addressAllowed(text: string, allow: OutboundAllow = NO_OUTBOUND_ALLOW): boolean {
	let address: Address;
	try {
		address = parseAddress(text);
	} catch {
		return false;
	}
	if (address.range() === "unicast") return true;
	return allow.ranges.some(
		([base, bits]) => base.kind() === address.kind() && address.match(base, bits),
	);
}

/** A destination the guard refused, or one that could not be reached: said the same way. */
export class OutboundError extends Error {
	constructor(origin: string, options?: { cause?: unknown }) {
		super(`${origin} could not be reached.`, options);
		this.name = "OutboundError";
	}
}

/**
 * A URL refused by its host alone: an address literal (or `localhost`, `*.localhost`) that is
 * not public and that the operator did not allow. Known before any connection, so its words
 * can say why without telling anything about the network: the host is what the URL says.
 */
export class PrivateAddressError extends OutboundError {
	/** The host as the URL parser wrote it (`127.0.0.1`, `[::1]`, `localhost`). */
	readonly host: string;

	constructor(origin: string, host: string) {
		super(origin);
		this.name = "PrivateAddressError";
		this.host = host;
		this.message = `${host} is ${isLocalhost(host) ? "this server's own name" : "a private address"}: this server fetches only public addresses unless its operator allows this one (SWITCHBOARD_OUTBOUND_ALLOW).`;
	}
}

/** The OutboundError somewhere in an error's cause chain, if any. */
export function findOutboundError(error: unknown): OutboundError | undefined {
	for (let e = error, depth = 0; e && depth < 5; depth++) {
		if (e instanceof OutboundError) return e;
		e = (e as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * Why the guard refused a URL in words an admin may be shown, when its host alone said so
 * ({@link PrivateAddressError}); undefined for every other failure, which stays generic.
 */
export function outboundRefusalReason(error: unknown): string | undefined {
	const found = findOutboundError(error);
	return found instanceof PrivateAddressError ? found.message : undefined;
}

/** Why a destination was refused; only ever logged at debug level. */
class Refused extends Error {
	readonly code = "OUTBOUND_REFUSED";
}

export interface OutboundOptions {
	/** What the operator opened. @default nothing */
	allow?: OutboundAllow;
	/** @default OUTBOUND_DEFAULTS.maxRedirects */
	maxRedirects?: number;
	/** Where failure details go (debug level): never shown to members. */
	debug?: (detail: { url: string; reason: string }) => void;
	/** Name resolution; tests point names at chosen addresses. @default node:dns lookup */
	lookup?: typeof dnsLookup;
}

/** A guarded client: its `fetch`, and the dispatcher for libraries that call fetch themselves. */
export interface OutboundClient {
	/** Like fetch, for `http:`/`https:` URLs only, through the guard, redirects checked. */
	fetch(input: string | URL, init?: RequestInit): Promise<Response>;
	/**
	 * The guarded connection pool, for libraries that call the global fetch themselves
	 * (masto): pass it as `dispatcher` in their request options.
	 */
	readonly dispatcher: Agent;
	/**
	 * Throw an OutboundError unless the URL is http(s), and a {@link PrivateAddressError} when
	 * its host is a non-public address or `localhost` the operator did not allow; checks
	 * nothing on the network.
	 */
	checkUrl(url: string | URL): URL;
	/**
	 * Load the connection pool now if it is not yet (undici loads on first use): call it
	 * before a request's time limit starts, so that loading does not count against it.
	 */
	prepare(): void;
	close(): Promise<void>;
}

/** Create the guarded outbound client. One per server is enough. */
export function createOutboundClient(options: OutboundOptions = {}): OutboundClient {
	const allow = options.allow ?? NO_OUTBOUND_ALLOW;
	const maxRedirects = options.maxRedirects ?? OUTBOUND_DEFAULTS.maxRedirects;
	const resolve = options.lookup ?? dnsLookup;
	const debug = options.debug ?? (() => {});

	// Resolves every address of a name and refuses them all if any one is not allowed: a
	// name with a public and a private address would otherwise reach the private one on
	// a retry or a second connection.
	const guardedLookup = (
		hostname: string,
		lookupOptions: { family?: number | string; all?: boolean },
		callback: (
			error: NodeJS.ErrnoException | null,
			address: string | LookupAddress[],
			family?: number,
		) => void,
	) => {
		const family = lookupOptions.family === "IPv6" ? 6 : lookupOptions.family === "IPv4" ? 4 : 0;
		resolve(hostname, { all: true, family: family as 0 | 4 | 6 }, (error, addresses) => {
			if (error) return callback(error, []);
			const refused = addresses.find((entry) => !addressAllowed(entry.address, allow));
			if (refused || addresses.length === 0) {
				return callback(
					new Refused(`${hostname} resolves to ${refused?.address ?? "nothing"}, not public`),
					[],
				);
			}
			if (lookupOptions.all) return callback(null, addresses);
			const first = addresses[0] as LookupAddress;
			callback(null, first.address, first.family);
		});
	};
	let agent: Agent | undefined;
	// Made with the first request that needs it: until then undici is not loaded.
	const dispatcherOf = (): Agent => {
		if (agent) return agent;
		const { Agent, buildConnector } = undici();
		const pinned = buildConnector({
			lookup: guardedLookup as never,
			timeout: OUTBOUND_DEFAULTS.connectTimeoutMs,
		});
		const open = buildConnector({ timeout: OUTBOUND_DEFAULTS.connectTimeoutMs });
		agent = new Agent({
			connect: (connectOptions, callback) => {
				const { hostname, port, protocol } = connectOptions;
				const effectivePort = port || (protocol === "https:" ? "443" : "80");
				const name = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
				if (allow.hosts.has(name) || allow.hostPorts.has(`${name}:${effectivePort}`)) {
					return open(connectOptions, callback);
				}
				// An address in the URL is connected to as is (no lookup): check it here.
				if (isIP(hostname) !== 0 && !addressAllowed(hostname, allow)) {
					return callback(new Refused(`${hostname} is not a public address`), null);
				}
				return pinned(connectOptions, callback);
			},
		});
		return agent;
	};

	const checkUrl = (url: string | URL): URL => {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch (error) {
			throw new OutboundError("The address", { cause: error });
		}
		if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
			debug({ url: parsed.href, reason: `scheme ${parsed.protocol} is not http(s)` });
			throw new OutboundError(parsed.protocol === "data:" ? "The address" : parsed.origin);
		}
		if (refusedByHost(parsed)) {
			debug({ url: parsed.href, reason: `${parsed.hostname} is not public` });
			throw new PrivateAddressError(parsed.origin, parsed.hostname);
		}
		return parsed;
	};

	// What the connection would refuse, decided from the URL alone: an address literal (the
	// parser already turned `0x7f000001` into `127.0.0.1`), or `localhost`, which resolves
	// to loopback. Other names are left to the lookup, whose answer is not to be shown.
	const refusedByHost = (url: URL): boolean => {
		const host = url.hostname;
		const port = url.port || (url.protocol === "https:" ? "443" : "80");
		if (allow.hosts.has(host) || allow.hostPorts.has(`${host}:${port}`)) return false;
		const bare = host.replace(/^\[|\]$/g, "");
		if (isIP(bare) !== 0) return !addressAllowed(bare, allow);
		// Opened by a loopback range, it may pass: the lookup decides, as for any name.
		return isLocalhost(host) && !LOOPBACK.some((address) => addressAllowed(address, allow));
	};

	const fetchOnce = async (url: URL, init: RequestInit): Promise<Response> => {
		try {
			return await fetch(url, {
				...init,
				redirect: "manual",
				dispatcher: dispatcherOf(),
			} as RequestInit);
		} catch (error) {
			const name = (error as { name?: string }).name;
			// Timeouts and cancellations are the caller's own signal: keep them as they are.
			if (name === "TimeoutError" || name === "AbortError") throw error;
			const cause = (error as { cause?: { message?: string; code?: string } }).cause;
			debug({ url: url.href, reason: cause?.message ?? cause?.code ?? String(error) });
			throw new OutboundError(url.origin, { cause: error });
		}
	};

	const guardedFetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
		let url = checkUrl(input);
		let current = { ...init };
		for (let hop = 0; ; hop++) {
			const response = await fetchOnce(url, current);
			const location = response.headers.get("location");
			const isRedirect = [301, 302, 303, 307, 308].includes(response.status) && location;
			if (!isRedirect || init.redirect === "manual") return response;
			await response.body?.cancel();
			if (init.redirect === "error" || hop >= maxRedirects) {
				debug({ url: url.href, reason: `redirect ${hop + 1} refused` });
				throw new OutboundError(url.origin);
			}
			const next = checkUrl(new URL(location, url));
			const method = (current.method ?? "GET").toUpperCase();
			// As fetch does: 303 (and 301/302 after a POST) continue as GET without a body;
			// credentials do not follow to another origin.
			if (
				response.status === 303 ||
				((response.status === 301 || response.status === 302) && method === "POST")
			) {
				const { body: _body, ...rest } = current;
				current = { ...rest, method: method === "HEAD" ? "HEAD" : "GET" };
			}
			if (next.origin !== url.origin) {
				const headers = new Headers(current.headers);
				headers.delete("authorization");
				headers.delete("cookie");
				current = { ...current, headers };
			}
			url = next;
		}
	};

	return {
		fetch: guardedFetch,
		get dispatcher() {
			return dispatcherOf();
		},
		checkUrl,
		prepare: () => {
			dispatcherOf();
		},
		close: async () => {
			await agent?.close();
		},
	};
}

let strictDefault: OutboundClient | undefined;

/**
 * A guarded client that allows public addresses only: what the connectors use when the
 * caller passes none, so forgetting to pass one never means an unguarded request.
 */
export function defaultOutboundClient(): OutboundClient {
	strictDefault ??= createOutboundClient();
	return strictDefault;
}
