/**
 * The storage contract: behaviour every Storage must show, on every database it runs on.
 * `storage.pglite.test.ts` and `storage.pg.test.ts` run it; a new implementation or
 * dialect gets the same suite.
 *
 * Each port has its own part (`<port>-contract.ts`), typed by the ports it uses, so a
 * port's promises are read in one place. One storage is opened per suite (PGlite takes
 * seconds to start) and handed to every part; each test makes its own organisation with
 * fresh ids, so tests do not see each other's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogContract } from "./audit-contract.ts";
import { commandArbiterContract } from "./command-arbiter-contract.ts";
import {
	coverageStoreContract,
	reportsContract,
	systemCommandContract,
} from "./coverage-contract.ts";
import { directoryContract } from "./directory-contract.ts";
import { documentLogContract } from "./document-log-contract.ts";
import { historyContract } from "./history-contract.ts";
import {
	replyStoreContract,
	sourceStoreContract,
	webhookStoreContract,
} from "./integration-contract.ts";
import { mentionStoreContract } from "./mention-store-contract.ts";
import { notificationStoreContract, pushDeviceStoreContract } from "./notification-contract.ts";
import { peopleContract } from "./people-contract.ts";
import { rateLimitTableContract } from "./rate-limit-contract.ts";
import { dataRemovalContract } from "./removal-contract.ts";
import { sessionStoreContract } from "./session-store-contract.ts";
import type { Storage } from "./storage.ts";
import { threadStoreContract } from "./thread-store-contract.ts";

/** Define the contract suite for one storage. `open` is called once for the suite. */
export function storageContract(name: string, open: () => Promise<Storage>): void {
	describe(`storage contract: ${name}`, () => {
		let storage: Storage;

		beforeAll(async () => {
			storage = await open();
		});
		afterAll(async () => {
			await storage?.close();
		});
		const storageOf = () => storage;

		directoryContract(storageOf);
		mentionStoreContract(storageOf);
		threadStoreContract(storageOf);
		historyContract(storageOf);
		commandArbiterContract(storageOf);
		documentLogContract(storageOf);

		it("answers ping", async () => {
			await expect(storage.ping()).resolves.toBeUndefined();
		});

		sourceStoreContract(storageOf);
		replyStoreContract(storageOf);
		webhookStoreContract(storageOf);
		coverageStoreContract(storageOf);
		systemCommandContract(storageOf);
		reportsContract(storageOf);
		sessionStoreContract(storageOf);
		notificationStoreContract(storageOf);
		pushDeviceStoreContract(storageOf);
		rateLimitTableContract(storageOf);
		peopleContract(storageOf);
		auditLogContract(storageOf);
		dataRemovalContract(storageOf);
	});
}
