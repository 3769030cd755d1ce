/**
 * With `keepLoadedUntilStored`, a board that its last client closes and someone opens again within seconds is not loaded
 * a second time, and the webhook that follows does not wait for a load: against a real
 * server on port 0 with real providers (bench/findings/06.md, the batches' reloads).
 */
import { signatureHeaders } from "@switchboard/connectors";
import { boardDocumentName, readMention } from "@switchboard/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, waitFor } from "./utils/test-server.ts";

let server: TestServer;
let webhook: string;
let secret: string;

beforeAll(async () => {
	// Production's store debounce is seconds; the test servers' tenth of a second could run
	// out between the leave and the reopen below. The test waits for no store.
	server = await startTestServer(
		{},
		{ store: { debounceMs: 60_000, maxDebounceMs: 120_000, keepLoadedUntilStored: true } },
	);
	const admin = await server.addMember("acme", "Ada Admin", "admin");
	const created = await server.request("/api/orgs/acme/sources", {
		token: admin.token,
		body: { kind: "webhook", name: "Forum bridge" },
	});
	const json = (await created.json()) as { webhookUrl: string; secret: string };
	webhook = `${server.url}${json.webhookUrl}`;
	secret = json.secret;
});
afterAll(async () => {
	await server?.close();
});

async function postMention(externalId: string): Promise<string> {
	const body = JSON.stringify({
		network: "other",
		externalId,
		url: `https://forum.example/t/${externalId}`,
		author: { handle: "jo", name: "Jo", reach: 42 },
		text: "Hello @acme, my parcel has not arrived",
		postedAt: new Date(Date.now() - 60_000).toISOString(),
	});
	const response = await fetch(webhook, {
		method: "POST",
		headers: { "content-type": "application/json", ...signatureHeaders(secret, body) },
		body,
	});
	expect(response.status).toBe(202);
	return ((await response.json()) as { mentionIds: string[] }).mentionIds[0] as string;
}

describe("a board opened again right after its last client left", () => {
	it("is the same loaded document, not a second load", async () => {
		const hocuspocus = server.switchboard.hocuspocus;
		const name = boardDocumentName("acme", "main");
		const storeId = `onStoreDocument-${name}`;
		let loads = 0;
		const load = hocuspocus.loadDocument.bind(hocuspocus);
		hocuspocus.loadDocument = (documentName, ...rest) => {
			if (documentName === name) loads += 1;
			return load(documentName, ...rest);
		};
		// Hocuspocus decides what to do with a document its last client left once that
		// client's disconnect hooks have run.
		let leavesHandled = 0;
		const hooks = hocuspocus.hooks.bind(hocuspocus);
		hocuspocus.hooks = ((hook, payload, callback) => {
			const run = hooks(hook, payload, callback);
			if (hook === "onDisconnect" && (payload as { documentName?: string }).documentName === name) {
				void run.finally(() => {
					leavesHandled += 1;
				});
			}
			return run;
		}) as typeof hocuspocus.hooks;

		const first = await server.board(server.members.dana!);
		const loaded = hocuspocus.documents.get(name);
		expect(loads).toBe(1);
		// A mention arrives while the board is open: the board has a store pending.
		const earlier = await postMention("reopen-1");
		await waitFor(() => readMention(first.doc, earlier), 5000, "the mention on the open board");
		const handledBefore = leavesHandled;
		first.destroy();
		// Until the server has handled the leave, and either unloaded the board or kept it
		// with its store still pending.
		await waitFor(
			() =>
				leavesHandled > handledBefore &&
				!hocuspocus.unloadingDocuments.has(name) &&
				(!hocuspocus.documents.has(name) || hocuspocus.debouncer.isDebounced(storeId)),
			10_000,
			"the leave handled",
		);

		const second = await server.board(server.members.dana!);
		expect(readMention(second.doc, earlier)).toBeDefined();
		const later = await postMention("reopen-2");
		await waitFor(() => readMention(second.doc, later), 5000, "the next mention on the board");
		expect(hocuspocus.documents.get(name)).toBe(loaded);
		expect(loads).toBe(1);
		second.destroy();
	});
});
