/** A choice of board, labelled "Board": the header's switcher and the board settings' picker. */
import type { Board } from "@switchboard/domain";
import { createUniqueId, For, Show } from "solid-js";
import type { FieldOption } from "./forms.tsx";

/** Boards as a form's choices (`FieldSpec` options). */
export function boardOptions(boards: readonly Pick<Board, "id" | "name">[]): FieldOption[] {
	return boards.map((board) => ({ value: board.id, label: board.name }));
}

/**
 * Shown only when there is more than one board to choose from; `onChange` gets the chosen
 * board's id. `class` and `labelClass` place it (the dark header, a page heading).
 */
export function BoardSelect(props: {
	boards: readonly Pick<Board, "id" | "name">[] | undefined;
	value: string | undefined;
	onChange: (boardId: string) => void;
	class: string;
	labelClass: string;
	testId: string;
}) {
	const id = createUniqueId();
	return (
		<Show when={(props.boards?.length ?? 0) > 1}>
			<div class={props.class}>
				<label for={id} class={props.labelClass}>
					Board
				</label>
				<select
					id={id}
					value={props.value}
					onChange={(event) => props.onChange(event.currentTarget.value)}
					data-testid={props.testId}
				>
					<For each={props.boards}>{(board) => <option value={board.id}>{board.name}</option>}</For>
				</select>
			</div>
		</Show>
	);
}
