/**
 * The keyboard shortcuts overlay: a modal dialog, closed with Escape, its buttons (one at
 * the top, in reach on a phone where the list is taller than the screen) or a tap beside it.
 */
import { createEffect, For } from "solid-js";
import { useWorkspace } from "../workspace.tsx";

export const SHORTCUTS: readonly { keys: string[]; action: string }[] = [
	{ keys: ["j"], action: "Next card" },
	{ keys: ["k"], action: "Previous card" },
	{ keys: ["Enter", "o"], action: "Open the selected card" },
	{ keys: ["c"], action: "Claim the selected or open conversation" },
	{ keys: ["n"], action: "Claim next: the best open conversation for you" },
	{ keys: ["r"], action: "Release the selected or open conversation" },
	{ keys: ["x"], action: "Select the card for an action on several (Esc clears)" },
	{ keys: ["d"], action: "Dismiss, with a reason" },
	{ keys: ["s"], action: "Snooze until later" },
	{ keys: ["e"], action: "Escalate to a moderator, with a reason" },
	{ keys: ["t"], action: "Tags" },
	{ keys: ["1", "2", "3"], action: "Priority high, normal, low" },
	{ keys: ["Shift+C"], action: "Close" },
	{ keys: ["Shift+O"], action: "Reopen" },
	{ keys: ["?"], action: "Show this help" },
	{ keys: ["Esc"], action: "Close this help" },
];

export function HelpDialog() {
	const ws = useWorkspace();
	let dialog: HTMLDialogElement | undefined;

	// showModal() traps focus, makes the rest inert, closes on Escape and gives focus back.
	createEffect(() => {
		if (!dialog) return;
		if (ws.helpOpen() && !dialog.open) dialog.showModal();
		if (!ws.helpOpen() && dialog.open) dialog.close();
	});

	return (
		// biome-ignore lint/a11y/useKeyWithClickEvents: a click beside the dialog is a pointer's way out; the keyboard's is Escape, and both buttons.
		<dialog
			ref={dialog}
			class="dialog"
			aria-labelledby="help-title"
			data-testid="help-dialog"
			// The close event is a queued task that input may overtake: `?` pressed right after
			// Escape opens the help again before it comes, and must not be closed by it.
			onClose={() => {
				if (!dialog?.open) ws.setHelpOpen(false);
			}}
			// A click on the dialog itself outside its box is on its backdrop (one on its padding
			// has the dialog as its target too).
			onClick={(event) => {
				if (event.target !== dialog) return;
				const box = dialog.getBoundingClientRect();
				const { clientX: x, clientY: y } = event;
				if (x < box.left || x > box.right || y < box.top || y > box.bottom) dialog.close();
			}}
		>
			<div class="dialog-head">
				{/* Focus starts on the title, at the top: showModal() would otherwise focus the
				    first control and could scroll a phone's dialog away from the start. */}
				<h2 id="help-title" tabIndex={-1} autofocus>
					Keyboard shortcuts
				</h2>
				<form method="dialog">
					<button type="submit" class="icon-button" aria-label="Close the help">
						×
					</button>
				</form>
			</div>
			<table class="shortcuts">
				<caption class="sr-only">Keys and what they do</caption>
				<thead>
					<tr>
						<th scope="col">Key</th>
						<th scope="col">Action</th>
					</tr>
				</thead>
				<tbody>
					<For each={SHORTCUTS}>
						{(shortcut) => (
							<tr>
								<td>
									<For each={shortcut.keys}>
										{(key, index) => (
											<>
												{index() > 0 ? " or " : ""}
												<kbd>{key}</kbd>
											</>
										)}
									</For>
								</td>
								<td>{shortcut.action}</td>
							</tr>
						)}
					</For>
				</tbody>
			</table>
			<p class="muted small">
				Actions apply to the selected cards when some are selected, otherwise to the focused card or
				the open conversation. Shortcuts are off while you type in a field or the reply editor.
			</p>
			<form method="dialog" class="dialog-actions">
				<button type="submit" class="button button-primary" data-testid="help-close">
					Close
				</button>
			</form>
		</dialog>
	);
}
