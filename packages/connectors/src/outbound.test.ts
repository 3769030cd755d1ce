import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	addressAllowed,
	createOutboundClient,
	findOutboundError,
	type OutboundClient,
	PrivateAddressError,
	parseOutboundAllow,
} from "./outbound.ts";
import { type StandInServer, startStandIn } from "./stand-in-server.ts";

let target: StandInServer;
let hopper: StandInServer;
const clients: OutboundClient[] = [];

function client(allow?: string, lookup?: Record<string, string[]>): OutboundClient {
	const created = createOutboundClient({
		allow: parseOutboundAllow(allow),
		...(lookup
			? {
					lookup: ((
						hostname: string,
						_options: unknown,
						callback: (error: Error | null, addresses?: LookupAddress[]) => void,
					) => {
						const addresses = lookup[hostname];
						if (!addresses)
							return callback(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));
						const entries: LookupAddress[] = addresses.map((address) => ({
							address,
							family: address.includes(":") ? 6 : 4,
						}));
						callback(null, entries);
					}) as never,
				}
			: {}),
	});
	clients.push(created);
	return created;
}

const portOf = (server: StandInServer) => new URL(server.url).port;

/** The message a refused request gives, or "ok" when it went through. */
async function outcome(outbound: OutboundClient, url: string): Promise<string> {
	try {
		const response = await outbound.fetch(url);
		await response.body?.cancel();
		return "ok";
	} catch (error) {
		expect(findOutboundError(error), String(error)).toBeDefined();
		return (error as Error).message;
	}
}

beforeAll(async () => {
	target = await startStandIn((_request, response) => {
		response.end("inside");
	});
	// Redirects to the path it is asked for, taken as a URL: /?to=<url>.
	hopper = await startStandIn((request, response) => {
		const to = new URL(request.url, "http://x").searchParams.get("to") ?? "/";
		response.writeHead(302, { location: to }).end();
	});
});

afterAll(async () => {
	await Promise.all(clients.map((c) => c.close()));
	await target?.close();
	await hopper?.close();
});

describe("outbound guard", () => {
	it("refuses loopback, link-local, private and odd spellings of them, saying why, before connecting", async () => {
		const outbound = client();
		const port = portOf(target);
		const why = (host: string, what = "a private address") =>
			`${host} is ${what}: this server fetches only public addresses unless its operator allows this one (SWITCHBOARD_OUTBOUND_ALLOW).`;
		for (const [url, host] of [
			[`http://127.0.0.1:${port}/`, "127.0.0.1"],
			// The URL parser's spelling is the one named: what the connection would use.
			[`http://0x7f000001:${port}/`, "127.0.0.1"],
			[`http://2130706433:${port}/`, "127.0.0.1"],
			[`http://127.1:${port}/`, "127.0.0.1"],
			[`http://[::1]:${port}/`, "[::1]"],
			[`http://[::ffff:127.0.0.1]:${port}/`, "[::ffff:7f00:1]"],
			["http://169.254.169.254/latest/meta-data/", "169.254.169.254"],
			["http://10.0.0.1/", "10.0.0.1"],
			["http://[fd00::1]/", "[fd00::1]"],
			["http://0.0.0.0/", "0.0.0.0"],
		] as const) {
			expect(await outcome(outbound, url), url).toBe(why(host));
			expect(() => outbound.checkUrl(url), url).toThrow(PrivateAddressError);
		}
		for (const url of [`http://LocalHost:${port}/`, `http://app.localhost:${port}/`]) {
			expect(await outcome(outbound, url), url).toBe(
				why(new URL(url).hostname, "this server's own name"),
			);
		}
		for (const url of ["data:text/plain,hello", "file:///etc/passwd"]) {
			expect(await outcome(outbound, url), url).toMatch(/could not be reached\.$/);
		}
		expect(target.requests).toHaveLength(0);
	});

	it("says the same for an open port and a closed one", async () => {
		// A name resolving to the machine: what it resolves to is not said either.
		const outbound = client(undefined, { "inside.example": ["127.0.0.1"] });
		const closed = await startStandIn(() => {});
		const closedPort = new URL(closed.url).port;
		await closed.close();
		const open = await outcome(outbound, `http://inside.example:${portOf(target)}/`);
		const shut = await outcome(outbound, `http://inside.example:${closedPort}/`);
		expect(open.replace(portOf(target), "PORT")).toBe(
			"http://inside.example:PORT could not be reached.",
		);
		expect(shut.replace(closedPort, "PORT")).toBe(open.replace(portOf(target), "PORT"));
		// Allowed, a closed port still says no more than that.
		const allowed = client("127.0.0.1");
		expect(await outcome(allowed, `${closed.url}/`)).toBe(`${closed.url} could not be reached.`);
	});

	it("refuses a name when any of its addresses is internal", async () => {
		const outbound = client(undefined, {
			"rebind.example": ["127.0.0.1"],
			"mixed.example": ["93.184.216.34", "10.1.2.3"],
		});
		const port = portOf(target);
		expect(await outcome(outbound, `http://rebind.example:${port}/`)).toBe(
			`http://rebind.example:${port} could not be reached.`,
		);
		expect(await outcome(outbound, `http://mixed.example:${port}/`)).toBe(
			`http://mixed.example:${port} could not be reached.`,
		);
		expect(target.requests).toHaveLength(0);
	});

	it("connects to the address it checked, when the operator allows it", async () => {
		const port = portOf(target);
		// A name resolving into an allowed range: reached through the checked address.
		const byRange = client("127.0.0.0/8", { "intranet.example": ["127.0.0.1"] });
		expect(await outcome(byRange, `http://intranet.example:${port}/`)).toBe("ok");
		// A host and port: that port only.
		const byPort = client(`127.0.0.1:${port}`);
		expect(await outcome(byPort, `http://127.0.0.1:${port}/`)).toBe("ok");
		expect(await outcome(byPort, `${hopper.url}/`)).toMatch(/^127\.0\.0\.1 is a private address/);
		// An address in an allowed range; `localhost` when named or its loopback is allowed.
		expect(await outcome(client("127.0.0.0/8"), `http://0x7f000001:${port}/`)).toBe("ok");
		expect(client("localhost").checkUrl("http://localhost:9/").hostname).toBe("localhost");
		expect(client("127.0.0.1").checkUrl("http://localhost:9/").hostname).toBe("localhost");
		expect(target.requests).toHaveLength(3);
	});

	it("checks every redirect and follows at most three", async () => {
		const port = portOf(target);
		const onlyHopper = client(`127.0.0.1:${portOf(hopper)}`);
		const into = `${hopper.url}/?to=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`;
		const before = target.requests.length;
		expect(await outcome(onlyHopper, into)).toMatch(/^127\.0\.0\.1 is a private address/);
		expect(target.requests).toHaveLength(before);

		const both = client("127.0.0.1");
		const chain = (hops: number): string => {
			let url = `${target.url}/`;
			for (let i = 0; i < hops; i++) url = `${hopper.url}/?to=${encodeURIComponent(url)}`;
			return url;
		};
		expect(await outcome(both, chain(3))).toBe("ok");
		expect(await outcome(both, chain(4))).toMatch(/could not be reached/);
		// A redirect to another scheme is refused like any other destination.
		expect(
			await outcome(both, `${hopper.url}/?to=${encodeURIComponent("file:///etc/passwd")}`),
		).toMatch(/could not be reached/);
	});

	it("reads the operator's allowlist: hosts, host:port, addresses and ranges", () => {
		const allow = parseOutboundAllow(
			" Feeds.Intranet , wiki.intranet:8443, 10.1.0.0/16, [::1]:4000, 192.168.1.5",
		);
		expect([...allow.hosts]).toEqual(["feeds.intranet"]);
		expect([...allow.hostPorts]).toEqual(["wiki.intranet:8443", "[::1]:4000"]);
		expect(addressAllowed("10.1.200.3", allow)).toBe(true);
		expect(addressAllowed("10.2.0.1", allow)).toBe(false);
		expect(addressAllowed("192.168.1.5", allow)).toBe(true);
		expect(addressAllowed("::ffff:10.1.0.9", allow)).toBe(true);
		expect(addressAllowed("93.184.216.34")).toBe(true);
		expect(addressAllowed("100.64.0.1")).toBe(false);
		expect(() => parseOutboundAllow("10.0.0.0/99")).toThrow(/bad range/);
		expect(() => parseOutboundAllow("host:99999")).toThrow(/bad port/);
	});
});
