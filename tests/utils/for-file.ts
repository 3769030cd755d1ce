/**
 * What a test file shares (a server, a stand-in, two instances): started before the file's
 * first test and closed after its last. The object returned stands for it from the first
 * test on (reads and writes go to the started one); used before, it throws.
 */
import { afterAll, beforeAll } from "vitest";

export function forFile<T extends { close(): Promise<unknown> }>(
	start: () => Promise<T>,
	/** How long starting may take, in milliseconds. @default vitest's hook timeout */
	timeoutMs?: number,
): T {
	let started: T | undefined;
	beforeAll(async () => {
		started = await start();
	}, timeoutMs);
	afterAll(async () => {
		await started?.close();
	});
	const current = (): T => {
		if (!started) throw new Error("used before the test file's hooks started it");
		return started;
	};
	return new Proxy({} as T, {
		get: (_, key) => Reflect.get(current(), key),
		set: (_, key, value) => Reflect.set(current(), key, value),
	});
}
