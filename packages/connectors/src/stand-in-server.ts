/**
 * A local HTTP server on 127.0.0.1, port 0, for tests that talk to a stand-in of a
 * remote service (a feed, a Mastodon instance, a Bluesky PDS, a webhook receiver).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createOutboundClient, type OutboundClient, parseOutboundAllow } from "./outbound.ts";

let standIns: OutboundClient | undefined;

/**
 * The guarded outbound client with 127.0.0.1 allowed, as an operator would allow an
 * intranet host: the stand-ins listen there, which the guard otherwise refuses.
 */
export function standInOutbound(): OutboundClient {
	standIns ??= createOutboundClient({ allow: parseOutboundAllow("127.0.0.1") });
	return standIns;
}

export interface RecordedRequest {
	method: string;
	/** Path and query, as sent. */
	url: string;
	headers: IncomingMessage["headers"];
	body: string;
}

export type StandInHandler = (
	request: RecordedRequest,
	response: ServerResponse,
) => void | Promise<void>;

export interface StandInServer {
	/** `http://127.0.0.1:<port>` */
	url: string;
	/** Every request received, oldest first. */
	requests: RecordedRequest[];
	close(): Promise<void>;
}

/** Start a server that records each request and hands it to `handler`. */
export async function startStandIn(handler: StandInHandler): Promise<StandInServer> {
	const requests: RecordedRequest[] = [];
	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const recorded: RecordedRequest = {
			method: req.method ?? "GET",
			url: req.url ?? "/",
			headers: req.headers,
			body: Buffer.concat(chunks).toString("utf8"),
		};
		requests.push(recorded);
		try {
			await handler(recorded, res);
		} catch (error) {
			if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
			res.end(String(error));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** Answer JSON with a status. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
	response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
	response.end(JSON.stringify(body));
}

/** Faults a test can give a stand-in of a remote service. */
export interface StandInFaults {
	/** Answer the next requests with this HTTP status and the service's error body. */
	failNext(status: number, times?: number): void;
	/** Hold each answer this long. */
	delayMs: number;
	/**
	 * For the stand-in's handler, before it answers: waits `delayMs`, then takes one of the
	 * failures `failNext` asked for. The status to fail with, or null to answer normally.
	 */
	takeFailure(): Promise<number | null>;
}

/** Fresh faults (none): spread into a stand-in, whose handler calls `takeFailure` first. */
export function standInFaults(): StandInFaults {
	let failures: { status: number; left: number } | null = null;
	return {
		delayMs: 0,
		failNext(status, times = 1) {
			failures = { status, left: times };
		},
		async takeFailure(this: StandInFaults) {
			if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
			if (!failures || failures.left === 0) return null;
			failures.left--;
			return failures.status;
		},
	};
}
