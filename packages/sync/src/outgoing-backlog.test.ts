import { describe, expect, it } from "vitest";
import { LARGE_FRAME_BYTES, OutgoingBacklog } from "./outgoing-backlog.ts";

const LIMIT = 8 * 1024 * 1024;

describe("OutgoingBacklog", () => {
	it("does not count a first sync larger than the limit while it is being written out", () => {
		const backlog = new OutgoingBacklog(LIMIT);
		const firstSync = 15_400_000;
		const written = backlog.sending(firstSync);
		expect(written).toBeDefined();
		// The next board update finds the whole first sync queued: the reader is not closed.
		expect(backlog.over(firstSync)).toBe(false);
		// Behind it, the reader may fall the limit behind, and no more.
		expect(backlog.over(firstSync + LIMIT)).toBe(false);
		expect(backlog.over(firstSync + LIMIT + 1)).toBe(true);
		// Once the frame is written out, everything queued counts again.
		written?.();
		written?.();
		expect(backlog.over(LIMIT + 1)).toBe(true);
		expect(backlog.over(LIMIT)).toBe(false);
	});

	it("leaves out only the largest frame, so a reader that reads nothing is still closed", () => {
		const backlog = new OutgoingBacklog(LIMIT);
		const frames = [3 * LARGE_FRAME_BYTES, 5 * LARGE_FRAME_BYTES, 4 * LARGE_FRAME_BYTES];
		const done = frames.map((bytes) => backlog.sending(bytes));
		const queued = frames.reduce((sum, bytes) => sum + bytes, 0);
		expect(backlog.over(queued)).toBe(false);
		expect(backlog.over(5 * LARGE_FRAME_BYTES + LIMIT + 1)).toBe(true);
		done[1]?.();
		expect(backlog.over(4 * LARGE_FRAME_BYTES + LIMIT + 1)).toBe(true);
		expect(backlog.over(4 * LARGE_FRAME_BYTES + LIMIT)).toBe(false);
	});

	it("counts small frames whole, untracked", () => {
		const backlog = new OutgoingBacklog(LIMIT);
		expect(backlog.sending(LARGE_FRAME_BYTES - 1)).toBeUndefined();
		expect(backlog.over(LIMIT + 1)).toBe(true);
	});
});
