/**
 * Hocuspocus' Redis extension after Redis comes back. The extension (4.7.0) tells other
 * instances about a change by publishing a sync step 1, which each peer answers with what
 * the publisher lacks; publishes made while Redis is away wait in ioredis' offline queue, and
 * after 20 reconnect attempts (about 10 s of outage) they are dropped. Nothing else makes two
 * instances compare documents again, so their clients never converged after a longer outage
 * (tests/redis-outage.redis.test.ts, 12 s: each side kept only its own edits). So: when the
 * subscriber is back (and, after a PING on the same connection, resubscribed to its
 * channels), publish a sync step 1 for every loaded document; every instance does the same,
 * and each gets what it missed.
 *
 * Relies on: the extension's public `pub`, `sub` and `instance` fields, and its private
 * `publishFirstSyncStep(documentName, document)` (Redis.ts, 4.7.0), checked at start.
 * Also gives both connections an `error` listener, so an outage is logged once through the
 * server's logger instead of ioredis printing "Unhandled error event" on every retry.
 */
import type { Redis } from "@hocuspocus/extension-redis";
import type { Document } from "@hocuspocus/server";
import type { Logger } from "pino";

/** The private method this relies on, as seen from outside. */
type FirstSyncStep = (documentName: string, document: Document) => Promise<unknown>;

export function resyncAfterOutage(extension: Redis, logger: Logger): void {
	const publish = (extension as unknown as { publishFirstSyncStep?: FirstSyncStep })
		.publishFirstSyncStep;
	if (typeof publish !== "function") {
		throw new Error("@hocuspocus/extension-redis changed: publishFirstSyncStep is gone");
	}
	let down = false;
	for (const client of [extension.pub, extension.sub]) {
		client.on("error", (error: Error) => {
			if (down) return;
			down = true;
			logger.warn(
				{ err: error },
				"Redis unreachable: instances do not exchange updates until it is back",
			);
		});
	}
	extension.sub.on("ready", () => {
		if (!down) return;
		down = false;
		// The PING is answered after the resubscriptions sent before it on this connection.
		extension.sub
			.ping()
			.then(async () => {
				const documents = [...(extension.instance?.documents ?? new Map()).entries()];
				await Promise.all(
					documents.map(([name, document]) => publish.call(extension, name, document)),
				);
				logger.info(
					{ documents: documents.length },
					"Redis is back: documents compared with the other instances",
				);
			})
			.catch((error: unknown) =>
				logger.warn({ err: error }, "Redis is back but the resync failed"),
			);
	});
}
