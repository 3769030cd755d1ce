/**
 * Test fixtures for the storage package: fresh ids, mentions to ingest, members and
 * whole teams. Every part of the contract suite builds its rows with these, so a
 * change to what a mention or a member needs is made once.
 */
import { randomUUID } from "node:crypto";
import type { Command, Member } from "@switchboard/domain";
import type {
	CommandArbiter,
	CommandOutcome,
	Directory,
	MentionStore,
	NewMention,
} from "./storage.ts";

/** An id no other test uses: the suites share one database. */
export function unique(prefix: string): string {
	return `${prefix}-${randomUUID().slice(0, 8)}`;
}

let clock = Date.parse("2026-11-26T09:00:00.000Z");
/** A strictly increasing ISO time, so ordering by time is deterministic. */
export function tick(): string {
	clock += 1000;
	return new Date(clock).toISOString();
}

/** A mention to ingest, posted and ingested at the next `tick()` unless overridden. */
export function newMention(overrides: Partial<NewMention> = {}): NewMention {
	const at = tick();
	return {
		network: "mastodon",
		externalId: randomUUID(),
		url: "https://social.example/@someone/1",
		author: { handle: "@someone@social.example", name: "Some One", reach: 120 },
		text: "Is the service down?",
		thread: [],
		postedAt: at,
		ingestedAt: at,
		language: "en",
		sentiment: -0.5,
		...overrides,
	};
}

/** A member of `orgId` with a unique email; `name` is used as given. */
export function newMember(
	directory: Directory,
	orgId: string,
	name: string,
	role: Member["role"],
	capacity: number,
	extra: { skills?: string[]; languages?: string[]; passwordHash?: string; boards?: string[] } = {},
): Promise<Member> {
	return directory.createMember({
		orgId,
		email: `${unique(name.toLowerCase())}@example.org`,
		name,
		role,
		capacity,
		passwordHash: "scrypt$not-a-real-hash",
		...extra,
	});
}

/**
 * `newMember` for a suite whose storage opens later: names given in lower case, as labels
 * (`"ana"` becomes Ana).
 */
export function memberMaker(portOf: () => Directory) {
	return (
		orgId: string,
		label: string,
		role: Member["role"],
		capacity: number,
		extra: { skills?: string[]; languages?: string[]; boards?: string[] } = {},
	): Promise<Member> =>
		newMember(portOf(), orgId, label[0]?.toUpperCase() + label.slice(1), role, capacity, extra);
}

/** A fresh organisation with one board (`main` unless `boardId` says otherwise). */
export async function newOrganisation(
	directory: Directory,
	board: { id?: string; name?: string } = { id: "main" },
): Promise<{ orgId: string; boardId: string }> {
	const org = await directory.createOrganisation({ id: unique("org"), name: "Acme" });
	const created = await directory.createBoard({
		...(board.id !== undefined ? { id: board.id } : {}),
		orgId: org.id,
		name: board.name ?? "Main",
	});
	return { orgId: org.id, boardId: created.id };
}

/**
 * An organisation with a board and two ambassadors of capacity 2, Dana and Sam: one
 * member's rows next to another's, for the ports that keep rows per member.
 */
export async function newColleagues(directory: Directory) {
	const { orgId, boardId } = await newOrganisation(directory);
	const dana = await newMember(directory, orgId, "Dana", "ambassador", 2);
	const sam = await newMember(directory, orgId, "Sam", "ambassador", 2);
	return { orgId, boardId, dana, sam };
}

/** An organisation with a board and three members, for the command tests. */
export interface Team {
	orgId: string;
	boardId: string;
	/** Ambassador, capacity 3. */
	ana: Member;
	/** Ambassador, capacity 1. */
	ben: Member;
	/** Moderator, capacity 5. */
	mo: Member;
}

export async function newTeam(directory: Directory): Promise<Team> {
	const { orgId, boardId } = await newOrganisation(directory, { name: "Support" });
	return {
		orgId,
		boardId,
		ana: await newMember(directory, orgId, "Ana", "ambassador", 3),
		ben: await newMember(directory, orgId, "Ben", "ambassador", 1),
		mo: await newMember(directory, orgId, "Mo", "moderator", 5),
	};
}

/** Ingest one mention per entry of `list` on the team's board; their ids, in order. */
export async function ingest(
	mentions: MentionStore,
	t: { orgId: string; boardId: string },
	...list: Partial<NewMention>[]
): Promise<string[]> {
	const stored = await mentions.insertMentions(
		t.orgId,
		t.boardId,
		list.map((overrides) => newMention(overrides)),
	);
	return stored.map((s) => s.mention.id);
}

/** Run a member's command on the team's board at the next `tick()`. */
export function runCommand(
	arbiter: CommandArbiter,
	t: { orgId: string; boardId: string },
	actor: Member,
	command: Command,
	commandId: string = randomUUID(),
): Promise<CommandOutcome> {
	return arbiter.executeCommand({
		orgId: t.orgId,
		boardId: t.boardId,
		actorId: actor.id,
		commandId,
		command,
		now: tick(),
	});
}
