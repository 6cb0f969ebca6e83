// Forms on a poor connection: each submission sent once, drafts kept as the user types, and a
// plain message instead of a lost page when the connection drops (ADR 0011).
//
// Every form page is shown with a hidden submission key; the server applies a key once. Here:
// - Save is only sent when the server answers; otherwise the page says so, keeps what was typed
//   (in the page, nowhere else) and sends it, once, when the connection is back.
// - On a page that keeps drafts, what was typed is sent as a draft a moment after typing stops.
// - Coming back to a form by Back reuses the key of what was sent from it, so Save again is
//   answered with "already saved" instead of making a second record.
// - Leaving a page with typing that is saved nowhere asks first (the browser's own prompt).
// Without this script every form works as a plain HTML form.

const KEY_FIELD = "submission_key";
const DRAFT_DELAY_MS = 2000;
const RETRY_MS = 5000;
const NO_CONNECTION = "Not saved yet \u2014 no connection. Keep this page open.";
const SIGNED_OUT = "Draft not saved: you were signed out. Save the page to keep what you typed.";
const CONNECTION_URL = document.body.dataset.appConnection;

function sentKeyName() {
  return `app-sent-key:${window.location.pathname}`;
}

function cameBack() {
  const [entry] = performance.getEntriesByType("navigation");
  return entry !== undefined && entry.type === "back_forward";
}

async function reachable() {
  if (!navigator.onLine) {
    return false;
  }
  try {
    const response = await fetch(CONNECTION_URL, { cache: "no-store", credentials: "same-origin" });
    return response.ok;
  } catch {
    return false;
  }
}

// Resolves once the server answers again: on the browser's "online" event or a retry.
function connectionBack() {
  return new Promise((resolve) => {
    let timer;
    const check = async () => {
      if (await reachable()) {
        window.removeEventListener("online", check);
        clearInterval(timer);
        resolve();
      }
    };
    window.addEventListener("online", check);
    timer = setInterval(check, RETRY_MS);
  });
}

function statusArea(form) {
  const area = document.createElement("div");
  area.className = "app-save-status";
  area.setAttribute("role", "status");
  const text = document.createElement("p");
  text.className = "nhsuk-body-s";
  area.append(text);
  // Before the form's buttons; after a button that stands alone in its form (a form inside a
  // button group), so the button stays first and lines up with the link beside it.
  const submit = form.querySelector('[type="submit"]');
  let before = submit;
  while (before && before.parentElement !== form) {
    before = before.parentElement;
  }
  if (before && before === submit) {
    before = submit.nextElementSibling;
  }
  form.insertBefore(area, before || null);
  return (message, offline = false) => {
    text.textContent = message;
    area.classList.toggle("app-save-status--offline", offline);
  };
}

// What the form holds now, but for its key and token: to tell typing from a field merely left
// (a text field fires "change" when it loses focus, after its draft was sent).
function contentOf(form) {
  const values = [];
  for (const [name, value] of new FormData(form)) {
    if (name !== KEY_FIELD && name !== "csrfmiddlewaretoken") {
      values.push([name, typeof value === "string" ? value : value.name]);
    }
  }
  return JSON.stringify(values);
}

function watch(form) {
  const keyInput = form.querySelector(`input[name="${KEY_FIELD}"]`);
  const draftUrl = form.dataset.appDraft;
  const say = statusArea(form);
  // What is kept somewhere: as the page was shown, then the last draft the server kept. A
  // page showing again what was typed before a timeout holds what is kept nowhere now (the
  // server let go of it once shown): it is drafted at once, and leaving asks first.
  const restored = document.getElementById("restored-title") !== null;
  let kept = restored ? null : contentOf(form);
  let draftTimer;
  let draftWaiting = false;
  let sending = false; // Save was pressed: waiting for the connection, or being sent
  let letThrough = false;
  let submitted = false; // the form is on its way: leaving the page is the Save itself

  if (cameBack()) {
    const sent = sessionStorage.getItem(sentKeyName());
    if (sent) {
      keyInput.value = sent;
    }
  }

  async function saveDraft() {
    const content = contentOf(form);
    const body = new FormData(form);
    body.set("draft_path", window.location.pathname);
    try {
      const response = await fetch(draftUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect") {
        say(SIGNED_OUT, true);
      } else if (response.ok) {
        const { saved_at: savedAt } = await response.json();
        say(`Draft saved at ${savedAt}`);
        kept = content;
      } else {
        say("Draft not saved. Save the page to keep what you typed.", true);
      }
    } catch {
      say(NO_CONNECTION, true);
      if (!draftWaiting) {
        draftWaiting = true;
        await connectionBack();
        draftWaiting = false;
        if (!sending) {
          saveDraft();
        }
      }
    }
  }

  function typed() {
    if (!draftUrl || sending) {
      return;
    }
    clearTimeout(draftTimer);
    if (contentOf(form) !== kept) {
      draftTimer = setTimeout(saveDraft, DRAFT_DELAY_MS);
    }
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
  if (restored) {
    typed();
  }

  form.addEventListener("submit", async (event) => {
    if (letThrough) {
      letThrough = false;
      submitted = true;
      sessionStorage.setItem(sentKeyName(), keyInput.value);
      return;
    }
    event.preventDefault();
    if (sending) {
      return; // pressed again while waiting: the first press will send it, once
    }
    sending = true;
    clearTimeout(draftTimer);
    const submitter = event.submitter;
    if (!(await reachable())) {
      say(NO_CONNECTION, true);
      await connectionBack();
      say("Connection back: saving\u2026");
    }
    letThrough = true;
    if (submitter && submitter.form === form) {
      form.requestSubmit(submitter);
    } else {
      form.requestSubmit();
    }
  });

  // Asked while Save waits for the connection too: leaving then would lose what was typed.
  window.addEventListener("beforeunload", (event) => {
    if (!submitted && contentOf(form) !== kept) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Back to a page the browser kept: it may be showing a press of Save that never finished.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      sending = false;
      letThrough = false;
      submitted = false;
    }
  });
}

for (const form of document.querySelectorAll("form")) {
  if (form.method === "post" && form.querySelector(`input[name="${KEY_FIELD}"]`)) {
    watch(form);
  }
}
