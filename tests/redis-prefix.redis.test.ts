/**
 * A deployment's namespace in Redis (`REDIS_PREFIX`, apps/server redis-names.ts): two
 * deployments on one Redis share no channel and no key, so one's board updates never reach
 * the other's sockets (document names repeat across deployments) and their rate-limit
 * counts never add up. Checked on the Redis server itself: every channel the instances
 * listen on and every counter they write is in the namespace, and the instances of the
 * deployment still meet there.
 */
import { boardDocumentName, readMention } from "@switchboard/domain";
import { expect, it } from "vitest";
import { forFile } from "./utils/for-file.ts";
import { describeOnPostgresAndRedis } from "./utils/postgres-and-redis.ts";
import { connectProvider, makeMention, waitFor } from "./utils/test-server.ts";
import { startTwoInstances } from "./utils/two-instances.ts";

const ORG = "redis-prefix";
const PREFIX = `prefix-test-${Math.random().toString(36).slice(2, 10)}`;
const BOARD = boardDocumentName(ORG, "main");

/** The commands of the Redis connection the instance's document exchange publishes on. */
interface RedisCalls {
	call(command: string, ...args: string[]): Promise<unknown>;
}

describeOnPostgresAndRedis("a deployment's namespace in Redis (REDIS_PREFIX)", (urls) => {
	const two = forFile(() =>
		startTwoInstances({
			...urls,
			orgId: ORG,
			redisPrefix: PREFIX,
			members: [
				["Dana", "ambassador"],
				["Sam", "ambassador"],
			],
		}),
	);

	function redisOf(): RedisCalls {
		const extension = two.a.hocuspocus.configuration.extensions.find((e) => "pub" in e);
		if (!extension) throw new Error("instance a runs without the Redis extension");
		return (extension as unknown as { pub: RedisCalls }).pub;
	}

	it("keeps every channel and counter in the namespace, and the instances still meet there", async () => {
		const [stored] = await two.a.storage.insertMentions(ORG, "main", [makeMention(1)]);
		const mentionId = stored!.mention.id;
		const dana = await connectProvider(two.ws(two.a), BOARD, two.tokens.Dana!);
		const sam = await connectProvider(two.ws(two.b), BOARD, two.tokens.Sam!);
		try {
			expect(await dana.commands.send({ name: "claim", args: { mentionId } })).toMatchObject({
				type: "ack",
			});
			await waitFor(
				() => readMention(sam.doc, mentionId)?.owner?.memberId !== undefined,
				10_000,
				"the claim on instance b, through Redis",
			);
			const redis = redisOf();
			const channels = (await redis.call("PUBSUB", "CHANNELS", `${PREFIX}:*`)) as string[];
			expect(channels).toEqual(
				expect.arrayContaining([
					`${PREFIX}:hocuspocus:${BOARD}`,
					`${PREFIX}:switchboard:revocations`,
					`${PREFIX}:switchboard:notifications`,
				]),
			);
			// The board's channel without the namespace has no listener: another deployment
			// publishing there (same organisation id, no prefix) reaches nobody here.
			expect(await redis.call("PUBSUB", "NUMSUB", `hocuspocus:${BOARD}`)).toEqual([
				`hocuspocus:${BOARD}`,
				0,
			]);
			// The sockets' upgrades were counted against their address, in the namespace.
			const counters = (await redis.call("KEYS", `${PREFIX}:switchboard:rate:*`)) as string[];
			expect(counters.length).toBeGreaterThan(0);
		} finally {
			dana.destroy();
			sam.destroy();
		}
	});
});
