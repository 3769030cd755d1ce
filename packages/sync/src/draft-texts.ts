/**
 * The reply text a draft holds, for the server to hold review commands to the network's
 * limit when the client did not send it (protocol versions 1 and 2 send only its hash).
 * A loaded draft is read where it is: the sender's draft is open on this instance, on the
 * same socket as its board. Its last keystrokes may still be on their way when the command
 * arrives (typed, then Submit at once), so the text is waited for until it has the hash the
 * command names, for `settleMs` at most. A draft nobody has open is read from the database,
 * which holds every acknowledged edit.
 */
import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import {
	draftDocumentName,
	draftHash,
	draftRoots,
	draftText,
	withDefaults,
} from "@switchboard/domain";
import type { DocumentLog } from "@switchboard/storage";
import * as Y from "yjs";
import { Origins } from "./context.ts";

export const defaultDraftTextsTuning = {
	/**
	 * How long a loaded draft may take to reach the text a command names before its current
	 * text is taken. Edits sent just before the command arrive within milliseconds.
	 * @default 2000
	 */
	settleMs: 2000,
};

export interface DraftTextsOptions extends Partial<typeof defaultDraftTextsTuning> {
	storage: Pick<DocumentLog, "loadDocument">;
}

/** A stored document (snapshot and log) as a fresh `Y.Doc`; the caller destroys it. */
export async function readStoredDocument(
	storage: Pick<DocumentLog, "loadDocument">,
	documentName: string,
): Promise<Y.Doc> {
	const stored = await storage.loadDocument(documentName);
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}

export class DraftTexts implements Extension {
	readonly extensionName = "switchboard-draft-texts";
	readonly #options: DraftTextsOptions;
	readonly #tuning: typeof defaultDraftTextsTuning;
	#instance: Hocuspocus | undefined;

	constructor(options: DraftTextsOptions) {
		this.#options = options;
		this.#tuning = withDefaults(defaultDraftTextsTuning, options);
	}

	async onConfigure({ instance }: onConfigurePayload): Promise<void> {
		this.#instance = instance;
	}

	/**
	 * The conversation's draft text: the one with `hash` when the draft reaches it in time,
	 * else the text it holds.
	 */
	async textFor(orgId: string, mentionId: string, hash: string): Promise<string> {
		const name = draftDocumentName(orgId, mentionId);
		const loaded = this.#instance?.documents.get(name);
		if (!loaded || loaded.isLoading) {
			const doc = await readStoredDocument(this.#options.storage, name);
			try {
				return draftText(doc);
			} finally {
				doc.destroy();
			}
		}
		return this.#settle(loaded, hash);
	}

	/**
	 * Empty the conversation's reply for the next answer, if it holds exactly `text` (the
	 * reply just recorded): a draft anyone changed since keeps every word. Written as the
	 * server's own change, so it is logged like any (DurableDocuments) and reaches every
	 * editor. True when it emptied the draft.
	 */
	async emptyIf(orgId: string, mentionId: string, text: string): Promise<boolean> {
		if (!this.#instance || text === "") return false;
		const documentName = draftDocumentName(orgId, mentionId);
		const connection = await this.#instance.openDirectConnection(documentName);
		let emptied = false;
		try {
			const doc = connection.document;
			if (doc) {
				const { body } = draftRoots(doc);
				doc.transact(() => {
					if (body.toString() !== text) return;
					body.delete(0, body.length);
					emptied = true;
				}, Origins.projection);
			}
		} finally {
			// As a board write: the change is logged as it happens, no store to wait for.
			await connection.disconnect({ unloadImmediately: false });
		}
		return emptied;
	}

	#settle(doc: Y.Doc, hash: string): Promise<string> {
		const text = draftText(doc);
		if (draftHash(text) === hash) return Promise.resolve(text);
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				doc.off("update", check);
				resolve(draftText(doc));
			};
			const check = () => {
				if (draftHash(draftText(doc)) === hash) done();
			};
			const timer = setTimeout(done, this.#tuning.settleMs);
			doc.on("update", check);
		});
	}
}
