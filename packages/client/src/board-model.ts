/**
 * Follows a board document (read-only) and keeps the joined mentions, the member cards and
 * the settings up to date from Yjs events, without rereading the whole document on each
 * change: a transaction costs O(changed entries), and the sorted mention list is copied
 * at most once per read after a change (O(n)), sorted again only when mentions came or went.
 * Each change names the mentions it touched, so a copy elsewhere (the page's, when the
 * document lives in a worker) can follow in O(changed) as well.
 */
import {
	type BoardSettings,
	type BoardWork,
	boardRoots,
	boardThread,
	compareBreaches,
	joinMention,
	type KeyedChange,
	KeyedListView,
	type MemberCard,
	type Mention,
	type MentionContent,
	type MessageLookup,
	messageEntryMention,
	readSettings,
	type SlaBreachEntry,
	type ThreadMessage,
} from "@switchboard/domain";
import type * as Y from "yjs";
import { SortedMentions } from "./sorted-mentions.ts";

/** What changed since the last `onChange` notification. */
export interface BoardModelChange {
	mentions: boolean;
	/** The mentions that came, went or changed (see `mention(id)`); empty unless `mentions`. */
	mentionIds: readonly string[];
	members: boolean;
	settings: boolean;
	breaches: boolean;
}

function byName(a: MemberCard, b: MemberCard): number {
	return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

const NOTHING: BoardModelChange = {
	mentions: false,
	mentionIds: [],
	members: false,
	settings: false,
	breaches: false,
};

export class BoardModel {
	readonly #doc: Y.Doc;
	readonly #contents: KeyedListView<MentionContent>;
	readonly #works: KeyedListView<BoardWork>;
	readonly #messages: KeyedListView<ThreadMessage>;
	readonly #message: MessageLookup;
	readonly #cards: KeyedListView<MemberCard>;
	readonly #breachList: KeyedListView<SlaBreachEntry>;
	#breaches: SlaBreachEntry[] | null = null;
	readonly #settingsMap: Y.Map<unknown>;
	readonly #joined = new SortedMentions();
	#members: MemberCard[] | null = null;
	#settings: BoardSettings;
	readonly #listeners = new Set<(change: BoardModelChange) => void>();
	readonly #unobserve: (() => void)[] = [];

	constructor(doc: Y.Doc) {
		this.#doc = doc;
		const roots = boardRoots(doc);
		this.#contents = new KeyedListView(roots.mentions);
		this.#works = new KeyedListView(roots.work);
		this.#messages = new KeyedListView(roots.messages);
		this.#message = (key) => this.#messages.get(key);
		this.#cards = new KeyedListView(roots.members);
		this.#breachList = new KeyedListView(roots.breaches);
		this.#settingsMap = roots.settings;
		this.#settings = readSettings(doc);
		for (const [id, content] of this.#contents.entries()) {
			const work = this.#works.get(id);
			if (work)
				this.#joined.set(joinMention(content.v, work.v, boardThread(content, this.#message)));
		}
		// A transaction may change a mention's content, work and messages at once (a board's
		// first sync does): the views take them in one after another, so the mentions they name
		// are joined again once every view has (`afterTransaction` follows every observer),
		// never half-updated (a thread without the messages of the same update).
		const touched = new Set<string>();
		const mentionChange = (changes: KeyedChange<unknown>[]) => {
			for (const { key } of changes) touched.add(key);
		};
		const afterTransaction = () => {
			if (touched.size === 0) return;
			const ids = this.#rejoin(touched);
			touched.clear();
			this.#emit({ ...NOTHING, mentions: true, mentionIds: ids });
		};
		doc.on("afterTransaction", afterTransaction);
		this.#unobserve.push(
			() => doc.off("afterTransaction", afterTransaction),
			this.#contents.onChange(mentionChange),
			this.#works.onChange(mentionChange),
			this.#messages.onChange((changes) => {
				for (const { key } of changes) touched.add(messageEntryMention(key));
			}),
			this.#cards.onChange(() => {
				this.#members = null;
				this.#emit({ ...NOTHING, members: true });
			}),
			this.#breachList.onChange(() => {
				this.#breaches = null;
				this.#emit({ ...NOTHING, breaches: true });
			}),
		);
		const settingsObserver = () => {
			this.#settings = readSettings(this.#doc);
			this.#emit({ ...NOTHING, settings: true });
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

	/** Mentions whose content and work are both on the board, oldest post first (see `SortedMentions`). */
	mentions(): readonly Mention[] {
		return this.#joined.list();
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
		this.#messages.destroy();
		this.#cards.destroy();
		this.#breachList.destroy();
		this.#listeners.clear();
	}

	/** Join these mentions again; returns those that came, went or changed. */
	#rejoin(keys: Iterable<string>): string[] {
		const ids: string[] = [];
		for (const key of keys) {
			const content = this.#contents.get(key);
			const work = this.#works.get(key);
			if (content && work) {
				this.#joined.set(joinMention(content.v, work.v, boardThread(content, this.#message)));
				ids.push(key);
			} else if (this.#joined.get(key)) {
				this.#joined.delete(key);
				ids.push(key);
			}
		}
		return ids;
	}

	#emit(change: BoardModelChange): void {
		for (const listener of this.#listeners) listener(change);
	}
}
