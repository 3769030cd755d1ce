import { type CommandInput, PROTOCOL_VERSION } from "@switchboard/domain";
import { describe, expect, it, vi } from "vitest";
import type { CommandResult } from "./api.ts";
import type { CommandAnswer } from "./command-channel.ts";
import {
	CommandQueue,
	type CommandQueueOptions,
	commandId,
	MemoryQueueStore,
	type QueuedCommand,
	type QueueStore,
	UNSTAMPED_VERSION,
} from "./command-queue.ts";

/** A transport whose answers the test gives, one send at a time. */
class FakeTransport {
	readonly sent: { id: string; command: CommandInput; version: number }[] = [];
	readonly #waiting: ((answer: CommandAnswer | null) => void)[] = [];
	storedAtSend: number[] = [];
	store: QueueStore | null = null;

	send(id: string, command: CommandInput, version: number): Promise<CommandAnswer | null> {
		this.sent.push({ id, command, version });
		void this.store?.load().then((stored) => this.storedAtSend.push(stored.length));
		return new Promise((resolve) => this.#waiting.push(resolve));
	}

	get inFlight(): number {
		return this.#waiting.length;
	}

	/** Answer the oldest send: ack, a reject, or null (the connection dropped). */
	answer(answer: "ack" | "lost" | { code: "unavailable" | "already_claimed"; message: string }) {
		const resolve = this.#waiting.shift();
		if (!resolve) throw new Error("nothing in flight");
		const id = this.sent[this.sent.length - 1]!.id;
		if (answer === "ack") resolve({ type: "ack", id });
		else if (answer === "lost") resolve(null);
		else resolve({ type: "reject", id, ...answer });
	}
}

const claim = (mentionId: string): CommandInput => ({ name: "claim", args: { mentionId } });

/** Let promise chains and the store's async steps run until `check` holds. */
async function waitUntil(check: () => boolean): Promise<void> {
	while (!check()) await tick();
}

/** A store holding what an earlier page load left in it, put in this order. */
async function storeWith(...commands: QueuedCommand[]): Promise<MemoryQueueStore> {
	const store = new MemoryQueueStore();
	for (const command of commands) await store.put(command);
	return store;
}

/** Let promise chains and the store's async steps run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(
	overrides: Partial<CommandQueueOptions> = {},
	store: QueueStore = new MemoryQueueStore(),
) {
	const transport = new FakeTransport();
	transport.store = store;
	const answers: CommandResult[] = [];
	const queue = new CommandQueue({
		store,
		transport,
		onAnswer: (result) => answers.push(result),
		retryDelay: () => 1_000,
		...overrides,
	});
	return { queue, transport, store, answers };
}

describe("CommandQueue", () => {
	it("sends in order, one at a time, each after the previous answer", async () => {
		const { queue, transport } = setup();
		queue.setOnline(true);
		const first = queue.enqueue(claim("m1"));
		const second = queue.enqueue(claim("m2"));
		await tick();
		expect(transport.sent.map((s) => s.command)).toEqual([claim("m1")]);
		expect(queue.pending().map((p) => p.command)).toEqual([claim("m1"), claim("m2")]);

		transport.answer("ack");
		expect(await first).toMatchObject({ ok: true });
		await tick();
		expect(transport.sent.map((s) => s.command)).toEqual([claim("m1"), claim("m2")]);
		expect(queue.pending().map((p) => p.command)).toEqual([claim("m2")]);

		transport.answer({ code: "already_claimed", message: "Already claimed by Dana." });
		expect(await second).toMatchObject({
			ok: false,
			reject: { code: "already_claimed" },
			explanation: "Already claimed by Dana.",
		});
		expect(queue.pending()).toEqual([]);
	});

	it("says which command a refusal answers, and whether it waited through a disconnection", async () => {
		const { queue, transport } = setup();
		queue.setOnline(true);
		const online = queue.enqueue(claim("m1"));
		await tick();
		transport.answer({ code: "already_claimed", message: "Already claimed by Dana." });
		expect(await online).toMatchObject({ ok: false, command: claim("m1"), madeOffline: false });

		queue.setOnline(false);
		const offline = queue.enqueue(claim("m2"));
		queue.setOnline(true);
		await tick();
		transport.answer({ code: "already_claimed", message: "Already claimed by Kim." });
		expect(await offline).toMatchObject({ ok: false, command: claim("m2"), madeOffline: true });

		// Made online, but the connection dropped before its answer.
		const interrupted = queue.enqueue(claim("m3"));
		await tick();
		queue.setOnline(false);
		queue.setOnline(true);
		await tick();
		transport.answer({ code: "already_claimed", message: "Already claimed by Sam." });
		expect(await interrupted).toMatchObject({ madeOffline: true });
	});

	it("stores a command before sending it, and forgets it after its answer", async () => {
		const { queue, transport, store } = setup();
		queue.setOnline(true);
		const answer = queue.enqueue(claim("m1"));
		await tick();
		expect(transport.storedAtSend).toEqual([1]);
		transport.answer("ack");
		await answer;
		await tick();
		expect(await store.load()).toEqual([]);
	});

	it("keeps commands while offline and sends them on reconnect", async () => {
		const { queue, transport } = setup();
		const answer = queue.enqueue(claim("m1"));
		await tick();
		expect(transport.sent).toEqual([]);
		expect(queue.pending()).toHaveLength(1);
		queue.setOnline(true);
		await tick();
		expect(transport.sent).toHaveLength(1);
		transport.answer("ack");
		expect(await answer).toMatchObject({ ok: true });
	});

	it("sends a command again, with the same id, when its answer was lost to a disconnect", async () => {
		const { queue, transport } = setup();
		queue.setOnline(true);
		const answer = queue.enqueue(claim("m1"));
		queue.enqueue(claim("m2"));
		await tick();
		queue.setOnline(false);
		transport.answer("lost");
		await tick();
		expect(transport.sent).toHaveLength(1);
		expect(queue.pending()).toHaveLength(2);

		queue.setOnline(true);
		await tick();
		expect(transport.sent).toHaveLength(2);
		expect(transport.sent[1]!.id).toBe(transport.sent[0]!.id);
		transport.answer("ack");
		expect(await answer).toMatchObject({ ok: true, id: transport.sent[0]!.id });
	});

	it("resends at once when the connection came back while the answer was awaited", async () => {
		const { queue, transport } = setup();
		queue.setOnline(true);
		queue.enqueue(claim("m1"));
		await tick();
		queue.setOnline(false);
		queue.setOnline(true);
		transport.answer("lost");
		await tick();
		expect(transport.sent).toHaveLength(2);
	});

	it("keeps an `unavailable` command queued, blocks those after it, and retries after a pause", async () => {
		vi.useFakeTimers();
		try {
			const delays: number[] = [];
			const { queue, transport, answers } = setup({
				retryDelay: (attempt) => {
					delays.push(attempt);
					return 1_000 * attempt;
				},
			});
			queue.setOnline(true);
			const first = queue.enqueue(claim("m1"));
			queue.enqueue(claim("m2"));
			await vi.advanceTimersByTimeAsync(0);
			transport.answer({ code: "unavailable", message: "later" });
			await vi.advanceTimersByTimeAsync(0);
			expect(queue.pending()).toHaveLength(2);
			expect(answers).toEqual([]);
			expect(transport.sent).toHaveLength(1);

			await vi.advanceTimersByTimeAsync(999);
			expect(transport.sent).toHaveLength(1);
			await vi.advanceTimersByTimeAsync(1);
			expect(transport.sent).toHaveLength(2);
			expect(transport.sent[1]!.id).toBe(transport.sent[0]!.id);
			transport.answer({ code: "unavailable", message: "later" });
			await vi.advanceTimersByTimeAsync(1_999);
			expect(transport.sent).toHaveLength(2);
			await vi.advanceTimersByTimeAsync(1);
			transport.answer("ack");
			expect(await first).toMatchObject({ ok: true });
			expect(delays).toEqual([1, 2]);
			await vi.advanceTimersByTimeAsync(0);
			expect(transport.sent[3]?.command).toEqual(claim("m2"));
		} finally {
			vi.useRealTimers();
		}
	});

	it("resumes commands stored by an earlier page load first, and reports their answers", async () => {
		const store = await storeWith(
			{ id: "b", command: claim("m2"), createdAt: "2026-01-05T09:00:02.000Z", seq: 2 },
			{ id: "a", command: claim("m1"), createdAt: "2026-01-05T09:00:01.000Z", seq: 1 },
		);
		const { queue, transport, answers } = setup({}, store);
		// Made before the stored ones were read: still after them.
		const fresh = queue.enqueue(claim("m3"));
		await queue.whenLoaded();
		expect(queue.pending().map((p) => p.id)).toEqual(["a", "b", expect.any(String)]);
		queue.setOnline(true);
		await tick();
		transport.answer({ code: "already_claimed", message: "Already claimed by Sam." });
		await tick();
		transport.answer("ack");
		await tick();
		transport.answer("ack");
		await fresh;
		expect(transport.sent.map((s) => s.command)).toEqual([claim("m1"), claim("m2"), claim("m3")]);
		expect(answers).toMatchObject([
			{ ok: false, id: "a", explanation: "Already claimed by Sam." },
			{ ok: true, id: "b" },
			{ ok: true },
		]);
	});

	it("sends a stored command with the protocol version it was made under, new ones with today's", async () => {
		// Queued offline by a release that spoke version 1, and one stored before the stamp existed.
		const store = await storeWith(
			{ id: "a", command: claim("m1"), createdAt: "2026-01-05T09:00:01.000Z", seq: 1, v: 1 },
			{ id: "b", command: claim("m2"), createdAt: "2026-01-05T09:00:02.000Z", seq: 2 },
		);
		const { queue, transport } = setup({}, store);
		const fresh = queue.enqueue(claim("m3"));
		queue.setOnline(true);
		for (let i = 0; i < 3; i++) {
			await waitUntil(() => transport.inFlight === 1);
			transport.answer("ack");
		}
		await fresh;
		expect(transport.sent.map((s) => [s.id.length > 1 ? "new" : s.id, s.version])).toEqual([
			["a", 1],
			["b", UNSTAMPED_VERSION],
			["new", PROTOCOL_VERSION],
		]);
		expect(await store.load()).toEqual([]);
	});

	it("numbers new commands after those of the earlier page load", async () => {
		const store = await storeWith({
			id: "a",
			command: claim("m1"),
			createdAt: "2026-01-05T09:00:01.000Z",
			seq: 7,
		});
		const { queue } = setup({}, store);
		queue.enqueue(claim("m2"));
		await queue.whenLoaded();
		await tick();
		const stored = await store.load();
		expect(stored.map((c) => c.seq).sort()).toEqual([7, 8]);
	});

	it("still sends from memory when the store cannot be written, and reports the failure", async () => {
		const failing: QueueStore = {
			load: async () => [],
			put: async () => {
				throw new Error("QuotaExceededError");
			},
			delete: async () => {},
		};
		const errors: unknown[] = [];
		const { queue, transport } = setup({ onError: (error) => errors.push(error) }, failing);
		queue.setOnline(true);
		const answer = queue.enqueue(claim("m1"));
		await tick();
		transport.answer("ack");
		expect(await answer).toMatchObject({ ok: true });
		expect(errors).toHaveLength(1);
	});

	it("stops sending when destroyed, and keeps what is stored", async () => {
		const { queue, transport, store } = setup();
		queue.enqueue(claim("m1"));
		queue.destroy();
		queue.setOnline(true);
		await tick();
		expect(transport.sent).toEqual([]);
		expect(await store.load()).toHaveLength(1);
	});
});

describe("commandId", () => {
	const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

	it("makes v4 UUIDs, also where crypto.randomUUID is missing (plain http)", () => {
		expect(commandId()).toMatch(UUID_V4);
		// An own property shadowing the prototype's method; deleting it restores the method.
		Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
		try {
			const ids = Array.from({ length: 100 }, () => commandId());
			for (const id of ids) expect(id).toMatch(UUID_V4);
			expect(new Set(ids).size).toBe(100);
		} finally {
			Reflect.deleteProperty(crypto, "randomUUID");
		}
		expect(typeof crypto.randomUUID).toBe("function");
	});
});
