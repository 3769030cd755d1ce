/**
 * The sources-and-replies ports' parts of the contract suite: the source store (triage
 * rules, sources), the reply store (connected accounts, reply sends) and the webhook
 * store (endpoints, deliveries). Run by `storageContract` on PGlite and on PostgreSQL
 * alike.
 */
import { randomUUID } from "node:crypto";
import type { TriageRule, WebhookEvent } from "@switchboard/domain";
import { describe, expect, it } from "vitest";
import type {
	NewWebhookEvent,
	ReplyStore,
	SourceStore,
	WebhookStore,
} from "./integration-storage.ts";
import type { CommandArbiter, Directory, MentionStore, ThreadStore } from "./storage.ts";
import { newMember, newMention, newOrganisation, tick, unique } from "./test-fixtures.ts";

const MINUTE = 60_000;

/** A fresh organisation with a board `main` and one member, Ana. */
async function org(directory: Directory) {
	const { orgId } = await newOrganisation(directory);
	const member = await newMember(directory, orgId, "Ana", "ambassador", 3, {
		passwordHash: "scrypt$x",
	});
	return { orgId, member };
}

export function sourceStoreContract(portOf: () => SourceStore & Directory): void {
	describe("triage rules", () => {
		it("keeps an ordered rule list per organisation, empty until set", async () => {
			const storage = portOf();
			const a = await org(storage);
			const b = await org(storage);
			expect(await storage.getTriageRules(a.orgId)).toEqual([]);
			const rules: TriageRule[] = [
				{ id: "r1", match: { keyword: "refund" }, apply: { tags: ["billing"] } },
				{ id: "r2", match: { phrase: "not working", minReach: 10 }, apply: { priority: "high" } },
			];
			expect(await storage.setTriageRules(a.orgId, rules)).toEqual(rules);
			expect(await storage.getTriageRules(a.orgId)).toEqual(rules);
			expect(await storage.getTriageRules(b.orgId)).toEqual([]);
			await storage.setTriageRules(a.orgId, [rules[1]!]);
			expect(await storage.getTriageRules(a.orgId)).toEqual([rules[1]]);
		});
	});

	describe("sources", () => {
		it("creates, lists, updates and deletes an organisation's sources", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const other = await org(storage);
			const hook = await storage.createSource({
				orgId,
				boardId: "main",
				kind: "webhook",
				name: "Zendesk",
				config: { network: "other" },
				sealedSecret: "sealed:abc",
			});
			expect(hook).toMatchObject({
				orgId,
				boardId: "main",
				kind: "webhook",
				enabled: true,
				status: { lastError: null, lastPolledAt: null, nextPollAt: null, failures: 0 },
			});
			expect(hook).not.toHaveProperty("sealedSecret");
			expect(await storage.getSource(orgId, hook.id)).toMatchObject({
				sealedSecret: "sealed:abc",
				cursor: {},
			});
			expect(await storage.getSource(other.orgId, hook.id)).toBeNull();

			const feed = await storage.createSource({
				orgId,
				boardId: "main",
				kind: "rss",
				name: "Forum",
				config: { url: "https://forum.example/feed", keywords: ["acme"] },
				sealedSecret: null,
				nextPollAt: "2026-11-26T10:00:00.000Z",
			});
			expect((await storage.listSources(orgId)).map((s) => s.id)).toEqual([hook.id, feed.id]);
			expect(await storage.listSources(other.orgId)).toEqual([]);

			const renamed = await storage.updateSource(orgId, feed.id, {
				name: "Forum EN",
				config: { url: "https://forum.example/en", keywords: [] },
				enabled: false,
			});
			expect(renamed).toMatchObject({ name: "Forum EN", enabled: false, config: { keywords: [] } });
			expect(await storage.updateSource(other.orgId, feed.id, { name: "x" })).toBeNull();

			await expect(
				storage.createSource({ ...hook, id: undefined, boardId: "nope", sealedSecret: null }),
			).rejects.toMatchObject({ kind: "not_found" });

			expect(await storage.deleteSource(other.orgId, hook.id)).toBe(false);
			expect(await storage.deleteSource(orgId, hook.id)).toBe(true);
			expect(await storage.getSource(orgId, hook.id)).toBeNull();
		});

		it("leases due polled sources once, and records each poll's outcome", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const now = "2030-01-01T00:00:00.000Z";
			const lease = "2030-01-01T00:05:00.000Z";
			const make = (
				kind: "rss" | "webhook" | "mastodon",
				nextPollAt: string | null,
				enabled = true,
			) =>
				storage.createSource({
					orgId,
					boardId: "main",
					kind,
					name: kind,
					config: {},
					sealedSecret: null,
					nextPollAt,
					enabled,
				});
			const due = await make("rss", "2029-12-31T23:59:00.000Z");
			const dueToo = await make("mastodon", now);
			await make("rss", "2030-01-01T00:00:01.000Z");
			await make("rss", "2029-01-01T00:00:00.000Z", false);
			await make("webhook", "2029-01-01T00:00:00.000Z");

			const claimed = (await storage.claimDueSources(now, lease, 10)).filter(
				(s) => s.orgId === orgId,
			);
			expect(claimed.map((s) => s.id)).toEqual([due.id, dueToo.id]);
			// Leased: a second scheduler at the same moment gets neither.
			const again = (await storage.claimDueSources(now, lease, 10)).filter(
				(s) => s.orgId === orgId,
			);
			expect(again).toEqual([]);

			await storage.recordSourcePoll(due.id, {
				cursor: { etag: '"v2"' },
				lastError: "The feed answered HTTP 503.",
				lastPolledAt: now,
				nextPollAt: "2030-01-01T00:02:00.000Z",
				failures: 1,
			});
			expect(await storage.getSource(orgId, due.id)).toMatchObject({
				cursor: { etag: '"v2"' },
				status: {
					lastError: "The feed answered HTTP 503.",
					lastPolledAt: now,
					nextPollAt: "2030-01-01T00:02:00.000Z",
					failures: 1,
				},
			});
			const reset = await storage.updateSource(orgId, due.id, { resetState: true });
			expect(reset?.status).toMatchObject({ lastError: null, failures: 0 });
			expect((await storage.getSource(orgId, due.id))?.cursor).toEqual({});
		});

		it("records a webhook's last accepted and refused deliveries, only forward, only on its own source", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const other = await org(storage);
			const create = (kind: "webhook" | "rss") =>
				storage.createSource({
					orgId,
					boardId: "main",
					kind,
					name: kind,
					config: {},
					sealedSecret: null,
				});
			const hook = await create("webhook");
			const feed = await create("rss");
			expect(hook.status).toMatchObject({ lastDeliveryAt: null, lastRefusal: null });

			const refusal = {
				at: "2030-01-01T00:00:00.000Z",
				reason: "stale_timestamp",
				message: "The timestamp was 9 minutes old; it may be 5 at most.",
			} as const;
			expect(await storage.recordWebhookRefusal(orgId, hook.id, refusal)).toBe(true);
			expect(await storage.recordWebhookDelivery(orgId, hook.id, "2030-01-01T00:01:00.000Z")).toBe(
				true,
			);
			// An earlier outcome reported late (another instance) does not replace a later one.
			expect(
				await storage.recordWebhookRefusal(orgId, hook.id, {
					...refusal,
					at: "2029-12-31T23:00:00.000Z",
					reason: "bad_signature",
				}),
			).toBe(false);
			expect(await storage.recordWebhookDelivery(orgId, hook.id, "2029-12-31T23:00:00.000Z")).toBe(
				false,
			);
			const stored = await storage.getSource(orgId, hook.id);
			expect(stored?.status).toMatchObject({
				lastDeliveryAt: "2030-01-01T00:01:00.000Z",
				lastRefusal: refusal,
			});
			expect((await storage.listSources(orgId)).find((s) => s.id === hook.id)?.status).toEqual(
				stored?.status,
			);
			// Editing the source leaves them.
			const renamed = await storage.updateSource(orgId, hook.id, { name: "Forum" });
			expect(renamed?.status.lastRefusal).toEqual(refusal);

			// Nothing is written for an unknown id, another organisation's source, a polled source,
			// or a refusal of a paused one.
			const later = { ...refusal, at: "2030-01-02T00:00:00.000Z" };
			expect(await storage.recordWebhookRefusal(orgId, unique("nope"), later)).toBe(false);
			expect(await storage.recordWebhookRefusal(other.orgId, hook.id, later)).toBe(false);
			expect(await storage.recordWebhookRefusal(orgId, feed.id, later)).toBe(false);
			expect(await storage.recordWebhookDelivery(orgId, feed.id, later.at)).toBe(false);
			await storage.updateSource(orgId, hook.id, { enabled: false });
			expect(await storage.recordWebhookRefusal(orgId, hook.id, later)).toBe(false);
			expect((await storage.getSource(orgId, hook.id))?.status.lastRefusal).toEqual(refusal);
			expect((await storage.getSource(orgId, feed.id))?.status).toMatchObject({
				lastDeliveryAt: null,
				lastRefusal: null,
			});
		});
	});
}

export function replyStoreContract(portOf: () => ReplyStore & MentionStore & Directory): void {
	describe("connected accounts", () => {
		it("keeps one account per member and network, replaced on reconnect", async () => {
			const storage = portOf();
			const { orgId, member } = await org(storage);
			const first = await storage.saveConnectedAccount({
				orgId,
				memberId: member.id,
				network: "mastodon",
				serverUrl: "https://social.example",
				handle: "ana@social.example",
				sealedCredential: "sealed:1",
			});
			expect(first).not.toHaveProperty("sealedCredential");
			await storage.saveConnectedAccount({
				orgId,
				memberId: member.id,
				network: "mastodon",
				serverUrl: "https://other.example",
				handle: "ana@other.example",
				sealedCredential: "sealed:2",
			});
			await storage.saveConnectedAccount({
				orgId,
				memberId: member.id,
				network: "bluesky",
				serverUrl: "https://bsky.social",
				handle: "ana.bsky.social",
				sealedCredential: "sealed:3",
			});
			const accounts = await storage.listConnectedAccounts(member.id);
			expect(accounts.map((a) => [a.network, a.handle])).toEqual([
				["bluesky", "ana.bsky.social"],
				["mastodon", "ana@other.example"],
			]);
			expect(await storage.getConnectedAccount(member.id, "mastodon")).toMatchObject({
				id: first.id,
				serverUrl: "https://other.example",
				sealedCredential: "sealed:2",
			});
			expect(await storage.deleteConnectedAccount(member.id, "mastodon")).toBe(true);
			expect(await storage.getConnectedAccount(member.id, "mastodon")).toBeNull();
			expect(await storage.deleteConnectedAccount(member.id, "mastodon")).toBe(false);
		});
	});

	describe("reply sends", () => {
		it("records a send, its failure and its retry, newest first", async () => {
			const storage = portOf();
			const { orgId, member } = await org(storage);
			const [stored] = await storage.insertMentions(orgId, "main", [newMention()]);
			const mentionId = stored!.mention.id;
			expect(await storage.getMentionBoardId(orgId, mentionId)).toBe("main");
			expect(await storage.getMentionBoardId(unique("org"), mentionId)).toBeNull();

			const send = await storage.createReplySend({
				orgId,
				boardId: "main",
				mentionId,
				memberId: member.id,
				network: "mastodon",
				text: "Hello!",
			});
			expect(send).toMatchObject({ status: "sending", attempts: 1, error: null, url: null });
			const failed = await storage.updateReplySend(orgId, send.id, {
				status: "failed",
				error: "HTTP 503",
			});
			expect(failed).toMatchObject({ status: "failed", error: "HTTP 503", attempts: 1 });
			const sent = await storage.updateReplySend(orgId, send.id, {
				status: "sent",
				error: null,
				url: "https://social.example/@ana/9",
				attempt: true,
			});
			expect(sent).toMatchObject({
				status: "sent",
				attempts: 2,
				url: "https://social.example/@ana/9",
			});
			expect(await storage.getReplySend(orgId, send.id)).toEqual(sent);
			expect(await storage.getReplySend(orgId, "not-a-uuid")).toBeNull();
			const second = await storage.createReplySend({ ...send, id: undefined, text: "Again" });
			expect((await storage.listReplySends(orgId, { mentionId })).map((s) => s.id)).toEqual([
				second.id,
				send.id,
			]);
			expect(await storage.listReplySends(orgId, { status: "sent" })).toEqual([sent]);
		});
	});
}

export function webhookStoreContract(
	portOf: () => WebhookStore & MentionStore & ThreadStore & CommandArbiter & Directory,
): void {
	describe("outgoing webhooks", () => {
		it("queues an event once per subscribed endpoint and retries with the outcome recorded", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const endpoint = await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example/a",
				events: ["mention.high_priority", "mention.replied"],
				sealedSecret: "sealed:s",
			});
			expect(endpoint).not.toHaveProperty("sealedSecret");
			await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example/b",
				events: ["mention.claimed"],
				sealedSecret: "sealed:t",
			});
			const now = new Date(Date.now() + 1000 * MINUTE).toISOString();
			const event = {
				orgId,
				event: "mention.high_priority" as const,
				dedupeKey: "mention:m1:high",
				payload: { mentionId: "m1" },
				now,
			};
			const queued = await storage.countPendingDeliveries();
			expect(await storage.enqueueWebhookEvent(event)).toBe(1);
			expect(await storage.enqueueWebhookEvent(event)).toBe(0);
			expect(await storage.countPendingDeliveries()).toBe(queued + 1);

			const lease = new Date(Date.parse(now) + 5 * MINUTE).toISOString();
			const due = (await storage.claimDueDeliveries(now, lease, 50)).filter(
				(d) => d.orgId === orgId,
			);
			expect(due).toEqual([
				expect.objectContaining({
					endpointId: endpoint.id,
					event: "mention.high_priority",
					payload: { mentionId: "m1" },
					status: "pending",
					attempts: 0,
					url: "https://hooks.example/a",
					sealedSecret: "sealed:s",
				}),
			]);
			expect(
				(await storage.claimDueDeliveries(now, lease, 50)).filter((d) => d.orgId === orgId),
			).toEqual([]);
			const deliveryId = due[0]!.id;
			const retryAt = new Date(Date.parse(now) + MINUTE).toISOString();
			await storage.recordDeliveryAttempt(deliveryId, {
				ok: false,
				error: "HTTP 500",
				status: 500,
				nextAttemptAt: retryAt,
			});
			const [pending] = await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id });
			expect(pending).toMatchObject({
				status: "pending",
				attempts: 1,
				lastError: "HTTP 500",
				lastStatus: 500,
				nextAttemptAt: retryAt,
			});

			await storage.recordDeliveryAttempt(deliveryId, {
				ok: false,
				error: "timed out",
				status: null,
				nextAttemptAt: null,
			});
			expect((await storage.listWebhookDeliveries(orgId, { status: "failed" }))[0]).toMatchObject({
				attempts: 2,
				lastError: "timed out",
			});
			expect(await storage.countPendingDeliveries()).toBe(queued);
			// Through another endpoint's id: refused, and the delivery stays as it was.
			expect(await storage.retryWebhookDelivery(orgId, "another-endpoint", deliveryId, now)).toBe(
				null,
			);
			expect((await storage.listWebhookDeliveries(orgId, { status: "failed" }))[0]?.id).toBe(
				deliveryId,
			);
			const retried = await storage.retryWebhookDelivery(orgId, endpoint.id, deliveryId, now);
			expect(retried).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: now });
			await storage.recordDeliveryAttempt(deliveryId, { ok: true, status: 204, at: now });
			expect((await storage.listWebhookDeliveries(orgId))[0]).toMatchObject({
				status: "delivered",
				deliveredAt: now,
				lastError: null,
				lastStatus: 204,
			});
			expect(await storage.deleteWebhookEndpoint(orgId, endpoint.id)).toBe(true);
			expect(await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id })).toEqual([]);
		});

		it("keeps a new mention only with its events: a failed queue keeps neither, the retry both", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const endpoint = await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example/a",
				events: ["mention.high_priority"],
				sealedSecret: "sealed:a",
			});
			const replyId = `reply-${randomUUID()}`;
			const mention = newMention({
				priority: "high",
				thread: [
					{
						externalId: replyId,
						handle: "@someone@social.example",
						fromOrganisation: false,
						text: "Still down here.",
						postedAt: tick(),
					},
				],
			});
			const announce =
				(now: string) =>
				({ id }: { id: string }): NewWebhookEvent[] => [
					{
						orgId,
						event: "mention.high_priority",
						dedupeKey: `mention:${id}:high`,
						payload: { mentionId: id },
						now,
					},
				];
			// The database refuses the event's time after the mention's row is written.
			await expect(
				storage.insertMentions(orgId, "main", [mention], announce("not a time")),
			).rejects.toThrow();
			expect(await storage.listMentions(orgId, "main")).toEqual([]);
			expect(
				await storage.findConversations(orgId, [{ network: mention.network, externalId: replyId }]),
			).toEqual(new Map());
			expect(await storage.listWebhookDeliveries(orgId)).toEqual([]);

			const now = new Date().toISOString();
			const [stored] = await storage.insertMentions(orgId, "main", [mention], announce(now));
			expect(stored?.mention.externalId).toBe(mention.externalId);
			expect(
				(await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id })).map(
					(delivery) => delivery.payload,
				),
			).toEqual([{ mentionId: stored?.mention.id }]);
			// Seen before: nothing new, so nothing announced twice.
			expect(await storage.insertMentions(orgId, "main", [mention], announce(now))).toEqual([]);
			expect(await storage.listWebhookDeliveries(orgId)).toHaveLength(1);
		});

		it("queues several events in one call as one call each would, each once per endpoint", async () => {
			const storage = portOf();
			const { orgId } = await org(storage);
			const other = await org(storage);
			const [a, b] = [
				await storage.createWebhookEndpoint({
					orgId,
					url: "https://hooks.example/a",
					events: ["mention.high_priority"],
					sealedSecret: "sealed:a",
				}),
				await storage.createWebhookEndpoint({
					orgId,
					url: "https://hooks.example/b",
					events: ["mention.high_priority", "mention.claimed"],
					sealedSecret: "sealed:b",
				}),
			];
			await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example/off",
				events: ["mention.high_priority"],
				sealedSecret: "sealed:c",
				enabled: false,
			});
			await storage.createWebhookEndpoint({
				orgId: other.orgId,
				url: "https://hooks.example/other",
				events: ["mention.high_priority"],
				sealedSecret: "sealed:d",
			});
			const now = new Date().toISOString();
			const event = (key: string, eventName: WebhookEvent = "mention.high_priority") => ({
				orgId,
				event: eventName,
				dedupeKey: key,
				payload: { key, nested: { list: [1, "two"] } },
				now,
			});
			expect(await storage.enqueueWebhookEvents([])).toBe(0);
			expect(await storage.enqueueWebhookEvent(event("m1"))).toBe(2);
			// m1 again (queued before) and m2 twice: two new events, to both endpoints; the
			// claim only to the endpoint that subscribes to it.
			expect(
				await storage.enqueueWebhookEvents([
					event("m1"),
					event("m2"),
					event("m2"),
					event("m3"),
					event("c1", "mention.claimed"),
				]),
			).toBe(5);
			const queued = async (endpointId: string) =>
				(await storage.listWebhookDeliveries(orgId, { endpointId }))
					.map((d) => ({
						event: d.event,
						payload: d.payload,
						status: d.status,
						at: d.nextAttemptAt,
					}))
					.sort((x, y) => String(x.payload.key).localeCompare(String(y.payload.key)));
			const queuedAs = (key: string, eventName = "mention.high_priority") => ({
				event: eventName,
				payload: { key, nested: { list: [1, "two"] } },
				status: "pending",
				at: now,
			});
			expect(await queued(a.id)).toEqual([queuedAs("m1"), queuedAs("m2"), queuedAs("m3")]);
			expect(await queued(b.id)).toEqual([
				queuedAs("c1", "mention.claimed"),
				queuedAs("m1"),
				queuedAs("m2"),
				queuedAs("m3"),
			]);
			expect(await storage.listWebhookDeliveries(other.orgId)).toEqual([]);
		});

		it("turns claim and markReplied activity into events, once, only after the endpoint exists", async () => {
			const storage = portOf();
			const { orgId, member } = await org(storage);
			const [early, late] = await storage.insertMentions(orgId, "main", [
				newMention({ network: "twitter" }),
				newMention({ network: "twitter" }),
			]);
			const run = (name: "claim" | "markReplied", mentionId: string, at: string) =>
				storage.executeCommand({
					orgId,
					boardId: "main",
					actorId: member.id,
					commandId: randomUUID(),
					command:
						name === "claim"
							? { name, args: { mentionId } }
							: { name, args: { mentionId, url: "https://twitter.com/acme/status/1" } },
					now: at,
				});
			// Before the endpoint: not delivered to it.
			await run("claim", early!.mention.id, new Date(Date.now() - 10 * MINUTE).toISOString());
			const endpoint = await storage.createWebhookEndpoint({
				orgId,
				url: "https://hooks.example/c",
				events: ["mention.claimed", "mention.replied"],
				sealedSecret: "sealed:c",
			});
			const later = new Date(Date.now() + MINUTE).toISOString();
			expect((await run("claim", late!.mention.id, later)).ok).toBe(true);
			expect((await run("markReplied", late!.mention.id, later)).ok).toBe(true);

			const since = new Date(Date.now() - 60 * MINUTE).toISOString();
			const queued = await storage.enqueueActivityEvents(later, since);
			expect(queued).toBeGreaterThanOrEqual(2);
			expect(await storage.enqueueActivityEvents(later, since)).toBe(0);
			const deliveries = await storage.listWebhookDeliveries(orgId, { endpointId: endpoint.id });
			expect(deliveries.map((d) => d.event).sort()).toEqual(["mention.claimed", "mention.replied"]);
			const replied = deliveries.find((d) => d.event === "mention.replied");
			expect(replied?.payload).toMatchObject({
				orgId,
				boardId: "main",
				mentionId: late!.mention.id,
				actorId: member.id,
				action: "markReplied",
				status: "replied",
				mention: { network: "twitter", reply: { url: "https://twitter.com/acme/status/1" } },
			});
		});
	});
}
