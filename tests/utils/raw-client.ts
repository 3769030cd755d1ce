/**
 * A WebSocket client that speaks the sync protocol byte by byte, for tests that send what
 * no provider would: malformed frames, server-only message types, floods.
 */
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";

export const Types = {
	sync: 0,
	awareness: 1,
	auth: 2,
	queryAwareness: 3,
	stateless: 5,
	broadcastStateless: 6,
	close: 7,
	syncStatus: 8,
} as const;

export function frame(name: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, name);
	write(encoder);
	return encoding.toUint8Array(encoder);
}

export function authFrame(name: string, token: string): Uint8Array {
	return frame(name, (e) => {
		encoding.writeVarUint(e, Types.auth);
		encoding.writeVarUint(e, 0);
		encoding.writeVarString(e, token);
		encoding.writeVarString(e, "fuzz");
	});
}

export function syncFrame(name: string, step: number, payload: Uint8Array): Uint8Array {
	return frame(name, (e) => {
		encoding.writeVarUint(e, Types.sync);
		encoding.writeVarUint(e, step);
		encoding.writeVarUint8Array(e, payload);
	});
}

export function awarenessFrame(name: string, update: Uint8Array): Uint8Array {
	return frame(name, (e) => {
		encoding.writeVarUint(e, Types.awareness);
		encoding.writeVarUint8Array(e, update);
	});
}

export function statelessFrame(name: string, payload: string): Uint8Array {
	return frame(name, (e) => {
		encoding.writeVarUint(e, Types.stateless);
		encoding.writeVarString(e, payload);
	});
}

/** An awareness update with these states, by client id. */
export function awarenessUpdate(states: [number, number, unknown][]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, states.length);
	for (const [clientId, clock, state] of states) {
		encoding.writeVarUint(encoder, clientId);
		encoding.writeVarUint(encoder, clock);
		encoding.writeVarString(encoder, JSON.stringify(state));
	}
	return encoding.toUint8Array(encoder);
}

export interface RawClient {
	ws: WebSocket;
	/** Every frame received, in order. */
	received: Uint8Array[];
	/** Resolves with the close code once the socket is closed. */
	closed: Promise<number>;
	readonly isClosed: boolean;
	send(data: Uint8Array): void;
	/** Authenticate a document; resolves with "authenticated" or the permission-denied reason. */
	authenticate(name: string, token: string): Promise<string>;
	close(): void;
}

export function openRawClient(
	url: string,
	headers: Record<string, string> = {},
): Promise<RawClient> {
	const ws = new WebSocket(url, { headers });
	const received: Uint8Array[] = [];
	let isClosed = false;
	const listeners = new Set<(data: Uint8Array) => void>();
	const closed = new Promise<number>((resolve) => {
		ws.once("close", (code) => {
			isClosed = true;
			resolve(code);
		});
	});
	ws.on("message", (data: Buffer) => {
		const bytes = new Uint8Array(data);
		received.push(bytes);
		for (const listener of listeners) listener(bytes);
	});
	ws.on("error", () => {});
	const client: RawClient = {
		ws,
		received,
		closed,
		get isClosed() {
			return isClosed;
		},
		send(data) {
			if (ws.readyState === WebSocket.OPEN) ws.send(data);
		},
		authenticate(name, token) {
			return new Promise((resolve) => {
				const onMessage = (bytes: Uint8Array) => {
					try {
						const decoder = decoding.createDecoder(bytes);
						if (decoding.readVarString(decoder) !== name) return;
						if (decoding.readVarUint(decoder) !== Types.auth) return;
						const kind = decoding.readVarUint(decoder);
						listeners.delete(onMessage);
						resolve(kind === 2 ? "authenticated" : decoding.readVarString(decoder));
					} catch {
						// Not an auth answer.
					}
				};
				listeners.add(onMessage);
				void closed.then((code) => {
					listeners.delete(onMessage);
					resolve(`closed ${code}`);
				});
				client.send(authFrame(name, token));
			});
		},
		close() {
			ws.close();
		},
	};
	return new Promise((resolve, reject) => {
		ws.once("open", () => resolve(client));
		ws.once("unexpected-response", (_request: unknown, response: { statusCode?: number }) =>
			reject(new Error(`upgrade refused: ${response.statusCode}`)),
		);
		ws.once("error", reject);
	});
}

/**
 * The close code, or null when the socket is still open after `ms`. Where a close is
 * expected, `ms` is only a backstop for a server that never closes: a busy machine may take
 * seconds to get there, so it is generous (30 s), never a deadline for the close itself.
 */
export async function closedWithin(client: RawClient, ms: number): Promise<number | null> {
	return Promise.race([client.closed, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}
