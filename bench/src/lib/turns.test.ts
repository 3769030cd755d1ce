import { describe, expect, it } from "vitest";
import { turnOrder, WindowTurns } from "./turns.ts";

describe("turnOrder", () => {
	it("alternates the order window by window", () => {
		expect(turnOrder(["a", "b", "c"], 3).map((t) => `${t.kind}${t.window}`)).toEqual([
			"a0",
			"b0",
			"c0",
			"c1",
			"b1",
			"a1",
			"a2",
			"b2",
			"c2",
		]);
	});
});

describe("WindowTurns", () => {
	/** Runs each kind's windows as a load does: take, measure, release; logs who measured. */
	async function run(kinds: string[], windows: number) {
		const turns = new WindowTurns(kinds, windows);
		const log: string[] = [];
		let measuring = 0;
		let overlapped = false;
		await Promise.all(
			kinds.map(async (kind) => {
				for (let w = 0; w < windows; w++) {
					await turns.take(kind, w);
					measuring += 1;
					if (measuring > 1) overlapped = true;
					log.push(`${kind}${w}`);
					await new Promise((resolve) => setTimeout(resolve, 1));
					measuring -= 1;
					turns.release(kind, w);
				}
			}),
		);
		return { log, overlapped };
	}

	it("measures one kind at a time, in turn order", async () => {
		const { log, overlapped } = await run(["a", "b"], 3);
		expect(log).toEqual(["a0", "b0", "b1", "a1", "a2", "b2"]);
		expect(overlapped).toBe(false);
	});

	it("starts the first window only once every kind is ready for it", async () => {
		// "a" is ready long before "b" finished warming up: it must not measure beside it.
		const turns = new WindowTurns(["a", "b"], 1);
		let aMeasuring = false;
		const a = turns.take("a", 0).then(() => {
			aMeasuring = true;
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(aMeasuring).toBe(false);
		const b = turns.take("b", 0);
		await a;
		expect(aMeasuring).toBe(true);
		turns.release("a", 0);
		await b;
		turns.release("b", 0);
	});

	it("refuses a release out of turn", async () => {
		const turns = new WindowTurns(["a", "b"], 2);
		const a = turns.take("a", 0);
		void turns.take("b", 0);
		await a;
		expect(() => turns.release("b", 0)).toThrow(/out of turn/);
		expect(() => turns.take("a", 5)).toThrow(/no turn/);
	});
});
