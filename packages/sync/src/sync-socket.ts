/**
 * One WebSocket of the sync endpoint, between `ws` and Hocuspocus (the transport: the
 * server only upgrades the request and hands the socket here). Every incoming frame is
 * copied into a buffer of its own (lib0 would otherwise read a lying length into the
 * neighbouring bytes of ws's read buffer), decoded once by the frame codec, judged by a
 * MessageGuard and put in order by a FirstSyncOrder before Hocuspocus sees it; every
 * outgoing message checks how much is already queued for a slow reader.
 * Whatever the reason, the socket is closed once, with the close code of that reason.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocketLike } from "@hocuspocus/server";
import type { Logger } from "pino";
import { type RawData, WebSocket } from "ws";
import { SyncCloses } from "./close-error.ts";
import type { SocketContext } from "./context.ts";
import { FirstSyncOrder } from "./first-sync-order.ts";
import { decodeFrame } from "./frame-codec.ts";
import type { SwitchboardHocuspocus } from "./hocuspocus-seams.ts";
import { MessageGuard, type SyncLimits } from "./message-guard.ts";
import { OutgoingBacklog } from "./outgoing-backlog.ts";

/** How long a closing socket may take to answer the close frame before it is dropped. */
const CLOSE_GRACE_MS = 5_000;

/** A WebSocket close reason is at most 123 bytes. */
function closeReason(reason: string): string {
	const bytes = Buffer.from(reason);
	if (bytes.byteLength <= 123) return reason;
	return bytes
		.subarray(0, 120)
		.toString()
		.replace(/\uFFFD+$/, "");
}

/** A copy of the frame: it must not share its ArrayBuffer with anything else. */
function ownBytes(data: RawData): Uint8Array {
	if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
	return new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : data);
}

/**
 * A Fetch API request that serialises its URL once. Hocuspocus reads `request.url` (to
 * parse the query parameters) for the payload of every `beforeHandleMessage`,
 * `afterHandleMessage` and `onChange` hook, and a `Request` serialises its URL again on
 * every read: three times per typed update.
 */
class SyncRequest extends Request {
	#url: string | undefined;

	override get url(): string {
		this.#url ??= super.url;
		return this.#url;
	}
}

/** Hocuspocus reads headers and query parameters from a Fetch API request. */
function toFetchRequest(request: IncomingMessage): Request {
	const headers = new Headers();
	for (const [name, value] of Object.entries(request.headers)) {
		if (typeof value === "string") headers.set(name, value);
		else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
	}
	return new SyncRequest(
		new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`),
		{
			headers,
		},
	);
}

export interface SyncSocketOptions {
	hocuspocus: SwitchboardHocuspocus;
	limits: SyncLimits;
	logger: Logger;
	/**
	 * The upgrade request's session cookie, for documents that authenticate with
	 * `COOKIE_SESSION_TOKEN`. The server reads it only from pages its origin check admitted.
	 */
	sessionCookie?: string | undefined;
}

/** A served socket, for the server's stop. */
export interface SyncSocket {
	/** Stop reading and close with this code. */
	close(code: number, reason: string): void;
}

/** Hand an upgraded WebSocket to Hocuspocus, behind the guard. */
export function serveSyncSocket(
	ws: WebSocket,
	request: IncomingMessage,
	options: SyncSocketOptions,
): SyncSocket {
	const { hocuspocus, limits, logger } = options;
	const guard = new MessageGuard(limits);
	const backlog = new OutgoingBacklog(limits.maxBufferedBytes);
	const remoteAddress = request.socket.remoteAddress;
	let closing = false;

	const closeSocket = (code: number, reason: string) => {
		if (closing) return;
		closing = true;
		if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
			ws.close(code, closeReason(reason));
		}
		// A client that reads nothing never answers the close frame.
		setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
	};

	const socket: WebSocketLike = {
		get readyState() {
			return closing && ws.readyState === WebSocket.OPEN ? WebSocket.CLOSING : ws.readyState;
		},
		send(data) {
			if (closing || ws.readyState !== WebSocket.OPEN) return;
			if (backlog.over(ws.bufferedAmount)) {
				logger.info(
					{ remote: remoteAddress, buffered: ws.bufferedAmount },
					"closing a socket that does not read",
				);
				closeSocket(
					SyncCloses.slowConsumer.code,
					`${SyncCloses.slowConsumer.reason}: more than ${limits.maxBufferedBytes} bytes wait to be read`,
				);
				return;
			}
			const frame = data as Uint8Array;
			const written = backlog.sending(frame.byteLength);
			if (written) ws.send(frame, written);
			else ws.send(frame);
		},
		close(code, reason) {
			closeSocket(code ?? 1000, reason ?? "");
		},
	};

	const order = new FirstSyncOrder({ forward: (frame) => client.handleMessage(frame) });
	let closed = false;
	const closeListeners: (() => void)[] = [];
	const onClose = (listener: () => void) => {
		if (closed) listener();
		else closeListeners.push(listener);
	};
	const context: SocketContext = {
		closeSocket,
		remoteAddress,
		guard,
		order,
		onClose,
		sessionCookie: options.sessionCookie,
		log: logger,
	};
	const client = hocuspocus.handleConnection(socket, toFetchRequest(request), context);

	ws.on("message", (data, isBinary) => {
		if (closing) return;
		if (!isBinary) {
			closeSocket(
				SyncCloses.badMessage.code,
				`${SyncCloses.badMessage.reason}: the sync protocol is binary`,
			);
			return;
		}
		const frame = ownBytes(data);
		const decoded = decodeFrame(frame);
		const verdict = guard.inspect(frame, decoded);
		if (verdict.action === "close") {
			logger.info({ remote: remoteAddress, code: verdict.code }, verdict.reason);
			closeSocket(verdict.code, verdict.reason);
			return;
		}
		if (verdict.action === "forward") order.receive(frame, decoded);
	});
	ws.on("close", (code, reason) => {
		closed = true;
		order.close();
		client.handleClose({ code, reason: reason.toString() });
		for (const listener of closeListeners.splice(0)) listener();
	});
	ws.on("error", (error) => logger.warn({ err: error, remote: remoteAddress }, "websocket error"));
	return { close: closeSocket };
}
