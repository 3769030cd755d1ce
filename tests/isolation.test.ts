/**
 * Organisation isolation. A member of Globex (an ambassador, and an admin) tries every
 * document name, every id and every API route of Acme and gets nothing: no document
 * content, no Acme data in any answer, no change to anything of Acme's. The routes are
 * read from the running API, so a route added later is tried too.
 */
import {
	boardDocumentName,
	type CommandInput,
	draftDocumentName,
	WEBHOOK_EVENT_NAMES,
} from "@switchboard/domain";
import * as decoding from "lib0/decoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawClient, Types } from "./utils/raw-client.ts";
import { startTestServer, type TestServer } from "./utils/test-server.ts";

let server: TestServer;
const tokens: Record<string, string> = {};
const acme = {
	mentionIds: [] as string[],
	memberIds: [] as string[],
	sourceId: "",
	webhookId: "",
	deliveryId: "",
	sendId: "",
};
/** Strings only Acme's data contains. */
const SECRET_NAME = "Acme private source";
const SECRET_URL = "https://hooks.acme.example/secret-endpoint";

async function api(token: string, method: string, path: string, body?: unknown) {
	const response = await server.request(path, { token, method, body });
	return { status: response.status, text: await response.text() };
}

async function member(orgId: string, name: string, role: "admin" | "ambassador") {
	tokens[name] = (await server.addMember(orgId, name, role)).token;
}

/** Everything of Acme's the API could change. */
async function acmeState() {
	const { storage } = server.switchboard;
	return JSON.stringify({
		mentions: (await storage.listMentions("acme", "main")).map(({ mention, rev }) => ({
			id: mention.id,
			rev,
		})),
		sources: await storage.listSources("acme"),
		webhooks: await storage.listWebhookEndpoints("acme"),
		deliveries: await storage.listWebhookDeliveries("acme", {}),
		rules: await storage.getTriageRules("acme"),
		members: await storage.listMembers("acme"),
		sends: await storage.listReplySends("acme", {}),
	});
}

beforeAll(async () => {
	server = await startTestServer();
	const { storage } = server.switchboard;
	await member("acme", "ada", "admin");
	await member("globex", "gina", "admin");
	tokens.gabi = server.members.gabi!.token;
	acme.mentionIds = server.mentions.map(({ mention }) => mention.id);
	acme.memberIds = (await storage.listMembers("acme")).map((m) => m.id);
	const source = await api(tokens.ada!, "POST", "/api/orgs/acme/sources", {
		kind: "webhook",
		name: SECRET_NAME,
	});
	acme.sourceId = JSON.parse(source.text).source.id;
	const webhook = await api(tokens.ada!, "POST", "/api/orgs/acme/webhooks", {
		url: SECRET_URL,
		events: WEBHOOK_EVENT_NAMES,
	});
	acme.webhookId = JSON.parse(webhook.text).webhook.id;
	await storage.enqueueWebhookEvent({
		orgId: "acme",
		event: WEBHOOK_EVENT_NAMES[0]!,
		dedupeKey: "isolation",
		payload: { secret: SECRET_NAME },
		now: new Date().toISOString(),
	});
	acme.deliveryId = (await storage.listWebhookDeliveries("acme", {}))[0]!.id;
	acme.sendId = (
		await storage.createReplySend({
			orgId: "acme",
			boardId: "main",
			mentionId: acme.mentionIds[0]!,
			memberId: acme.memberIds[0]!,
			network: "twitter",
			text: SECRET_NAME,
		})
	).id;
});

afterAll(async () => {
	await server?.close();
});

/** Values tried for each route parameter: Acme's ids, and the attacker's own org with them. */
function candidates(param: string): string[] {
	switch (param) {
		case "orgId":
			return ["acme", "globex"];
		case "boardId":
			return ["main"];
		case "mentionId":
			return acme.mentionIds;
		case "memberId":
			return acme.memberIds;
		case "sourceId":
			return [acme.sourceId];
		case "webhookId":
			return [acme.webhookId];
		case "deliveryId":
			return [acme.deliveryId];
		case "sendId":
			return [acme.sendId];
		case "network":
			return ["mastodon"];
		default:
			return [...acme.mentionIds.slice(0, 2), ...acme.memberIds.slice(0, 2), acme.sourceId];
	}
}

function expand(path: string): string[] {
	const match = /:([A-Za-z]+)/.exec(path);
	if (!match) return [path];
	return candidates(match[1]!).flatMap((value) => expand(path.replace(match[0], value)));
}

/** A body each write route would accept if the target were the caller's own. */
function bodyFor(method: string, path: string): unknown {
	if (method === "GET" || method === "DELETE") return undefined;
	if (path.startsWith("/api/me/")) return {};
	if (path.endsWith("/send")) return { text: "hello from Globex" };
	if (path.endsWith("/rules")) return { rules: [] };
	if (path.endsWith("/sources")) return { kind: "webhook", name: "globex source" };
	if (path.endsWith("/webhooks"))
		return { url: "https://globex.example", events: ["mention.claimed"] };
	if (method === "PATCH") return { enabled: false };
	return {};
}

describe("organisation isolation", () => {
	it("opens no document of another organisation, whatever the name", async () => {
		const names = [
			boardDocumentName("acme", "main"),
			...acme.mentionIds.map((id) => draftDocumentName("acme", id)),
			// Its own organisation's namespace with Acme's conversations in it.
			...acme.mentionIds.map((id) => draftDocumentName("globex", id)),
			"board/ACME/main",
			"board/acme/main/",
			"board//acme/main",
			"board/acme",
			"board%2Facme%2Fmain",
			`board/acme/main\0session`,
			"draft/acme/*",
		];
		for (const name of names) {
			const client = await openRawClient(server.wsUrl);
			const answer = await client.authenticate(name, tokens.gabi!);
			expect(answer, name).toMatch(/^Forbidden|^closed 4403/);
			expect(await client.closed, name).toBe(4403);
			// Not one sync message: nothing of the document was sent.
			for (const bytes of client.received) {
				const decoder = decoding.createDecoder(bytes);
				decoding.readVarString(decoder);
				expect(decoding.readVarUint(decoder), name).not.toBe(Types.sync);
			}
		}
	});

	it("changes nothing of another organisation with commands on its own board", async () => {
		const before = await acmeState();
		const board = await server.connect(server.members.gabi!, boardDocumentName("globex", "main"));
		for (const mentionId of acme.mentionIds) {
			const commands: CommandInput[] = [
				{ name: "claim", args: { mentionId } },
				{ name: "tag", args: { mentionId, add: ["globex"] } },
				{ name: "dismiss", args: { mentionId } },
				{ name: "setPriority", args: { mentionId, priority: "high" } },
				{ name: "handoff", args: { mentionId, to: acme.memberIds[0]! } },
			];
			for (const command of commands) {
				const answer = await board.commands.send(command);
				expect(answer, `${command.name} ${mentionId}`).toMatchObject({ type: "reject" });
				expect(["not_found", "forbidden", "not_owner"]).toContain(
					answer.type === "reject" ? answer.code : "",
				);
			}
		}
		board.destroy();
		expect(await acmeState()).toBe(before);
	});

	it("answers no API route with another organisation's data, and changes none of it", {
		timeout: 60_000,
	}, async () => {
		const before = await acmeState();
		const secrets = () => [
			SECRET_NAME,
			SECRET_URL,
			acme.sourceId,
			acme.webhookId,
			acme.deliveryId,
			acme.sendId,
			...acme.mentionIds,
			...acme.memberIds,
			...server.mentions.flatMap(({ mention }) => (mention.url ? [mention.url] : [])),
		];
		const routes = server.switchboard.api.routes.filter(
			(route) =>
				route.method !== "ALL" && route.path.startsWith("/api/") && !route.path.includes("*"),
		);
		expect(routes.length).toBeGreaterThan(15);
		let requests = 0;
		const leaks: string[] = [];
		for (const route of routes) {
			// The signed webhook is authenticated by its signature, not by a member.
			if (route.path.endsWith("/webhook")) continue;
			for (const path of expand(route.path)) {
				for (const who of ["gabi", "gina"]) {
					const answer = await api(tokens[who]!, route.method, path, bodyFor(route.method, path));
					requests += 1;
					// An error may name what was asked for; nothing else of Acme's may appear.
					const leaked = secrets().filter(
						(secret) => !path.includes(secret) && answer.text.includes(secret),
					);
					if (leaked.length > 0) leaks.push(`${who} ${route.method} ${path}: ${leaked.join(", ")}`);
					if (answer.status < 300 && path.includes("acme")) {
						leaks.push(`${who} ${route.method} ${path}: answered ${answer.status}`);
					}
				}
			}
		}
		expect(leaks).toEqual([]);
		expect(await acmeState()).toBe(before);
		console.log(`[reliability] isolation: ${JSON.stringify({ routes: routes.length, requests })}`);
	});
});
