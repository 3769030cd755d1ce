/**
 * One Switchboard process: the HTTP API, the WebSocket sync endpoint `/sync` and the
 * built web client, on one port.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Redis } from "@hocuspocus/extension-redis";
import { type Extension, Hocuspocus } from "@hocuspocus/server";
import { createAdaptorServer } from "@hono/node-server";
import { openStorage, type Storage } from "@switchboard/storage";
import {
	AuthExtension,
	BoardExtension,
	BoardProjector,
	CommandExtension,
	createTokenService,
	DurableDocuments,
	GroupCommitter,
	type SocketContext,
	type TokenService,
} from "@switchboard/sync";
import { type Logger, pino } from "pino";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Config } from "./config.ts";
import { type DemoSummary, seedDemo } from "./demo.ts";
import { createHttpApi } from "./http-api.ts";
import { createIntegrations, type Integrations, type IntegrationsOptions } from "./integrations.ts";

/**
 * Largest WebSocket frame accepted, in bytes. Larger frames close the socket with 1009.
 * @default 2 MiB: above the 1 MiB update limit plus framing.
 */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

export interface Switchboard {
	/** `http://host:port` of the listener. */
	url: string;
	port: number;
	storage: Storage;
	tokens: TokenService;
	hocuspocus: Hocuspocus;
	logger: Logger;
	/** What the demo seed created, when it ran on this start. */
	demo: DemoSummary | null;
	/** Project newly stored mentions onto their board (ingest paths call this). */
	board: BoardExtension;
	/** Sources, triage, replies out and outgoing webhooks (see integrations.ts). */
	integrations: Integrations;
	/** Stop accepting, store every document, close the database. */
	close(): Promise<void>;
}

export interface StartOptions {
	logger?: Logger;
	/** Poller and dispatcher settings (tests shorten timeouts and backoff). */
	integrations?: Pick<IntegrationsOptions, "poller" | "dispatcher" | "tickMs">;
}

function rawToBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Hocuspocus reads headers and query parameters from a Fetch API request. */
function toFetchRequest(request: IncomingMessage): Request {
	const headers = new Headers();
	for (const [name, value] of Object.entries(request.headers)) {
		if (typeof value === "string") headers.set(name, value);
		else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
	}
	return new Request(new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`), {
		headers,
	});
}

function redisExtension(url: string): Extension {
	const parsed = new URL(url);
	const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
	return new Redis({
		host: parsed.hostname,
		port: Number(parsed.port || 6379),
		options: {
			...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
			...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
			db,
		},
	});
}

export async function startSwitchboard(
	config: Config,
	options: StartOptions = {},
): Promise<Switchboard> {
	const logger = options.logger ?? pino({ level: config.logLevel });
	const storage = await openStorage({
		...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }),
		logger,
	});
	const demo = config.demo
		? await seedDemo(storage, { dataDir: config.demoDataDir, logger })
		: null;

	const tokens = createTokenService({ secret: config.secret });
	const committer = new GroupCommitter(storage);
	const projector = new BoardProjector({ storage });
	const board = new BoardExtension(projector);
	const extensions: Extension[] = [
		new AuthExtension({ tokens, storage, logger }),
		new DurableDocuments({ storage, committer, logger }),
		board,
		new CommandExtension({ storage, projector, logger }),
	];
	if (config.redisUrl) extensions.push(redisExtension(config.redisUrl));

	const hocuspocus = new Hocuspocus({
		name: "switchboard",
		quiet: true,
		extensions,
		// Every update is durable in the log before it is acknowledged; the debounced
		// store only compacts the log into the snapshot, so it can wait longer.
		debounce: 5_000,
		maxDebounce: 30_000,
		timeout: 30_000,
	});

	const integrations = createIntegrations({
		storage,
		secret: config.secret,
		publisher: board,
		logger,
		...options.integrations,
	});
	const api = createHttpApi({
		storage,
		tokens,
		logger,
		webDir: config.webDir,
		publicRoutes: [integrations.publicRoutes],
		routes: [integrations.routes],
	});
	const server = createAdaptorServer({ fetch: api.fetch });
	const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

	server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
		const path = new URL(request.url ?? "/", "http://localhost").pathname;
		if (path !== "/sync") {
			socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
			return;
		}
		wss.handleUpgrade(request, socket, head, (ws) => {
			const context: SocketContext = {
				closeSocket: (code, reason) => {
					if (ws.readyState === WebSocket.OPEN) ws.close(code, reason.slice(0, 120));
				},
				remoteAddress: request.socket.remoteAddress,
			};
			const client = hocuspocus.handleConnection(
				ws as unknown as WebSocket,
				toFetchRequest(request),
				context,
			);
			ws.on("message", (data) => client.handleMessage(rawToBytes(data)));
			ws.on("close", (code, reason) => client.handleClose({ code, reason: reason.toString() }));
			ws.on("error", (error) => logger.warn({ err: error }, "websocket error"));
		});
	});

	await new Promise<void>((resolveListen, reject) => {
		server.once("error", reject);
		server.listen(config.port, config.host, () => resolveListen());
	});
	const { port } = server.address() as AddressInfo;
	const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
	const url = `http://${host}:${port}`;
	if (config.background) integrations.start();

	let closing: Promise<void> | null = null;
	const close = () => {
		closing ??= (async () => {
			server.close();
			await integrations.stop();
			for (const ws of wss.clients) ws.close(1001, "Server shutting down");
			hocuspocus.closeConnections();
			hocuspocus.flushPendingStores();
			const deadline = Date.now() + 10_000;
			while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) {
				await new Promise((r) => setTimeout(r, 20));
			}
			await hocuspocus.hooks("onDestroy", { instance: hocuspocus });
			await committer.drain();
			await storage.close();
			(server as import("node:http").Server).closeAllConnections();
		})();
		return closing;
	};

	return { url, port, storage, tokens, hocuspocus, logger, demo, board, integrations, close };
}
