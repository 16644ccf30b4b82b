// Messages, the signed-in header and error handling shared by every view.
import { ApiError, session } from "./api.js";

const message = document.getElementById("message");

/** Shows a readable message (an error's text, or any other text). */
export function notify(text, kind = "info") {
  message.textContent = text instanceof Error ? text.message : text;
  message.className = `message ${kind}`;
  message.hidden = false;
}

export function clearMessage() { message.hidden = true; }

/** Shows or hides what needs a session, and who is signed in. */
export function renderAccount() {
  const signedIn = Boolean(session.token);
  for (const node of document.querySelectorAll("[data-needs-session]")) node.hidden = !signedIn;
  document.getElementById("who").textContent = signedIn ? `Signed in as ${session.userId}` : "";
}

/** Runs an action, turning its failure into a message; a lost session signs out. */
export async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && session.token) {
      session.clear();
      renderAccount();
      notify("Your session has ended: sign in again.", "error");
      return undefined;
    }
    notify(error instanceof Error ? error.message : String(error), "error");
    return undefined;
  }
}
