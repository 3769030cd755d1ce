/**
 * Group commit by key: callers that arrive while their key's statement is under way share
 * the next one, which starts after they arrived, so none gets an answer older than its
 * arrival (the webhook route reads its source this way: a source disabled or given a new
 * secret is seen by every request that arrives after the change).
 */
import { describe, expect, it } from "vitest";
import { type Joined, KeyedGroups } from "./keyed-groups.ts";

/** A value read with a delay, as from a database; `reads` counts the statements. */
function slowValue(initial: string) {
	const state = { value: initial, reads: 0 };
	const read = async () => {
		state.reads++;
		const value = state.value;
		await new Promise((resolve) => setTimeout(resolve, 5));
		return value;
	};
	return { state, read };
}

const values = (joined: Joined<string>[]) =>
	joined.map((entry) => (entry.ok ? entry.value : "failed"));

describe("keyed groups", () => {
	it("runs a lone caller at once, and those that arrive meanwhile as one", async () => {
		const { state, read } = slowValue("v1");
		const groups = new KeyedGroups<string>();
		const joined = await Promise.all(Array.from({ length: 8 }, () => groups.join("s", read)));
		expect(state.reads).toBe(2);
		expect(values(joined)).toEqual(Array(8).fill("v1"));
		expect(joined.map((entry) => (entry.ok ? [entry.index, entry.size] : null))).toEqual([
			[0, 1],
			...Array.from({ length: 7 }, (_, i) => [i, 7]),
		]);
	});

	it("never answers a caller with a read that started before it arrived", async () => {
		const { state, read } = slowValue("enabled");
		const groups = new KeyedGroups<string>();
		const first = groups.join("s", read);
		// Changed while the first read is under way: the first may see either, a caller that
		// arrives after the change sees it.
		state.value = "disabled";
		const later = groups.join("s", read);
		expect(values(await Promise.all([first, later]))).toEqual(["enabled", "disabled"]);
	});

	it("does not hold one key's callers behind another's", async () => {
		const groups = new KeyedGroups<string>();
		const order: string[] = [];
		const run = (key: string, ms: number) => async () => {
			await new Promise((resolve) => setTimeout(resolve, ms));
			order.push(key);
			return key;
		};
		await Promise.all([groups.join("slow", run("slow", 30)), groups.join("fast", run("fast", 1))]);
		expect(order).toEqual(["fast", "slow"]);
	});

	it("fails a group whose statement fails, and runs the next group anyway", async () => {
		let calls = 0;
		const groups = new KeyedGroups<string>();
		const run = async () => {
			calls++;
			await new Promise((resolve) => setTimeout(resolve, 1));
			if (calls === 1) throw new Error("the database did not answer");
			return "ok";
		};
		const joined = await Promise.all([
			groups.join("s", run),
			groups.join("s", run),
			groups.join("s", run),
		]);
		expect(values(joined)).toEqual(["failed", "ok", "ok"]);
	});
});
