import { afterEach, describe, expect, it, vi } from "vitest";
import { createPeriodicTask, oneAfterAnother } from "./periodic-task.ts";

afterEach(() => {
	vi.useRealTimers();
});

/** A round that runs until the test lets it finish. */
function controlledRounds() {
	const finish: (() => void)[] = [];
	let started = 0;
	return {
		round: () => {
			started += 1;
			return new Promise<void>((resolve) => finish.push(resolve));
		},
		finishAll: () => {
			for (const done of finish.splice(0)) done();
		},
		get started() {
			return started;
		},
	};
}

/** A task ticking every second (fake timers) whose first round has started and not finished. */
async function firstTickRunning() {
	vi.useFakeTimers();
	const rounds = controlledRounds();
	const task = createPeriodicTask({ intervalMs: 1_000, round: rounds.round, onError: () => {} });
	task.start();
	await vi.advanceTimersByTimeAsync(1_000);
	return { rounds, task };
}

describe("createPeriodicTask", () => {
	it("runs a round each tick, but never two at once", async () => {
		const { rounds, task } = await firstTickRunning();
		expect(rounds.started).toBe(1);
		// The first round is still running: these ticks are skipped.
		await vi.advanceTimersByTimeAsync(3_000);
		expect(rounds.started).toBe(1);
		rounds.finishAll();
		await vi.advanceTimersByTimeAsync(1_000);
		expect(rounds.started).toBe(2);
		rounds.finishAll();
		await task.stop();
	});

	it("runs the first round as it starts when asked to, then every tick", async () => {
		vi.useFakeTimers();
		const rounds = controlledRounds();
		const task = createPeriodicTask({
			intervalMs: 60_000,
			round: rounds.round,
			onError: () => {},
			firstRoundAtStart: true,
		});
		task.start();
		expect(rounds.started).toBe(1);
		rounds.finishAll();
		await vi.advanceTimersByTimeAsync(60_000);
		expect(rounds.started).toBe(2);
		rounds.finishAll();
		await task.stop();
	});

	it("joins the round in progress when asked to run now", async () => {
		const rounds = controlledRounds();
		const task = createPeriodicTask({ intervalMs: 60_000, round: rounds.round, onError: () => {} });
		const first = task.runNow();
		const second = task.runNow();
		expect(rounds.started).toBe(1);
		rounds.finishAll();
		await Promise.all([first, second]);
		// Once it is over, the next call starts a round of its own.
		const third = task.runNow();
		expect(rounds.started).toBe(2);
		rounds.finishAll();
		await third;
	});

	it("reports a failed round and tries again on the next tick", async () => {
		vi.useFakeTimers();
		const errors: unknown[] = [];
		let calls = 0;
		const task = createPeriodicTask({
			intervalMs: 1_000,
			round: async () => {
				calls += 1;
				if (calls === 1) throw new Error("the database is down");
			},
			onError: (error) => errors.push(error),
		});
		task.start();
		await vi.advanceTimersByTimeAsync(2_000);
		expect(calls).toBe(2);
		expect(errors).toHaveLength(1);
		await task.stop();
	});

	it("stops ticking, after waiting for the round in progress", async () => {
		const { rounds, task } = await firstTickRunning();
		let stopped = false;
		const stopping = task.stop().then(() => {
			stopped = true;
		});
		await vi.advanceTimersByTimeAsync(0);
		expect(stopped).toBe(false);
		rounds.finishAll();
		await stopping;
		await vi.advanceTimersByTimeAsync(5_000);
		expect(rounds.started).toBe(1);
	});
});

describe("oneAfterAnother", () => {
	it("runs a call only after the one before has settled, each with its own arguments", async () => {
		const order: string[] = [];
		const gates = new Map<string, () => void>();
		const work = oneAfterAnother(async (name: string) => {
			order.push(`start ${name}`);
			await new Promise<void>((resolve) => gates.set(name, resolve));
			order.push(`end ${name}`);
			if (name === "first") throw new Error("first failed");
			return name;
		});
		const first = work.run("first");
		const second = work.run("second");
		let idle = false;
		const idling = work.idle().then(() => {
			idle = true;
		});
		await vi.waitFor(() => expect(gates.has("first")).toBe(true));
		expect(order).toEqual(["start first"]);
		gates.get("first")?.();
		await expect(first).rejects.toThrow("first failed");
		await vi.waitFor(() => expect(gates.has("second")).toBe(true));
		expect(idle).toBe(false);
		gates.get("second")?.();
		expect(await second).toBe("second");
		await idling;
		expect(order).toEqual(["start first", "end first", "start second", "end second"]);
	});
});
