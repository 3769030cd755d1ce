/**
 * What an operator sees of a running server: `GET /metrics` (only for the bearer of the
 * metrics token) counting what clients, sources and webhooks did, and log lines that name
 * the HTTP request or WebSocket they are about, with that name echoed to the client.
 */
import { randomUUID } from "node:crypto";
import { freePort } from "@switchboard/connectors/testing";
import { boardDocumentName } from "@switchboard/domain";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { authFrame } from "./utils/raw-client.ts";
import { startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

const METRICS_TOKEN = "metrics-token-metrics-token-0123";

let server: TestServer;
/** Every log line the server wrote, parsed. */
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
	const logger = pino(
		{ level: "debug" },
		{ write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
	);
	server = await startTestServer({ metricsToken: METRICS_TOKEN }, { logger });
});

afterAll(async () => {
	await server?.close();
});

async function scrape(token = METRICS_TOKEN): Promise<Response> {
	return fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
}

/**
 * The value of one sample in the exposition text: `name` with exactly these labels, or
 * undefined when the server did not report it.
 */
function sample(
	text: string,
	name: string,
	labels: Record<string, string> = {},
): number | undefined {
	const wanted = Object.entries(labels)
		.map(([key, value]) => `${key}="${value}"`)
		.sort()
		.join(",");
	for (const line of text.split("\n")) {
		const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match || match[1] !== name) continue;
		const have = (match[2] ?? "").split(",").filter(Boolean).sort().join(",");
		if (have === wanted) return Number(match[3]);
	}
	return undefined;
}

async function metrics(): Promise<string> {
	const response = await scrape();
	expect(response.status).toBe(200);
	return response.text();
}

/** Scrape until `check` holds: an acknowledgement and a presence tick reach it a little later. */
async function metricsWhen(check: (text: string) => boolean, what: string): Promise<string> {
	for (let tries = 0; ; tries++) {
		const text = await metrics();
		if (check(text)) return text;
		if (tries === 500) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe("GET /metrics", () => {
	it("answers only the bearer of SWITCHBOARD_METRICS_TOKEN", async () => {
		const bare = await fetch(`${server.url}/metrics`);
		expect(bare.status).toBe(401);
		expect(bare.headers.get("www-authenticate")).toMatch(/^Bearer/);
		expect(await bare.json()).toMatchObject({ error: { code: "unauthorized" } });
		expect((await scrape(`${METRICS_TOKEN.slice(0, -1)}4`)).status).toBe(401);
		expect((await scrape(METRICS_TOKEN.slice(0, -1))).status).toBe(401);

		const response = await scrape();
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
		expect(response.headers.get("cache-control")).toBe("no-store");
		const text = await response.text();
		// prom-client's process metrics, the event-loop lag among them.
		expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
		expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
		// Embedded database: no pool to report.
		expect(sample(text, "switchboard_db_pool_connections", { state: "max" })).toBeUndefined();
	});

	it("counts edits, group commits, commands, presence and what is open", async () => {
		const { dana, sam } = server.members;
		const before = await metrics();
		const mentionId = server.mentions[0]!.mention.id;
		const board = await server.board(dana!);
		const writer = await server.draft(dana!, mentionId);
		const reader = await server.draft(sam!, mentionId);

		writer.doc.getText("body").insert(0, "Thanks for writing, we are on it.");
		const claim = { name: "claim" as const, args: { mentionId } };
		expect(await board.commands.send(claim)).toMatchObject({ type: "ack" });
		const samBoard = await server.board(sam!);
		expect(await samBoard.commands.send(claim)).toMatchObject({ code: "already_claimed" });
		reader.provider.setAwarenessField("user", { typing: true });

		const count = (text: string, name: string, labels?: Record<string, string>) =>
			sample(text, name, labels) ?? 0;
		const grew = (text: string, name: string, labels?: Record<string, string>) =>
			count(text, name, labels) - count(before, name, labels);
		const text = await metricsWhen(
			(t) =>
				grew(t, "switchboard_update_ack_seconds_count") >= 1 &&
				grew(t, "switchboard_presence_fanout_connections_count") >= 1,
			"an acknowledged edit and a presence tick in the metrics",
		);
		expect(grew(text, "switchboard_group_commit_updates_count")).toBeGreaterThanOrEqual(1);
		expect(grew(text, "switchboard_group_commit_updates_sum")).toBeGreaterThanOrEqual(1);
		expect(grew(text, "switchboard_commands_total", { command: "claim", outcome: "ack" })).toBe(1);
		expect(
			grew(text, "switchboard_commands_total", { command: "claim", outcome: "already_claimed" }),
		).toBe(1);
		expect(sample(text, "switchboard_websockets_open")).toBeGreaterThanOrEqual(4);
		expect(sample(text, "switchboard_document_connections_open")).toBeGreaterThanOrEqual(4);
		expect(sample(text, "switchboard_documents_open")).toBeGreaterThanOrEqual(2);
		// The latency histogram has its buckets, the last one holding every observation.
		expect(sample(text, "switchboard_update_ack_seconds_bucket", { le: "+Inf" })).toBe(
			sample(text, "switchboard_update_ack_seconds_count"),
		);
		const acks = grew(text, "switchboard_update_ack_seconds_count");
		console.log(
			`[reliability] metrics: ${JSON.stringify({
				acknowledged: acks,
				meanAckMs: Number(
					((grew(text, "switchboard_update_ack_seconds_sum") / acks) * 1000).toFixed(2),
				),
				batches: grew(text, "switchboard_group_commit_updates_count"),
				presenceTicks: grew(text, "switchboard_presence_fanout_connections_count"),
				scrapeBytes: text.length,
			})}`,
		);
		for (const client of [board, samBoard, writer, reader]) client.destroy();
	});

	it("counts polls, deliveries and incoming webhooks, and reads the delivery queue", async () => {
		const { storage, integrations } = server.switchboard;
		const closed = `http://127.0.0.1:${await freePort()}`;
		const soon = new Date(Date.now() + 1000);
		await storage.createSource({
			orgId: "acme",
			boardId: "main",
			kind: "rss",
			name: "A feed that is down",
			config: { url: `${closed}/feed.xml`, intervalSeconds: 60 },
			sealedSecret: null,
			nextPollAt: new Date().toISOString(),
		});
		await storage.createWebhookEndpoint({
			orgId: "acme",
			url: `${closed}/hook`,
			events: ["mention.claimed"],
			sealedSecret: integrations.secrets.seal("hook secret"),
		});
		await storage.enqueueWebhookEvent({
			orgId: "acme",
			event: "mention.claimed",
			dedupeKey: `metrics:${randomUUID()}`,
			payload: { mentionId: "m" },
			now: new Date().toISOString(),
		});
		const queued = await metrics();
		expect(sample(queued, "switchboard_webhook_queue_depth")).toBeGreaterThanOrEqual(1);

		expect(await integrations.poller.runOnce(soon)).toContainEqual(
			expect.objectContaining({ ok: false }),
		);
		expect(await integrations.dispatcher.runOnce(soon)).toMatchObject({ failed: 1 });
		const webhookSource = await storage.createSource({
			orgId: "acme",
			boardId: "main",
			kind: "webhook",
			name: "Pushed",
			config: {},
			sealedSecret: integrations.secrets.seal("source secret"),
		});
		const unsigned = await fetch(
			`${server.url}/api/orgs/acme/sources/${webhookSource.id}/webhook`,
			{ method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
		);
		expect(unsigned.status).toBe(401);

		const text = await metrics();
		expect(sample(text, "switchboard_source_polls_total", { kind: "rss", outcome: "error" })).toBe(
			1,
		);
		expect(sample(text, "switchboard_webhook_deliveries_total", { outcome: "failed" })).toBe(1);
		expect(
			sample(text, "switchboard_incoming_webhooks_total", { outcome: "missing_signature" }),
		).toBe(1);
		// A failed delivery waits for its retry: still in the queue.
		expect(sample(text, "switchboard_webhook_queue_depth")).toBeGreaterThanOrEqual(1);
	});
});

describe("request and connection ids", () => {
	it("keeps a sane incoming X-Request-Id, replaces others, echoes it and logs with it", async () => {
		const traced = await fetch(`${server.url}/healthz`, {
			headers: { "x-request-id": "trace-4f2a.9" },
		});
		expect(traced.headers.get("x-request-id")).toBe("trace-4f2a.9");
		await waitFor(
			() => lines.find((l) => l.requestId === "trace-4f2a.9" && l.msg === "answered"),
			5000,
			"the request's log line",
		);

		for (const forged of ["two words", "x".repeat(200), 'quote"d']) {
			const response = await fetch(`${server.url}/healthz`, {
				headers: { "x-request-id": forged },
			});
			const id = response.headers.get("x-request-id");
			expect(id).toMatch(/^[0-9a-f-]{36}$/);
		}
		// Errors carry it too: a refusal, and a route that does not exist.
		const refused = await fetch(`${server.url}/api/me`);
		expect(refused.status).toBe(401);
		expect(refused.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
		const missing = await fetch(`${server.url}/nothing-here`, { headers: { accept: "text/html" } });
		expect(missing.headers.get("x-request-id")).toBeTruthy();
	});

	it("names each WebSocket in its upgrade answer and in every log line about it", async () => {
		const { dana } = server.members;
		const wsUrl = server.wsUrl;
		const open = (headers: Record<string, string>) =>
			new Promise<{ ws: WebSocket; id: string }>((resolve, reject) => {
				const ws = new WebSocket(wsUrl, { headers: { origin: server.url, ...headers } });
				ws.once("upgrade", (response) =>
					resolve({ ws, id: String(response.headers["x-request-id"]) }),
				);
				ws.once("error", reject);
			});
		const named = await open({ "x-request-id": "socket-trace-1" });
		const fresh = await open({});
		expect(named.id).toBe("socket-trace-1");
		expect(fresh.id).toMatch(/^[0-9a-f-]{36}$/);

		// Another organisation's board: refused, and the refusal is logged under each socket's id.
		const foreign = boardDocumentName("globex", "main");
		for (const { ws } of [named, fresh]) ws.send(authFrame(foreign, dana!.token));
		for (const { id } of [named, fresh]) {
			await waitFor(
				() => lines.find((l) => l.connectionId === id && l.documentName === foreign),
				5000,
				`the refusal logged for ${id}`,
			);
		}
		// A command is logged under the socket that sent it.
		const board = await server.board(dana!);
		const mentionId = server.mentions[1]!.mention.id;
		const commandId = randomUUID();
		await board.commands.send({ name: "claim", args: { mentionId } }, commandId);
		const logged = await waitFor(
			() => lines.find((l) => l.commandId === commandId),
			5000,
			"the command's log line",
		);
		expect(logged.connectionId).toMatch(/^[0-9a-f-]{36}$/);
		expect(logged.connectionId).not.toBe(fresh.id);
		for (const { ws } of [named, fresh]) ws.close();
		board.destroy();
	});
});
