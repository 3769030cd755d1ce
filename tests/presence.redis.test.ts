/**
 * Presence across two instances: the Redis extension publishes what one instance's clients
 * say, and the other instance's relay passes it on to its sockets.
 */
import { boardDocumentName } from "@switchboard/domain";
import { expect, it } from "vitest";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { connectProvider, waitFor } from "./utils/test-server.ts";
import { twoInstancesForFile } from "./utils/two-instances.ts";

describeOnPostgresAndRedis("presence across two instances", () => {
	const ORG = "presence";
	const board = boardDocumentName(ORG, "main");
	const two = twoInstancesForFile(ORG, [
		["Dana", "ambassador"],
		["Sam", "ambassador"],
	]);

	it("shows a person on one instance to a person on the other", async () => {
		const dana = await connectProvider(two.ws(two.a), board, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), board, two.tokens.Sam!);
		dana.provider.awareness!.setLocalState({ viewing: "mention-1", typing: true });
		const seen = await waitFor(
			() => sam.provider.awareness!.getStates().get(dana.doc.clientID),
			5_000,
			"Dana's presence on the other instance",
		);
		expect(seen).toMatchObject({ viewing: "mention-1", typing: true, user: { name: "Dana" } });
		// Leaving is not checked here: when Dana's socket closes, the other instance keeps
		// her state until it times out (30 s), with or without the relay. Known gap of the
		// Redis path, left for later (bench/findings/03.md).
		dana.destroy();
		sam.destroy();
	});
});
