/**
 * The local admin channel: how the command-line tools reach a running server instead of
 * opening its database a second time (two processes writing one embedded database corrupt
 * it). The server listens on a unix socket in its data folder and writes where it listens,
 * with a random token, into `<dataDir>/admin.json`; both are readable by the folder's owner
 * only (0600). A caller reads the file, proves it could with the token, and calls named
 * operations: `POST /<operation>` with a JSON body, answered with JSON (or bytes, for a
 * backup). Everything else about the server stays behind its public API.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { chmod, readFile, unlink, writeFile } from "node:fs/promises";
import type { IncomingMessage, RequestOptions, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { AppError, type ErrorKind, HTTP_STATUS_OF_KIND, isAppError } from "@switchboard/domain";
import type { Logger } from "pino";
import * as v from "valibot";

// node:http without an ESM `import`: the ESM view of a built-in module reads every export,
// and node:http's include WebSocket and friends, getters that load Node's bundled undici
// (fetch, HTTP/2, WebSocket). Every command line loads this file: imported, `switchboard
// help` took 0.1 s more CPU and 9 MB more memory (a script importing node:http against one
// asking `getBuiltinModule`: 77 against 68 MB peak RSS, 0.10 against 0.03 s).
const { createServer, request: httpRequest } = process.getBuiltinModule("node:http");

/**
 * Operations answered as a byte stream, read as it arrives (see `streamEndpoint`); named
 * here, not with the operations, so that a caller need not load them to know.
 */
/**
 * An input's problems in words for the command line: each after its field's name, unless the
 * message names its flag already ("--name must not be empty", not "name: --name must not be
 * empty"). The admin channel and the direct session say the same.
 */
export function describeAdminIssues(issues: readonly v.BaseIssue<unknown>[]): string {
	return issues
		.map((issue) =>
			issue.message.startsWith("--")
				? issue.message
				: `${v.getDotPath(issue) ?? "input"}: ${issue.message}`,
		)
		.join("; ");
}

export const STREAMED_OPERATIONS: ReadonlySet<string> = new Set(["export"]);

/** What a streaming operation answers: bytes as they are produced. */
export type ByteStream = AsyncIterable<Uint8Array>;

function isByteStream(value: unknown): value is ByteStream {
	return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** One operation: its input schema and what it does. */
export interface AdminHandler {
	input: v.GenericSchema;
	/** Returns JSON-serialisable data, bytes sent as they are, or a `ByteStream`. */
	run(input: never): Promise<unknown>;
}

/** Where a running server's admin channel is, as written into `<dataDir>/admin.json`. */
export interface AdminEndpoint {
	pid: number;
	startedAt: string;
	/** The unix socket, or undefined when the server listens on loopback instead. */
	socket?: string;
	/** `http://127.0.0.1:<port>` when a unix socket could not be used. */
	url?: string;
	token: string;
}

export interface AdminChannel {
	readonly endpoint: AdminEndpoint;
	close(): Promise<void>;
}

export const ADMIN_FILE = "admin.json";
const SOCKET_FILE = "admin.sock";
/** Longest unix socket path most systems accept (sun_path is 104 to 108 bytes). */
const MAX_SOCKET_PATH = 100;
/** Largest request body: an import chunk is far below. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Serve `operations` on the data folder's admin channel until `close`. When another live
 * process already answers there (several instances on PostgreSQL sharing one data folder),
 * this one serves none and says so: the CLI reaches the database through that one.
 */
export async function serveAdminChannel(options: {
	dataDir: string;
	operations: Record<string, AdminHandler>;
	logger: Logger;
}): Promise<AdminChannel | null> {
	const { dataDir, operations, logger } = options;
	const log = logger.child({ component: "admin-channel" });
	const token = randomBytes(32).toString("base64url");
	const expected = Buffer.from(`Bearer ${token}`);
	const server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			log.error({ err: error }, "admin operation failed");
			if (!res.headersSent) reply(res, 500, { error: { kind: "internal", message: "failed" } });
			else res.destroy();
		});
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const given = Buffer.from(req.headers.authorization ?? "");
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			reply(res, 401, { error: { kind: "unauthorized", message: "wrong admin token" } });
			return;
		}
		const name = (req.url ?? "/").slice(1);
		const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
		if (req.method !== "POST" || !operation) {
			reply(res, 404, { error: { kind: "not_found", message: `no operation ${name}` } });
			return;
		}
		const body = await readBody(req);
		let input: unknown;
		try {
			input = body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
		} catch {
			reply(res, 400, { error: { kind: "invalid", message: "the body is not JSON" } });
			return;
		}
		const parsed = v.safeParse(operation.input, input);
		if (!parsed.success) {
			reply(res, 400, { error: { kind: "invalid", message: describeAdminIssues(parsed.issues) } });
			return;
		}
		const started = performance.now();
		try {
			const result = await operation.run(parsed.output as never);
			log.info({ operation: name, ms: Math.round(performance.now() - started) }, "admin operation");
			if (result instanceof Uint8Array) {
				res.writeHead(200, {
					"content-type": "application/octet-stream",
					"content-length": result.byteLength,
				});
				res.end(result);
			} else if (isByteStream(result)) {
				// Written as produced (an export): a failure midway cuts the response short, which
				// the caller sees as an error rather than a file that looks whole.
				res.writeHead(200, { "content-type": "application/octet-stream" });
				try {
					for await (const chunk of result) {
						if (!res.write(chunk)) await once(res, "drain");
					}
					res.end();
				} catch (error) {
					log.error({ err: error, operation: name }, "admin operation failed while streaming");
					res.destroy();
				}
			} else {
				reply(res, 200, { result: result ?? null });
			}
		} catch (error) {
			if (!isAppError(error)) throw error;
			reply(res, HTTP_STATUS_OF_KIND[error.kind], {
				error: { kind: error.kind, message: error.message },
			});
		}
	}

	const socket = join(dataDir, SOCKET_FILE);
	const file = join(dataDir, ADMIN_FILE);
	const previous = await readEndpoint(dataDir);
	if (previous && previous.pid !== process.pid && (await answers(previous))) {
		log.warn(
			{ pid: previous.pid },
			"another process serves the admin channel of this data folder; this one serves none",
		);
		return null;
	}
	const startedAt = new Date().toISOString();
	let endpoint: AdminEndpoint;
	if (socket.length <= MAX_SOCKET_PATH && process.platform !== "win32") {
		// Left by a server that crashed (it answered nothing above).
		await unlink(socket).catch(() => undefined);
		await listen(server, socket);
		await chmod(socket, 0o600);
		endpoint = { pid: process.pid, startedAt, socket, token };
	} else {
		await listen(server, 0, "127.0.0.1");
		const { port } = server.address() as AddressInfo;
		endpoint = { pid: process.pid, startedAt, url: `http://127.0.0.1:${port}`, token };
	}
	const content = `${JSON.stringify(endpoint)}\n`;
	await writeFile(file, content, { mode: 0o600 });
	// `mode` applies only when the file is created; an old one keeps its bits.
	await chmod(file, 0o600);
	log.info({ socket: endpoint.socket, url: endpoint.url }, "admin channel open");

	let closed: Promise<void> | null = null;
	return {
		endpoint,
		close() {
			closed ??= (async () => {
				await new Promise<void>((resolve) => server.close(() => resolve()));
				// Only ours: a server started since may have written its own.
				if ((await readFile(file, "utf8").catch(() => "")) === content) {
					await unlink(file).catch(() => undefined);
				}
			})();
			return closed;
		},
	};
}

function listen(server: Server, ...args: [string] | [number, string]): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(...(args as [number, string]), () => {
			server.off("error", reject);
			resolve();
		});
	});
}

function reply(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		"content-type": "application/json",
		"content-length": Buffer.byteLength(text),
	});
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > MAX_BODY_BYTES) throw new AppError("too_large", "admin request too large");
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** The endpoint a server wrote into `dataDir`, or null when none did. */
export async function readEndpoint(dataDir: string): Promise<AdminEndpoint | null> {
	let text: string;
	try {
		text = await readFile(join(dataDir, ADMIN_FILE), "utf8");
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
		throw error;
	}
	try {
		return JSON.parse(text) as AdminEndpoint;
	} catch {
		return null;
	}
}

/** What a call through the channel brought back. */
export type AdminResponse =
	| { ok: true; status: number; body: Buffer; binary: boolean }
	| { ok: false; status: number; kind: ErrorKind; message: string };

/**
 * Call one operation. Rejects with the socket error (ECONNREFUSED, ENOENT) when nothing
 * listens: the endpoint was left by a server that is gone.
 */
export function callEndpoint(
	endpoint: AdminEndpoint,
	operation: string,
	input: unknown,
): Promise<AdminResponse> {
	return send(endpoint, operation, input, (res, resolve, reject) => {
		const chunks: Buffer[] = [];
		res.on("data", (chunk: Buffer) => chunks.push(chunk));
		res.on("error", reject);
		res.on("end", () => {
			const data = Buffer.concat(chunks);
			const status = res.statusCode ?? 500;
			const binary = res.headers["content-type"] === "application/octet-stream";
			if (status === 200) {
				resolve({ ok: true, status, body: data, binary });
				return;
			}
			resolve(failure(status, data));
		});
	});
}

/**
 * Call a streaming operation: resolves with the response to read as it arrives (an
 * interrupted one errors), or with the failure when the server refused.
 */
export function streamEndpoint(
	endpoint: AdminEndpoint,
	operation: string,
	input: unknown,
): Promise<{ ok: true; stream: AsyncIterable<Buffer> } | Extract<AdminResponse, { ok: false }>> {
	return send(endpoint, operation, input, (res, resolve, reject) => {
		const status = res.statusCode ?? 500;
		if (status === 200) {
			resolve({ ok: true, stream: res });
			return;
		}
		const chunks: Buffer[] = [];
		res.on("data", (chunk: Buffer) => chunks.push(chunk));
		res.on("error", reject);
		res.on("end", () => resolve(failure(status, Buffer.concat(chunks))));
	});
}

function failure(status: number, data: Buffer): Extract<AdminResponse, { ok: false }> {
	let error: { kind?: ErrorKind; message?: string } = {};
	try {
		error = (JSON.parse(data.toString("utf8")) as { error: typeof error }).error ?? {};
	} catch {
		// Not our server's answer; report the status.
	}
	return {
		ok: false,
		status,
		kind: error.kind ?? "internal",
		message: error.message ?? `the server answered ${status}`,
	};
}

function send<T>(
	endpoint: AdminEndpoint,
	operation: string,
	input: unknown,
	onResponse: (
		res: IncomingMessage,
		resolve: (value: T) => void,
		reject: (error: unknown) => void,
	) => void,
): Promise<T> {
	const body = Buffer.from(JSON.stringify(input ?? {}));
	const target: RequestOptions = endpoint.socket
		? { socketPath: endpoint.socket }
		: (() => {
				const url = new URL(endpoint.url ?? "http://127.0.0.1:0");
				return { host: url.hostname, port: Number(url.port) };
			})();
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			{
				...target,
				method: "POST",
				path: `/${operation}`,
				headers: {
					authorization: `Bearer ${endpoint.token}`,
					"content-type": "application/json",
					"content-length": body.length,
				},
			},
			(res) => onResponse(res, resolve, reject),
		);
		req.on("error", reject);
		req.end(body);
	});
}

/** Whether a live server answers at `endpoint` (a stale file's socket refuses). */
async function answers(endpoint: AdminEndpoint): Promise<boolean> {
	try {
		const response = await callEndpoint(endpoint, "status", {});
		return response.ok || response.status !== 404;
	} catch {
		return false;
	}
}
