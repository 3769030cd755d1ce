/**
 * Builders for the client's unit tests, on top of the domain's (`@switchboard/domain/testing`).
 * Not exported from the package index: other packages' tests import it as
 * `@switchboard/client/testing`.
 */
import type { MemberCard, Mention } from "@switchboard/domain";
import { at, makeMention } from "@switchboard/domain/testing";
import type { Me, PendingCommand } from "./api.ts";

export { at, makeCard, T0 } from "@switchboard/domain/testing";

/** A mention with the domain's defaults, by id. */
export function mention(id: string, overrides: Partial<Mention> = {}): Mention {
	return makeMention({ id, ...overrides });
}

export function meOf(member: MemberCard): Me {
	return { id: member.id, orgId: "acme", role: member.role, name: member.name };
}

let counter = 0;

export function pending(
	command: PendingCommand["command"],
	createdAt: string = at(1),
): PendingCommand {
	counter += 1;
	return { id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`, command, createdAt };
}

/**
 * One browser profile's localStorage, kept in memory, where Node has none (the drafts and
 * notes not sent yet are written there). Returns what takes it back: the test file's worker
 * runs other files next. Where a localStorage exists it is used as it is, and emptied.
 */
export function memoryLocalStorage(): () => void {
	if (typeof globalThis.localStorage !== "undefined") return () => globalThis.localStorage.clear();
	const items = new Map<string, string>();
	globalThis.localStorage = {
		get length() {
			return items.size;
		},
		clear: () => items.clear(),
		getItem: (key: string) => items.get(key) ?? null,
		key: (index: number) => [...items.keys()][index] ?? null,
		removeItem: (key: string) => void items.delete(key),
		setItem: (key: string, value: string) => void items.set(key, String(value)),
	};
	return () => Reflect.deleteProperty(globalThis, "localStorage");
}
