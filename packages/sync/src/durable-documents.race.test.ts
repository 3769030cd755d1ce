/**
 * Races in the durable update log, with fast-check's scheduler deciding the order of
 * every storage call (append, load, compaction), of every Redis delivery between two
 * instances, and of the operations themselves: client edits (some whose connection
 * drops before the acknowledgement), loads, stores, unloads, and storage failures.
 *
 * The kinds of bug Hocuspocus' tracker reports: two stores of one document at once
 * (#997), a store or unload racing a load (#382, #893, #971), an unload that drops what a
 * closing connection was still applying. Properties:
 * - at most one compaction of a document in flight per instance;
 * - at any moment, the stored snapshot and log contain every update a client saw
 *   acknowledged (nothing stored is older than what was acknowledged);
 * - once every copy is unloaded (and storage never failed), the log has been merged into
 *   the snapshot completely: no update was applied after its document's last compaction.
 */
import type { Document, Hocuspocus } from "@hocuspocus/server";
import type { DocumentUpdate, Storage, StoredDocument } from "@switchboard/storage";
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { SyncContext } from "./context.ts";
import { DurableDocuments } from "./durable-documents.ts";
import { GroupCommitter } from "./group-commit.ts";

const NAME = "draft/acme/m1";
const UPDATE = 2;
const RUNS = Number(process.env.RACE_RUNS ?? 150);

/** The database: a snapshot and an update log, shared by every instance. */
class StoredState {
	snapshot: Uint8Array | null = null;
	log: { id: number; update: Uint8Array }[] = [];
	nextId = 1;

	toDoc(): Y.Doc {
		const doc = new Y.Doc();
		if (this.snapshot) Y.applyUpdate(doc, this.snapshot);
		for (const entry of this.log) Y.applyUpdate(doc, entry.update);
		return doc;
	}
}

interface Violations {
	concurrentCompactions: number;
	/** Times an acknowledged update was found missing from storage. */
	missingAcknowledged: number;
}

/**
 * The document part of Storage; each call waits for the scheduler, then takes effect at
 * once (a committed transaction) and may fail as an unreachable database does.
 */
function scheduledStorage(
	s: fc.Scheduler,
	state: StoredState,
	label: string,
	fail: () => boolean,
	violations: Violations,
	onCommit: () => void,
): Storage {
	let compacting = 0;
	const step = async <T>(what: string, effect: () => T): Promise<T> => {
		await s.schedule(Promise.resolve(), `${label} ${what}`);
		if (fail()) throw new Error(`${label} ${what}: storage unavailable`);
		const result = effect();
		onCommit();
		return result;
	};
	const storage: Partial<Storage> = {
		appendUpdates: (entries: DocumentUpdate[]) =>
			step("append", () =>
				entries.map(({ update }) => {
					const id = state.nextId++;
					state.log.push({ id, update });
					return id;
				}),
			),
		loadDocument: (_name: string) =>
			step(
				"load",
				(): StoredDocument => ({
					snapshot: state.snapshot,
					updates: state.log.map((entry) => entry.update),
					updateIds: state.log.map((entry) => entry.id),
					lastUpdateId: state.log.at(-1)?.id ?? 0,
				}),
			),
		compactDocument: async (_name, snapshot, includedIds, merge) => {
			compacting += 1;
			if (compacting > 1) violations.concurrentCompactions += 1;
			try {
				await step("compact", () => {
					state.snapshot = state.snapshot && merge ? merge(state.snapshot, snapshot) : snapshot;
					const drop = new Set(includedIds);
					state.log = state.log.filter((entry) => !drop.has(entry.id));
				});
			} finally {
				compacting -= 1;
			}
		},
	};
	return storage as Storage;
}

/** One server instance: its DurableDocuments and, at most, one loaded copy of the draft. */
interface Instance {
	durable: DurableDocuments;
	doc: Y.Doc | null;
	loading: Promise<void> | null;
	unloading: boolean;
	connections: number;
	/** Changed since the last store started (Hocuspocus would have a store pending). */
	dirty: boolean;
}

type Op =
	| { kind: "edit"; instance: number; client: number; drop: boolean }
	| { kind: "store"; instance: number }
	| { kind: "unload"; instance: number }
	| { kind: "load"; instance: number };

const opArbitrary = (instances: number, clients: number): fc.Arbitrary<Op> => {
	const instance = fc.integer({ min: 0, max: instances - 1 });
	return fc.oneof(
		{
			weight: 4,
			arbitrary: fc.record({
				kind: fc.constant("edit" as const),
				instance,
				client: fc.integer({ min: 0, max: clients - 1 }),
				drop: fc.boolean(),
			}),
		},
		{ weight: 2, arbitrary: fc.record({ kind: fc.constant("store" as const), instance }) },
		{ weight: 2, arbitrary: fc.record({ kind: fc.constant("unload" as const), instance }) },
		{ weight: 1, arbitrary: fc.record({ kind: fc.constant("load" as const), instance }) },
	);
};

const context = { closeSocket() {}, remoteAddress: undefined } as unknown as SyncContext;
const logger = pino({ level: "silent" });

async function runScenario(
	s: fc.Scheduler,
	ops: Op[],
	failures: number[],
	instanceCount: number,
): Promise<void> {
	const state = new StoredState();
	const violations: Violations = { concurrentCompactions: 0, missingAcknowledged: 0 };
	let failureIndex = 0;
	const fail = () => (failures[failureIndex++ % failures.length] ?? 1) === 0;
	let failed = false;
	const acked: Uint8Array[] = [];
	const background: Promise<void>[] = [];

	/** Nothing stored may be older than what was acknowledged. */
	const checkStored = () => {
		if (acked.length === 0) return;
		const stored = state.toDoc();
		const snapshot = Y.snapshot(stored);
		// Counted, not thrown: the check runs inside storage calls and hooks that catch.
		for (const update of acked) {
			if (!Y.snapshotContainsUpdate(snapshot, update)) violations.missingAcknowledged += 1;
		}
		stored.destroy();
	};

	const instances: Instance[] = Array.from({ length: instanceCount }, (_, i) => {
		const storage = scheduledStorage(
			s,
			state,
			`i${i}`,
			() => {
				const f = fail();
				if (f) failed = true;
				return f;
			},
			violations,
			checkStored,
		);
		return {
			durable: new DurableDocuments({
				storage,
				committer: new GroupCommitter(storage, { delayMs: 0 }),
				logger,
			}),
			doc: null,
			loading: null,
			unloading: false,
			connections: 0,
			dirty: false,
		};
	});
	const clients = Array.from({ length: 3 }, (_, i) => {
		const doc = new Y.Doc();
		doc.clientID = 1000 + i;
		return { doc, acked: new Y.Doc() };
	});

	const hocuspocusView = (instance: Instance) =>
		({
			documents: new Map(instance.doc ? [[NAME, instance.doc]] : []),
			loadingDocuments: new Map(instance.loading ? [[NAME, instance.loading]] : []),
		}) as unknown as Hocuspocus;

	const load = (instance: Instance): Promise<void> => {
		if (instance.doc) return Promise.resolve();
		instance.loading ??= (async () => {
			const doc = new Y.Doc();
			await instance.durable.onLoadDocument({
				documentName: NAME,
				document: doc as Document,
			} as never);
			instance.doc = doc;
		})().finally(() => {
			instance.loading = null;
		});
		return instance.loading;
	};

	const store = async (instance: Instance) => {
		const doc = instance.doc;
		if (!doc) return;
		instance.dirty = false;
		try {
			await instance.durable.onStoreDocument({ documentName: NAME, document: doc } as never);
		} catch {
			// Hocuspocus keeps the document in memory and stores again later.
			instance.dirty = true;
		}
	};

	const edit = async (instance: Instance, index: number, drop: boolean) => {
		const client = clients[index]!;
		instance.connections += 1;
		let connected = true;
		// Hocuspocus takes a connection off its document as soon as the socket closes,
		// while the messages it already read are still being handled.
		const disconnect = () => {
			if (connected) instance.connections -= 1;
			connected = false;
		};
		try {
			try {
				await load(instance);
			} catch {
				return; // a failed load: the client is refused (4503) and tries again later
			}
			const doc = instance.doc;
			if (!doc) return;
			await instance.durable.beforeHandleMessage({ documentName: NAME } as never);
			try {
				const text = client.doc.getText(`c${index}`);
				if (text.length > 3 && text.length % 3 === 0) text.delete(0, 1);
				else text.insert(text.length, String.fromCharCode(97 + (text.length % 26)));
				// Like a provider's sync step 2: everything the server has not acknowledged.
				const payload = Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(client.acked));
				const logged = instance.durable.beforeSync({
					type: UPDATE,
					payload,
					connection: { readOnly: false },
					documentName: NAME,
					context,
				} as never);
				if (drop) disconnect();
				try {
					await logged;
				} catch {
					return; // closed with 4503: not acknowledged, sent again next time
				}
				// The rest of Hocuspocus' hook chain runs before the update is applied.
				await s.schedule(Promise.resolve(), "apply");
				// Hocuspocus applies the message even when its connection closed meanwhile.
				Y.applyUpdate(doc, payload, { source: "connection" });
				instance.dirty = true;
				// Every change schedules a (debounced) store; it fires whenever the scheduler says.
				background.push(
					s.schedule(Promise.resolve(), "debounced store").then(() => store(instance)),
				);
				if (!drop) {
					acked.push(payload);
					Y.applyUpdate(client.acked, payload);
					checkStored();
				}
				for (const other of instances) {
					if (other === instance) continue;
					// Redis delivers later, in an order the scheduler picks; not logged again.
					void s.schedule(Promise.resolve(), "redis").then(() => {
						if (other.doc) {
							Y.applyUpdate(other.doc, payload, { source: "redis" });
							other.dirty = true;
						}
					});
				}
			} finally {
				await instance.durable.afterHandleMessage({ documentName: NAME } as never);
			}
		} finally {
			disconnect();
		}
	};

	/** Hocuspocus' unload: store, ask the hooks, check again, destroy, tell the hooks. */
	const unload = async (instance: Instance) => {
		if (!instance.doc || instance.unloading || instance.connections > 0) return;
		instance.unloading = true;
		try {
			await store(instance);
			await instance.durable.beforeUnloadDocument({ documentName: NAME } as never);
			if (instance.connections > 0 || instance.dirty || !instance.doc) return;
			const doc = instance.doc;
			instance.doc = null;
			doc.destroy();
			await instance.durable.afterUnloadDocument({
				documentName: NAME,
				instance: hocuspocusView(instance),
			} as never);
		} finally {
			instance.unloading = false;
		}
	};

	const run = (op: Op): Promise<void> => {
		const instance = instances[op.instance]!;
		switch (op.kind) {
			case "edit":
				return edit(instance, op.client, op.drop);
			case "store":
				return store(instance);
			case "unload":
				return unload(instance);
			case "load":
				return load(instance).catch(() => undefined);
		}
	};

	// Every operation starts when the scheduler says so, all of them concurrently.
	const all = Promise.all(ops.map((op) => s.schedule(Promise.resolve(op), op.kind).then(run)));
	await s.waitFor(all);
	await s.waitFor(Promise.all(background));
	await s.waitIdle();
	checkStored();
	expect(violations).toEqual({ concurrentCompactions: 0, missingAcknowledged: 0 });

	// Quiesce: storage works again; every instance stores and unloads until nothing is left.
	failures.length = 0;
	failures.push(1);
	for (let round = 0; round < 5 && instances.some((i) => i.doc); round++) {
		const done = Promise.all(instances.map((instance) => unload(instance)));
		await s.waitFor(done);
		await s.waitIdle();
	}
	expect(instances.every((instance) => instance.doc === null)).toBe(true);
	checkStored();
	expect(violations).toEqual({ concurrentCompactions: 0, missingAcknowledged: 0 });
	if (!failed) {
		expect(state.log.map((entry) => entry.id)).toEqual([]);
	}
	// What each client saw acknowledged is in what a fresh load reads.
	const reloaded = state.toDoc();
	const snapshot = Y.snapshot(reloaded);
	for (const client of clients) {
		expect(Y.snapshotContainsUpdate(snapshot, Y.encodeStateAsUpdate(client.acked))).toBe(true);
	}
}

describe("DurableDocuments under scheduled races", () => {
	it("one instance: edits, stores, unloads, loads and dropped connections in any order", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.scheduler(),
				fc.array(opArbitrary(1, 3), { minLength: 1, maxLength: 25 }),
				async (s, ops) => runScenario(s, ops, [1], 1),
			),
			{ numRuns: RUNS },
		);
	});

	it("two instances with Redis delays and storage failures", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.scheduler(),
				fc.array(opArbitrary(2, 3), { minLength: 1, maxLength: 25 }),
				fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 20 }),
				async (s, ops, failures) => runScenario(s, ops, failures, 2),
			),
			{ numRuns: RUNS },
		);
	});
});
