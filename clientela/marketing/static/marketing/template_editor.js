// The e-mail template editor (marketing/templates/form.html). Without this script every
// language is shown one after the other and "Preview" posts the form into the preview frame;
// with it:
//  1. one language at a time, chosen by its tab (the first with an error, else the default);
//  2. the merge-field buttons insert "{{ name }}" where the cursor was in a subject, preheader
//     or body;
//  3. the preview follows the typing (the same post, a moment after the last key).

const PREVIEW_DELAY_MS = 700;

function setupTabs(form) {
  const tabs = [...form.querySelectorAll("[data-variant-tab]")];
  const panels = new Map(
    [...form.querySelectorAll("[data-variant]")].map((p) => [p.dataset.variant, p]),
  );
  if (!tabs.length) return;
  const list = form.querySelector("[data-variant-tabs]");
  list.setAttribute("role", "tablist");

  function show(code, focus = false) {
    for (const tab of tabs) {
      const selected = tab.dataset.variantTab === code;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focus) tab.focus();
    }
    for (const [key, panel] of panels) panel.hidden = key !== code;
    const language = form.querySelector("[name=preview_language]");
    if (language && language.value !== code) {
      language.value = code;
      language.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  for (const tab of tabs) {
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", `variant-${tab.dataset.variantTab}`);
    panels.get(tab.dataset.variantTab)?.setAttribute("role", "tabpanel");
    tab.addEventListener("click", (event) => {
      event.preventDefault();
      show(tab.dataset.variantTab);
    });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      show(next.dataset.variantTab, true);
    });
  }
  const withError = [...panels.values()].find((p) => p.querySelector(".field-errors"));
  const fallback = form.querySelector("[name=default_language]")?.value;
  show(withError?.dataset.variant || (panels.has(fallback) ? fallback : tabs[0].dataset.variantTab));
}

function setupMergeFields(form) {
  let target = null;
  form.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field.closest("[data-variant]") && field.matches("input[type=text], input:not([type]), textarea")) {
      target = field;
    }
  });
  for (const button of form.querySelectorAll("[data-merge-field]")) {
    button.addEventListener("click", () => {
      const field = target && !target.closest("[data-variant]").hidden
        ? target
        : form.querySelector("[data-variant]:not([hidden]) textarea");
      if (!field) return;
      const text = `{{ ${button.dataset.mergeField} }}`;
      const start = field.selectionStart ?? field.value.length;
      const end = field.selectionEnd ?? start;
      field.setRangeText(text, start, end, "end");
      field.focus();
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
}

function setupLivePreview(form) {
  const button = form.querySelector("[data-preview-button]");
  if (!button || !form.requestSubmit) return;
  let timer = null;
  const refresh = () => form.requestSubmit(button);
  form.addEventListener("input", (event) => {
    if (event.target.name?.endsWith("_search")) return; // the contact picker's typing
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "preview_language" || event.target.name === "preview_contact") {
      refresh();
    }
  });
  refresh();
}

for (const form of document.querySelectorAll("[data-template-editor]")) {
  setupTabs(form);
  setupMergeFields(form);
  setupLivePreview(form);
}
