/**
 * Follows a board document (read-only) and keeps the joined mentions, the member cards and
 * the settings up to date from Yjs events, without rereading the whole document on each
 * change: a transaction costs O(changed entries), and the sorted mention list is copied
 * at most once per read after a change (O(n)), sorted again only when mentions came or went.
 */
import {
	type BoardSettings,
	boardRoots,
	compareBreaches,
	type KeyedChange,
	KeyedListView,
	type MemberCard,
	type Mention,
	type MentionContent,
	type MentionWork,
	readSettings,
	type SlaBreachEntry,
} from "@switchboard/domain";
import type * as Y from "yjs";

/** What changed since the last `onChange` notification. */
export interface BoardModelChange {
	mentions: boolean;
	members: boolean;
	settings: boolean;
	breaches: boolean;
}

function byPostedAt(a: Mention, b: Mention): number {
	return a.postedAt.localeCompare(b.postedAt) || a.id.localeCompare(b.id);
}

function byName(a: MemberCard, b: MemberCard): number {
	return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

export class BoardModel {
	readonly #doc: Y.Doc;
	readonly #contents: KeyedListView<MentionContent>;
	readonly #works: KeyedListView<MentionWork>;
	readonly #cards: KeyedListView<MemberCard>;
	readonly #breachList: KeyedListView<SlaBreachEntry>;
	#breaches: SlaBreachEntry[] | null = null;
	readonly #settingsMap: Y.Map<unknown>;
	readonly #joined = new Map<string, Mention>();
	/** Position of each mention in the sorted list; null when mentions came or went since. */
	#index: Map<string, number> | null = null;
	/** The list handed out last (never mutated once handed out). */
	#list: Mention[] = [];
	/** Mentions whose work changed in place since `#list` was built. */
	readonly #changed = new Set<string>();
	#members: MemberCard[] | null = null;
	#settings: BoardSettings;
	readonly #listeners = new Set<(change: BoardModelChange) => void>();
	readonly #unobserve: (() => void)[] = [];

	constructor(doc: Y.Doc) {
		this.#doc = doc;
		const roots = boardRoots(doc);
		this.#contents = new KeyedListView(roots.mentions);
		this.#works = new KeyedListView(roots.work);
		this.#cards = new KeyedListView(roots.members);
		this.#breachList = new KeyedListView(roots.breaches);
		this.#settingsMap = roots.settings;
		this.#settings = readSettings(doc);
		for (const [id, content] of this.#contents.entries()) {
			const work = this.#works.get(id);
			if (work) this.#joined.set(id, { ...content.v, ...work.v });
		}
		const mentionChange = (changes: KeyedChange<unknown>[]) => {
			this.#rejoin(changes);
			this.#emit({ mentions: true, members: false, settings: false, breaches: false });
		};
		this.#unobserve.push(
			this.#contents.onChange(mentionChange),
			this.#works.onChange(mentionChange),
			this.#cards.onChange(() => {
				this.#members = null;
				this.#emit({ mentions: false, members: true, settings: false, breaches: false });
			}),
			this.#breachList.onChange(() => {
				this.#breaches = null;
				this.#emit({ mentions: false, members: false, settings: false, breaches: true });
			}),
		);
		const settingsObserver = () => {
			this.#settings = readSettings(this.#doc);
			this.#emit({ mentions: false, members: false, settings: true, breaches: false });
		};
		this.#settingsMap.observe(settingsObserver);
		this.#unobserve.push(() => this.#settingsMap.unobserve(settingsObserver));
	}

	/** Called after each transaction that changed the board (the caller batches). */
	onChange(listener: (change: BoardModelChange) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** True when the document holds any board content (loaded from somewhere). */
	get hasContent(): boolean {
		return this.#doc.store.clients.size > 0;
	}

	/**
	 * Mentions whose content and work are both on the board, oldest post first. The same
	 * array until a mention changes; then a copy with the changed entries replaced (O(n)
	 * copy), or a new sort when mentions came or went (O(n log n)).
	 */
	mentions(): readonly Mention[] {
		if (!this.#index) {
			const sorted = [...this.#joined.values()].sort(byPostedAt);
			this.#index = new Map(sorted.map((mention, i) => [mention.id, i]));
			this.#list = sorted;
			this.#changed.clear();
		} else if (this.#changed.size > 0) {
			const list = this.#list.slice();
			for (const id of this.#changed) {
				const i = this.#index.get(id);
				const mention = this.#joined.get(id);
				if (i !== undefined && mention) list[i] = mention;
			}
			this.#list = list;
			this.#changed.clear();
		}
		return this.#list;
	}

	mention(id: string): Mention | undefined {
		return this.#joined.get(id);
	}

	/** Member cards, by name. */
	members(): readonly MemberCard[] {
		if (!this.#members) {
			this.#members = [...this.#cards.entries()].map(([, entry]) => entry.v).sort(byName);
		}
		return this.#members;
	}

	member(id: string): MemberCard | undefined {
		return this.#cards.get(id)?.v;
	}

	settings(): BoardSettings {
		return this.#settings;
	}

	/** SLA breaches the server recorded, newest first. The same array until one changes. */
	breaches(): readonly SlaBreachEntry[] {
		if (!this.#breaches) {
			this.#breaches = [...this.#breachList.entries()]
				.map(([, entry]) => entry.v)
				.sort(compareBreaches);
		}
		return this.#breaches;
	}

	destroy(): void {
		for (const stop of this.#unobserve) stop();
		this.#contents.destroy();
		this.#works.destroy();
		this.#cards.destroy();
		this.#breachList.destroy();
		this.#listeners.clear();
	}

	#rejoin(changes: KeyedChange<unknown>[]): void {
		for (const { key } of changes) {
			const content = this.#contents.get(key);
			const work = this.#works.get(key);
			const before = this.#joined.get(key);
			if (content && work) {
				const next = { ...content.v, ...work.v };
				this.#joined.set(key, next);
				// A new mention, or content rewritten (its postedAt may differ): sort again.
				if (!before || before.postedAt !== next.postedAt) this.#index = null;
				else this.#changed.add(key);
			} else if (before) {
				this.#joined.delete(key);
				this.#index = null;
			}
		}
	}

	#emit(change: BoardModelChange): void {
		for (const listener of this.#listeners) listener(change);
	}
}
