/**
 * Document names. Every Yjs document Switchboard syncs has one of two shapes:
 * `board/<orgId>/<boardId>` (server-written, read-only for clients) and
 * `draft/<orgId>/<mentionId>` (co-edited by the organisation's members).
 */

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export type DocumentRef =
	| { kind: "board"; orgId: string; boardId: string }
	| { kind: "draft"; orgId: string; mentionId: string };

/** Parse a document name; null when it is not a name Switchboard serves. */
export function parseDocumentName(name: string): DocumentRef | null {
	const parts = name.split("/");
	if (parts.length !== 3) return null;
	const [kind, orgId, id] = parts as [string, string, string];
	if (!SEGMENT.test(orgId) || !SEGMENT.test(id)) return null;
	if (kind === "board") return { kind, orgId, boardId: id };
	if (kind === "draft") return { kind, orgId, mentionId: id };
	return null;
}

export function boardDocumentName(orgId: string, boardId: string): string {
	return `board/${orgId}/${boardId}`;
}

export function draftDocumentName(orgId: string, mentionId: string): string {
	return `draft/${orgId}/${mentionId}`;
}
