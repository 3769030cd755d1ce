/**
 * A real Switchboard on port 0 with an in-memory database, seeded with two
 * organisations, and helpers to attach real `@hocuspocus/provider` clients.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { CommandChannel } from "@switchboard/client";
import { boardDocumentName, draftDocumentName, type Role } from "@switchboard/domain";
import { numberedMention } from "@switchboard/domain/testing";
import {
	type Config,
	hashPassword,
	OLDER_SCRYPT_PARAMETERS,
	type ScryptParameters,
	type StartOptions,
	type StoreTuning,
	type Switchboard,
	startSwitchboard,
} from "@switchboard/server";
import type { StoredMention } from "@switchboard/storage";
import { testTemplate } from "@switchboard/storage/test-template";
import { pino } from "pino";
import * as Y from "yjs";
import { forFile } from "./for-file.ts";

export const PASSWORD = "correct horse battery staple";

export interface TestMember {
	id: string;
	email: string;
	orgId: string;
	role: Role;
	token: string;
}

export interface TestServer {
	switchboard: Switchboard;
	url: string;
	wsUrl: string;
	members: Record<string, TestMember>;
	mentions: StoredMention[];
	/**
	 * One more member, signed in: `name`'s first word in lower case is their email's local
	 * part (`"Ada Admin"` of acme is ada@acme.test); the test password; capacity 5 unless told.
	 */
	addMember(orgId: string, name: string, role: Role, capacity?: number): Promise<TestMember>;
	/** Calls this server's HTTP API (see `apiRequest`). */
	request(path: string, options?: ApiRequest): Promise<Response>;
	/** A provider on a document, resolved once synced (or rejected on auth failure). */
	connect(member: TestMember, documentName: string, options?: ConnectOptions): Promise<TestClient>;
	board(member: TestMember): Promise<TestClient>;
	draft(member: TestMember, mentionId: string): Promise<TestClient>;
	close(): Promise<void>;
}

/** A call of the HTTP API: a bearer token, a body (JSON, or a string sent as it is), more headers. */
export interface ApiRequest {
	method?: string;
	token?: string;
	body?: unknown;
	headers?: Record<string, string>;
}

/** Calls the HTTP API at `url`: GET without a body, POST with one, unless `method` says otherwise. */
export function apiRequest(url: string, path: string, options: ApiRequest = {}): Promise<Response> {
	const { body, token } = options;
	return fetch(`${url}${path}`, {
		method: options.method ?? (body === undefined ? "GET" : "POST"),
		headers: {
			...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
			...(body !== undefined ? { "content-type": "application/json" } : {}),
			...options.headers,
		},
		...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
	});
}

export interface ConnectOptions {
	token?: string;
	document?: Y.Doc;
	/** Do not wait for the first sync. */
	noWait?: boolean;
}

export interface TestClient {
	provider: HocuspocusProvider;
	socket: HocuspocusProviderWebsocket;
	doc: Y.Doc;
	commands: CommandChannel;
	destroy(): void;
}

export async function baseConfig(overrides: Partial<Config> = {}): Promise<Config> {
	const dataDir = await mkdtemp(join(tmpdir(), "switchboard-test-"));
	return {
		port: 0,
		host: "127.0.0.1",
		dataDir,
		databaseUrl: undefined,
		redisUrl: undefined,
		secret: "test-secret-test-secret-test-secret-0123456789",
		demo: false,
		demoDataDir: dataDir,
		webDir: undefined,
		logLevel: "silent",
		// The stand-ins for feeds, Mastodon, Bluesky and webhook receivers listen here.
		outboundAllow: "127.0.0.1",
		...overrides,
	};
}

/**
 * Seeded mentions are posted an hour before the test run started, one second apart, so that
 * windows relative to now (reports, SLA clocks) hold them whatever day the suite runs.
 */
const SEED_EPOCH = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

export function makeMention(i: number, overrides: Record<string, unknown> = {}) {
	const postedAt = new Date(SEED_EPOCH + i * 1000).toISOString();
	return { ...numberedMention(i, postedAt), ...overrides };
}

export function waitFor<T>(
	check: () => T | undefined | false,
	timeoutMs = 5000,
	what = "condition",
): Promise<T> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			const value = check();
			if (value) return resolve(value);
			if (Date.now() - started > timeoutMs)
				return reject(new Error(`timed out waiting for ${what}`));
			setTimeout(tick, 10);
		};
		tick();
	});
}

/** Waits until two clients read the same draft body, longer than `length` (both edits in). */
export function waitForSameBody(
	a: Pick<TestClient, "doc">,
	b: Pick<TestClient, "doc">,
	length: number,
	timeoutMs: number,
	what: string,
): Promise<boolean> {
	const body = (client: Pick<TestClient, "doc">) => client.doc.getText("body");
	return waitFor(
		() => body(a).toString() === body(b).toString() && body(a).length > length,
		timeoutMs,
		what,
	);
}

/** Connect a provider to a running server. */
export function connectProvider(
	wsUrl: string,
	name: string,
	token: string,
	options: ConnectOptions = {},
): Promise<TestClient> {
	const socket = new HocuspocusProviderWebsocket({
		url: wsUrl,
		delay: 50,
		minDelay: 20,
		maxDelay: 300,
	});
	const doc = options.document ?? new Y.Doc();
	const provider = new HocuspocusProvider({
		websocketProvider: socket,
		name,
		document: doc,
		token,
	});
	const commands = new CommandChannel(provider);
	const client: TestClient = {
		provider,
		socket,
		doc,
		commands,
		destroy() {
			commands.destroy();
			provider.destroy();
			socket.destroy();
		},
	};
	provider.attach();
	if (options.noWait) return Promise.resolve(client);
	return new Promise((resolve, reject) => {
		provider.on("synced", () => resolve(client));
		provider.on("authenticationFailed", ({ reason }: { reason: string }) => {
			client.destroy();
			reject(new Error(reason));
		});
	});
}

/**
 * One test server for the whole file, as `startTestServer` makes it: started before the
 * file's first test (allowed five minutes on a busy machine), closed after its last. What
 * it returns stands for the server once it has started: read it inside tests and hooks.
 */
export function testServerForFile(
	overrides: Partial<Config> = {},
	options: StartOptions = {},
): TestServer {
	return forFile(() => startTestServer(overrides, options), 300_000);
}

let fixtureHash: Promise<string> | undefined;

/**
 * What test servers hash passwords with: the older scrypt parameters, a tenth of the cost of
 * OWASP's that servers use by default (128 MiB and a few hundred ms of a core a hash). About
 * a hundred sign-ins, invitations and password changes across the tests paid that for
 * nothing they assert; passwords.test.ts and rate-limits.test.ts test the defaults.
 */
export const TEST_PASSWORD_HASHING: ScryptParameters = OLDER_SCRYPT_PARAMETERS;

/**
 * Test servers store a document a tenth of a second after its last change (production: 5 s):
 * tests that wait for a compaction, or for an unload with `keepLoadedUntilStored`, do not
 * wait for production's debounce.
 */
export const testStoreTuning: Partial<StoreTuning> = { debounceMs: 100, maxDebounceMs: 1_000 };

export async function startTestServer(
	overrides: Partial<Config> = {},
	/** Start options; `logger` defaults to a silent one. */
	options: StartOptions = {},
): Promise<TestServer> {
	const config = await baseConfig(overrides);
	const switchboard = await startSwitchboard(config, {
		logger: pino({ level: "silent" }),
		storageTemplate: await testTemplate(),
		store: testStoreTuning,
		passwordHashing: TEST_PASSWORD_HASHING,
		...options,
	});
	const { storage, tokens } = switchboard;
	// One hash per process, made as the server makes them, so that no sign-in rehashes it.
	fixtureHash ??= hashPassword(PASSWORD, TEST_PASSWORD_HASHING);
	const passwordHash = await fixtureHash;

	await storage.createOrganisation({ id: "acme", name: "Acme" });
	await storage.createOrganisation({ id: "globex", name: "Globex" });
	await storage.createBoard({ id: "main", orgId: "acme", name: "Acme mentions" });
	await storage.createBoard({ id: "main", orgId: "globex", name: "Globex mentions" });
	const addMember = async (orgId: string, name: string, role: Role, capacity = 5) => {
		const email = `${name.split(" ")[0]!.toLowerCase()}@${orgId}.test`;
		const member = await storage.createMember({ orgId, email, name, role, capacity, passwordHash });
		const token = await tokens.sign({ memberId: member.id, orgId, role, name });
		return { id: member.id, email, orgId, role, token };
	};
	const people: [string, string, Role, number][] = [
		["Dana", "acme", "ambassador", 2],
		["Sam", "acme", "ambassador", 2],
		["Kim", "acme", "ambassador", 2],
		["Morgan", "acme", "moderator", 10],
		["Gabi", "globex", "ambassador", 5],
	];
	const members: Record<string, TestMember> = {};
	for (const [name, orgId, role, capacity] of people) {
		members[name.toLowerCase()] = await addMember(orgId, name, role, capacity);
	}
	const mentions = await storage.insertMentions(
		"acme",
		"main",
		Array.from({ length: 6 }, (_, i) => makeMention(i)),
	);
	await storage.insertMentions("globex", "main", [makeMention(100)]);

	const wsUrl = `${switchboard.url.replace("http", "ws")}/sync`;
	const clients: TestClient[] = [];
	const connect = async (member: TestMember, name: string, options: ConnectOptions = {}) => {
		const client = await connectProvider(wsUrl, name, options.token ?? member.token, options);
		clients.push(client);
		return client;
	};
	return {
		switchboard,
		url: switchboard.url,
		wsUrl,
		members,
		mentions,
		addMember,
		request: (path, options) => apiRequest(switchboard.url, path, options),
		connect,
		board: (member) => connect(member, boardDocumentName(member.orgId, "main")),
		draft: (member, mentionId) => connect(member, draftDocumentName(member.orgId, mentionId)),
		async close() {
			for (const client of clients) client.destroy();
			await switchboard.close();
			await rm(config.dataDir, { recursive: true, force: true });
		},
	};
}
