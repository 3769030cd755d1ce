/**
 * Two in-process Switchboard instances sharing one fresh PostgreSQL database and Redis,
 * with an organisation, its board and members. Redis channels are named after documents
 * and documents after the organisation, so each test file passes an organisation of its
 * own: files running at the same time then never see each other's updates.
 */
import type { Role } from "@switchboard/domain";
import { type Switchboard, startSwitchboard } from "@switchboard/server";
import { createTestDatabase, type TestDatabase } from "@switchboard/storage/test-database";
import { pino } from "pino";
import { forFile } from "./for-file.ts";
import { baseConfig, TEST_PASSWORD_HASHING, testStoreTuning } from "./test-server.ts";

export interface TwoInstances {
	database: TestDatabase;
	a: Switchboard;
	b: Switchboard;
	/** Member ids by name. */
	ids: Record<string, string>;
	/** Tokens by member name. */
	tokens: Record<string, string>;
	/** The sync endpoint of an instance. */
	ws(instance: Switchboard): string;
	close(): Promise<void>;
}

export async function startTwoInstances(options: {
	databaseUrl: string;
	redisUrl: string;
	orgId: string;
	members: readonly (readonly [name: string, role: Role])[];
	/** The address the instances reach the fresh database at (a proxy in front of it). */
	route?: (databaseUrl: string) => string;
	/** The deployment's namespace in Redis (`REDIS_PREFIX`). @default none */
	redisPrefix?: string;
}): Promise<TwoInstances> {
	const { orgId } = options;
	const database = await createTestDatabase(options.databaseUrl);
	const logger = pino({ level: "silent" });
	const databaseUrl = options.route ? options.route(database.url) : database.url;
	const config = {
		databaseUrl,
		redisUrl: options.redisUrl,
		...(options.redisPrefix ? { redisPrefix: options.redisPrefix } : {}),
	};
	const started = { logger, store: testStoreTuning, passwordHashing: TEST_PASSWORD_HASHING };
	const a = await startSwitchboard(await baseConfig(config), started);
	const b = await startSwitchboard(await baseConfig(config), started);
	await a.storage.createOrganisation({ id: orgId, name: "Acme" });
	await a.storage.createBoard({ id: "main", orgId, name: "Acme mentions" });
	const ids: Record<string, string> = {};
	const tokens: Record<string, string> = {};
	for (const [name, role] of options.members) {
		const member = await a.storage.createMember({
			orgId,
			email: `${name.toLowerCase()}@${orgId}.test`,
			name,
			role,
			capacity: 3,
			passwordHash: "unused",
		});
		ids[name] = member.id;
		tokens[name] = await a.tokens.sign({ memberId: member.id, orgId, role, name });
	}
	return {
		database,
		a,
		b,
		ids,
		tokens,
		ws: (instance) => `${instance.url.replace("http", "ws")}/sync`,
		async close() {
			await Promise.all([a.close(), b.close()]);
			await database.drop();
		},
	};
}

/**
 * Two instances for one test file on the test environment's PostgreSQL and Redis
 * (`TEST_DATABASE_URL`, `TEST_REDIS_URL`; the file skips itself without them): started
 * before its first test, closed after its last. Its fields are there once the tests run.
 */
export function twoInstancesForFile(
	orgId: string,
	members: Parameters<typeof startTwoInstances>[0]["members"],
): TwoInstances {
	return forFile(() => {
		const { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl } = process.env;
		if (!databaseUrl || !redisUrl)
			throw new Error("TEST_DATABASE_URL and TEST_REDIS_URL are needed");
		return startTwoInstances({ databaseUrl, redisUrl, orgId, members });
	});
}
