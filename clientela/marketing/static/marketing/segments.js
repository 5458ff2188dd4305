// The segment rule builder. Without this script the form is a table of condition rows (and a
// JSON box); with it, the conditions become a tree: add or remove conditions and AND/OR
// groups, operators offered by field type, and a live count as you type. The tree is written
// into the form's JSON box, which the server reads first, so saving is the same form post.

const DEBOUNCE_MS = 400;
const MAX_DEPTH = 5;

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function select(options, value, label) {
  const node = element("select", { "aria-label": label });
  for (const [optionValue, optionLabel, group] of options) {
    const option = element("option", { value: optionValue, text: optionLabel });
    if (String(optionValue) === String(value ?? "")) option.selected = true;
    const parent = group ? groupOf(node, group) : node;
    parent.append(option);
  }
  return node;
}

function groupOf(selectNode, label) {
  let group = [...selectNode.querySelectorAll("optgroup")].find((g) => g.label === label);
  if (!group) {
    group = element("optgroup", { label });
    selectNode.append(group);
  }
  return group;
}

function setupBuilder(form) {
  const catalogue = JSON.parse(document.getElementById("rule-catalogue").textContent);
  const treeData = document.getElementById("rule-tree");
  const jsonBox = form.querySelector("[data-rules-json]");
  const rows = form.querySelector("[data-rule-rows]");
  const host = form.querySelector("[data-rule-tree]");
  const status = form.querySelector("[data-live-count]");
  const texts = host.dataset;
  const fields = Object.fromEntries(catalogue.fields.map((f) => [f.name, f]));
  let tree = treeData ? JSON.parse(treeData.textContent) : { op: "and", rules: [] };
  if (!tree || !Array.isArray(tree.rules)) tree = { op: "and", rules: [] };
  let timer = null;
  let controller = null;

  // Conditions still without a field are left out until one is chosen.
  function pruned(group) {
    const rules = group.rules
      .map((child) => (child && Array.isArray(child.rules) ? pruned(child) : child))
      .filter((child) => child && (Array.isArray(child.rules) ? child.rules.length : child.field));
    return { op: group.op, rules };
  }

  function changed() {
    jsonBox.value = JSON.stringify(pruned(tree));
    clearTimeout(timer);
    timer = setTimeout(count, DEBOUNCE_MS);
  }

  async function count() {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(form.dataset.countUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      const answer = await response.json();
      if (response.ok) {
        const template = answer.count === 1 ? texts.one : texts.many;
        status.textContent = template.replace("{n}", answer.count.toLocaleString());
      } else {
        status.textContent = (answer.errors || []).join(" ");
      }
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = texts.offline;
    }
  }

  function valueInput(rule, field) {
    const shape = catalogue.operators[rule.operator]?.shape;
    const choices = field.choices;
    const wrap = element("span", { class: "rule__value" });
    const set = (value) => {
      rule.value = value;
      changed();
    };
    if (!shape || shape === "nothing") {
      delete rule.value;
      return wrap;
    }
    const type = { date: "date", number: "number", money: "number" }[field.type] || "text";
    if (shape === "days") {
      const input = element("input", { type: "number", min: "1", "aria-label": texts.days });
      input.value = rule.value ?? "";
      input.addEventListener("input", () => set(input.value));
      wrap.append(input);
    } else if (shape === "pair") {
      const pair = Array.isArray(rule.value) ? rule.value : ["", ""];
      [0, 1].forEach((i) => {
        const input = element("input", { type, "aria-label": texts.value, step: "any" });
        input.value = pair[i] ?? "";
        input.addEventListener("input", () => {
          pair[i] = input.value;
          set(pair);
        });
        wrap.append(input);
      });
    } else if (choices && shape === "list") {
      const chosen = new Set((rule.value || []).map(String));
      const list = element("select", { multiple: "", size: "4", "aria-label": texts.value });
      for (const [value, label] of choices) {
        const option = element("option", { value, text: label });
        option.selected = chosen.has(String(value));
        list.append(option);
      }
      list.addEventListener("change", () => set([...list.selectedOptions].map((o) => o.value)));
      wrap.append(list);
    } else if (choices) {
      const one = select([["", "—"], ...choices], rule.value, texts.value);
      one.addEventListener("change", () => set(one.value));
      wrap.append(one);
    } else {
      const input = element("input", { type: shape === "list" ? "text" : type, step: "any" });
      input.setAttribute("aria-label", texts.value);
      input.value = Array.isArray(rule.value) ? rule.value.join(", ") : (rule.value ?? "");
      input.addEventListener("input", () => {
        const text = input.value;
        set(shape === "list" ? text.split(",").map((s) => s.trim()).filter(Boolean) : text);
      });
      wrap.append(input);
    }
    return wrap;
  }

  function paramInputs(rule, field) {
    const wrap = element("span", { class: "rule__params" });
    for (const param of field.params) {
      rule.params = rule.params || {};
      let input;
      if (param.choices) {
        input = select([["", `${param.label}: ${texts.any}`], ...param.choices], rule.params[param.name], param.label);
      } else {
        input = element("input", { type: "number", min: "1", placeholder: param.label });
        input.setAttribute("aria-label", param.label);
        input.value = rule.params[param.name] ?? "";
      }
      input.addEventListener("change", () => {
        if (input.value) rule.params[param.name] = input.value;
        else delete rule.params[param.name];
        changed();
      });
      wrap.append(input);
    }
    return wrap;
  }

  function renderRule(rule, parent, index) {
    const item = element("li", { class: "rule" });
    const options = catalogue.fields.map((f) => [f.name, f.label, f.group]);
    const fieldSelect = select([["", "—"], ...options], rule.field, texts.field);
    item.append(fieldSelect);
    const field = fields[rule.field];
    if (field) {
      if (!field.operators.includes(rule.operator)) rule.operator = field.operators[0];
      const operators = field.operators.map((op) => [op, catalogue.operators[op].label]);
      const operatorSelect = select(operators, rule.operator, texts.operator);
      operatorSelect.addEventListener("change", () => {
        rule.operator = operatorSelect.value;
        delete rule.value;
        render();
        changed();
      });
      item.append(operatorSelect, valueInput(rule, field), paramInputs(rule, field));
    }
    fieldSelect.addEventListener("change", () => {
      parent.rules[index] = { field: fieldSelect.value };
      render();
      changed();
    });
    const remove = element("button", { type: "button", class: "btn btn-small", text: texts.remove });
    remove.addEventListener("click", () => {
      parent.rules.splice(index, 1);
      render();
      changed();
    });
    item.append(remove);
    return item;
  }

  function renderGroup(group, depth, parent, index) {
    const box = element("fieldset", { class: "rule-group" });
    const op = select([["and", texts.and], ["or", texts.or]], group.op, texts.join);
    op.addEventListener("change", () => {
      group.op = op.value;
      changed();
    });
    box.append(element("legend", {}, [op]));
    const list = element("ol", { class: "rule-list" });
    group.rules.forEach((child, i) => {
      if (child && Array.isArray(child.rules)) list.append(element("li", {}, [renderGroup(child, depth + 1, group, i)]));
      else list.append(renderRule(child || {}, group, i));
    });
    box.append(list);
    const add = element("button", { type: "button", class: "btn btn-small", text: texts.addRule });
    add.addEventListener("click", () => {
      group.rules.push({ field: "" });
      render();
    });
    box.append(add);
    if (depth < MAX_DEPTH) {
      const addGroup = element("button", { type: "button", class: "btn btn-small", text: texts.addGroup });
      addGroup.addEventListener("click", () => {
        group.rules.push({ op: "or", rules: [{ field: "" }] });
        render();
      });
      box.append(addGroup);
    }
    if (parent) {
      const remove = element("button", { type: "button", class: "btn btn-small", text: texts.removeGroup });
      remove.addEventListener("click", () => {
        parent.rules.splice(index, 1);
        render();
        changed();
      });
      box.append(remove);
    }
    return box;
  }

  function render() {
    host.replaceChildren(renderGroup(tree, 1, null, 0));
  }

  rows.hidden = true;
  jsonBox.closest("details").hidden = true;
  host.hidden = false;
  form.querySelector("[data-count-button]").hidden = true;
  jsonBox.value = JSON.stringify(pruned(tree));
  render();
}

document.querySelectorAll("form[data-rule-builder]").forEach(setupBuilder);
