/**
 * Builders for tests: members, member cards and mentions with sensible defaults, seeded
 * random mentions, and an in-memory network of Y.Docs. The one place a test mention is
 * made: the other packages' tests import it as `@switchboard/domain/testing` (it is not
 * exported from the package index).
 */
import * as prng from "lib0/prng";
import * as Y from "yjs";
import { type MemberCard, WORK_DEFAULTS } from "./board-doc.ts";
import {
	type Member,
	type Mention,
	type MentionContent,
	type MentionStatus,
	type MentionWork,
	mentionContent,
	mentionWork,
	type Network,
	type Priority,
} from "./model.ts";

export const T0 = "2026-01-05T09:00:00.000Z";

/** ISO time `minutes` after T0. */
export function at(minutes: number): string {
	return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

export function makeMember(overrides: Partial<Member> & { id: string }): Member {
	return {
		orgId: "org",
		email: `${overrides.id}@example.com`,
		name: overrides.id,
		role: "ambassador",
		capacity: 3,
		skills: [],
		languages: [],
		active: true,
		...overrides,
	};
}

/** A member as the board document shows them; the name is the id, capitalised. */
export function makeCard(id: string, overrides: Partial<MemberCard> = {}): MemberCard {
	return {
		id,
		name: id[0]!.toUpperCase() + id.slice(1),
		role: "ambassador",
		capacity: 2,
		skills: [],
		languages: [],
		...overrides,
	};
}

export function makeMention(overrides: Partial<Mention> & { id: string }): Mention {
	return {
		network: "mastodon",
		externalId: `ext-${overrides.id}`,
		url: `https://social.example/@someone/${overrides.id}`,
		author: { handle: "@someone@social.example", name: "Someone", reach: 120 },
		text: "Is the service down? I cannot log in.",
		thread: [],
		postedAt: T0,
		ingestedAt: T0,
		language: "en",
		sentiment: -0.5,
		status: "new",
		priority: "normal",
		tags: [],
		owner: null,
		...WORK_DEFAULTS,
		updatedAt: T0,
		...overrides,
	};
}

/**
 * The `i`-th of a numbered set of mentions, as a feed hands them to ingest: a complaint on
 * Twitter by `someone{i}`, posted at `postedAt`. Servers in tests and benchmarks are
 * seeded with these.
 */
export function numberedMention(i: number, postedAt: string, externalIdPrefix = "tweet") {
	return {
		network: "twitter" as const,
		externalId: `${externalIdPrefix}-${i}`,
		url: `https://twitter.com/someone${i}/status/${i}`,
		author: { handle: `someone${i}`, name: `Someone ${i}`, reach: 100 + i },
		text: `@acme my order #${i} never arrived`,
		thread: [],
		postedAt,
		ingestedAt: postedAt,
		language: "en",
		sentiment: -0.4,
	};
}

/** The content half of a mention. */
export const contentOf: (mention: Mention) => MentionContent = mentionContent;

/** The work half of a mention. */
export const workOf: (mention: Mention) => MentionWork = mentionWork;

const NETWORKS: Network[] = ["twitter", "mastodon", "bluesky", "rss"];
const PRIORITIES: Priority[] = ["high", "normal", "low"];

function sentence(gen: prng.PRNG, words: number): string {
	const out: string[] = [];
	for (let i = 0; i < words; i++) out.push(prng.word(gen, 2, 9));
	return `${out.join(" ")}.`;
}

/** A mention as ingest would store it: new, unowned, with a realistic amount of text. */
export function randomMention(gen: prng.PRNG, index: number): Mention {
	const id = `m${index}`;
	const handle = `@${prng.word(gen, 3, 10)}`;
	const threadLength = prng.int32(gen, 0, 2);
	return makeMention({
		id,
		network: prng.oneOf(gen, NETWORKS),
		externalId: `${prng.uint32(gen, 1e8, 1e9)}`,
		url: `https://social.example/${handle}/${index}`,
		author: { handle, name: sentence(gen, 2), reach: prng.int32(gen, 0, 50_000) },
		text: sentence(gen, prng.int32(gen, 8, 40)),
		thread: Array.from({ length: threadLength }, (_, i) => ({
			handle: `@${prng.word(gen, 3, 10)}`,
			fromOrganisation: i % 2 === 1,
			text: sentence(gen, prng.int32(gen, 5, 25)),
			postedAt: at(-index - 30 + i),
		})),
		postedAt: at(-index),
		ingestedAt: at(-index + 1),
		language: prng.oneOf(gen, ["en", "de", "fr"]),
		sentiment: Math.round(prng.real53(gen) * 200 - 100) / 100,
		priority: prng.oneOf(gen, PRIORITIES),
		tags: prng.bool(gen) ? [prng.oneOf(gen, ["billing", "outage", "praise"])] : [],
	});
}

const STATUSES: MentionStatus[] = ["new", "claimed", "drafting", "in_review", "approved"];

/** A plausible status and owner change, as commands make them. */
export function randomWorkChange(
	gen: prng.PRNG,
	work: MentionWork,
	memberIds: readonly string[],
	now: string,
): MentionWork {
	const status = prng.oneOf(gen, STATUSES);
	const owner = status === "new" ? null : { memberId: prng.oneOf(gen, [...memberIds]), since: now };
	return { ...work, status, owner, updatedAt: now };
}

/** The origin updates delivered by TestNetwork carry; peers do not relay them. */
export const REMOTE = { source: "test-network" } as const;

/**
 * A deterministic in-memory network (after yjs' TestConnector): every local update of a
 * peer is queued for every other peer and delivered when the test says so, in an order
 * chosen by a seeded generator.
 */
export class TestNetwork {
	readonly docs: readonly Y.Doc[];
	readonly #queues = new Map<Y.Doc, Uint8Array[]>();

	constructor(docs: readonly Y.Doc[]) {
		this.docs = docs;
		for (const doc of docs) {
			this.#queues.set(doc, []);
			doc.on("update", (update: Uint8Array, origin: unknown) => {
				if (origin === REMOTE) return;
				for (const peer of docs) if (peer !== doc) this.#queues.get(peer)?.push(update);
			});
		}
	}

	/** Deliver one queued update to a random peer; false when nothing is queued. */
	deliverOne(gen: prng.PRNG): boolean {
		const waiting = this.docs.filter((doc) => (this.#queues.get(doc)?.length ?? 0) > 0);
		if (waiting.length === 0) return false;
		const doc = prng.oneOf(gen, waiting);
		const update = this.#queues.get(doc)?.shift();
		if (update) Y.applyUpdate(doc, update, REMOTE);
		return true;
	}

	/** Deliver everything, in random order. */
	flush(gen: prng.PRNG): void {
		while (this.deliverOne(gen)) {}
	}
}
