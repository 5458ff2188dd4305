// The comment box's @mention autocomplete: typing "@" and a letter or two lists the people and
// teams whose handle or name starts so (read from the textarea's data-mentions address); the
// arrow keys move, Enter or Tab (or a click) writes "@handle ". Without this script the box is
// a plain textarea and mentions are typed in full.

const WORD = /(^|[\s(])@([\w.-]{1,40})$/;

function setUp(box) {
  const list = document.createElement("ul");
  list.id = `${box.id}-mentions`;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  box.after(list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("aria-controls", list.id);

  let asked = 0;
  let active = -1;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, n) => option.setAttribute("aria-selected", String(n === index)));
    active = index;
    if (options[index]) box.setAttribute("aria-activedescendant", options[index].id);
  }

  function choose(handle) {
    const before = box.value.slice(0, box.selectionStart);
    const after = box.value.slice(box.selectionStart);
    const start = before.lastIndexOf("@");
    box.value = `${before.slice(0, start)}@${handle} ${after}`;
    const caret = start + handle.length + 2;
    box.setSelectionRange(caret, caret);
    close();
    box.focus();
  }

  function show(results) {
    list.replaceChildren();
    results.forEach((found, n) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${n}`;
      option.setAttribute("role", "option");
      option.dataset.handle = found.handle;
      const handle = document.createElement("strong");
      handle.textContent = `@${found.handle}`;
      option.append(handle, ` ${found.name}`);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the box
        choose(found.handle);
      });
      list.append(option);
    });
    list.hidden = results.length === 0;
    box.setAttribute("aria-expanded", String(results.length > 0));
    if (results.length) highlight(0);
  }

  async function suggest() {
    const typed = WORD.exec(box.value.slice(0, box.selectionStart));
    if (!typed) return close();
    const mine = ++asked;
    try {
      const url = `${box.dataset.mentions}?q=${encodeURIComponent(typed[2])}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      show((await response.json()).results);
    } catch {
      close(); // offline: the name is typed in full
    }
  }

  box.addEventListener("input", suggest);
  box.addEventListener("blur", close);
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    const count = list.children.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(list.children[active].dataset.handle);
    } else if (event.key === "Escape") {
      close();
    }
  });
}

function init() {
  document.querySelectorAll("textarea[data-mentions]").forEach(setUp);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init);
} else {
  init();
}
