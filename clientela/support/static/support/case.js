// The case page's "Articles that may help": without this script the panel links to their own
// page; with it, that page is read after the case page has shown and its list moved into place.

async function loadArticles(panel) {
  const target = panel.querySelector("[data-suggested-articles]");
  if (!target) return;
  try {
    const response = await fetch(panel.dataset.caseArticles, { credentials: "same-origin" });
    if (!response.ok) return; // the link stays
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-suggested-articles]");
    if (fresh) target.replaceChildren(...fresh.childNodes);
  } catch {
    // Offline or interrupted: the link stays.
  }
}

function init() {
  document.querySelectorAll("[data-case-articles]").forEach(loadArticles);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
