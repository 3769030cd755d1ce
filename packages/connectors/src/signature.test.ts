import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { signatureHeaders, signBody, verifySignature } from "./signature.ts";
import { type StandInServer, standInOutbound, startStandIn } from "./stand-in-server.ts";
import { deliverWebhook } from "./webhook-delivery.ts";

const secret = "whsec_test";
const body = '{"externalId":"1"}';
const now = new Date("2026-11-26T10:00:00.000Z");
const ts = Math.floor(now.getTime() / 1000);

describe("signatures", () => {
	it("is the HMAC-SHA256 of `timestamp.body`, hex, prefixed sha256=", () => {
		const expected = createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex");
		expect(signBody(secret, ts, body)).toBe(`sha256=${expected}`);
		expect(signatureHeaders(secret, body, now)).toEqual({
			"x-switchboard-timestamp": String(ts),
			"x-switchboard-signature": `sha256=${expected}`,
		});
	});

	it("accepts a fresh, matching signature", () => {
		const signature = signBody(secret, ts - 299, body);
		expect(
			verifySignature({ secret, rawBody: body, signature, timestamp: String(ts - 299), now }),
		).toEqual({
			ok: true,
		});
	});

	it("refuses a missing header, a changed body, another secret and a stale or future timestamp", () => {
		const signature = signBody(secret, ts, body);
		const check = (overrides: Partial<Parameters<typeof verifySignature>[0]>) =>
			verifySignature({
				secret,
				rawBody: body,
				signature,
				timestamp: String(ts),
				now,
				...overrides,
			});
		expect(check({ signature: undefined })).toMatchObject({ ok: false, reason: "missing" });
		expect(check({ timestamp: "soon" })).toMatchObject({ ok: false, reason: "missing" });
		expect(check({ rawBody: `${body} ` })).toMatchObject({ ok: false, reason: "mismatch" });
		expect(check({ secret: "other" })).toMatchObject({ ok: false, reason: "mismatch" });
		expect(check({ signature: "sha256=00" })).toMatchObject({ ok: false, reason: "mismatch" });
		// A captured request replayed six minutes later, even with its valid signature.
		const old = signBody(secret, ts - 360, body);
		expect(check({ signature: old, timestamp: String(ts - 360) })).toMatchObject({
			ok: false,
			reason: "stale",
		});
		const future = signBody(secret, ts + 360, body);
		expect(check({ signature: future, timestamp: String(ts + 360) })).toMatchObject({
			ok: false,
			reason: "stale",
		});
	});
});

describe("deliverWebhook", () => {
	let receiver: StandInServer | undefined;
	afterEach(async () => {
		await receiver?.close();
	});

	it("posts the signed event and fails on a non-2xx answer", async () => {
		let status = 500;
		receiver = await startStandIn((_request, response) => {
			response.writeHead(status);
			response.end();
		});
		const delivery = {
			url: `${receiver.url}/hook`,
			secret,
			event: "mention.claimed",
			deliveryId: "d1",
			body: { hello: "world" },
			outbound: standInOutbound(),
		};
		await expect(deliverWebhook(delivery)).rejects.toThrow("The endpoint answered HTTP 500.");
		status = 204;
		await expect(deliverWebhook(delivery)).resolves.toEqual({ status: 204 });
		const request = receiver.requests[1]!;
		expect(request.headers).toMatchObject({
			"content-type": "application/json",
			"x-switchboard-event": "mention.claimed",
			"x-switchboard-delivery": "d1",
		});
		expect(
			verifySignature({
				secret,
				rawBody: request.body,
				signature: request.headers["x-switchboard-signature"] as string,
				timestamp: request.headers["x-switchboard-timestamp"] as string,
			}),
		).toEqual({ ok: true });
	});
});
