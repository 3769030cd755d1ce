/**
 * The webhook route's record of each source's deliveries on a real (embedded) database,
 * with the route's clock in the test's hands: what a refusal records and how often.
 */
import { signatureHeaders } from "@switchboard/connectors";
import type { Storage } from "@switchboard/storage";
import { embeddedStorageForTests } from "@switchboard/storage/test-template";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createIncomingWebhookRoutes } from "./incoming-webhook.ts";
import { Ingestor } from "./ingest.ts";
import { createSecretBox } from "./secret-box.ts";
import { WebhookDeliveryLog } from "./webhook-deliveries.ts";

const logger = pino({ level: "silent" });
const WINDOW_MS = 10_000;
let orgs = 0;

describe("incoming webhook deliveries", () => {
	const embedded = embeddedStorageForTests();

	/** A webhook source and the route over it, with a clock the test moves and writes counted. */
	async function setUp() {
		const storage = embedded();
		const orgId = `webhook-${++orgs}`;
		await storage.createOrganisation({ id: orgId, name: "Acme" });
		await storage.createBoard({ id: "main", orgId, name: "Main" });
		const secrets = createSecretBox("a server secret for the webhook tests");
		const secret = "whsec_test";
		const source = await storage.createSource({
			orgId,
			boardId: "main",
			kind: "webhook",
			name: "Forum bridge",
			config: {},
			sealedSecret: secrets.seal(secret),
		});
		const clock = { now: new Date("2030-01-01T00:00:00.000Z") };
		const writes: string[] = [];
		const store: Pick<Storage, "recordWebhookDelivery" | "recordWebhookRefusal"> = {
			recordWebhookDelivery: (...args) => {
				writes.push(`delivery ${args[1]}`);
				return storage.recordWebhookDelivery(...args);
			},
			recordWebhookRefusal: (...args) => {
				writes.push(`refusal ${args[1]}`);
				return storage.recordWebhookRefusal(...args);
			},
		};
		const app = createIncomingWebhookRoutes({
			storage,
			ingestor: new Ingestor({ storage, publisher: null, logger }),
			secrets,
			now: () => clock.now,
			deliveries: new WebhookDeliveryLog({ store, logger, config: { windowMs: WINDOW_MS } }),
		});
		const post = (body: string, headers: Record<string, string>, id = source.id) =>
			app.request(`/api/orgs/${orgId}/sources/${id}/webhook`, {
				method: "POST",
				headers: { "content-type": "application/json", ...headers },
				body,
			});
		const status = async () => (await storage.getSource(orgId, source.id))?.status;
		const later = (ms: number) => {
			clock.now = new Date(clock.now.getTime() + ms);
		};
		return { source, secret, clock, writes, post, status, later };
	}

	const mention = (externalId: string) =>
		JSON.stringify({
			network: "other",
			externalId,
			url: `https://forum.example/t/${externalId}`,
			author: { handle: "jo" },
			text: "Hello @acme",
			postedAt: "2029-12-31T23:00:00.000Z",
		});

	it("records a refusal's reason in words, and an accepted delivery after it", async () => {
		const { secret, clock, post, status, later } = await setUp();
		const body = mention("m1");
		// Signed nine minutes ago: a sender whose clock is behind.
		const skewed = signatureHeaders(secret, body, new Date(clock.now.getTime() - 9 * 60_000));
		expect((await post(body, skewed)).status).toBe(401);
		expect(await status()).toMatchObject({
			lastDeliveryAt: null,
			lastRefusal: {
				at: clock.now.toISOString(),
				reason: "stale_timestamp",
				message: "The timestamp was 9 minutes old; the limit is 5 minutes.",
			},
		});

		// Within the refusal's window, a delivery that works is recorded all the same.
		later(1_000);
		expect((await post(body, signatureHeaders(secret, body, clock.now))).status).toBe(202);
		expect((await status())?.lastDeliveryAt).toBe(clock.now.toISOString());

		later(WINDOW_MS);
		expect((await post(body, signatureHeaders("whsec_wrong", body, clock.now))).status).toBe(401);
		expect((await status())?.lastRefusal).toEqual({
			at: clock.now.toISOString(),
			reason: "bad_signature",
			message: "The signature did not match the source's secret.",
		});
	});

	it("writes a burst of refusals once per window, and nothing for an unknown source", async () => {
		const { source, writes, post, later, status } = await setUp();
		const body = mention("m2");
		for (let i = 0; i < 5; i++) {
			expect((await post(body, {})).status).toBe(401);
			later(1_000);
		}
		expect(writes).toEqual([`refusal ${source.id}`]);
		expect((await status())?.lastRefusal?.message).toBe(
			"The request was not signed: X-Switchboard-Signature and X-Switchboard-Timestamp are required.",
		);
		later(WINDOW_MS);
		expect((await post(body, {})).status).toBe(401);
		expect(writes).toEqual([`refusal ${source.id}`, `refusal ${source.id}`]);

		expect((await post(body, {}, "no-such-source")).status).toBe(404);
		expect(writes).toHaveLength(2);
	});
});
