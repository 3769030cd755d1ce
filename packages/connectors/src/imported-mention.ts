import type { MentionContent, Priority } from "@switchboard/domain";

/**
 * A mention as a source delivers it: its content, triaged, before ingest gives it an id and a
 * work state on the board.
 */
export type ImportedMention = Omit<MentionContent, "id"> & { priority: Priority; tags: string[] };
