// Starts NHS.UK frontend's JavaScript components.
//
// NHS.UK frontend's page template marks the body with an inline <script>; our
// Content-Security-Policy allows no inline script, so this module does it instead. A browser
// that runs modules supports NHS.UK frontend, so both classes go on together. Modules run once
// the page is parsed, so document.body exists here.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";
// Forms that survive a poor connection: sent once, drafts kept, no typing lost offline.
import "./field-work.mjs";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// "Print this page" buttons start hidden, because without this script they would do nothing
// (the page says to use the browser's print instead); the CSP allows no inline click handler.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
