// Drag and drop on the pipeline board. Without this script every card still has its own
// "Move" form (the keyboard and no-script way); with it, dropping a card on another column
// posts that same form's data, then re-reads the board so counts and totals stay exact.

function setupBoard(board) {
  const status = document.querySelector("[data-board-status]");
  let dragged = null;

  function announce(text, isError) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("message-error", Boolean(isError));
    status.hidden = !text;
  }

  async function refresh() {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-board]");
    if (fresh) board.replaceChildren(...fresh.children);
  }

  async function move(card, stageId) {
    const form = card.querySelector("form");
    if (!form) return;
    const data = new FormData(form);
    data.set("stage", stageId);
    card.classList.add("is-moving");
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      announce(answer.message || "", !response.ok);
    } catch (error) {
      announce(board.dataset.offline || "", true);
    }
    await refresh();
  }

  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".deal-card[draggable='true']");
    if (!dragged) return;
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.deal);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    board.querySelectorAll(".is-drop-target").forEach((c) => c.classList.remove("is-drop-target"));
    dragged = null;
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest("[data-stage]");
    if (!dragged || !column) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-drop-target").forEach((c) => {
      if (c !== column) c.classList.remove("is-drop-target");
    });
    column.classList.add("is-drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest("[data-stage]");
    if (!dragged || !column) return;
    event.preventDefault();
    column.classList.remove("is-drop-target");
    const card = dragged;
    if (card.closest("[data-stage]") === column) return;
    column.querySelector(".board__cards").prepend(card); // show it there at once
    move(card, column.dataset.stage);
  });
}

document.querySelectorAll("[data-board]").forEach(setupBoard);
