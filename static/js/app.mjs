// Starts NHS.UK frontend's JavaScript components.
//
// NHS.UK frontend's page template marks the body with an inline <script>; our
// Content-Security-Policy allows no inline script, so this module does it instead. A browser
// that runs modules supports NHS.UK frontend, so both classes go on together. Modules run once
// the page is parsed, so document.body exists here.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
