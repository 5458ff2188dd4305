// The step editor, progressively: each step row shows only the inputs of its kind (the page
// works the same without this script; hidden inputs are simply ignored by the server).
const FIELDS = {
  email: ["template"],
  task: ["subject", "due_in_days", "task_owner", "task_team"],
  wait: ["wait_days", "wait_hours"],
  branch: ["rules", "then", "jump_to"],
};
const ALL = Object.values(FIELDS).flat();

function refresh(row) {
  const kind = row.querySelector("select[name$='-kind']");
  if (!kind) return;
  const shown = new Set(FIELDS[kind.value] || []);
  for (const name of ALL) {
    const input = row.querySelector(`[name$='-${name}']`);
    const field = input && input.closest(".field");
    if (field) field.hidden = kind.value !== "" && !shown.has(name);
  }
}

for (const row of document.querySelectorAll("[data-step-row]")) {
  refresh(row);
  row.addEventListener("change", (event) => {
    if (event.target.name && event.target.name.endsWith("-kind")) refresh(row);
  });
}
