/**
 * Outgoing webhooks: an event POSTed as JSON to an organisation's endpoint, signed the
 * same way incoming webhooks are (see signature.ts). Any 2xx is a delivery.
 */
import { defaultConnectorTuning } from "./connector-tuning.ts";
import { defaultOutboundClient, type OutboundClient } from "./outbound.ts";
import { signatureHeaders } from "./signature.ts";
import { describeRemoteError, SourceError } from "./source-error.ts";

export interface WebhookDelivery {
	url: string;
	secret: string;
	/** The event, e.g. `mention.claimed`, sent as `X-Switchboard-Event`. */
	event: string;
	/** The delivery id, sent as `X-Switchboard-Delivery`: the same on every retry. */
	deliveryId: string;
	body: unknown;
	/** @default 10 s */
	timeoutMs?: number;
	now?: Date;
	/** The guarded client the POST goes through. @default public addresses only */
	outbound?: OutboundClient;
}

/** POST the event; throws a SourceError naming the status, timeout or network failure. */
export async function deliverWebhook(delivery: WebhookDelivery): Promise<{ status: number }> {
	const body = JSON.stringify(delivery.body);
	const timeoutMs = delivery.timeoutMs ?? defaultConnectorTuning.timeoutMs;
	const outbound = delivery.outbound ?? defaultOutboundClient();
	outbound.prepare();
	let response: Response;
	try {
		response = await outbound.fetch(delivery.url, {
			method: "POST",
			headers: {
				"content-type": "application/json",
				"user-agent": "Switchboard webhooks",
				"x-switchboard-event": delivery.event,
				"x-switchboard-delivery": delivery.deliveryId,
				...signatureHeaders(delivery.secret, body, delivery.now),
			},
			body,
			redirect: "manual",
			signal: AbortSignal.timeout(timeoutMs),
		});
		await response.body?.cancel();
	} catch (error) {
		throw new SourceError(describeRemoteError(error, "The endpoint", timeoutMs), { cause: error });
	}
	if (response.status < 200 || response.status >= 300) {
		throw new SourceError(`The endpoint answered HTTP ${response.status}.`, {
			status: response.status,
		});
	}
	return { status: response.status };
}
